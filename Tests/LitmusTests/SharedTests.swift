import Foundation
import Litmus

/// The shared litmus set (../shared/litmus relative to the package root) and
/// its index of published verdicts.
enum SharedTests {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/litmus")

    struct Entry {
        var file: String
        var name: String
        var allowed: Bool
        var group: String
        /// herd -variant flags the verdict was computed with.
        var variants: [String]
        var path: String { root.appendingPathComponent(file).path }
    }

    /// Rows of INDEX.tsv (file, name, verdict, group, ...).
    static let index: [Entry] = {
        guard let text = try? String(contentsOf: root.appendingPathComponent("INDEX.tsv"), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").dropFirst().map { line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return Entry(file: f[0], name: f[1], allowed: f[2] == "Allowed", group: f[3], variants: variants(f[4]))
        }
    }()

    /// The flags in the index's variant column ("vmsa,fatal (README) / kvm,fatal (cfg)").
    static func variants(_ column: String) -> [String] {
        let known = ["vmsa", "kvm", "fatal", "skip", "handled", "mixed", "ets2", "ets3"]
        let words = column.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
        return known.filter(words.contains)
    }

    /// Parses the test with the index's variant flags applied.
    static func read(_ entry: Entry) throws -> LitmusTest {
        let text = try String(contentsOfFile: entry.path, encoding: .utf8)
        var test = try LitmusFile.parse(text, file: entry.file)
        test.apply(variants: entry.variants)
        return test
    }
}
