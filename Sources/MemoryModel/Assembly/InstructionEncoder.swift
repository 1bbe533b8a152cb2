/// A64 binary encodings (Arm ARM C4, "A64 Instruction Set Encoding") of
/// the instructions code may hold when a test reads code as data: herd's
/// `instr:"B .+4"` values and loads from code addresses (herd-regression
/// A248, L062, L105) see these 32-bit words.
///
/// The subset covers branches, moves, immediate and register arithmetic,
/// compares, conditional selects, barriers, NOP, exception generation and
/// return (SVC, HVC, UDF, ERET) and single-register
/// loads/stores with an immediate offset; anything else is an
/// `AssemblyError` naming the instruction, never a made-up word. The IR
/// keeps no difference between RET and BR X30: both encode as RET.
public enum InstructionEncoder {
    /// The word for instruction `index` of code whose first instruction is
    /// at `origin` (branch offsets are relative; ADR, which the assembler
    /// turns into a MOV of the label's address, encodes as ADR again).
    public static func encode(_ instruction: Instruction, at index: Int, origin: UInt64) -> UInt32? {
        func offset(_ target: Int) -> Int { target - index }
        switch instruction {
        case .nop: return 0xD503_201F
        case .isb: return 0xD503_3FDF
        // Exception generation (C4.1.94): SVC, HVC with imm16 in [20:5]; UDF with imm16 in [15:0].
        case let .supervisorCall(imm): return 0xD400_0001 | UInt32(imm) << 5
        case let .hypervisorCall(imm): return 0xD400_0002 | UInt32(imm) << 5
        case let .undefined(imm): return UInt32(imm)
        case .exceptionReturn: return 0xD69F_03E0
        case let .dmb(domain, kind): return 0xD503_30BF | barrier(domain, kind) << 8
        case let .dsb(domain, kind): return 0xD503_309F | barrier(domain, kind) << 8
        case let .branch(t): return 0x1400_0000 | field(offset(t), bits: 26)
        case let .branchAndLink(t): return 0x9400_0000 | field(offset(t), bits: 26)
        case let .branchConditional(c, t): return 0x5400_0000 | field(offset(t), bits: 19) << 5 | code(c)
        case let .compareBranchZero(r, t): return sf(r) | 0x3400_0000 | field(offset(t), bits: 19) << 5 | number(r)
        case let .compareBranchNonZero(r, t): return sf(r) | 0x3500_0000 | field(offset(t), bits: 19) << 5 | number(r)
        case let .branchToRegister(r, link):
            if link { return 0xD63F_0000 | number(r) << 5 }
            return (r.number == 30 ? 0xD65F_0000 : 0xD61F_0000) | number(r) << 5
        case let .move(d, .immediate(v)):
            if v < 0x1_0000 { return sf(d) | 0x5280_0000 | UInt32(v) << 5 | number(d) }
            let here = Int64(bitPattern: origin &+ UInt64(index) &* 4)
            let delta = Int64(bitPattern: v) - here
            guard d.is64Bit, v >= ThreadCode.codeBase, abs(delta) < 1 << 20 else { return nil }
            let bits = UInt32(truncatingIfNeeded: delta) & 0x1F_FFFF
            return 0x1000_0000 | (bits & 3) << 29 | (bits >> 2) << 5 | number(d)
        case let .move(d, .register(m, .none)):
            return sf(d) | 0x2A00_03E0 | number(m) << 16 | number(d)
        case let .arithmetic(op, d, n, operand, setsFlags):
            let s: UInt32 = setsFlags ? 1 << 29 : 0
            switch (op, operand) {
            case (.add, .immediate(let v)) where v < 4096:
                return sf(d) | s | 0x1100_0000 | UInt32(v) << 10 | number(n) << 5 | number(d)
            case (.subtract, .immediate(let v)) where v < 4096:
                return sf(d) | s | 0x5100_0000 | UInt32(v) << 10 | number(n) << 5 | number(d)
            case (_, .register(let m, .none)):
                let base: UInt32
                switch op {
                case .add: base = 0x0B00_0000
                case .subtract: base = 0x4B00_0000
                case .and: base = setsFlags ? 0x6A00_0000 : 0x0A00_0000
                case .or where !setsFlags: base = 0x2A00_0000
                case .exclusiveOr where !setsFlags: base = 0x4A00_0000
                default: return nil
                }
                return sf(d) | (op == .add || op == .subtract ? s : 0) | base | number(m) << 16 | number(n) << 5 | number(d)
            default:
                return nil
            }
        case let .compare(n, .immediate(v)) where v < 4096:
            return sf(n) | 0x7100_001F | UInt32(v) << 10 | number(n) << 5
        case let .compare(n, .register(m, .none)):
            return sf(n) | 0x6B00_001F | number(m) << 16 | number(n) << 5
        case let .conditionalSelect(d, n, m, c):
            return sf(d) | 0x1A80_0000 | number(m) << 16 | code(c) << 12 | number(n) << 5 | number(d)
        case let .conditionalSelectElse(d, n, m, c, alternative):
            let base: UInt32
            switch alternative {
            case .increment: base = 0x1A80_0400
            case .invert: base = 0x5A80_0000
            case .negate: base = 0x5A80_0400
            }
            return sf(d) | base | number(m) << 16 | code(c) << 12 | number(n) << 5 | number(d)
        case let .conditionalSet(d, c):
            return sf(d) | 0x1A9F_07E0 | code(c.inverted) << 12 | number(d)
        case let .load(t, a, width, ordering, exclusive) where !exclusive && !a.base.isZero:
            if ordering == .acquire, case .immediate(0) = a.offset { return size(width) | 0x08DF_FC00 | number(a.base) << 5 | number(t) }
            guard ordering == .plain, let imm = scaled(a, width) else { return nil }
            return size(width) | 0x3940_0000 | imm << 10 | number(a.base) << 5 | number(t)
        case let .store(t, a, width, release, nil) where !a.base.isZero:
            if release, case .immediate(0) = a.offset { return size(width) | 0x089F_FC00 | number(a.base) << 5 | number(t) }
            guard !release, let imm = scaled(a, width) else { return nil }
            return size(width) | 0x3900_0000 | imm << 10 | number(a.base) << 5 | number(t)
        default:
            return nil
        }
    }

    /// The word for one statement of herd's `instr:"..."` syntax, where a
    /// branch target may be `.+N` / `.-N` (bytes from the instruction).
    public static func encode(statement text: String, at location: SourceLocation) throws(AssemblyError) -> UInt32 {
        var source = text.trimmingWhitespace
        var relative: Int? = nil
        if let dot = source.lastIndex(of: "."), dot != source.startIndex,
           source[source.index(before: dot)] == " " || source[source.index(before: dot)] == ",",
           let bytes = Int(source[source.index(after: dot)...].filter { $0 != "+" }) {
            guard bytes % 4 == 0 else { throw AssemblyError("branch offset \(bytes) is not a multiple of 4", at: location) }
            relative = bytes / 4
            source = String(source[..<dot]) + "Lrelative"
        }
        let statement = try Statement(source, at: location, symbolicRegisters: [:])
        let decoded = try InstructionDecoder.decode(statement)
        guard decoded.count == 1 else { throw AssemblyError("'\(text)' is not one instruction", at: location) }
        let instruction: Instruction
        switch (decoded[0], relative) {
        case (.instruction(let i), nil): instruction = i
        case (.branch, let r?): instruction = .branch(to: r)
        case (.branchAndLink, let r?): instruction = .branchAndLink(to: r)
        case (.branchConditional(let c, _), let r?): instruction = .branchConditional(c, to: r)
        case (.compareBranchZero(let reg, _), let r?): instruction = .compareBranchZero(reg, to: r)
        case (.compareBranchNonZero(let reg, _), let r?): instruction = .compareBranchNonZero(reg, to: r)
        default: throw AssemblyError("no encoding for '\(text)' (labels must be .+N or .-N)", at: location)
        }
        guard let word = encode(instruction, at: 0, origin: 0) else {
            throw AssemblyError("the encoding of '\(text)' is not modelled", at: location)
        }
        return word
    }

    static func field(_ value: Int, bits: Int) -> UInt32 { UInt32(truncatingIfNeeded: value) & ((1 << UInt32(bits)) - 1) }
    static func number(_ r: Register) -> UInt32 { UInt32(r.number) }
    static func sf(_ r: Register) -> UInt32 { r.is64Bit ? 1 << 31 : 0 }
    static func size(_ w: AccessWidth) -> UInt32 {
        switch w {
        case .byte: return 0
        case .halfword: return 1 << 30
        case .word: return 2 << 30
        case .doubleword: return 3 << 30
        }
    }
    /// An unsigned offset scaled by the access size, if it fits 12 bits.
    static func scaled(_ a: Address, _ w: AccessWidth) -> UInt32? {
        guard case .immediate(let v) = a.offset, v % UInt64(w.rawValue) == 0, v / UInt64(w.rawValue) < 4096 else { return nil }
        return UInt32(v / UInt64(w.rawValue))
    }
    /// The condition field (Arm ARM C1.2.4): EQ 0, NE 1, HS 2, LO 3, ...
    static func code(_ c: Condition) -> UInt32 {
        switch c {
        case .eq: 0; case .ne: 1; case .hs: 2; case .lo: 3; case .mi: 4; case .pl: 5; case .vs: 6; case .vc: 7
        case .hi: 8; case .ls: 9; case .ge: 10; case .lt: 11; case .gt: 12; case .le: 13
        }
    }
    /// CRm of DMB/DSB: the domain's base (SY 12, ISH 8, OSH 0, NSH 4) plus
    /// the kind (all 3, ST 2, LD 1).
    static func barrier(_ domain: BarrierDomain, _ kind: BarrierKind) -> UInt32 {
        let base: UInt32 = switch domain { case .fullSystem: 12; case .innerShareable: 8; case .outerShareable: 0; case .nonShareable: 4 }
        let k: UInt32 = switch kind { case .all: 3; case .store: 2; case .load: 1 }
        return base + k
    }
}
