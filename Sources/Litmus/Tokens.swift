import MemoryModel

/// A token of herd's init items, locations and final conditions (and of
/// isla's assertions, which use `&`, `|` and `~` for the same connectives).
struct Token: Hashable {
    enum Kind: Hashable { case word, string, symbol }
    var kind: Kind
    var text: String
    var line: Int
}

/// Splits text into tokens, keeping each token's line. Words are runs of
/// letters, digits, `_`, `.`, `%`, `-` and `#` (so `0x10`, `-1`, `phy_x`,
/// `B.EQ`, `%P0_x` are single words); symbols are `/\`, `\/`, `!=`, `->`, `|->`,
/// and single punctuation characters.
enum Tokenizer {
    static func tokens(_ text: String, firstLine: Int, file: String) throws(LitmusError) -> [Token] {
        var result: [Token] = []
        var line = firstLine
        let chars = Array(text)
        var i = 0
        func isWordChar(_ c: Character) -> Bool {
            c.isLetter || c.isNumber || c == "_" || c == "." || c == "%" || c == "#"
        }
        while i < chars.count {
            let c = chars[i]
            if c == "\n" { line += 1; i += 1; continue }
            if c.isWhitespace { i += 1; continue }
            if c == "\"" {
                var j = i + 1
                while j < chars.count, chars[j] != "\"" { j += 1 }
                guard j < chars.count else { throw LitmusError("unterminated string", at: SourceLocation(file: file, line: line)) }
                result.append(Token(kind: .string, text: String(chars[(i + 1)..<j]), line: line))
                i = j + 1
                continue
            }
            if isWordChar(c) || (c == "-" && i + 1 < chars.count && chars[i + 1].isNumber) {
                var j = i + 1
                while j < chars.count, isWordChar(chars[j]) { j += 1 }
                result.append(Token(kind: .word, text: String(chars[i..<j]), line: line))
                i = j
                continue
            }
            let two = i + 1 < chars.count ? String(chars[i...(i + 1)]) : ""
            if ["/\\", "\\/", "!=", "->", "==", "=>"].contains(two) {
                result.append(Token(kind: .symbol, text: two, line: line))
                i += 2
                continue
            }
            result.append(Token(kind: .symbol, text: String(c), line: line))
            i += 1
        }
        return result
    }
}

/// A cursor over tokens with the file name for errors.
struct TokenStream {
    var tokens: [Token]
    var position = 0
    let file: String
    /// Line reported when the stream is exhausted.
    let lastLine: Int

    init(_ tokens: [Token], file: String, lastLine: Int) {
        self.tokens = tokens
        self.file = file
        self.lastLine = lastLine
    }

    var atEnd: Bool { position >= tokens.count }
    var peek: Token? { atEnd ? nil : tokens[position] }
    func peek(_ offset: Int) -> Token? {
        position + offset < tokens.count ? tokens[position + offset] : nil
    }

    var line: Int { peek?.line ?? lastLine }

    func error(_ message: String) -> LitmusError {
        LitmusError(message, at: SourceLocation(file: file, line: line))
    }

    mutating func next() throws(LitmusError) -> Token {
        guard let t = peek else { throw error("unexpected end of input") }
        position += 1
        return t
    }

    /// Consumes `text` (a symbol or a word, case-insensitive) if it comes next.
    mutating func accept(_ text: String) -> Bool {
        guard let t = peek, t.kind != .string, t.text.lowercased() == text.lowercased() else { return false }
        position += 1
        return true
    }

    mutating func expect(_ text: String) throws(LitmusError) {
        guard accept(text) else { throw error("expected '\(text)'" + (peek.map { ", found '\($0.text)'" } ?? "")) }
    }

    mutating func word(_ what: String) throws(LitmusError) -> String {
        guard let t = peek, t.kind == .word else {
            throw error("expected \(what)" + (peek.map { ", found '\($0.text)'" } ?? ""))
        }
        position += 1
        return t.text
    }
}
