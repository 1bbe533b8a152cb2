import MemoryModel

/// Parses locations, values and predicates from tokens: herd's spellings
/// (`[x]`, `0:X1`, `PTE(x)`, `pte_x`, `PA(x)`, `phy_x`, descriptor literals,
/// `fault(P0:L0,x)`, `/\`, `\/`, `~`, `not`) and isla's (`*x`, `pte3(x, t)`,
/// `desc3(x, t)`, `&`, `|`, `~`).
struct ExpressionParser {
    var stream: TokenStream
    /// Element widths of arrays declared so far, for `x[1]` offsets.
    var elementWidths: [String: Int] = [:]

    init(_ stream: TokenStream) { self.stream = stream }

    // MARK: Predicates

    /// herd's `p => q` (implication) binds loosest and to the right; it is
    /// `~p \/ q`.
    mutating func predicate() throws(LitmusError) -> Predicate {
        let p = try disjunction()
        if stream.accept("=>") { return .or(.not(p), try predicate()) }
        return p
    }

    mutating func disjunction() throws(LitmusError) -> Predicate {
        var p = try conjunction()
        while stream.accept("\\/") || stream.accept("|") {
            p = .or(p, try conjunction())
        }
        return p
    }

    mutating func conjunction() throws(LitmusError) -> Predicate {
        var p = try unary()
        while stream.accept("/\\") || stream.accept("&") {
            p = .and(p, try unary())
        }
        return p
    }

    mutating func unary() throws(LitmusError) -> Predicate {
        if stream.accept("~") || stream.accept("not") { return .not(try unary()) }
        if stream.accept("(") {
            let p = try predicate()
            try stream.expect(")")
            return p
        }
        if stream.accept("true") { return .constant(true) }
        if stream.accept("false") { return .constant(false) }
        if let t = stream.peek, t.kind == .word, t.text.lowercased() == "fault", stream.peek(1)?.text == "(" {
            return try fault()
        }
        let location = try self.location()
        if stream.accept("!=") { return .not(.equals(location, try value())) }
        if !stream.accept("==") { try stream.expect("=") }
        if stream.accept("{") {
            // `x={1,0}`: an array, element by element.
            guard case .memory(let base, let offset) = location, case .virtualAddress(let name) = base else {
                throw stream.error("only a variable can equal an array value")
            }
            var k = 0
            var p: Predicate? = nil
            repeat {
                let e = Predicate.equals(.memory(base, offset: offset + k * elementWidth(name)), try value())
                p = p.map { .and($0, e) } ?? e
                k += 1
            } while stream.accept(",")
            try stream.expect("}")
            return p!
        }
        return .equals(location, try value())
    }

    /// `fault(P0)`, `fault(P0:L0)`, `fault(P0,x)`, `fault(P0:L0,x,MMU:Permission)`.
    mutating func fault() throws(LitmusError) -> Predicate {
        _ = try stream.next()
        try stream.expect("(")
        let thread = try threadName()
        var label: String? = nil
        if stream.accept(":") { label = try stream.word("label") }
        var variable: String? = nil
        var kind: FaultKind? = nil
        while stream.accept(",") {
            let word = try stream.word("fault argument")
            if word == "MMU" {
                try stream.expect(":")
                let k = try stream.word("fault kind")
                switch k.lowercased() {
                case "translation": kind = .translation
                case "permission": kind = .permission
                case "accessflag": kind = .accessFlag
                default: throw stream.error("unknown MMU fault kind '\(k)'")
                }
            } else if word == "SupervisorCall" || word == "HypervisorCall" {
                // herd's names for the faults SVC and HVC record (Predicate.herdName).
                kind = word == "SupervisorCall" ? .supervisorCall : .hypervisorCall
            } else if word == "UndefinedInstruction" {
                kind = .undefinedInstruction
            } else if word == "TagCheck" {
                kind = .tagCheck
            } else {
                variable = word
            }
        }
        try stream.expect(")")
        return .fault(thread: thread, label: label, variable: variable, kind: kind)
    }

    /// `P3` → 3.
    mutating func threadName() throws(LitmusError) -> Int {
        let w = try stream.word("thread (P0, P1, ...)")
        guard w.first == "P", let n = Int(w.dropFirst()), n >= 0 else { throw stream.error("'\(w)' is not a thread name") }
        return n
    }

    /// Element width of an array: as declared, else herd's default type, int.
    func elementWidth(_ name: String) -> Int { elementWidths[name] ?? 4 }

    // MARK: Locations

    /// `0:X1`, `[x]`, `x`, `[PTE(x)]`, `PTE(x)`, `pte_x`, `x[1]`, `*pa1`, `[P1_r0]`.
    mutating func location() throws(LitmusError) -> Location {
        if stream.accept("[") {
            let v = try addressValue()
            try stream.expect("]")
            return .memory(v, offset: 0)
        }
        if stream.accept("*") {
            return .memory(try addressValue(), offset: 0)
        }
        guard let t = stream.peek, t.kind == .word else { throw stream.error("expected a location" + (stream.peek.map { ", found '\($0.text)'" } ?? "")) }
        let threadPrefix = t.text.first == "P" ? Int(t.text.dropFirst()) : nil
        if let thread = Int(t.text) ?? threadPrefix, stream.peek(1)?.text == ":" {
            _ = try stream.next(); _ = try stream.next()
            let name = try stream.word("register")
            if let r = ExpressionParser.register(name) { return .register(thread: thread, r) }
            return .systemRegister(thread: thread, name.uppercased())
        }
        let v = try addressValue()
        // `x[1]`: value() read the element's address; the location is the variable's word plus that offset.
        if case .element(let name, let offset) = v { return .memory(.virtualAddress(name), offset: offset) }
        if stream.peek?.text == "[" { throw stream.error("only variables can be indexed") }
        return .memory(v, offset: 0)
    }

    /// After a variable's name: `[k]`, an element index, as the element's
    /// byte offset (herd's `mk_sym_with_index`; index times element width).
    private mutating func elementOffset(of name: String) throws(LitmusError) -> Int? {
        guard stream.accept("[") else { return nil }
        let index = try stream.word("array index")
        guard let k = Int(index), k >= 0 else { throw stream.error("'\(index)' is not an array index") }
        let (offset, overflow) = k.multipliedReportingOverflow(by: elementWidth(name))
        guard !overflow else { throw stream.error("array index \(index) of '\(name)' is too large") }
        try stream.expect("]")
        return offset
    }

    /// X0-X30, W0-W30 (as their 64-bit register: final states hold full registers).
    static func register(_ name: String) -> Register? {
        let u = name.uppercased()
        // herd shows and tests the zero register too (`0:XZR=0`, regression A164).
        if u == "XZR" || u == "WZR" { return .xzr }
        guard let f = u.first, f == "X" || f == "W" || f == "R", let n = UInt8(u.dropFirst()), n <= 30 else { return nil }
        return .x(n)
    }

    /// A name standing for an address: `x`, `PTE(x)`, `TTD(x)`, `pte_x`, `PA(x)`,
    /// `phy_x`, isla `pte3(x, table)`.
    mutating func addressValue() throws(LitmusError) -> Value {
        let v = try value()
        switch v {
        case .virtualAddress, .element, .physicalAddress, .entryAddress, .allocationTag: return v
        default: throw stream.error("'\(v)' does not name a memory location")
        }
    }

    // MARK: Values

    mutating func value() throws(LitmusError) -> Value {
        if stream.accept("(") {
            // herd prints PAR_EL1 values parenthesised: `(parel1_t:(oa:PA(x)))`.
            if let t = stream.peek, t.kind == .word, t.text.lowercased() == "parel1_t" {
                let v = try value()
                try stream.expect(")")
                return v
            }
            return .descriptor(try descriptor())
        }
        if stream.accept("&") {
            let name = try stream.word("variable")
            if let offset = try elementOffset(of: name), offset != 0 { return .element(name, offset: offset) }
            return .virtualAddress(name)
        }
        guard let t = stream.peek else { throw stream.error("expected a value") }
        if t.kind == .string { throw stream.error("unexpected string \"\(t.text)\"") }
        if stream.accept(":") {
            // herd's bare colour `:green` (memtag): the tag itself, the value
            // of an allocation tag location `[tag(x)]`.
            let colour = try stream.word("tag colour")
            guard let tag = MemoryTagging.tag(ofColour: colour) else { throw stream.error("unknown tag colour '\(colour)'") }
            return .integer(tag)
        }
        let w = try stream.word("value")
        if let n = ExpressionParser.integer(w) { return .integer(n) }
        if stream.peek?.text == "(" {
            return try call(w)
        }
        if w == "label", stream.accept(":") {
            let s = try stream.next()
            guard s.kind == .string else { throw stream.error("expected label:\"P1:L0\"") }
            let parts = s.text.split(separator: ":")
            guard parts.count == 2, parts[0].first == "P", let thread = Int(parts[0].dropFirst()) else {
                throw stream.error("bad label \"\(s.text)\"")
            }
            return .label(thread: thread, String(parts[1]))
        }
        if w == "instr", stream.accept(":") {
            let s = try stream.next()
            guard s.kind == .string else { throw stream.error("expected instr:\"<instruction>\"") }
            do { return .instructionWord(try InstructionEncoder.encode(statement: s.text, at: SourceLocation(file: stream.file, line: s.line))) }
            catch { throw LitmusError(error) }
        }
        if w.first == "P", let thread = Int(w.dropFirst()), stream.peek?.text == ":" {
            _ = try stream.next()
            return .label(thread: thread, try stream.word("label"))
        }
        if w.lowercased() == "parel1_t", stream.accept(":") { return try physicalAddressRegister() }
        if stream.peek?.text == ":", stream.peek(1)?.kind == .word || stream.peek(1)?.kind == .string {
            // herd's tagged pointer `x:red` (memtag).
            guard ExpressionParser.isName(w) else { throw stream.error("'\(w)' cannot carry a tag") }
            _ = try stream.next()
            let colour = try stream.next()
            guard colour.kind == .word, MemoryTagging.tag(ofColour: colour.text) != nil else {
                throw stream.error("unknown tag colour '\(colour.text)' in '\(w):\(colour.text)'")
            }
            return .tagged(.virtualAddress(w), colour: colour.text.lowercased())
        }
        if w.hasPrefix("pte_"), w.count > 4 { return .entryAddress(String(w.dropFirst(4)), level: 3, table: nil) }
        if w.hasPrefix("phy_"), w.count > 4 { return .physicalAddress(String(w.dropFirst(4))) }
        guard ExpressionParser.isName(w) else { throw stream.error("'\(w)' is not a value") }
        if let offset = try elementOffset(of: w), offset != 0 { return .element(w, offset: offset) }
        return .virtualAddress(w)
    }

    static func isName(_ w: String) -> Bool {
        guard let f = w.first, f.isLetter || f == "_" else { return false }
        return w.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
    }

    /// `PTE(x)`, `TTD(x)`, `PA(x)`, isla `pte3(x, t)`, `desc3(x, t)`, `page(x)`,
    /// `extz(v, 64)`, `exts(v, 64)`, `ttbr(asid=.., base=t)`.
    mutating func call(_ function: String) throws(LitmusError) -> Value {
        try stream.expect("(")
        let f = function.lowercased()
        let result: Value
        switch f {
        case "pte", "ttd":
            result = .entryAddress(try stream.word("variable"), level: 3, table: nil)
        case "pa":
            result = .physicalAddress(try stream.word("variable"))
        case "tag":
            result = .allocationTag(try stream.word("variable"))
        case "page":
            result = .pageNumber(try value())
        case "bvlshr":
            let v = try value()
            try stream.expect(",")
            result = .shiftRight(v, by: try value())
        case "bvand", "bvor", "bvxor", "bvshl":
            let a = try value()
            try stream.expect(",")
            result = .bitwise(Value.BitwiseFunction(rawValue: f)!, a, try value())
        case "index", "offset":
            var level: Int? = nil
            var address: Value? = nil
            repeat {
                let key = try stream.word("\(f) field").lowercased()
                try stream.expect("=")
                switch key {
                case "level":
                    let l = try stream.word("level")
                    guard let n = Int(l), (0...3).contains(n) else { throw stream.error("bad level '\(l)'") }
                    level = n
                case "va", "ipa": address = try value()
                default: throw stream.error("unknown \(f) field '\(key)'")
                }
            } while stream.accept(",")
            guard let level, let address else { throw stream.error("\(f)(...) needs level= and va= (or ipa=)") }
            result = .tableIndex(address, level: level, bytes: f == "offset")
        case "asid":
            let v = try stream.word("ASID")
            guard let n = ExpressionParser.integer(v) else { throw stream.error("'\(v)' is not an ASID") }
            result = .asid(n)
        case "mkdesc1", "mkdesc2", "mkdesc3":
            let level = Int(f.dropFirst(6))!
            var output: Value? = nil
            var isTable = false
            var permissions = AccessPermissions.readWriteAll
            repeat {
                let key = try stream.word("mkdesc field").lowercased()
                try stream.expect("=")
                switch key {
                case "oa": output = try value()
                case "table": output = try value(); isTable = true
                case "ap":
                    let v = try stream.word("AP bits")
                    guard let n = ExpressionParser.integer(v) else { throw stream.error("'\(v)' is not AP bits") }
                    permissions = AccessPermissions(apBits: n)
                default: throw stream.error("unknown mkdesc field '\(key)'")
                }
            } while stream.accept(",")
            guard let o = output else { throw stream.error("mkdesc needs oa= or table=") }
            result = .makeDescriptor(level: level, output: o, isTable: isTable, permissions: permissions)
        case "extz", "exts":
            let v = try value()
            try stream.expect(",")
            let bits = try stream.word("bit width")
            guard let b = Int(bits), b > 0, b <= 64 else { throw stream.error("bad width '\(bits)'") }
            // Values are 64-bit already; a narrower width would truncate.
            if case .integer(let n) = v, b < 64 { result = .integer(n & ((1 << UInt64(b)) - 1)) } else { result = v }
        case "ttbr":
            var table: String? = nil
            var number: UInt64? = nil
            var tag: UInt64 = 0
            var isVMID = false
            repeat {
                let key = try stream.word("ttbr field").lowercased()
                try stream.expect("=")
                switch key {
                case "base":
                    // A table name, or a number (pKVM tests' `base=extz(0b0, 64)`).
                    let w = try stream.word("table name")
                    if stream.peek?.text == "(" {
                        guard case .integer(let n) = try call(w) else { throw stream.error("ttbr base must be a table or a number") }
                        number = n
                    } else {
                        table = w
                    }
                case "asid", "vmid":
                    let v = try stream.word("number")
                    guard let n = ExpressionParser.integer(v) else { throw stream.error("'\(v)' is not a number") }
                    tag = n
                    isVMID = key == "vmid"
                default: throw stream.error("unknown ttbr field '\(key)'")
                }
            } while stream.accept(",")
            if let number, table == nil {
                result = .integer(number | (tag & 0xFFFF) << 48)
            } else {
                guard let t = table else { throw stream.error("ttbr(...) needs base=") }
                result = .translationTableBase(table: t, tag: tag, isVMID: isVMID)
            }
        default:
            if f.hasPrefix("pte"), let level = Int(f.dropFirst(3)) {
                let (name, table) = try nameAndTable()
                result = .entryAddress(name, level: level, table: table)
            } else if f.hasPrefix("desc"), let level = Int(f.dropFirst(4)) {
                let (name, table) = try nameAndTable()
                result = .tableDescriptor(name, level: level, table: table)
            } else {
                throw stream.error("unknown function '\(function)(...)'")
            }
        }
        try stream.expect(")")
        return result
    }

    private mutating func nameAndTable() throws(LitmusError) -> (String, String?) {
        let name = try stream.word("address name")
        var table: String? = nil
        if stream.accept(",") { table = try stream.word("table name") }
        return (name, table)
    }

    /// Decimal, 0x hex, 0b binary, optionally negative (two's complement).
    static func integer(_ raw: String) -> UInt64? {
        var s = Substring(raw)
        if s.first == "#" { s = s.dropFirst() }
        var negative = false
        if s.first == "-" { negative = true; s = s.dropFirst() }
        let lower = s.lowercased()
        let v: UInt64?
        if lower.hasPrefix("0x") { v = UInt64(lower.dropFirst(2), radix: 16) }
        else if lower.hasPrefix("0b") { v = UInt64(lower.dropFirst(2), radix: 2) }
        else { v = UInt64(lower) }
        guard let n = v else { return nil }
        return negative ? 0 &- n : n
    }
}
