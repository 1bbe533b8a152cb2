/// What CSINC, CSINV and CSNEG do to Rm when the condition fails
/// (Arm ARM C6: Rd = cond ? Rn : f(Rm)). CINC, CINV, CNEG and CSETM are
/// their aliases with Rn = Rm and the condition inverted.
public enum ConditionalSelectElse: Hashable, Sendable, CaseIterable {
    case increment, invert, negate

    /// f(value) on `width` bits.
    public func apply(_ value: UInt64, width: Int) -> UInt64 {
        let mask: UInt64 = width == 64 ? ~0 : (1 << UInt64(width)) - 1
        switch self {
        case .increment: return (value &+ 1) & mask
        case .invert: return ~value & mask
        case .negate: return (0 &- value) & mask
        }
    }
}
