import MemoryModel

/// isla's `page_table_setup` language, parsed:
///
///     option default_tables = true;
///     virtual x; physical pa1 pa2; intermediate ipa1;
///     x |-> pa1;  x |-> invalid;  x ?-> pa2 with [AP = 0b11] and default;
///     x |-> invalid at level 2;  x ?-> table(0x283000) at level 2;  x ?-> raw(2);
///     ipa1 |-> pa1;                      (stage 2: the source is intermediate)
///     *pa1 = 1;  assert pa1 == ipa1;  identity 0x1000 with code;
///     s1table name 0x200000 { ... }  s2table name 0x240000 { ...; s1table name; }
///
/// `|->` installs a mapping; `?->` only declares one the test may install
/// later (its tables are built and `descN` names its descriptor).
public struct PageTableSetup: Hashable, Sendable {
    public var defaultTables = true
    public var virtualNames: [String] = []
    public var physicalNames: [String] = []
    public var intermediateNames: [String] = []
    /// Mappings outside any table block (they go to the default tables).
    public var mappings: [Mapping] = []
    public var tables: [Table] = []
    public var memory: [(name: String, value: UInt64, line: Int)] = []
    /// `assert a == b`: the two names get the same address.
    public var sameAddress: [(String, String)] = []

    public static func == (a: PageTableSetup, b: PageTableSetup) -> Bool {
        a.defaultTables == b.defaultTables && a.virtualNames == b.virtualNames && a.physicalNames == b.physicalNames
            && a.intermediateNames == b.intermediateNames && a.mappings == b.mappings && a.tables == b.tables
            && a.memory.map(\.name) == b.memory.map(\.name) && a.memory.map(\.value) == b.memory.map(\.value)
            && a.sameAddress.map(\.0) == b.sameAddress.map(\.0) && a.sameAddress.map(\.1) == b.sameAddress.map(\.1)
    }

    public func hash(into h: inout Hasher) {
        h.combine(virtualNames)
        h.combine(mappings)
        h.combine(tables)
    }

    public struct Mapping: Hashable, Sendable {
        public enum Target: Hashable, Sendable {
            case name(String)
            case invalid
            case table(UInt64)
            /// `raw(2)`: a descriptor given as its bits.
            case raw(UInt64)
        }
        public var source: String
        public var target: Target
        /// `?->`: declared, not installed.
        public var alternative: Bool
        public var level: Int
        public var permissions: AccessPermissions
        public var line: Int
    }

    public struct Table: Hashable, Sendable {
        public var name: String
        public var stage: Int
        public var base: UInt64
        public var mappings: [Mapping]
        /// Stage-2 tables: the stage-1 tables whose pages they map (identity).
        public var stage1Tables: [String]
    }
}

/// Parses the page-table setup text.
enum PageTableSetupParser {
    static func parse(_ text: String, file: String, firstLine: Int) throws(LitmusError) -> PageTableSetup {
        let tokens = try Tokenizer.tokens(text, firstLine: firstLine, file: file)
        var s = TokenStream(tokens, file: file, lastLine: firstLine)
        var setup = PageTableSetup()
        while !s.atEnd {
            if s.accept(";") { continue }
            let line = s.line
            if s.accept("*") {
                let name = try s.word("name")
                try s.expect("=")
                let v = try s.word("value")
                guard let n = ExpressionParser.integer(v) else { throw s.error("'\(v)' is not a number") }
                setup.memory.append((name, n, line))
                continue
            }
            let word = try s.word("statement").lowercased()
            switch word {
            case "option":
                let name = try s.word("option name")
                try s.expect("=")
                let v = try s.word("true or false")
                guard name == "default_tables", v == "true" || v == "false" else {
                    throw s.error("unsupported option '\(name) = \(v)'")
                }
                setup.defaultTables = v == "true"
            case "virtual", "physical", "intermediate":
                while let t = s.peek, t.kind == .word {
                    _ = try s.next()
                    switch word {
                    case "virtual": setup.virtualNames.append(t.text)
                    case "physical": setup.physicalNames.append(t.text)
                    default: setup.intermediateNames.append(t.text)
                    }
                }
            case "identity":
                // Code pages: the program IR does not fetch instructions from
                // memory, so identity maps of code need no tables here.
                while let t = s.peek, t.text != ";" { _ = try s.next() }
            case "assert":
                let a = try s.word("name")
                try s.expect("==")
                setup.sameAddress.append((a, try s.word("name")))
            case "s1table", "s2table":
                try tableBlock(&s, stage: word == "s1table" ? 1 : 2, into: &setup)
            default:
                setup.mappings.append(try mapping(&s, source: tokens[s.position - 1].text, line: line))
            }
        }
        return setup
    }

    /// `s1table NAME BASE { mappings; nested tables; s1table OTHER; }`, after
    /// the keyword. A table block may declare further tables inside it, and
    /// name other tables (`s1table vm_stage1;`) whose pages it maps.
    static func tableBlock(_ s: inout TokenStream, stage: Int, into setup: inout PageTableSetup) throws(LitmusError) {
        let name = try s.word("table name")
        let baseText = try s.word("table address")
        guard let base = ExpressionParser.integer(baseText), base & 0xFFF == 0 else {
            throw s.error("'\(baseText)' is not a page-aligned table address")
        }
        try s.expect("{")
        var table = PageTableSetup.Table(name: name, stage: stage, base: base, mappings: [], stage1Tables: [])
        while !s.accept("}") {
            if s.accept(";") { continue }
            if let t = s.peek, t.text == "s1table" || t.text == "s2table" {
                _ = try s.next()
                if s.peek(1)?.text == ";" || s.peek(1) == nil {
                    table.stage1Tables.append(try s.word("table name"))
                } else {
                    try tableBlock(&s, stage: t.text == "s1table" ? 1 : 2, into: &setup)
                }
                continue
            }
            if s.accept("identity") {
                while let t = s.peek, t.text != ";" { _ = try s.next() }
                continue
            }
            let line = s.line
            table.mappings.append(try mapping(&s, source: try s.word("name"), line: line))
        }
        setup.tables.append(table)
    }

    /// `x |-> pa1 [with [AP = 0b11] and default] [at level N]`; `x ?-> ...`.
    static func mapping(_ s: inout TokenStream, source: String, line: Int) throws(LitmusError) -> PageTableSetup.Mapping {
        let alternative: Bool
        if s.accept("|") { alternative = false }
        else if s.accept("?") { alternative = true }
        else { throw s.error("expected |-> or ?-> after '\(source)'") }
        try s.expect("->")
        let targetWord = try s.word("mapping target")
        let target: PageTableSetup.Mapping.Target
        if targetWord == "invalid" {
            target = .invalid
        } else if targetWord == "table" || targetWord == "raw" {
            try s.expect("(")
            let a = try s.word(targetWord == "raw" ? "descriptor bits" : "table address")
            guard let n = ExpressionParser.integer(a) else { throw s.error("'\(a)' is not a number") }
            try s.expect(")")
            target = targetWord == "raw" ? .raw(n) : .table(n)
        } else {
            target = .name(targetWord)
        }
        var permissions = AccessPermissions.readWriteAll
        var level = 3
        while true {
            if s.accept("with") {
                try s.expect("[")
                while !s.accept("]") {
                    let key = try s.word("attribute")
                    try s.expect("=")
                    let v = try s.word("attribute value")
                    guard key.uppercased() == "AP", let bits = ExpressionParser.integer(v) else {
                        throw s.error("unsupported attribute '\(key) = \(v)'")
                    }
                    permissions = AccessPermissions(apBits: bits)
                    _ = s.accept(",")
                }
                if s.accept("and") { try s.expect("default") }
            } else if s.accept("at") {
                try s.expect("level")
                let l = try s.word("level")
                guard let n = Int(l), (0...3).contains(n) else { throw s.error("bad level '\(l)'") }
                level = n
            } else {
                break
            }
        }
        if !s.accept(";") && !s.atEnd && s.peek?.text != "}" { throw s.error("expected ';' after mapping") }
        return PageTableSetup.Mapping(source: source, target: target, alternative: alternative,
                                      level: level, permissions: permissions, line: line)
    }
}
