/// AT <op>, Xt (Arm ARM C5.5, "Address translation instructions"): the
/// stage-1 translation of the virtual address in Xt in the EL1&0 regime,
/// as a read or a write at EL0 or EL1 would make it, reported in PAR_EL1
/// instead of taken: the output address on success, the F bit on a fault.
/// An AT never faults itself.
///
/// herd (AArch64.kvm tests, `parel1_t:(oa:PA(x))` / `parel1_t:(f:1)`)
/// models PAR_EL1 by those two fields alone; so does hvdiff: on success the
/// register holds the output address's bits [47:12] and nothing else (no
/// memory attributes or shareability), on a fault the F bit alone (no
/// fault status code), which is also what herd's litmus harness packs.
public enum AddressTranslationOperation: String, Hashable, Sendable, CaseIterable {
    case s1e0r = "S1E0R", s1e0w = "S1E0W", s1e1r = "S1E1R", s1e1w = "S1E1W"

    /// The access whose translation is asked for.
    public var kind: Translation.AccessKind {
        switch self {
        case .s1e0r, .s1e1r: return .read
        case .s1e0w, .s1e1w: return .write
        }
    }

    /// Translated with EL0's permissions (AP[1], herd's `el0`).
    public var unprivileged: Bool { self == .s1e0r || self == .s1e0w }

    /// The translation context of the operation from a thread whose own
    /// context is `context`: the EL1&0 regime, stage 1 only (an S1 operation
    /// reports the IPA when stage 2 is on, though its table walks still go
    /// through stage 2).
    public func context(from context: Translation.Context) -> Translation.Context {
        var c = context
        c.unprivileged = unprivileged
        c.el2Regime = false
        c.stage1Only = true
        return c
    }
}

/// The PAR_EL1 values an AT writes (see `AddressTranslationOperation`).
public enum PhysicalAddressRegister {
    /// PAR_EL1.F, bit 0: the translation faulted.
    public static let fault: UInt64 = 1
    /// PAR_EL1.PA, bits [47:12].
    public static let outputAddressMask: UInt64 = 0x0000_FFFF_FFFF_F000

    /// The value after a successful translation to `address`.
    public static func success(_ address: UInt64) -> UInt64 { address & outputAddressMask }

    /// The value for a translation result.
    public static func value(of result: Translation.Result) -> UInt64? {
        switch result {
        case .physical(let pa): return success(pa)
        case .fault: return fault
        case .needsRead: return nil
        }
    }
}
