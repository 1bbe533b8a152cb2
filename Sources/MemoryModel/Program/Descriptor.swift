/// VMSAv8-64 translation-table descriptor fields, 4 KiB granule (Arm ARM
/// D8.3). herd's descriptor syntax `(oa:PA(x), valid:1, af:1, db:1, dbm:0)`
/// and isla's page-table setup both encode to these bits, so memory holds
/// the same 64-bit words the MMU would walk.
public enum Descriptor {
    public static let valid: UInt64 = 1 << 0
    /// Bit 1: table (levels 0-2) or page (level 3) rather than block.
    public static let tableOrPage: UInt64 = 1 << 1
    /// AP[1]: unprivileged (EL0) access.
    public static let el0: UInt64 = 1 << 6
    /// AP[2]: read-only. herd's `db:1` (dirty, writable) is AP[2] = 0.
    public static let readOnly: UInt64 = 1 << 7
    /// Access flag.
    public static let accessFlag: UInt64 = 1 << 10
    /// nG: the entry is non-global, cached under the current ASID.
    public static let notGlobal: UInt64 = 1 << 11
    /// Dirty bit modifier.
    public static let dirtyBitModifier: UInt64 = 1 << 51
    /// Output address, bits [47:12].
    public static let outputAddressMask: UInt64 = 0x0000_FFFF_FFFF_F000

    @inlinable public static func outputAddress(_ d: UInt64) -> UInt64 { d & outputAddressMask }
    @inlinable public static func isValid(_ d: UInt64) -> Bool { d & valid != 0 }

    /// herd's descriptor: `valid`, `af`, `db`, `dbm`, `el0` default to herd's
    /// defaults (1, 1, 1, 0, 1) when a field is not given.
    public static func herd(outputAddress: UInt64, valid v: Bool = true, af: Bool = true,
                            db: Bool = true, dbm: Bool = false, el0 e: Bool = true) -> UInt64 {
        var d = outputAddress & outputAddressMask | tableOrPage
        if v { d |= valid }
        if af { d |= accessFlag }
        if !db { d |= readOnly }
        if dbm { d |= dirtyBitModifier }
        if e { d |= el0 }
        return d
    }
}
