// Feeds arbitrary bytes to the binary trace reader. Any outcome but a
// TraceError or a clean read is a bug: a crash, a hang, or unbounded memory.
//
// An input whose first byte is even is taken as the decompressed record
// stream and wrapped in a valid zstd frame with a checksum, so that record
// framing, decoding and validation are fuzzed, not only zstd's error paths.
import CZstdFuzz
import Foundation
import Trace

func compressed(_ content: UnsafeBufferPointer<UInt8>) -> [UInt8] {
    let context = ZSTD_createCCtx()
    defer { ZSTD_freeCCtx(context) }
    ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1)
    var output = [UInt8](repeating: 0, count: ZSTD_compressBound(content.count))
    let size = output.withUnsafeMutableBytes { out in
        ZSTD_compress2(context, out.baseAddress, out.count, content.baseAddress, content.count)
    }
    precondition(ZSTD_isError(size) == 0)
    return Array(output[0..<size])
}

let path = "/dev/shm/hvdiff-fuzz-binary-\(getpid()).hvtrace"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // Most inputs should get past the preamble, so that the zstd and record
    // layers are exercised: prepend it unless the input already starts with it.
    var bytes = TraceFormat.magic + [1, 0, 0, 0]
    let input = UnsafeBufferPointer(start: data, count: size)
    if size > 0 && data[0] % 2 == 0 {
        bytes += compressed(UnsafeBufferPointer(rebasing: input.dropFirst()))
    } else if input.starts(with: TraceFormat.magic) {
        bytes = Array(input)
    } else {
        bytes += input
    }
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    do {
        let reader = try TraceFileReader(path: path)
        var event = TraceEvent()
        while try reader.read(into: &event) {}
    } catch {
        precondition(!error.description.isEmpty)
    }
    return 0
}
