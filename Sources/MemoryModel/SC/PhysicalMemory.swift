/// What the SC interpreter needs of memory. Two representations exist for
/// two jobs: `FlatMemory`, a hashable dictionary of words that the SC
/// explorer can keep in its visited set, and `PagedMemory`, page-indexed
/// storage that the sequential executor runs long traces on.
public protocol PhysicalMemory {
    /// Reads `width` bytes at `address`; an access may not cross an 8-byte word.
    func read(_ address: UInt64, _ width: AccessWidth) throws(MachineError) -> UInt64
    mutating func write(_ address: UInt64, _ width: AccessWidth, _ value: UInt64) throws(MachineError)
    /// The aligned 8-byte word holding `address` (what a table walk reads).
    func word(_ address: UInt64) -> UInt64
    mutating func setWord(_ address: UInt64, _ value: UInt64)
}

extension FlatMemory: PhysicalMemory {
    @inlinable public func word(_ address: UInt64) -> UInt64 { words[address & ~7] ?? 0 }
    @inlinable public mutating func setWord(_ address: UInt64, _ value: UInt64) { words[address & ~7] = value }
}
