/// What a variant changes, shown as a line diff of each handler's text
/// against `correct`'s: the evidence that every variant is a small,
/// visible change to the correct code.
extension Variant {
    /// One changed handler: its name and the diff lines ("- " removed,
    /// "+ " added, "  " context around a change).
    public struct HandlerChange: Hashable, Sendable {
        public var handler: Handler
        public var lines: [String]
    }

    /// The handlers this variant changes, with their diffs, for a stage 2
    /// of `levels` levels. Empty for `correct`.
    public func changes(levels: Int = 3) -> [HandlerChange] {
        guard self != .correct else { return [] }
        var result: [HandlerChange] = []
        for handler in Handler.allCases {
            let old = handler.source(variant: .correct, levels: levels).split(separator: "\n").map(String.init)
            let new = handler.source(variant: self, levels: levels).split(separator: "\n").map(String.init)
            if old != new { result.append(HandlerChange(handler: handler, lines: Self.diff(old, new))) }
        }
        return result
    }

    /// A line diff by longest common subsequence, with one line of context.
    static func diff(_ old: [String], _ new: [String]) -> [String] {
        let n = old.count, m = new.count
        var common = Array(repeating: Array(repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                common[i][j] = old[i] == new[j] ? common[i + 1][j + 1] + 1 : max(common[i + 1][j], common[i][j + 1])
            }
        }
        var script: [(Character, String)] = []
        var i = 0, j = 0
        while i < n || j < m {
            if i < n && j < m && old[i] == new[j] {
                script.append((" ", old[i])); i += 1; j += 1
            } else if j < m && (i == n || common[i][j + 1] >= common[i + 1][j]) {
                script.append(("+", new[j])); j += 1
            } else {
                script.append(("-", old[i])); i += 1
            }
        }
        var shown = Array(repeating: false, count: script.count)
        for (index, entry) in script.enumerated() where entry.0 != " " {
            for k in max(0, index - 1)...min(script.count - 1, index + 1) { shown[k] = true }
        }
        var lines: [String] = []
        var skipped = false
        for (index, entry) in script.enumerated() {
            if shown[index] {
                if skipped && !lines.isEmpty { lines.append("  ...") }
                skipped = false
                lines.append("\(entry.0) \(entry.1)")
            } else {
                skipped = true
            }
        }
        return lines
    }
}
