/// Why a record's protobuf bytes do not decode.
enum WireError: Error, Equatable, CustomStringConvertible {
    /// A field runs past the end of the record.
    case truncated
    /// Bytes that are not protobuf (bad tag, overlong varint, stray end-group).
    case malformed
    /// A string field that is not UTF-8.
    case invalidUTF8
    /// Nesting deeper than swift-protobuf's default limit of 100.
    case tooDeep

    var description: String {
        switch self {
        case .truncated: "a field runs past the end of the record"
        case .malformed: "malformed protobuf"
        case .invalidUTF8: "a string field is not valid UTF-8"
        case .tooDeep: "nesting deeper than 100 levels"
        }
    }
}

/// Protobuf wire-format primitives over one record's bytes.
///
/// It accepts and rejects exactly what swift-protobuf's BinaryDecoder does
/// (see `RecordDecoder` and the differential tests in TraceTests): the
/// reader must not disagree with the generated code on what a record means.
struct WireReader {
    enum WireType: UInt8 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
        case startGroup = 3
        case endGroup = 4
        case fixed32 = 5
    }

    private var position: UnsafeRawPointer
    private let end: UnsafeRawPointer
    /// Remaining nesting allowance, as swift-protobuf counts it.
    private(set) var budget: Int

    static let depthLimit = 100

    init(_ bytes: UnsafeRawBufferPointer, budget: Int) {
        position = bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
        end = position + bytes.count
        self.budget = budget
    }

    var isAtEnd: Bool { position == end }
    private var available: Int { end - position }

    /// The next field's number and wire type (a field tag as swift-protobuf
    /// parses it at message level: at most five bytes, numbers below 2^29).
    mutating func tag() throws(WireError) -> (field: Int, wireType: WireType) {
        let first = position.load(as: UInt8.self)
        guard let wireType = WireType(rawValue: first & 7) else { throw .malformed }
        var field = Int(first & 0x7f) >> 3
        var length = 1
        var byte = first
        while byte & 0x80 != 0 {
            guard length < available else { throw .malformed }
            byte = position.load(fromByteOffset: length, as: UInt8.self)
            if length == 4 && byte > 15 { throw .malformed }
            field |= Int(byte & 0x7f) << (7 * length - 3)
            length += 1
            if length == 5 { break }
        }
        position += length
        guard field != 0, wireType != .endGroup else { throw .malformed }
        return (field, wireType)
    }

    mutating func varint() throws(WireError) -> UInt64 {
        guard available > 0 else { throw .truncated }
        var byte = position.load(as: UInt8.self)
        position += 1
        if byte < 0x80 { return UInt64(byte) }
        var value = UInt64(byte & 0x7f)
        var shift: UInt64 = 7
        while true {
            guard available > 0, shift <= 63 else { throw .malformed }
            byte = position.load(as: UInt8.self)
            position += 1
            value |= UInt64(byte & 0x7f) &<< shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }

    /// The body of a length-delimited field.
    mutating func lengthDelimited() throws(WireError) -> UnsafeRawBufferPointer {
        let length = try varint()
        guard length < 0x7fff_ffff else { throw .malformed }
        guard length <= UInt64(available) else { throw .truncated }
        let body = UnsafeRawBufferPointer(start: position, count: Int(length))
        position += Int(length)
        return body
    }

    mutating func string() throws(WireError) -> String {
        let body = try lengthDelimited()
        guard let string = String(validating: body, as: UTF8.self) else { throw .invalidUTF8 }
        return string
    }

    /// A reader for a nested message's body, one level deeper.
    mutating func nested() throws(WireError) -> WireReader {
        let body = try lengthDelimited()
        guard budget > 0 else { throw .tooDeep }
        return WireReader(body, budget: budget - 1)
    }

    /// Skips a field this schema does not define (or that arrived with an
    /// unexpected wire type: swift-protobuf treats both as unknown).
    mutating func skip(field: Int, wireType: WireType) throws(WireError) {
        switch wireType {
        case .varint:
            _ = try varint()
        case .fixed64:
            guard available >= 8 else { throw .truncated }
            position += 8
        case .fixed32:
            guard available >= 4 else { throw .truncated }
            position += 4
        case .lengthDelimited:
            _ = try lengthDelimited()
        case .startGroup:
            budget -= 1
            guard budget >= 0 else { throw .tooDeep }
            while true {
                guard !isAtEnd else { throw .truncated }
                let raw = try varint()
                guard raw < UInt64(UInt32.max), raw >> 3 != 0, let innerType = WireType(rawValue: UInt8(raw & 7)) else {
                    throw .malformed
                }
                let innerField = Int(raw >> 3)
                if innerType == .endGroup {
                    guard innerField == field else { throw .malformed }
                    break
                }
                try skip(field: innerField, wireType: innerType)
            }
            budget += 1
        case .endGroup:
            throw .truncated
        }
    }
}
