/// The flexible second operand of a data-processing instruction: an immediate
/// or a register, optionally shifted or extended (Arm ARM C6.2, "shifted
/// register" and "extended register" forms).
public enum Operand: Hashable, Sendable, CustomStringConvertible {
    case immediate(UInt64)
    case register(Register, Shift)

    public static func reg(_ r: Register) -> Operand { .register(r, .none) }

    public var description: String {
        switch self {
        case .immediate(let v): return "#\(v)"
        case .register(let r, .none): return r.description
        case .register(let r, let s): return "\(r),\(s)"
        }
    }
}

/// A shift or extension applied to a register operand.
public enum Shift: Hashable, Sendable, CustomStringConvertible {
    case none
    case lsl(UInt8)
    case lsr(UInt8)
    case asr(UInt8)
    /// Sign-extend the low 32 bits, then shift left (`SXTW #n`).
    case sxtw(UInt8)
    /// Zero-extend the low 32 bits, then shift left (`UXTW #n`).
    case uxtw(UInt8)

    /// Applies the shift to a value already read through the register's view.
    @inlinable public func apply(_ v: UInt64) -> UInt64 {
        switch self {
        case .none: return v
        case .lsl(let n): return n >= 64 ? 0 : v << UInt64(n)
        case .lsr(let n): return n >= 64 ? 0 : v >> UInt64(n)
        case .asr(let n): return UInt64(bitPattern: Int64(bitPattern: v) >> Int64(min(n, 63)))
        case .sxtw(let n):
            let e = UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: v)))
            return n >= 64 ? 0 : e << UInt64(n)
        case .uxtw(let n): return n >= 64 ? 0 : (v & 0xFFFF_FFFF) << UInt64(n)
        }
    }

    public var description: String {
        switch self {
        case .none: return ""
        case .lsl(let n): return "LSL #\(n)"
        case .lsr(let n): return "LSR #\(n)"
        case .asr(let n): return "ASR #\(n)"
        case .sxtw(let n): return n == 0 ? "SXTW" : "SXTW #\(n)"
        case .uxtw(let n): return n == 0 ? "UXTW" : "UXTW #\(n)"
        }
    }
}

/// A memory operand: `[Xn]`, `[Xn,#imm]`, `[Xn,Xm]`, `[Xn,Wm,SXTW]`.
/// Pre/post-index writeback is not used by the tests hvdiff runs.
public struct Address: Hashable, Sendable, CustomStringConvertible {
    public var base: Register
    public var offset: Operand

    public init(base: Register, offset: Operand = .immediate(0)) {
        self.base = base
        self.offset = offset
    }

    public var description: String {
        if case .immediate(0) = offset { return "[\(base)]" }
        return "[\(base),\(offset)]"
    }
}
