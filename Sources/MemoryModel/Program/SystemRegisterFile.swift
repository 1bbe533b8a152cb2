/// The system registers of one thread on the SC machine, one slot per
/// `SystemRegister` (absent registers read as 0 through the subscript; `value(of:)`
/// tells an absent register from one holding 0, as CurrentEL needs).
///
/// A fixed array instead of a dictionary: `SystemRegister` has a String raw
/// value, so a dictionary hashes the register's name on every MSR, MRS,
/// exception entry and translation-context rebuild, and the sequential
/// executor builds a fresh set per handler run.
public struct SystemRegisterFile: Hashable, Sendable, ExpressibleByDictionaryLiteral {
    /// One slot per case of `SystemRegister` (see `slot`): a new case
    /// needs a slot there, and a larger array here.
    private var storage: InlineArray<15, UInt64>
    /// Bit `slot` set once the register has been written.
    private var present: UInt16 = 0

    public init() { storage = InlineArray(repeating: 0) }

    public init(_ registers: [SystemRegister: UInt64]) {
        self.init()
        for (register, value) in registers { self[register] = value }
    }

    public init(dictionaryLiteral elements: (SystemRegister, UInt64)...) {
        self.init()
        for (register, value) in elements { self[register] = value }
    }

    /// The register's slot: its position in the declaration (a switch, so
    /// that no name is hashed or compared).
    @inline(__always) static func slot(_ register: SystemRegister) -> Int {
        switch register {
        case .ttbr0El1: return 0
        case .ttbr0El2: return 1
        case .vttbrEl2: return 2
        case .elrEl1: return 3
        case .esrEl1: return 4
        case .farEl1: return 5
        case .elrEl2: return 6
        case .esrEl2: return 7
        case .farEl2: return 8
        case .hpfarEl2: return 9
        case .currentEL: return 10
        case .spsrEl1: return 11
        case .spsrEl2: return 12
        case .parEl1: return 13
        case .spSel: return 14
        }
    }

    public subscript(register: SystemRegister) -> UInt64 {
        get { storage[Self.slot(register)] }
        set {
            let slot = Self.slot(register)
            storage[slot] = newValue
            present |= 1 << UInt16(slot)
        }
    }

    public static func == (a: SystemRegisterFile, b: SystemRegisterFile) -> Bool {
        for i in 0..<a.storage.count where a.storage[i] != b.storage[i] { return false }
        return a.present == b.present
    }

    /// The registers' bytes in one call: the SC explorer hashes every
    /// thread of every state it visits, and one combine per register
    /// costs a call each.
    public func hash(into hasher: inout Hasher) {
        withUnsafeBytes(of: storage) { hasher.combine(bytes: $0) }
        hasher.combine(present)
    }
}

extension SystemRegisterFile: SystemRegisterReading {
    public func value(of register: SystemRegister) -> UInt64? {
        let slot = Self.slot(register)
        return present & 1 << UInt16(slot) == 0 ? nil : storage[slot]
    }
}

/// System registers where one may be absent (never set): a thread's
/// dictionary on the Arm machine, its `SystemRegisterFile` on SC. Absent is
/// not 0 for CurrentEL: a thread that never set it runs at EL1.
public protocol SystemRegisterReading {
    func value(of register: SystemRegister) -> UInt64?
}

extension Dictionary: SystemRegisterReading where Key == SystemRegister, Value == UInt64 {
    public func value(of register: SystemRegister) -> UInt64? { self[register] }
}
