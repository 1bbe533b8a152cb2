import MemoryModel

/// Reads herd's AArch64 `.litmus` format:
///
///     AArch64 NAME
///     Key=Value ...                 (metadata; `Variant=` is kept)
///     { init items separated by ; }
///     P0 | P1 | P1.F ;               (threads and fault-handler columns)
///     code rows ;
///     locations [...]                (optional)
///     exists|~exists|forall PREDICATE
///
/// with `(* ... *)` comments anywhere, and the VMSA extensions (PTE(x), PA(x),
/// pte_x, phy_x, descriptor literals, fault(...)).
public enum HerdParser {
    public static func parse(_ text: String, file: String) throws(LitmusError) -> LitmusTest {
        let normalised = text.replacingCRLF
        let lines = stripComments(normalised).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func at(_ i: Int) -> SourceLocation { SourceLocation(file: file, line: i + 1) }

        // Title line.
        var i = 0
        while i < lines.count, lines[i].trimmed.isEmpty { i += 1 }
        guard i < lines.count else { throw LitmusError("empty file", at: at(0)) }
        let title = lines[i].trimmed.split(whereSeparator: \.isWhitespace)
        guard title.count >= 2, title[0].lowercased() == "aarch64" else {
            throw LitmusError("expected 'AArch64 NAME' as the first line", at: at(i))
        }
        let name = title[1...].joined(separator: " ")
        i += 1

        // Metadata up to the init block.
        var variants: [String] = []
        var tthm: (String, Int)? = nil
        var el0: (String, Int)? = nil
        while i < lines.count, !lines[i].contains("{") {
            let line = lines[i].trimmed
            if let eq = line.firstIndex(of: "=") {
                let key = line[..<eq].trimmed.lowercased()
                let value = line[line.index(after: eq)...].trimmed
                if key == "variant" { variants += value.split(separator: ",").map { $0.trimmed.lowercased() } }
                if key == "tthm" { tthm = (value, i) }
                if key == "el0" { el0 = (value, i) }
            }
            i += 1
        }
        guard i < lines.count else { throw LitmusError("missing initial state block '{ ... }'", at: at(lines.count - 1)) }

        // Init block, braces matched (arrays have `{1,2}` inside).
        var items: [(String, Int)] = []
        var depth = 0
        var current = ""
        var currentLine = i
        var closed = false
        var afterBlock = ""
        scan: while i < lines.count {
            let chars = Array(lines[i])
            var k = 0
            if depth == 0 {
                guard let open = chars.firstIndex(of: "{") else { throw LitmusError("expected '{'", at: at(i)) }
                k = open + 1
                depth = 1
                currentLine = i
            }
            while k < chars.count {
                let c = chars[k]
                if c == "{" { depth += 1; current.append(c) }
                else if c == "}" {
                    depth -= 1
                    if depth == 0 {
                        items.append((current, currentLine))
                        afterBlock = String(chars[(k + 1)...])
                        closed = true
                        break scan
                    }
                    current.append(c)
                } else if c == ";" && depth == 1 {
                    items.append((current, currentLine))
                    current = ""
                    currentLine = i
                } else {
                    if current.trimmed.isEmpty { currentLine = i }
                    current.append(c)
                }
                k += 1
            }
            if depth == 1 {
                // A newline also ends an item when it looks complete (herd allows it).
                items.append((current, currentLine))
                current = ""
            }
            i += 1
            currentLine = i
        }
        guard closed else { throw LitmusError("unterminated initial state block", at: at(lines.count - 1)) }
        guard afterBlock.trimmed.isEmpty else { throw LitmusError("unexpected text after '}'", at: at(i)) }
        i += 1

        var state = InitParser(file: file)
        for (item, line) in items where !item.trimmed.isEmpty {
            try state.declareArray(item, line: line + 1)
        }
        for (item, line) in items where !item.trimmed.isEmpty {
            try state.parse(item, line: line + 1)
        }

        // Thread header row.
        while i < lines.count, lines[i].trimmed.isEmpty { i += 1 }
        guard i < lines.count else { throw LitmusError("missing thread header 'P0 | P1 ;'", at: at(lines.count - 1)) }
        let columns = try headerColumns(lines[i], at: at(i))
        let codeLine = i + 1
        i += 1
        var cells = Array(repeating: [SourceLine](), count: columns.count)
        while i < lines.count {
            let line = lines[i].trimmed
            if line.isEmpty { i += 1; continue }
            if isSectionKeyword(line) { break }
            guard line.hasSuffix(";") else {
                throw LitmusError("expected a code row ending with ';' or the final condition (exists, ~exists, forall)", at: at(i))
            }
            let row = line.dropLast().split(separator: "|", omittingEmptySubsequences: false)
            guard row.count <= columns.count else {
                throw LitmusError("code row has \(row.count) columns, header has \(columns.count)", at: at(i))
            }
            for (c, cell) in row.enumerated() {
                cells[c].append(SourceLine(String(cell), at: at(i)))
            }
            i += 1
        }

        // SP and bare `%name`s: symbolic registers (see RegisterSpellings).
        var symbolic = state.symbolic
        var initialState: [InitialAssignment] = []
        for a in state.assignments {
            if let t = RegisterSpellings.thread(of: a.location) { symbolic[RegisterSpellings.symbol(thread: t)] = a.value }
            else { initialState.append(a) }
        }
        var stackPointerThreads: Set<Int> = []
        for (c, column) in columns.enumerated() {
            let n: Int
            switch column { case .thread(let t), .handler(let t): n = t }
            cells[c] = cells[c].map { line in
                let rewritten = RegisterSpellings.rewrite(line.text, thread: n)
                if rewritten.contains("%" + RegisterSpellings.symbol(thread: n)) { stackPointerThreads.insert(n) }
                return SourceLine(rewritten, at: line.location)
            }
            if symbolic[RegisterSpellings.symbol(thread: n)] == nil { symbolic[RegisterSpellings.symbol(thread: n)] = .integer(0) }
        }

        // Assembly, with symbolic registers allocated per thread.
        var threads: [ThreadCode] = []
        var handlers: [HandlerSource] = []
        // A `Pn.F` column is thread n's fault handler, assembled with its code.
        var handlerLines: [Int: [SourceLine]] = [:]
        for (c, column) in columns.enumerated() {
            if case .handler(let n) = column {
                handlers.append(HandlerSource(name: "P\(n).F", lines: cells[c]))
                handlerLines[n] = cells[c]
            }
        }
        for (n, lines) in handlerLines where !columns.contains(.thread(n)) {
            throw LitmusError("handler P\(n).F has no thread P\(n)", at: lines.first?.location ?? at(0))
        }
        for (c, column) in columns.enumerated() {
            if case .handler = column { continue }
            var handler: [SourceLine] = []
            if case .thread(let n) = column, let h = handlerLines[n] { handler = h }
            let allocation = SymbolicRegisters.allocate(in: cells[c] + handler)
            let code: ThreadCode
            do {
                let n = if case .thread(let n) = column { n } else { 0 }
                code = try Assembler(symbolicRegisters: allocation, codeOrigin: ThreadCode.codeOrigin(ofThread: n))
                    .assemble(cells[c], handlers: handler.isEmpty ? [] : [(handler, .el1)])
            }
            catch { throw LitmusError(error) }
            switch column {
            case .thread(let n):
                guard n == threads.count else { throw LitmusError("threads must be P0, P1, ... in order", at: at(0)) }
                threads.append(code)
                for (symbol, register) in allocation.sorted(by: { $0.key < $1.key }) {
                    guard let v = symbolic[symbol] else {
                        throw LitmusError("symbolic register %\(symbol) has no initial value", at: cells[c].first?.location ?? at(0))
                    }
                    initialState.append(InitialAssignment(.register(thread: n, .x(register)), v, line: cells[c].first?.location.line ?? 1))
                }
            case .handler: break
            }
        }

        // Trailer: locations, then the final condition.
        let rest = lines[i...].joined(separator: "\n")
        let conditionLine = i + 1
        let tokens = try Tokenizer.tokens(rest, firstLine: i + 1, file: file)
        var parser = ExpressionParser(TokenStream(tokens, file: file, lastLine: lines.count))
        parser.elementWidths = state.elementWidths
        var observed: [Observed] = []
        if parser.stream.accept("locations") {
            try parser.stream.expect("[")
            while !parser.stream.accept("]") {
                if let t = parser.stream.peek, t.text.lowercased() == "fault", parser.stream.peek(1)?.text == "(" {
                    observed.append(.fault(try parser.fault()))
                } else {
                    observed.append(.location(try parser.location()))
                }
                _ = parser.stream.accept(";")
            }
        }
        var filter: Predicate? = nil
        if parser.stream.accept("filter") { filter = try parser.predicate() }
        let quantifier: FinalCondition.Quantifier
        if parser.stream.atEnd {
            // No condition: herd lists the final states; "true" is what every one satisfies.
            quantifier = .forall
        } else if parser.stream.accept("exists") { quantifier = .exists }
        else if parser.stream.accept("forall") { quantifier = .forall }
        else if parser.stream.accept("~") || parser.stream.accept("not") {
            try parser.stream.expect("exists")
            quantifier = .notExists
        } else if parser.stream.accept("~exists") { quantifier = .notExists }
        else { throw parser.stream.error("expected exists, ~exists or forall") }
        let predicate = parser.stream.atEnd ? Predicate.constant(true) : try parser.predicate()
        _ = parser.stream.accept(";")
        if let t = parser.stream.peek { throw parser.stream.error("unexpected '\(t.text)' after the final condition") }

        var test = LitmusTest(
            name: name, file: file, threads: threads, handlers: handlers, initialState: initialState,
            observed: observed, condition: FinalCondition(quantifier, predicate), variants: variants,
            memory: .physical, types: state.types)
        test.filter = filter
        test.stackPointerThreads = stackPointerThreads.sorted()
        if let (value, line) = tthm {
            test.hardwareUpdates = try hardwareUpdates(value, threads: threads.count, at: at(line))
        }
        if let (value, line) = el0 {
            // `EL0=P0 P1` (or comma-separated): those threads run at EL0.
            for item in value.split(whereSeparator: { $0.isWhitespace || $0 == "," }) {
                guard item.first == "P", let t = Int(item.dropFirst()), t < test.threads.count else {
                    throw LitmusError("bad EL0 entry '\(item)'", at: at(line))
                }
                test.threads[t].runsAtEL0 = true
            }
        }
        test.codeLine = codeLine
        test.conditionLine = conditionLine
        if test.usesVirtualMemory { test.memory = .herdVMSA }
        return test
    }

    /// `TTHM=HA HD` (every thread) or `TTHM=P0:HA P1:HD` (per thread).
    static func hardwareUpdates(_ value: String, threads: Int, at location: SourceLocation) throws(LitmusError) -> [HardwareUpdates] {
        var result = Array(repeating: HardwareUpdates(), count: threads)
        for item in value.split(whereSeparator: \.isWhitespace) {
            var targets = Array(0..<threads)
            var flag = Substring(item)
            if let colon = item.firstIndex(of: ":") {
                guard item.first == "P", let t = Int(item[item.index(after: item.startIndex)..<colon]), t < threads else {
                    throw LitmusError("bad TTHM entry '\(item)'", at: location)
                }
                targets = [t]
                flag = item[item.index(after: colon)...]
            }
            for t in targets {
                switch flag {
                case "HA": result[t].accessFlag = true
                case "HD": result[t].dirtyState = true
                default: throw LitmusError("bad TTHM entry '\(item)' (HA or HD)", at: location)
                }
            }
        }
        return result
    }

    enum Column: Equatable { case thread(Int), handler(Int) }

    static func headerColumns(_ line: String, at location: SourceLocation) throws(LitmusError) -> [Column] {
        var text = line.trimmed
        if text.hasSuffix(";") { text.removeLast() }
        var result: [Column] = []
        for raw in text.split(separator: "|", omittingEmptySubsequences: false) {
            let name = raw.trimmed
            guard name.first == "P" else { throw LitmusError("bad thread name '\(name)' in header", at: location) }
            if name.hasSuffix(".F"), let n = Int(name.dropFirst().dropLast(2)) { result.append(.handler(n)) }
            else if let n = Int(name.dropFirst()) { result.append(.thread(n)) }
            else { throw LitmusError("bad thread name '\(name)' in header", at: location) }
        }
        return result
    }

    static func isSectionKeyword(_ line: String) -> Bool {
        let l = line.lowercased()
        for k in ["exists", "~exists", "~ exists", "forall", "locations", "filter", "not exists"] where l.hasPrefix(k) {
            return true
        }
        return false
    }

    /// Blanks out `(* ... *)` comments, keeping newlines so lines keep their numbers.
    static func stripComments(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var depth = 0
        var previous: Character = " "
        for c in text {
            if depth == 0 {
                if previous == "(" && c == "*" { out.removeLast(); out.append(" "); depth = 1; previous = " "; continue }
                out.append(c)
            } else {
                if previous == "*" && c == ")" { depth -= 1; previous = " "; continue }
                if previous == "(" && c == "*" { depth += 1; previous = " "; continue }
                out.append(c == "\n" ? "\n" : " ")
            }
            previous = c
        }
        return out
    }
}

extension String {
    /// CRLF and CR line endings as LF (some catalogue files use CRLF).
    var replacingCRLF: String {
        guard unicodeScalars.contains("\r") else { return self }
        var out = ""
        out.reserveCapacity(utf8.count)
        var previousCR = false
        for c in unicodeScalars {
            if c == "\r" { out.append("\n"); previousCR = true; continue }
            if c == "\n" && previousCR { previousCR = false; continue }
            previousCR = false
            out.unicodeScalars.append(c)
        }
        return out
    }
}

extension StringProtocol {
    var trimmed: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
