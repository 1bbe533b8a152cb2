import MemoryModel

/// Reads the items of herd's initial-state block: `0:X1=x`, `x=1`, `[x]=1`,
/// `int x`, `uint64_t 0:X5=x`, `pteval_t 0:X0`, `int64_t w[2]={1,2}`,
/// `[PTE(x)]=(oa:PA(y))`, `pte_x=(valid:0)`, `int *p=&z`, `%P0_x=x`.
struct InitParser {
    let file: String
    private(set) var assignments: [InitialAssignment] = []
    private(set) var types: [Location: TypeWidth] = [:]
    /// Values of symbolic registers (`%name=...`), bound per thread later.
    private(set) var symbolic: [String: Value] = [:]
    private(set) var elementWidths: [String: Int] = [:]

    init(file: String) { self.file = file }

    /// C types herd accepts in init blocks, by width in bytes.
    static let typeWidths: [String: Int] = [
        "int": 4, "uint32_t": 4, "int32_t": 4, "unsigned": 4,
        "int64_t": 8, "uint64_t": 8, "pteval_t": 8, "long": 8, "intptr_t": 8, "ins_t": 4,
        "int16_t": 2, "uint16_t": 2, "short": 2,
        "int8_t": 1, "uint8_t": 1, "char": 1,
    ]

    /// Records the element width of a typed array declaration (`int64_t v[2]`)
    /// and nothing else: herd lets an item index an array declared after it
    /// (`0:X2=v[1]; int64_t v[2]={22,44}`), so every item is seen by this
    /// before any is parsed.
    mutating func declareArray(_ item: String, line: Int) throws(LitmusError) {
        let tokens = try Tokenizer.tokens(item, firstLine: line, file: file)
        guard tokens.count >= 3, tokens[0].kind == .word, let width = InitParser.typeWidths[tokens[0].text],
              tokens[1].kind == .word, tokens[2].text == "[" else { return }
        elementWidths[tokens[1].text] = width
    }

    mutating func parse(_ item: String, line: Int) throws(LitmusError) {
        let tokens = try Tokenizer.tokens(item, firstLine: line, file: file)
        var p = ExpressionParser(TokenStream(tokens, file: file, lastLine: line))
        p.elementWidths = elementWidths
        var width: Int? = nil
        if let t = p.stream.peek, t.kind == .word, let w = InitParser.typeWidths[t.text],
           let next = p.stream.peek(1), next.text != "=" && next.text != ":" {
            _ = try p.stream.next()
            width = w
        }
        if p.stream.accept("*") { width = 8 }  // a pointer variable

        // `%name=value`: a symbolic register of herd's compiled tests.
        if let t = p.stream.peek, t.kind == .word, t.text.hasPrefix("%") {
            _ = try p.stream.next()
            try p.stream.expect("=")
            symbolic[String(t.text.dropFirst())] = try p.value()
            try end(&p)
            return
        }

        // `int x[2]` / `int x[2]={1,2}` / `x[2]={1,2}`: an array declaration
        // sizes the variable (untyped: herd's default type, int). herd
        // initialises arrays whole: `v[3]=3` (one element) is refused.
        if let t = p.stream.peek, t.kind == .word, p.stream.peek(1)?.text == "[" {
            let name = try p.stream.word("variable")
            try p.stream.expect("[")
            let count = try p.stream.word("array size")
            guard Int(count) != nil else { throw p.stream.error("'\(count)' is not an array size") }
            try p.stream.expect("]")
            if width == nil, p.stream.peek?.text == "=", p.stream.peek(1)?.text != "{" {
                throw p.stream.error("'\(name)[\(count)]=' sets one array element; herd initialises an array whole "
                                     + "('int64_t \(name)[n]={...}')")
            }
            let element = width ?? elementWidths[name] ?? 4
            elementWidths[name] = element
            types[.memory(.virtualAddress(name), offset: 0)] = TypeWidth(bytes: element)
            if p.stream.accept("=") {
                try p.stream.expect("{")
                var k = 0
                repeat {
                    let v = try p.value()
                    assignments.append(InitialAssignment(.memory(.virtualAddress(name), offset: k * element), v, line: line))
                    k += 1
                } while p.stream.accept(",")
                try p.stream.expect("}")
            }
            try end(&p)
            return
        }
        let location = try p.location()
        if let w = width { types[location] = TypeWidth(bytes: w) }
        if p.stream.accept("=") {
            assignments.append(InitialAssignment(location, try p.value(), line: line))
        }
        // A bare location (`xs`, `int x`) only declares it: it starts at 0.
        try end(&p)
    }

    private func end(_ p: inout ExpressionParser) throws(LitmusError) {
        if let t = p.stream.peek { throw p.stream.error("unexpected '\(t.text)' in initial state item") }
    }
}

/// herd's compiler-generated tests name registers symbolically (`X%P0_x`);
/// each thread gets free registers for its names: the lowest numbers its code
/// does not use, in order of the names.
enum SymbolicRegisters {
    static func allocate(in lines: [SourceLine]) -> [String: UInt8] {
        var names: [String] = []
        var used = Set<UInt8>()
        for line in lines {
            let chars = Array(line.text)
            var i = 0
            while i < chars.count {
                let c = chars[i]
                if (c == "X" || c == "W" || c == "x" || c == "w") && (i == 0 || !(chars[i - 1].isLetter || chars[i - 1].isNumber)) {
                    var j = i + 1
                    if j < chars.count, chars[j] == "%" {
                        j += 1
                        let start = j
                        while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" { j += 1 }
                        let name = String(chars[start..<j])
                        if !names.contains(name) { names.append(name) }
                        i = j
                        continue
                    }
                    let start = j
                    while j < chars.count, chars[j].isNumber { j += 1 }
                    if j > start, let n = UInt8(String(chars[start..<j])) { used.insert(n) }
                    i = j
                    continue
                }
                i += 1
            }
        }
        var result: [String: UInt8] = [:]
        var next: UInt8 = 0
        for name in names.sorted() {
            while used.contains(next) { next += 1 }
            result[name] = next
            used.insert(next)
        }
        return result
    }
}
