/// A decoded statement whose branch targets are still label names.
enum Decoded {
    case instruction(Instruction)
    case branch(String)
    case branchConditional(Condition, String)
    case compareBranchZero(Register, String)
    case compareBranchNonZero(Register, String)
    case branchAndLink(String)
    /// The `B <end>` the assembler puts between a thread's code and its
    /// exception handlers.
    case returnToEnd
    /// ADR Rd, label: Rd := the label's code address (see Exceptions.swift).
    case addressOfLabel(Register, String)
}

/// Turns one statement into an instruction. Memory mnemonics are decoded by
/// `MemoryMnemonic`; the rest are listed here. An unknown mnemonic is an error
/// naming it.
enum InstructionDecoder {
    /// One statement becomes one instruction, except a memory access with
    /// base writeback: the access plus an ADD to the base register, before it
    /// (pre-index) or after it (post-index), as the architecture orders them.
    static func decode(_ statement: Statement) throws(AssemblyError) -> [Decoded] {
        var s = statement
        if let memory = MemoryMnemonic(s.mnemonic) {
            let i = try memory.decode(&s)
            try s.end()
            guard let w = s.writeback else { return [.instruction(i)] }
            let update = Instruction.arithmetic(.add, destination: w.base, w.base, .immediate(w.amount), setsFlags: false)
            return w.preIndex ? [.instruction(update), .instruction(i)] : [.instruction(i), .instruction(update)]
        }
        if s.mnemonic == "BIC" { return try bitClear(&s) }
        if s.mnemonic == "UBFX" { return try unsignedBitfieldExtract(&s) }
        return [try decodeOther(&s)]
    }

    /// BIC Rd, Rn, Rm{, shift}: Rn AND NOT(shifted Rm). The IR has no
    /// AND-NOT, so it is built in Rd: Rd := shifted Rm; Rd := Rd EOR ones;
    /// Rd := Rn AND Rd. The result and the registers it depends on are the
    /// same; Rd must differ from Rn (it is overwritten before Rn is read).
    static func bitClear(_ s: inout Statement) throws(AssemblyError) -> [Decoded] {
        let d = try s.register(), n = try s.register()
        let operand = try s.flexibleOperand()
        try s.end()
        guard case .register(let m, let shift) = operand else {
            // With an immediate, AND with the complemented immediate is exact.
            guard case .immediate(let v) = operand else { throw s.error("bad BIC operand") }
            return [.instruction(.arithmetic(.and, destination: d, n, truncated(.immediate(~v), to: d), setsFlags: false))]
        }
        guard d.number != n.number || d.isZero else { throw s.error("BIC with Rd = Rn is not supported") }
        let shifted: Instruction
        switch shift {
        case .none: shifted = .move(d, .reg(m))
        case .lsl(let k): shifted = .arithmetic(.shiftLeft, destination: d, m, .immediate(UInt64(k)), setsFlags: false)
        case .lsr(let k): shifted = .arithmetic(.shiftRight, destination: d, m, .immediate(UInt64(k)), setsFlags: false)
        case .asr(let k): shifted = .arithmetic(.arithmeticShiftRight, destination: d, m, .immediate(UInt64(k)), setsFlags: false)
        case .sxtw, .uxtw: throw s.error("BIC takes a shifted register, not an extended one")
        }
        return [
            .instruction(shifted),
            .instruction(.arithmetic(.exclusiveOr, destination: d, d, truncated(.immediate(~0), to: d), setsFlags: false)),
            .instruction(.arithmetic(.and, destination: d, n, .reg(d), setsFlags: false)),
        ]
    }

    /// UBFX Rd, Rn, #lsb, #width: (Rn >> lsb) AND (2^width - 1), built in Rd
    /// as LSR then AND (the same value and register dependencies; isla's
    /// pKVM handlers extract ESR_EL2.EC with it).
    static func unsignedBitfieldExtract(_ s: inout Statement) throws(AssemblyError) -> [Decoded] {
        let d = try s.register(), n = try s.register()
        let lsb = try s.immediate(), width = try s.immediate()
        try s.end()
        let bits = UInt64(d.is64Bit ? 64 : 32)
        guard width >= 1, lsb + width <= bits else { throw s.error("UBFX field #\(lsb),#\(width) does not fit the register") }
        let mask: UInt64 = width == 64 ? ~0 : (1 << width) - 1
        return [
            .instruction(.arithmetic(.shiftRight, destination: d, n, .immediate(lsb), setsFlags: false)),
            .instruction(.arithmetic(.and, destination: d, d, .immediate(mask), setsFlags: false)),
        ]
    }

    /// The 16-bit immediate of SVC, HVC and UDF.
    static func exceptionImmediate(_ s: inout Statement) throws(AssemblyError) -> UInt16 {
        let v = try s.immediate()
        guard v <= 0xFFFF else { throw s.error("immediate \(v) of \(s.mnemonic) does not fit 16 bits") }
        return UInt16(v)
    }

    static func decodeOther(_ s: inout Statement) throws(AssemblyError) -> Decoded {
        let m = s.mnemonic
        let result: Decoded
        switch m {
        case "NOP": result = .instruction(.nop)
        case "ISB":
            if let option = s.peek, option.uppercased() == "SY" { _ = try s.take("option") }
            result = .instruction(.isb)
        case "DMB", "DSB":
            let option = try s.take("barrier option")
            guard let (domain, kind) = barrierOption(option) else {
                throw s.error("unknown barrier option '\(option)'")
            }
            result = .instruction(m == "DMB" ? .dmb(domain, kind) : .dsb(domain, kind))
        case "TLBI":
            let name = try s.take("TLBI operation")
            guard let op = tlbiOperation(name) else { throw s.error("TLBI operation '\(name)' is not modelled") }
            var register: Register? = nil
            if s.remaining > 0 { register = try s.register() }
            if op.takesAddress && register == nil { throw s.error("TLBI \(op.rawValue) needs an address register") }
            let keepsRegister = op.takesAddress || op == .aside1 || op == .aside1is
            result = .instruction(.tlbi(op, keepsRegister ? register : nil))
        case "AT":
            let name = try s.take("AT operation")
            guard let op = AddressTranslationOperation(rawValue: name.trimmingWhitespace.uppercased()) else {
                throw s.error("AT operation '\(name)' is not modelled (known: "
                              + AddressTranslationOperation.allCases.map(\.rawValue).joined(separator: ", ") + ")")
            }
            let register = try s.register()
            guard register.is64Bit else { throw s.error("AT takes an X register") }
            result = .instruction(.addressTranslate(op, register))
        case "MSR":
            let name = try s.take("system register")
            guard let r = SystemRegister(rawValue: name.uppercased()) else {
                throw s.error("system register '\(name)' is not modelled")
            }
            result = .instruction(.msr(r, try s.register()))
        case "MRS":
            let d = try s.register()
            let name = try s.take("system register")
            guard let r = SystemRegister(rawValue: name.uppercased()) else {
                throw s.error("system register '\(name)' is not modelled")
            }
            result = .instruction(.mrs(d, r))
        case "MOV":
            let d = try s.register()
            let source = try s.flexibleOperand()
            if case .register(_, let shift) = source, shift != .none { throw s.error("MOV takes no shift") }
            result = .instruction(.move(d, truncated(source, to: d)))
        case "MOVZ":
            let d = try s.register()
            let v = try s.flexibleOperand()
            guard case .immediate = v else { throw s.error("MOVZ takes an immediate") }
            result = .instruction(.move(d, truncated(v, to: d)))
        case "ADD", "SUB", "EOR", "AND", "ORR", "ADDS", "SUBS", "ANDS", "LSL", "LSR", "ASR", "BIC", "BICS", "ORN", "EON":
            // ADDS, SUBS, ANDS, BICS: the flag-setting forms.
            let setsFlags = ["ADDS", "SUBS", "ANDS", "BICS"].contains(m)
            let name = setsFlags ? String(m.dropLast()) : m
            guard let op = ArithmeticOperation(rawValue: name) else { throw s.error("unsupported instruction \(m)") }
            let d = try s.register()
            let n = try s.register()
            let operand = try s.flexibleOperand()
            result = .instruction(.arithmetic(op, destination: d, n, truncated(operand, to: d), setsFlags: setsFlags))
        case "MVN":
            // MVN Rd, Rm is ORN Rd, ZR, Rm: Rm with every bit flipped (EOR with all ones).
            let d = try s.register()
            let m = try s.register()
            result = .instruction(.arithmetic(.exclusiveOr, destination: d, m, truncated(.immediate(~0), to: d), setsFlags: false))
        case "NEG":
            // NEG Rd, op is SUB Rd, ZR, op.
            let d = try s.register()
            let operand = try s.flexibleOperand()
            result = .instruction(.arithmetic(.subtract, destination: d, Register(31, is64Bit: d.is64Bit), operand, setsFlags: false))
        case "TST":
            // TST Rn, op is ANDS ZR, Rn, op.
            let n = try s.register()
            let operand = try s.flexibleOperand()
            result = .instruction(.arithmetic(.and, destination: Register(31, is64Bit: n.is64Bit), n, truncated(operand, to: n), setsFlags: true))
        case "CMP":
            let n = try s.register()
            result = .instruction(.compare(n, try s.flexibleOperand()))
        case "CSEL":
            let d = try s.register(), n = try s.register(), r = try s.register()
            result = .instruction(.conditionalSelect(destination: d, n, r, try s.condition()))
        case "CSET":
            let d = try s.register()
            result = .instruction(.conditionalSet(destination: d, try s.condition()))
        case "CSINC", "CSINV", "CSNEG":
            let d = try s.register(), n = try s.register(), r = try s.register()
            let c = try s.condition()
            let alternative: ConditionalSelectElse = m == "CSINC" ? .increment : m == "CSINV" ? .invert : .negate
            // CSINC Rd, ZR, ZR, cond is CSET Rd, invert(cond).
            if alternative == .increment, n.isZero, r.isZero {
                result = .instruction(.conditionalSet(destination: d, c.inverted))
            } else {
                result = .instruction(.conditionalSelectElse(destination: d, n, r, c, alternative))
            }
        case "CINC", "CINV", "CNEG":
            // Aliases: CINC Rd, Rn, cond is CSINC Rd, Rn, Rn, invert(cond).
            let d = try s.register(), n = try s.register()
            let c = try s.condition()
            let alternative: ConditionalSelectElse = m == "CINC" ? .increment : m == "CINV" ? .invert : .negate
            result = .instruction(.conditionalSelectElse(destination: d, n, n, c.inverted, alternative))
        case "CSETM":
            // CSETM Rd, cond is CSINV Rd, ZR, ZR, invert(cond): all ones or zero.
            let d = try s.register()
            let zero = Register(31, is64Bit: d.is64Bit)
            result = .instruction(.conditionalSelectElse(destination: d, zero, zero, try s.condition().inverted, .invert))
        case "B": result = .branch(try s.label())
        case "CBZ":
            let r = try s.register()
            result = .compareBranchZero(r, try s.label())
        case "CBNZ":
            let r = try s.register()
            result = .compareBranchNonZero(r, try s.label())
        case "RET":
            // RET {Xn}: BR to X30 unless another register is named.
            result = .instruction(.branchToRegister(s.peek == nil ? .x(30) : try s.register(), link: false))
        case "BR": result = .instruction(.branchToRegister(try s.register(), link: false))
        case "BLR": result = .instruction(.branchToRegister(try s.register(), link: true))
        case "BL": result = .branchAndLink(try s.label())
        case "SVC": result = .instruction(.supervisorCall(try exceptionImmediate(&s)))
        case "HVC": result = .instruction(.hypervisorCall(try exceptionImmediate(&s)))
        case "UDF": result = .instruction(.undefined(try exceptionImmediate(&s)))
        case "ERET": result = .instruction(.exceptionReturn)
        case "ADR":
            let d = try s.register()
            result = .addressOfLabel(d, try s.label())
        default:
            if m.hasPrefix("B."), let c = Condition.named(String(m.dropFirst(2))) {
                result = .branchConditional(c, try s.label())
            } else {
                throw s.error("unsupported instruction \(m)")
            }
        }
        try s.end()
        return result
    }

    /// An immediate written to a W register keeps its low 32 bits (MOV W0,#-1 is 0xFFFFFFFF).
    static func truncated(_ operand: Operand, to destination: Register) -> Operand {
        if case .immediate(let v) = operand, !destination.is64Bit { return .immediate(v & 0xFFFF_FFFF) }
        return operand
    }

    static func barrierOption(_ s: String) -> (BarrierDomain, BarrierKind)? {
        let u = s.trimmingWhitespace.uppercased()
        switch u {
        case "LD": return (.fullSystem, .load)
        case "ST": return (.fullSystem, .store)
        default: break
        }
        for domain in BarrierDomain.allCases {
            if u == domain.rawValue { return (domain, .all) }
            if u == domain.rawValue + "LD" { return (domain, .load) }
            if u == domain.rawValue + "ST" { return (domain, .store) }
        }
        return nil
    }

    /// The IR's TLBI operations by name.
    static func tlbiOperation(_ s: String) -> TLBIOperation? {
        TLBIOperation(rawValue: s.trimmingWhitespace.uppercased())
    }
}
