import MemoryModel

/// The part of TOML isla's litmus files use: `[table.headers]`, `key = value`
/// with quoted keys, basic strings, `"""` multi-line strings, arrays of
/// strings, empty inline tables `{}`, integers, and `#` comments. Every value
/// keeps its line so errors point into the file.
struct TOMLDocument {
    struct Entry {
        var value: TOMLValue
        var line: Int
    }

    enum TOMLValue: Equatable {
        case string(String)
        case array([String])
        case integer(Int)
        case emptyTable
    }

    /// Entries by table path ("" for the top level, "thread.0.reset", ...).
    private(set) var tables: [String: [String: Entry]] = ["": [:]]
    /// Table paths in order of appearance.
    private(set) var tableOrder: [String] = [""]

    init(_ text: String, file: String) throws(LitmusError) {
        let lines = text.replacingCRLF.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var table = ""
        var i = 0
        func error(_ m: String, _ line: Int) -> LitmusError { LitmusError(m, at: SourceLocation(file: file, line: line + 1)) }
        while i < lines.count {
            let line = TOMLDocument.stripComment(lines[i]).trimmed
            let lineNumber = i
            i += 1
            if line.isEmpty { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]"), !line.hasPrefix("[[") else { throw error("bad table header '\(line)'", lineNumber) }
                table = String(line.dropFirst().dropLast()).trimmed
                if tables[table] == nil { tables[table] = [:]; tableOrder.append(table) }
                continue
            }
            guard let eq = TOMLDocument.keyEnd(line) else { throw error("expected 'key = value'", lineNumber) }
            var key = line[..<eq].trimmed
            if key.hasPrefix("\""), key.hasSuffix("\""), key.count >= 2 { key = String(key.dropFirst().dropLast()) }
            var rest = line[line.index(after: eq)...].trimmed
            let value: TOMLValue
            if rest.hasPrefix("\"\"\"") {
                // Multi-line string: up to the closing """ (possibly on this line).
                rest = String(rest.dropFirst(3))
                var body: [String] = []
                var current = rest
                while true {
                    if let r = current.range(of3Quotes: ()) {
                        body.append(String(current[..<r]))
                        break
                    }
                    body.append(current)
                    guard i < lines.count else { throw error("unterminated \"\"\" string", lineNumber) }
                    current = lines[i]
                    i += 1
                }
                var joined = body.joined(separator: "\n")
                if joined.hasPrefix("\n") { joined.removeFirst() }
                value = .string(joined)
            } else if rest.hasPrefix("\"") {
                guard let s = TOMLDocument.basicString(rest) else { throw error("bad string \(rest)", lineNumber) }
                value = .string(s)
            } else if rest.hasPrefix("[") {
                // Arrays of strings, possibly over several lines.
                while !rest.hasSuffix("]") {
                    guard i < lines.count else { throw error("unterminated array", lineNumber) }
                    rest += " " + TOMLDocument.stripComment(lines[i]).trimmed
                    i += 1
                }
                let inner = rest.dropFirst().dropLast().trimmed
                var items: [String] = []
                if !inner.isEmpty {
                    for part in inner.split(separator: ",") where !part.trimmed.isEmpty {
                        guard let s = TOMLDocument.basicString(part.trimmed) else { throw error("array items must be strings", lineNumber) }
                        items.append(s)
                    }
                }
                value = .array(items)
            } else if rest == "{}" {
                value = .emptyTable
            } else if let n = Int(rest) {
                value = .integer(n)
            } else {
                throw error("unsupported TOML value '\(rest)'", lineNumber)
            }
            tables[table, default: [:]][key] = Entry(value: value, line: lineNumber + 1)
        }
    }

    func entry(_ table: String, _ key: String) -> Entry? { tables[table]?[key] }

    /// Index of the `=` separating key and value (outside a quoted key).
    static func keyEnd(_ line: String) -> String.Index? {
        var inQuotes = false
        for i in line.indices {
            if line[i] == "\"" { inQuotes.toggle() }
            if line[i] == "=" && !inQuotes { return i }
        }
        return nil
    }

    /// `"..."` with the usual escapes; nil if malformed or followed by more text.
    static func basicString(_ s: String) -> String? {
        guard s.first == "\"" else { return nil }
        var out = ""
        var escaped = false
        var index = s.index(after: s.startIndex)
        while index < s.endIndex {
            let c = s[index]
            if escaped {
                switch c {
                case "n": out.append("\n")
                case "t": out.append("\t")
                default: out.append(c)
                }
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c == "\"" {
                return s[s.index(after: index)...].trimmed.isEmpty ? out : nil
            } else {
                out.append(c)
            }
            index = s.index(after: index)
        }
        return nil
    }

    /// Drops a `#` comment that is not inside a string.
    static func stripComment(_ line: String) -> String {
        var inQuotes = false
        for i in line.indices {
            if line[i] == "\"" { inQuotes.toggle() }
            if line[i] == "#" && !inQuotes { return String(line[..<i]) }
        }
        return line
    }
}

extension String {
    /// The index where `"""` starts, if present.
    func range(of3Quotes: Void) -> String.Index? {
        var count = 0
        for i in indices {
            if self[i] == "\"" {
                count += 1
                if count == 3 { return index(i, offsetBy: -2) }
            } else {
                count = 0
            }
        }
        return nil
    }
}
