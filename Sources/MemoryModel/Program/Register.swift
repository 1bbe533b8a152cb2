/// A general-purpose register as an instruction names it: which of X0–X30 (or
/// the zero register) and whether the instruction uses its 64-bit (`X`) or
/// 32-bit (`W`) view. A write through `W` zero-extends into the whole register;
/// a read through `W` sees the low 32 bits (Arm ARM C1.2.5).
public struct Register: Hashable, Sendable, CustomStringConvertible {
    /// 0–30, or 31 for the zero register (XZR/WZR). SP is not modelled.
    public var number: UInt8
    /// True for the 64-bit view.
    public var is64Bit: Bool

    public init(_ number: UInt8, is64Bit: Bool = true) {
        precondition(number <= 31, "AArch64 has registers 0-30 and the zero register")
        self.number = number
        self.is64Bit = is64Bit
    }

    public static func x(_ n: UInt8) -> Register { Register(n, is64Bit: true) }
    public static func w(_ n: UInt8) -> Register { Register(n, is64Bit: false) }
    public static let xzr = Register(31, is64Bit: true)
    public static let wzr = Register(31, is64Bit: false)

    public var isZero: Bool { number == 31 }
    /// The same register number in its 64-bit view: what final states name.
    public var full: Register { Register(number, is64Bit: true) }
    /// Bits of the view: 64 or 32.
    public var width: Int { is64Bit ? 64 : 32 }

    /// The value this view reads out of the full 64-bit register contents.
    @inlinable public func view(_ full: UInt64) -> UInt64 {
        if isZero { return 0 }
        return is64Bit ? full : full & 0xFFFF_FFFF
    }

    public var description: String {
        if isZero { return is64Bit ? "XZR" : "WZR" }
        return (is64Bit ? "X" : "W") + String(number)
    }
}

/// Register state of one thread: 31 registers (the zero register reads 0).
///
/// Stored inline (no heap array): the sequential executor creates a file per
/// handler run and writes registers on most steps, and an inline file makes
/// both a plain store instead of an allocation or a uniqueness check.
public struct RegisterFile: Hashable, Sendable {
    @usableFromInline var storage: InlineArray<31, UInt64>
    /// Bit n set once Xn has been written (an initial value counts): isla
    /// reads a register's final value from the thread's last write to it,
    /// and a register the thread never wrote has none (see
    /// `ConcurrentProgram.recordsWrittenRegisters`).
    public var written: UInt32 = 0

    public init() { storage = InlineArray(repeating: 0) }

    public init(_ values: [UInt64]) {
        precondition(values.count == 31)
        storage = InlineArray { values[$0] }
    }

    /// X0–X30 by number, as a copy (final states and litmus initial values).
    public var values: [UInt64] {
        get { (0..<31).map { storage[$0] } }
        set {
            precondition(newValue.count == 31)
            for i in 0..<31 { storage[i] = newValue[i] }
        }
    }

    /// The full 64-bit contents of X`number` (0–30).
    @inlinable public subscript(number: Int) -> UInt64 {
        get { storage[number] }
        set { storage[number] = newValue }
    }

    @inlinable public func read(_ r: Register) -> UInt64 {
        r.isZero ? 0 : r.view(storage[Int(r.number)])
    }
    /// A write through a W view zero-extends; writes to the zero register vanish.
    @inlinable public mutating func write(_ r: Register, _ v: UInt64) {
        if r.isZero { return }
        storage[Int(r.number)] = r.is64Bit ? v : v & 0xFFFF_FFFF
        written |= 1 << UInt32(r.number)
    }

    public static func == (a: RegisterFile, b: RegisterFile) -> Bool {
        for i in 0..<31 where a.storage[i] != b.storage[i] { return false }
        return a.written == b.written
    }

    /// The registers' bytes in one call: the SC explorer hashes every
    /// thread of every state it visits, and one combine per register
    /// costs a call each.
    public func hash(into hasher: inout Hasher) {
        withUnsafeBytes(of: storage) { hasher.combine(bytes: $0) }
        hasher.combine(written)
    }
}
