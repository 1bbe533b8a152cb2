/// The value semantics of data-processing instructions, shared by both
/// machines: only memory differs between SC and Arm, never what ADD or
/// CMP compute (Arm ARM C6, the pseudocode of each instruction).
public enum ValueSemantics {
    /// N, Z, C, V as CMP/SUBS/ADDS set them.
    public struct Flags: Hashable, Sendable {
        public var n = false, z = false, c = false, v = false
        public init(n: Bool = false, z: Bool = false, c: Bool = false, v: Bool = false) {
            self.n = n; self.z = z; self.c = c; self.v = v
        }
    }

    @inlinable static func mask(_ width: Int) -> UInt64 { width == 64 ? ~0 : (1 << UInt64(width)) - 1 }

    /// The value of `operand` for an instruction operating on `width` bits.
    /// Always inlined: the interpreters call it on most steps, and inlining
    /// also inlines their register-read closure.
    @inlinable @inline(__always) public static func value(_ operand: Operand, width: Int, read: (Register) -> UInt64) -> UInt64 {
        switch operand {
        case .immediate(let v): return v & mask(width)
        case .register(let r, let shift): return shift.apply(read(r)) & mask(width)
        }
    }

    /// `a op b` on `width` bits, and the flags if the operation sets them.
    /// Always inlined, so that a caller that ignores the flags (ADD, not
    /// ADDS) does not compute them.
    @inline(__always) public static func arithmetic(_ op: ArithmeticOperation, _ a: UInt64, _ b: UInt64, width: Int) -> (UInt64, Flags) {
        let m = mask(width)
        let a = a & m, b = b & m
        let top: UInt64 = 1 << UInt64(width - 1)
        switch op {
        case .add:
            let r = (a &+ b) & m
            return (r, Flags(n: r & top != 0, z: r == 0, c: r < a, v: (~(a ^ b) & (a ^ r)) & top != 0))
        case .subtract:
            let r = (a &- b) & m
            return (r, Flags(n: r & top != 0, z: r == 0, c: a >= b, v: ((a ^ b) & (a ^ r)) & top != 0))
        case .exclusiveOr: return logical(a ^ b, top)
        case .and: return logical(a & b, top)
        case .or: return logical(a | b, top)
        case .bitClear: return logical(a & ~b & m, top)
        case .orNot: return logical((a | ~b) & m, top)
        case .exclusiveOrNot: return logical((a ^ ~b) & m, top)
        case .shiftLeft: return logical((a << (b % UInt64(width))) & m, top)
        case .shiftRight: return logical(a >> (b % UInt64(width)), top)
        case .arithmeticShiftRight:
            let signed = width == 64 ? Int64(bitPattern: a) : Int64(Int32(truncatingIfNeeded: a))
            return logical(UInt64(bitPattern: signed >> Int64(b % UInt64(width))) & m, top)
        }
    }

    private static func logical(_ r: UInt64, _ top: UInt64) -> (UInt64, Flags) {
        (r, Flags(n: r & top != 0, z: r == 0))
    }

    /// Whether `condition` holds for `flags` (Arm ARM C1.2.4, ConditionHolds).
    public static func holds(_ condition: Condition, _ f: Flags) -> Bool {
        switch condition {
        case .eq: return f.z
        case .ne: return !f.z
        case .hs: return f.c
        case .lo: return !f.c
        case .mi: return f.n
        case .pl: return !f.n
        case .hi: return f.c && !f.z
        case .ls: return !(f.c && !f.z)
        case .ge: return f.n == f.v
        case .lt: return f.n != f.v
        case .gt: return !f.z && f.n == f.v
        case .le: return !(!f.z && f.n == f.v)
        case .vs: return f.v
        case .vc: return !f.v
        }
    }

    /// The new memory value of an LSE atomic: `old <op> operand` at `width`.
    public static func atomic(_ op: AtomicOperation, old: UInt64, operand: UInt64, width: AccessWidth) -> UInt64 {
        let m = width.mask
        let a = old & m, b = operand & m
        let bits = width.rawValue * 8
        func signed(_ x: UInt64) -> Int64 { Int64(bitPattern: x << UInt64(64 - bits)) >> Int64(64 - bits) }
        switch op {
        case .add: return (a &+ b) & m
        case .clear: return a & ~b
        case .exclusiveOr: return a ^ b
        case .set: return a | b
        case .signedMax: return signed(a) >= signed(b) ? a : b
        case .signedMin: return signed(a) <= signed(b) ? a : b
        case .unsignedMax: return max(a, b)
        case .unsignedMin: return min(a, b)
        }
    }
}
