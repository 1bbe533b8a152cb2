import MemoryModel

/// Reads isla's `.litmus.toml` tests (the ESOP 2022 relaxed virtual memory
/// tests): `name`, `symbolic`, `page_table_setup`, `[thread.N]` code,
/// `[thread.N.reset]` register and system-register values, `[section.*]`
/// exception handlers, and `[final] assertion`.
public enum IslaParser {
    public static func parse(_ text: String, file: String) throws(LitmusError) -> LitmusTest {
        let doc = try TOMLDocument(text, file: file)
        func at(_ line: Int) -> SourceLocation { SourceLocation(file: file, line: line) }
        func string(_ table: String, _ key: String) throws(LitmusError) -> (String, Int)? {
            guard let e = doc.entry(table, key) else { return nil }
            guard case .string(let s) = e.value else { throw LitmusError("\(key) must be a string", at: at(e.line)) }
            return (s, e.line)
        }

        if let (arch, line) = try string("", "arch"), arch != "AArch64" {
            throw LitmusError("architecture \(arch) is not AArch64", at: at(line))
        }
        guard let (name, _) = try string("", "name") else { throw LitmusError("missing name", at: at(1)) }

        var setup = PageTableSetup()
        if let (setupText, line) = try string("", "page_table_setup") {
            // The string starts on the line after `page_table_setup = """`.
            setup = try PageTableSetupParser.parse(setupText, file: file, firstLine: line + 1)
        }
        if let e = doc.entry("", "symbolic") {
            guard case .array(let names) = e.value else { throw LitmusError("symbolic must be an array", at: at(e.line)) }
            for n in names where !setup.virtualNames.contains(n) { setup.virtualNames.append(n) }
        }

        // Handler sections, placed by address at threads' vector entries
        // (see IslaHandlerPlacement).
        var handlers: [HandlerSource] = []
        var sections: [IslaHandlerPlacement.Section] = []
        for table in doc.tableOrder where table.hasPrefix("section.") {
            guard let (code, line) = try string(table, "code") else { continue }
            let name = String(table.dropFirst("section.".count))
            let lines = code.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map {
                SourceLine(String($0.element), at: at(line + 1 + $0.offset))
            }
            handlers.append(HandlerSource(name: name, lines: lines))
            var address: UInt64? = nil
            if let (text, addressLine) = try string(table, "address") {
                guard let a = ExpressionParser.integer(text.trimmed) else {
                    throw LitmusError("section address '\(text)' is not a number", at: at(addressLine))
                }
                address = a
            }
            sections.append(.init(name: name, lines: lines, address: address, line: line))
        }
        var threadCount = 0
        while doc.entry("thread.\(threadCount)", "code") != nil { threadCount += 1 }
        var vectorBases: [[ExceptionLevel: UInt64]] = Array(repeating: [:], count: threadCount)
        for n in 0..<threadCount {
            for (key, level) in [("VBAR_EL1", ExceptionLevel.el1), ("VBAR_EL2", .el2)] {
                guard let (text, line) = try string("thread.\(n).reset", key) else { continue }
                guard case .integer(let base) = try value(text, thread: n, file: file, line: line) else {
                    throw LitmusError("\(key) must be a number", at: at(line))
                }
                vectorBases[n][level] = base
            }
        }
        let handlerOf = try IslaHandlerPlacement.place(sections, threads: threadCount, vectorBases: vectorBases, file: file)

        // Threads, in order thread.0, thread.1, ...
        var threads: [ThreadCode] = []
        var initial: [InitialAssignment] = []
        var codeLine = 1
        while let (code, line) = try string("thread.\(threads.count)", "code") {
            let n = threads.count
            if n == 0 { codeLine = line + 1 }
            let lines = code.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map {
                SourceLine(String($0.element), at: at(line + 1 + $0.offset))
            }
            do { threads.append(try Assembler(codeOrigin: ThreadCode.codeOrigin(ofThread: threads.count))
                .assemble(lines, placedHandlers: (handlerOf[n] ?? []).map { ($0.lines, $0.level, $0.vector) })) }
            catch { throw LitmusError(error) }
            if let e = doc.entry("thread.\(n)", "init"), e.value != .emptyTable {
                throw LitmusError("thread init values other than {} are not supported", at: at(e.line))
            }
            for (key, entry) in (doc.tables["thread.\(n).reset"] ?? [:]).sorted(by: { $0.value.line < $1.value.line }) {
                // `__isla_monomorphize_writes` and the like tune isla's
                // symbolic execution, not the machine's state.
                if key.hasPrefix("__isla_") { continue }
                guard case .string(let valueText) = entry.value else {
                    throw LitmusError("reset value of \(key) must be a string", at: at(entry.line))
                }
                let location: Location
                if let r = ExpressionParser.register(key), key.uppercased().hasPrefix("R") || key.uppercased().hasPrefix("X") {
                    location = .register(thread: n, r)
                } else {
                    location = .systemRegister(thread: n, key.uppercased())
                }
                initial.append(InitialAssignment(location, try value(valueText, thread: n, file: file, line: entry.line), line: entry.line))
            }
        }
        guard !threads.isEmpty else { throw LitmusError("no [thread.0] code", at: at(1)) }
        for table in doc.tableOrder where table.hasPrefix("thread.") {
            let parts = table.split(separator: ".")
            if let n = Int(parts[1]), n >= threads.count {
                throw LitmusError("[\(table)] without [thread.\(n)] code (threads must be numbered from 0)", at: at(1))
            }
        }

        guard let (assertion, assertionLine) = try string("final", "assertion") else {
            throw LitmusError("missing [final] assertion", at: at(1))
        }
        let tokens = try Tokenizer.tokens(assertion, firstLine: assertionLine, file: file)
        var parser = ExpressionParser(TokenStream(tokens, file: file, lastLine: assertionLine))
        let predicate = try parser.predicate()
        if let t = parser.stream.peek { throw parser.stream.error("unexpected '\(t.text)' in assertion") }

        var test = LitmusTest(
            name: name, file: file, threads: threads, handlers: handlers, initialState: initial,
            observed: [], condition: FinalCondition(.exists, predicate), variants: [],
            memory: .isla(setup), types: [:])
        test.codeLine = codeLine
        test.conditionLine = assertionLine
        return test
    }

    /// `threadN_elM_handler` (optionally with a suffix such as `_lower_exc`):
    /// (N, EL M); nil for another name or level.
    static func handlerPlace(_ name: String) -> (Int, ExceptionLevel)? {
        let parts = name.split(separator: "_")
        guard parts.count >= 3, parts[0].hasPrefix("thread"), parts[2] == "handler",
              let thread = Int(parts[0].dropFirst("thread".count)), parts[1].hasPrefix("el"),
              let raw = Int(parts[1].dropFirst(2)), let level = ExceptionLevel(rawValue: raw) else { return nil }
        return (thread, level)
    }

    static func value(_ text: String, thread: Int, file: String, line: Int) throws(LitmusError) -> Value {
        let trimmed = text.trimmed
        // `L0:`: the code address of thread `thread`'s label L0 (for ELR).
        if trimmed.hasSuffix(":") {
            let label = String(trimmed.dropLast()).trimmed
            guard !label.isEmpty else { throw LitmusError("empty code address '\(trimmed)'", at: SourceLocation(file: file, line: line)) }
            return .label(thread: thread, label)
        }
        let tokens = try Tokenizer.tokens(trimmed, firstLine: line, file: file)
        var parser = ExpressionParser(TokenStream(tokens, file: file, lastLine: line))
        let v = try parser.value()
        if let t = parser.stream.peek { throw parser.stream.error("unexpected '\(t.text)' in value '\(trimmed)'") }
        return v
    }
}
