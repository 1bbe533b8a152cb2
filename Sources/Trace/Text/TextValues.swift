/// A problem in one line of a text trace; the reader adds file and line.
struct TextSyntaxError: Error, Equatable {
    /// 1-based column where the offending token starts.
    var column: Int
    var message: String
}

/// How numbers and strings are written in the text form: numbers in decimal
/// or 0x-hexadecimal, strings in double quotes with C-like escapes.
enum TextValues {
    static func hex(_ value: UInt64) -> String { "0x" + String(value, radix: 16) }

    static func parseUInt64(_ text: Substring) -> UInt64? {
        if text.hasPrefix("0x") || text.hasPrefix("0X") {
            let digits = text.dropFirst(2)
            return digits.isEmpty ? nil : UInt64(digits, radix: 16)
        }
        return text.first == "+" ? nil : UInt64(text, radix: 10)
    }

    static func parseUInt32(_ text: Substring) -> UInt32? {
        parseUInt64(text).flatMap { UInt32(exactly: $0) }
    }

    static func parseInt64(_ text: Substring) -> Int64? {
        if text.hasPrefix("-") {
            guard let magnitude = parseUInt64(text.dropFirst()), magnitude <= UInt64(Int64.max) + 1 else {
                return nil
            }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        return parseUInt64(text).flatMap { Int64(exactly: $0) }
    }

    /// A hypercall result: 0, -EPERM style names for pKVM's errnos, numbers otherwise.
    static func formatReturn(_ value: Int64) -> String {
        if let known = Names.errno.first(where: { -$0.value == value }) {
            return "-" + known.name
        }
        return value >= 0 && value < 10 ? String(value) : (value < 0 ? String(value) : hex(UInt64(value)))
    }

    static func parseReturn(_ text: Substring) -> Int64? {
        if text.hasPrefix("-"), let known = Names.errno.first(where: { $0.name == text.dropFirst() }) {
            return -known.value
        }
        return parseInt64(text)
    }

    static func quote(_ string: String) -> String {
        var result = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f:
                let digits = String(scalar.value, radix: 16)
                result += "\\x" + (digits.count == 1 ? "0" + digits : digits)
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    /// Decodes a token that `quote` produced (including the quotes).
    static func unquote(_ token: Substring) -> String? {
        guard token.count >= 2, token.first == "\"", token.last == "\"" else { return nil }
        var result = String.UnicodeScalarView()
        var scalars = token.dropFirst().dropLast().unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            guard scalar == "\\" else {
                if scalar == "\"" { return nil }
                result.append(scalar)
                continue
            }
            switch scalars.next() {
            case "\""?: result.append("\"")
            case "\\"?: result.append("\\")
            case "n"?: result.append("\n")
            case "t"?: result.append("\t")
            case "r"?: result.append("\r")
            case "x"?:
                guard let high = scalars.next(), let low = scalars.next(),
                    let value = UInt8(String(high) + String(low), radix: 16), value < 0x80
                else { return nil }
                result.append(Unicode.Scalar(value))
            default:
                return nil
            }
        }
        return String(result)
    }
}

/// A line split into whitespace-separated tokens. Double-quoted strings may
/// contain spaces; a `#` that starts a token and is not followed by a digit
/// starts a comment (`#5` is a sequence number).
struct TextTokens {
    struct Token {
        var text: Substring
        /// 1-based column.
        var column: Int
    }

    var tokens: [Token] = []

    init(line: Substring) throws(TextSyntaxError) {
        var index = line.startIndex
        var column = 1
        func advance() {
            index = line.index(after: index)
            column += 1
        }
        while index < line.endIndex {
            let character = line[index]
            if character == " " || character == "\t" {
                advance()
                continue
            }
            if character == "#" {
                let next = line.index(after: index)
                if next == line.endIndex || !line[next].isASCII || !line[next].isNumber {
                    return
                }
            }
            let start = index
            let startColumn = column
            var inQuotes = false
            while index < line.endIndex {
                let character = line[index]
                if inQuotes {
                    if character == "\\" {
                        advance()
                        if index == line.endIndex { break }
                    } else if character == "\"" {
                        inQuotes = false
                    }
                } else if character == "\"" {
                    inQuotes = true
                } else if character == " " || character == "\t" {
                    break
                }
                advance()
            }
            if inQuotes {
                throw TextSyntaxError(column: startColumn, message: "unterminated string")
            }
            tokens.append(Token(text: line[start..<index], column: startColumn))
        }
    }
}
