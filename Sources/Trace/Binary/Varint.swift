/// Base-128 varints as protobuf writes them: the record length prefix.
enum Varint {
    /// Longest encoding of a UInt64.
    static let maxLength = 10

    /// Appends the encoding of `value` to `bytes`.
    static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// Result of decoding a varint at the start of a buffer.
    enum Decoded: Equatable {
        case value(UInt64, length: Int)
        /// The buffer ends inside the varint.
        case incomplete
        /// More than ten bytes, or a tenth byte that overflows 64 bits.
        case malformed
    }

    static func decode(_ buffer: UnsafeRawBufferPointer) -> Decoded {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        for index in 0..<min(buffer.count, maxLength) {
            let byte = buffer[index]
            if index == maxLength - 1 && byte > 1 {
                return .malformed
            }
            value |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 {
                return .value(value, length: index + 1)
            }
            shift += 7
        }
        return buffer.count >= maxLength ? .malformed : .incomplete
    }
}
