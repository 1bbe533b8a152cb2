import CZstd
import Foundation
import SwiftProtobuf
import Trace

/// Builds binary trace files byte by byte, so tests can make the corrupt and
/// hostile files the real writer refuses to produce.
enum RawTraceFile {
    static func preamble(magic: [UInt8] = TraceFormat.magic, version: UInt32 = TraceFormat.version) -> [UInt8] {
        var bytes = magic
        withUnsafeBytes(of: version.littleEndian) { bytes.append(contentsOf: $0) }
        return bytes
    }

    static func varint(_ value: UInt64) -> [UInt8] {
        var bytes: [UInt8] = []
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
        return bytes
    }

    static func record(_ message: some SwiftProtobuf.Message) throws -> [UInt8] {
        let bytes: [UInt8] = try message.serializedBytes()
        return varint(UInt64(bytes.count)) + bytes
    }

    /// One zstd frame with a content checksum.
    static func frame(_ content: [UInt8]) -> [UInt8] {
        let context = ZSTD_createCCtx()
        defer { ZSTD_freeCCtx(context) }
        ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1)
        var output = [UInt8](repeating: 0, count: ZSTD_compressBound(content.count))
        let size = output.withUnsafeMutableBytes { out in
            content.withUnsafeBytes { input in
                ZSTD_compress2(context, out.baseAddress, out.count, input.baseAddress, input.count)
            }
        }
        precondition(ZSTD_isError(size) == 0)
        return Array(output[0..<size])
    }

    static func file(_ records: [[UInt8]]) -> [UInt8] {
        preamble() + frame(records.flatMap { $0 })
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }
}
