import MemoryModel

/// herd7-style text and one-line JSON for litmus results.
public enum LitmusReport {
    /// herd7's report: Test/States/Ok-No/Witnesses/Condition/Observation/Time.
    /// Witnesses count distinct final states, not executions (herd counts
    /// executions).
    public static func text(_ r: LitmusResult) -> String {
        var lines: [String] = []
        lines.append("Test \(r.name) \(r.condition.quantifier == .forall ? "Required" : "Allowed")")
        lines.append("States \(r.states.count)")
        lines += r.states
        if r.boundReached { lines.append("Warning: loop bound reached, some executions were cut; states may be missing") }
        lines.append(r.ok ? "Ok" : "No")
        lines.append("Witnesses")
        lines.append("Positive: \(r.positive) Negative: \(r.negative)")
        for flag in r.flags { lines.append("Flag \(flag.name)") }
        lines.append("Condition \(r.condition)")
        let observation = r.positive == 0 ? "Never" : (r.negative == 0 ? "Always" : "Sometimes")
        lines.append("Observation \(r.name) \(observation) \(r.positive) \(r.negative)")
        lines.append("Time \(r.name) \(seconds(r.seconds))")
        return lines.joined(separator: "\n") + "\n"
    }

    public static func text(_ f: LitmusFailure) -> String {
        "Test \(f.name ?? stem(f.file)) Error\n\(f.message)\n"
    }

    /// `{"file":..., "name":..., "verdict":"allowed"|"forbidden", "states":N,
    /// "positive":N, "negative":N, "seconds":S}`; `"bound_reached":true` is
    /// added only when the loop bound cut some execution, and
    /// `"flags":["Warning-BBM-expected"]` only when some execution raised a
    /// model flag.
    public static func json(_ r: LitmusResult) -> String {
        var s = "{\"file\":\(quote(r.file)),\"name\":\(quote(r.name)),"
        s += "\"verdict\":\"\(r.allowed ? "allowed" : "forbidden")\",\"states\":\(r.states.count),"
        s += "\"positive\":\(r.positive),\"negative\":\(r.negative),\"seconds\":\(seconds(r.seconds))"
        if r.boundReached { s += ",\"bound_reached\":true" }
        if !r.flags.isEmpty { s += ",\"flags\":[" + r.flags.map { quote($0.name) }.joined(separator: ",") + "]" }
        return s + "}"
    }

    public static func json(_ f: LitmusFailure) -> String {
        "{\"file\":\(quote(f.file)),\"name\":\(quote(f.name ?? stem(f.file))),\"error\":\(quote(f.message))}"
    }

    /// The file name without folders and litmus extensions: a name for tests that did not parse.
    static func stem(_ file: String) -> String {
        var base = Substring(file.split(separator: "/").last ?? Substring(file))
        for ext in [".toml", ".litmus"] where base.hasSuffix(ext) { base = base.dropLast(ext.count) }
        return String(base)
    }

    static func seconds(_ s: Double) -> String {
        let ms = Int((s * 1000).rounded())
        let frac = ms % 1000
        return "\(ms / 1000)." + String(repeating: "0", count: 3 - String(frac).count) + String(frac)
    }

    /// A JSON string literal.
    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
