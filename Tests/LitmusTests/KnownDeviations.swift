import Foundation
import XCTest

/// The shared tests hvdiff does not yet get right, one line each in
/// KnownDeviations.tsv beside this file: `file<TAB>check<TAB>why`. The
/// conformance checks compare what they find with this list *exactly*: a
/// deviation not listed fails (a regression), and so does a listed one that
/// no longer occurs (the list must shrink as the model improves). The list
/// is a ledger of open work, never a way to pass: issue 3 is done when it is
/// empty.
enum KnownDeviations {
    enum Check: String, CaseIterable {
        /// The file does not parse.
        case parse
        /// The file parses but does not compile to a program.
        case compile
        /// The Arm machine's verdict differs from INDEX.tsv, or it cannot run the test.
        case verdict
        /// A final state SC reaches that Arm does not (or a machine error).
        case scWithinArm = "sc-within-arm"
    }

    static let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("KnownDeviations.tsv")

    /// Listed files per check.
    static let listed: [Check: Set<String>] = {
        var result: [Check: Set<String>] = [:]
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return result }
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 2, let check = Check(rawValue: String(fields[1])) else { continue }
            result[check, default: []].insert(String(fields[0]))
        }
        return result
    }()

    /// Fails unless `found` (file → detail) is exactly the listed set for `check`.
    static func assertExactly(_ found: [String: String], _ check: Check, checked: Int,
                              file: StaticString = #filePath, line: UInt = #line) {
        let expected = listed[check] ?? []
        let new = found.keys.filter { !expected.contains($0) }.sorted()
        let fixed = expected.filter { found[$0] == nil }.sorted()
        XCTAssertTrue(new.isEmpty && fixed.isEmpty,
                      """
                      \(check.rawValue): \(checked - found.count)/\(checked) pass, \(found.count) deviate \
                      (\(expected.count) listed in KnownDeviations.tsv).
                      Not listed (regressions), as ledger lines:
                      \(new.map { "\($0)\t\(check.rawValue)\t\(found[$0]!.replacingOccurrences(of: "\n", with: " "))" }.joined(separator: "\n"))
                      Listed but now right (remove from the list):
                      \(fixed.joined(separator: "\n"))
                      """, file: file, line: line)
    }
}
