/// One assembly statement split into its mnemonic and top-level operands,
/// with typed readers for the operands. Every reader throws an
/// `AssemblyError` naming the statement and its line, so the instruction
/// decoders stay free of error plumbing.
struct Statement {
    /// Upper-cased mnemonic, e.g. "LDR", "B.EQ".
    let mnemonic: String
    /// The statement as written (for error messages).
    let text: String
    let location: SourceLocation
    /// Operands split at top-level commas (commas inside `[...]` stay).
    let operands: [String]
    /// Symbolic register names (`X%name`) and the register numbers they stand for.
    let symbolicRegisters: [String: UInt8]
    private(set) var next = 0
    /// Base-register writeback of the memory operand read last: pre-index
    /// (`[Xn,#imm]!`) or post-index (`[Xn],#imm`).
    private(set) var writeback: Writeback?

    struct Writeback: Equatable {
        var base: Register
        var amount: UInt64
        var preIndex: Bool
    }

    init(_ text: String, at location: SourceLocation, symbolicRegisters: [String: UInt8]) throws(AssemblyError) {
        self.text = text
        self.location = location
        self.symbolicRegisters = symbolicRegisters
        let trimmed = text.trimmingWhitespace
        let mnemonicEnd = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" }) ?? trimmed.endIndex
        mnemonic = trimmed[..<mnemonicEnd].uppercased()
        operands = try Statement.splitOperands(String(trimmed[mnemonicEnd...]), text: text, at: location)
    }

    private static func splitOperands(_ s: String, text: String, at location: SourceLocation) throws(AssemblyError) -> [String] {
        var result: [String] = []
        var current = ""
        var depth = 0
        for c in s {
            switch c {
            case "[": depth += 1; current.append(c)
            case "]":
                depth -= 1
                if depth < 0 { throw AssemblyError("unbalanced ']' in '\(text)'", at: location) }
                current.append(c)
            case "," where depth == 0:
                result.append(current.trimmingWhitespace)
                current = ""
            default: current.append(c)
            }
        }
        if depth != 0 { throw AssemblyError("unbalanced '[' in '\(text)'", at: location) }
        let last = current.trimmingWhitespace
        if !last.isEmpty || !result.isEmpty { result.append(last) }
        return result
    }

    func error(_ message: String) -> AssemblyError {
        AssemblyError("\(message) in '\(text.trimmingWhitespace)'", at: location)
    }

    var remaining: Int { operands.count - next }

    mutating func take(_ what: String) throws(AssemblyError) -> String {
        guard next < operands.count, !operands[next].isEmpty else { throw error("missing \(what)") }
        defer { next += 1 }
        return operands[next]
    }

    /// Peeks at the next operand without consuming it.
    var peek: String? { next < operands.count ? operands[next] : nil }

    /// Fails if operands are left over: a form we do not model, not a typo to ignore.
    func end() throws(AssemblyError) {
        if next < operands.count {
            throw error("unexpected operand '\(operands[next])' (form not supported)")
        }
    }

    // MARK: Typed readers

    mutating func register() throws(AssemblyError) -> Register {
        let s = try take("register")
        return try parseRegister(s)
    }

    func parseRegister(_ s: String) throws(AssemblyError) -> Register {
        guard let r = Statement.register(s, symbolic: symbolicRegisters) else {
            throw error("'\(s)' is not a general-purpose register (X0-X30, W0-W30, XZR, WZR)")
        }
        return r
    }

    static func register(_ raw: String, symbolic: [String: UInt8]) -> Register? {
        let s = raw.trimmingWhitespace.uppercased()
        guard let first = s.first, first == "X" || first == "W" else { return nil }
        let is64 = first == "X"
        let rest = s.dropFirst()
        if rest == "ZR" { return Register(31, is64Bit: is64) }
        if rest.first == "%" {
            // Symbolic names keep their case in the map.
            let name = String(raw.trimmingWhitespace.dropFirst(2))
            guard let n = symbolic[name] else { return nil }
            return Register(n, is64Bit: is64)
        }
        guard !rest.isEmpty, rest.allSatisfy(\.isASCIIDigit), let n = UInt8(rest), n <= 30 else { return nil }
        return Register(n, is64Bit: is64)
    }

    /// An immediate, with or without `#`: decimal, 0x hex, 0b binary, optional minus.
    mutating func immediate() throws(AssemblyError) -> UInt64 {
        let s = try take("immediate")
        guard let v = Statement.immediate(s) else { throw error("'\(s)' is not an immediate") }
        return v
    }

    static func immediate(_ raw: String) -> UInt64? {
        var s = Substring(raw.trimmingWhitespace)
        if s.first == "#" { s = s.dropFirst() }
        var negative = false
        if s.first == "-" { negative = true; s = s.dropFirst() }
        let lower = s.lowercased()
        let value: UInt64?
        if lower.hasPrefix("0x") { value = UInt64(lower.dropFirst(2), radix: 16) }
        else if lower.hasPrefix("0b") { value = UInt64(lower.dropFirst(2), radix: 2) }
        else { value = UInt64(lower, radix: 10) }
        guard let v = value else { return nil }
        return negative ? 0 &- v : v
    }

    /// The flexible second operand: `#imm`, `Rm`, or `Rm, <shift|extend> {#n}`.
    mutating func flexibleOperand() throws(AssemblyError) -> Operand {
        let s = try take("operand")
        if let v = Statement.immediate(s) {
            // `#imm, LSL #12` (shifted immediate).
            if let p = peek, let shift = try shiftOrNil(p) {
                next += 1
                guard case .lsl = shift else { throw error("only LSL applies to an immediate") }
                return .immediate(shift.apply(v))
            }
            return .immediate(v)
        }
        let r = try parseRegister(s)
        if let p = peek, let shift = try shiftOrNil(p) {
            next += 1
            return .register(r, shift)
        }
        return .reg(r)
    }

    /// `LSL #n`, `LSR #n`, `ASR #n`, `SXTW {#n}`, `UXTW {#n}`; nil if `s` is not one.
    func shiftOrNil(_ s: String) throws(AssemblyError) -> Shift? {
        let parts = s.uppercased().split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard let kind = parts.first else { return nil }
        let amount: UInt8
        switch parts.count {
        case 1: amount = 0
        case 2:
            guard let v = Statement.immediate(String(parts[1])), v < 64 else { throw error("bad shift amount '\(s)'") }
            amount = UInt8(v)
        default: return nil
        }
        switch kind {
        case "LSL": return .lsl(amount)
        case "LSR": return .lsr(amount)
        case "ASR": return .asr(amount)
        case "SXTW": return .sxtw(amount)
        case "UXTW": return .uxtw(amount)
        case "SXTX": return .lsl(amount)  // 64-bit "extension" is the identity
        case "UXTX": return .lsl(amount)
        default: return nil
        }
    }

    /// `[Xn]`, `[Xn,#imm]`, `[Xn,imm]`, `[Xn,Xm{,LSL #n}]`, `[Xn,Wm,SXTW|UXTW {#n}]`,
    /// and the writeback forms `[Xn,#imm]!` and `[Xn],#imm` (recorded in
    /// `writeback`; the access itself is then at `[Xn]`).
    mutating func address() throws(AssemblyError) -> Address {
        var s = try take("memory operand [Xn...]")
        var preIndex = false
        if s.hasSuffix("!") { preIndex = true; s = String(s.dropLast()).trimmingWhitespace }
        guard s.first == "[", s.last == "]" else { throw error("'\(s)' is not a memory operand [Xn...]") }
        let inner = String(s.dropFirst().dropLast())
        var sub = try Statement(
            "[] " + inner, at: location, symbolicRegisters: symbolicRegisters)
        let base = try sub.register()
        guard base.is64Bit, !base.isZero else { throw error("base register must be X0-X30, not '\(base)'") }
        if sub.remaining == 0 {
            if let p = peek, next == operands.count - 1, let amount = Statement.immediate(p) {
                next += 1
                writeback = Writeback(base: base, amount: amount, preIndex: false)
            } else if preIndex {
                throw error("pre-index writeback needs an immediate offset")
            }
            return Address(base: base)
        }
        let offset = try sub.flexibleOperand()
        try sub.end()
        if preIndex {
            guard case .immediate(let amount) = offset else { throw error("pre-index writeback needs an immediate offset") }
            writeback = Writeback(base: base, amount: amount, preIndex: true)
            return Address(base: base)
        }
        if case .register(let r, let shift) = offset {
            switch shift {
            case .sxtw, .uxtw:
                // The extension reads the low 32 bits: herd accepts an X
                // register here (regression A05, `[X1, X2, UXTW]`) and it
                // means its W view.
                if r.is64Bit { return Address(base: base, offset: .register(.w(r.number), shift)) }
            default:
                if !r.is64Bit { throw error("a W offset register needs SXTW or UXTW") }
            }
        }
        return Address(base: base, offset: offset)
    }

    mutating func condition() throws(AssemblyError) -> Condition {
        let s = try take("condition")
        guard let c = Condition.named(s) else { throw error("'\(s)' is not a condition code") }
        return c
    }

    /// A label name (`L0`, `LC00`, or a numeric local label reference `1f`/`2b`).
    mutating func label() throws(AssemblyError) -> String {
        let s = try take("label").trimmingWhitespace
        guard Statement.isLabelName(s) else { throw error("'\(s)' is not a label") }
        return s
    }

    static func isLabelName(_ s: String) -> Bool {
        guard let first = s.first else { return false }
        return (first.isLetter || first == "_" || first.isASCIIDigit)
            && s.allSatisfy({ $0.isLetter || $0.isASCIIDigit || $0 == "_" || $0 == "." })
    }
}

extension Condition {
    /// The condition named `s` (case-insensitive), with the CS/CC synonyms of HS/LO.
    static func named(_ s: String) -> Condition? {
        let u = s.trimmingWhitespace.uppercased()
        switch u {
        case "CS": return .hs
        case "CC": return .lo
        default: return Condition(rawValue: u)
        }
    }

    /// The condition that holds exactly when `self` does not.
    var inverted: Condition {
        switch self {
        case .eq: return .ne
        case .ne: return .eq
        case .hs: return .lo
        case .lo: return .hs
        case .mi: return .pl
        case .pl: return .mi
        case .hi: return .ls
        case .ls: return .hi
        case .ge: return .lt
        case .lt: return .ge
        case .gt: return .le
        case .le: return .gt
        case .vs: return .vc
        case .vc: return .vs
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}

extension StringProtocol {
    var trimmingWhitespace: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
