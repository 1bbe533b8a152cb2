/// Assembles AArch64 text, in herd's spellings, into a `ThreadCode`: one
/// statement per line, optional `label:` prefixes, `//` comments, labels
/// resolved to instruction indices (a label after the last instruction is the
/// index one past the end, so a branch to it ends the thread).
///
/// Numeric local labels (`1:`, referenced as `1f` forward / `1b` backward)
/// are accepted as isla's tests use them. Symbolic registers (`X%name`, as in
/// herd's compiler-generated tests) are replaced by the numbers the caller
/// allocated for them.
///
/// Anything outside the IR's `Instruction` set is a thrown `AssemblyError`
/// naming the instruction and its line, never a guess.
public struct Assembler: Sendable {
    public var symbolicRegisters: [String: UInt8]
    /// Code address of the first instruction (see CodeAddresses.swift).
    public var codeOrigin: UInt64

    public init(symbolicRegisters: [String: UInt8] = [:], codeOrigin: UInt64 = ThreadCode.codeBase) {
        self.symbolicRegisters = symbolicRegisters
        self.codeOrigin = codeOrigin
    }

    /// Assembles `text`, numbering its lines from `firstLine` in `file`.
    public func assemble(_ text: String, file: String = "<assembly>", firstLine: Int = 1) throws(AssemblyError) -> ThreadCode {
        var lines: [SourceLine] = []
        var number = firstLine
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lines.append(SourceLine(String(line), at: SourceLocation(file: file, line: number)))
            number += 1
        }
        return try assemble(lines)
    }

    /// Assembles lines that each carry their own location.
    public func assemble(_ lines: [SourceLine]) throws(AssemblyError) -> ThreadCode {
        try assemble(lines, handlers: [])
    }

    /// Assembles a thread's code and its exception handlers' code (herd's
    /// `P0.F` column, isla handler sections) into one `ThreadCode`: the
    /// thread's code, then `B <end>` (so that the thread's code ends there
    /// rather than running into a handler; labels after its last
    /// instruction name that branch), then each handler, also ended by
    /// `B <end>` but the last. Labels are shared: a handler may name the
    /// thread's (`ADR X3,L1`).
    public func assemble(_ lines: [SourceLine], handlers: [(lines: [SourceLine], level: ExceptionLevel)]) throws(AssemblyError) -> ThreadCode {
        try assemble(lines, placedHandlers: handlers.map { ($0.lines, $0.level, nil) })
    }

    /// As `assemble(_:handlers:)`, for handlers that may sit at a vector
    /// entry (isla sections at VBAR_ELx + 0x000/0x200/0x400): a level may
    /// have one handler per entry.
    public func assemble(_ lines: [SourceLine],
                         placedHandlers handlers: [(lines: [SourceLine], level: ExceptionLevel, vector: VectorOffset?)]) throws(AssemblyError) -> ThreadCode {
        var decoded: [(Decoded, SourceLocation)] = []
        var labels: [String: Int] = [:]
        var numericLabels: [(name: String, index: Int)] = []
        func add(_ lines: [SourceLine]) throws(AssemblyError) {
            for line in lines {
                var rest = Assembler.stripComment(line.text).trimmingWhitespace
                while let (label, after) = Assembler.leadingLabel(rest) {
                    if label.allSatisfy(\.isASCIIDigit) {
                        numericLabels.append((label, decoded.count))
                    } else if labels[label] != nil {
                        throw AssemblyError("label '\(label)' defined twice", at: line.location)
                    }
                    if labels[label] == nil { labels[label] = decoded.count }
                    rest = after
                }
                if rest.isEmpty { continue }
                let statement = try Statement(rest, at: line.location, symbolicRegisters: symbolicRegisters)
                for d in try InstructionDecoder.decode(statement) { decoded.append((d, line.location)) }
            }
        }
        try add(lines)
        var exceptionHandlers: [ExceptionHandler] = []
        var sectionEnd = lines.last?.location ?? SourceLocation(file: "<assembly>", line: 1)
        for (handler, level, vector) in handlers {
            if exceptionHandlers.contains(where: { $0.level == level && $0.vector == vector }) {
                let at = vector.map { " at vector offset 0x\(String($0.rawValue, radix: 16))" } ?? ""
                throw AssemblyError("two handlers for EL\(level.rawValue)\(at)", at: handler.first?.location ?? sectionEnd)
            }
            decoded.append((.returnToEnd, sectionEnd))
            exceptionHandlers.append(ExceptionHandler(entry: decoded.count, level: level, vector: vector))
            try add(handler)
            sectionEnd = handler.last?.location ?? sectionEnd
        }
        var instructions: [Instruction] = []
        instructions.reserveCapacity(decoded.count)
        for (index, (d, location)) in decoded.enumerated() {
            func target(_ name: String) throws(AssemblyError) -> Int {
                if let t = Assembler.resolveLocal(name, from: index, in: numericLabels) { return t }
                if let t = labels[name] { return t }
                throw AssemblyError("undefined label '\(name)'", at: location)
            }
            switch d {
            case .instruction(let i): instructions.append(i)
            case .branch(let label): instructions.append(.branch(to: try target(label)))
            case .branchConditional(let c, let label): instructions.append(.branchConditional(c, to: try target(label)))
            case .compareBranchZero(let r, let label): instructions.append(.compareBranchZero(r, to: try target(label)))
            case .compareBranchNonZero(let r, let label): instructions.append(.compareBranchNonZero(r, to: try target(label)))
            case .branchAndLink(let label): instructions.append(.branchAndLink(to: try target(label)))
            case .returnToEnd: instructions.append(.branch(to: decoded.count))
            case .addressOfLabel(let r, let label):
                let address = codeOrigin &+ UInt64(try target(label)) &* 4
                instructions.append(.move(r, .immediate(r.is64Bit ? address : address & 0xFFFF_FFFF)))
            }
        }
        return ThreadCode(instructions: instructions, labels: labels, handlers: exceptionHandlers, codeOrigin: codeOrigin)
    }

    /// `1f`: the next definition of numeric label 1 after instruction `index`
    /// (a label at `index` itself counts as forward); `1b`: the latest at or before.
    static func resolveLocal(_ name: String, from index: Int, in locals: [(name: String, index: Int)]) -> Int? {
        guard let direction = name.last, direction == "f" || direction == "b" else { return nil }
        let base = String(name.dropLast())
        guard !base.isEmpty, base.allSatisfy(\.isASCIIDigit) else { return nil }
        if direction == "f" {
            return locals.first(where: { $0.name == base && $0.index > index })?.index
        }
        return locals.last(where: { $0.name == base && $0.index <= index })?.index
    }

    static func stripComment(_ s: String) -> String {
        var previous: Character = " "
        for i in s.indices {
            if s[i] == "/" && previous == "/" { return String(s[..<s.index(before: i)]) }
            previous = s[i]
        }
        return s
    }

    /// Splits `L0: LDR ...` into ("L0", "LDR ..."); nil if no label leads.
    static func leadingLabel(_ s: String) -> (String, String)? {
        guard let colon = s.firstIndex(of: ":") else { return nil }
        let name = s[..<colon].trimmingWhitespace
        guard Statement.isLabelName(name), !name.contains(".") else { return nil }
        return (name, s[s.index(after: colon)...].trimmingWhitespace)
    }
}
