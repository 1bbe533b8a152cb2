/// Memory that is always current: the SC machine's one copy of every word.
/// Stored as aligned 8-byte words; narrower accesses use their byte lanes
/// (little-endian, as AArch64 data accesses are by default).
public struct FlatMemory: Hashable, Sendable {
    public var words: [UInt64: UInt64]

    public init(_ words: [UInt64: UInt64] = [:]) { self.words = words }

    /// Reads `width` bytes at `address`; an access may not cross an 8-byte word.
    @inlinable public func read(_ address: UInt64, _ width: AccessWidth) throws(MachineError) -> UInt64 {
        let (word, shift) = try Self.lane(address, width)
        return ((words[word] ?? 0) >> shift) & width.mask
    }

    @inlinable public mutating func write(_ address: UInt64, _ width: AccessWidth, _ value: UInt64) throws(MachineError) {
        let (word, shift) = try Self.lane(address, width)
        if width == .doubleword {
            words[word] = value
        } else {
            let m = width.mask << shift
            words[word] = (words[word] ?? 0) & ~m | (value & width.mask) << shift
        }
    }

    /// The aligned word and the bit shift of an access's lane. Always
    /// inlined (every data access checks it); the error is built out of line.
    @inlinable @inline(__always)
    static func lane(_ address: UInt64, _ width: AccessWidth) throws(MachineError) -> (UInt64, UInt64) {
        let offset = address & 7
        guard offset + UInt64(width.rawValue) <= 8 else { throw crossing(address, width) }
        return (address & ~7, offset * 8)
    }

    @usableFromInline @inline(never)
    static func crossing(_ address: UInt64, _ width: AccessWidth) -> MachineError {
        .unsupported("access of \(width.rawValue) bytes at 0x\(String(address, radix: 16)) crosses an 8-byte word")
    }
}
