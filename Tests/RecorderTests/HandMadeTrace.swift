import CZstd
import Foundation
import SwiftProtobuf
import Trace

/// Builds trace files byte by byte, to make the damaged files no writer
/// produces: records framed by hand, zstd frames with or without checksums.
enum HandMade {
    static let magic: [UInt8] = Array("HVTRACE\n".utf8)
    static let preamble: [UInt8] = magic + [1, 0, 0, 0]

    static func varint(_ value: UInt64) -> [UInt8] {
        var v = value
        var out: [UInt8] = []
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
        return out
    }

    /// A record: varint length, then the bytes.
    static func record(_ body: [UInt8]) -> [UInt8] {
        varint(UInt64(body.count)) + body
    }

    static func record(_ message: some SwiftProtobuf.Message) throws -> [UInt8] {
        record(try message.serializedBytes())
    }

    /// The header record of `TestMachine`.
    static func headerRecord() throws -> [UInt8] {
        try record(TestMachine.header())
    }

    /// A valid host event: cpu 0, the given seq, a lock acquire.
    static func lockEvent(seq: UInt64) -> TraceEvent {
        EventSpec(cpu: 0, principal: 2, seq: seq, kind: .lock(kind: 1, address: 0x1000)).traceEvent
    }

    /// One zstd frame holding content, with a content checksum unless told.
    static func frame(_ content: [UInt8], checksum: Bool = true) throws -> [UInt8] {
        guard let context = ZSTD_createCCtx() else { throw TestFailure("ZSTD_createCCtx failed") }
        defer { ZSTD_freeCCtx(context) }
        guard ZSTD_isError(ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, checksum ? 1 : 0)) == 0 else {
            throw TestFailure("ZSTD_c_checksumFlag refused")
        }
        var output = [UInt8](repeating: 0, count: ZSTD_compressBound(content.count))
        let size = output.withUnsafeMutableBytes { out in
            content.withUnsafeBytes { src in
                ZSTD_compress2(context, out.baseAddress, out.count, src.baseAddress, src.count)
            }
        }
        guard ZSTD_isError(size) == 0 else { throw TestFailure("ZSTD_compress2 failed") }
        return Array(output[..<size])
    }

    /// A whole file: the preamble, then the frames.
    static func file(frames: [[UInt8]]) -> [UInt8] {
        preamble + frames.flatMap { $0 }
    }

    /// The sizes of the zstd frames after the preamble (for checking where
    /// frames end).
    static func frameSizes(of file: [UInt8]) throws -> [Int] {
        var sizes: [Int] = []
        var offset = preamble.count
        while offset < file.count {
            let size = file[offset...].withUnsafeBytes { ZSTD_findFrameCompressedSize($0.baseAddress, $0.count) }
            guard ZSTD_isError(size) == 0, size > 0 else { throw TestFailure("no zstd frame at \(offset)") }
            sizes.append(size)
            offset += size
        }
        return sizes
    }
}
