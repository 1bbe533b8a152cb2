import Foundation
import XCTest

/// `hvdiff variants`: the list, its JSON form, the diffs, and a bad name.
extension CommandLineTests {
    func testVariantsListsEveryVariantWithItsCondition() throws {
        let result = try hvdiff("variants")
        XCTAssertEqual(result.status, 0)
        let lines = result.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 12)
        XCTAssertTrue(lines[0].hasPrefix("correct "))
        XCTAssertTrue(result.stdout.contains("local-tlbi"))
        XCTAssertTrue(lines.contains { $0.hasPrefix("hyp-table-shared") && $0.contains("Memory-Isolation") })
    }

    func testVariantsJSONNamesTheChangedHandlers() throws {
        let result = try hvdiff("variants", "--json")
        XCTAssertEqual(result.status, 0)
        let entries = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(entries.count, 12)
        let plain = try XCTUnwrap(entries.first { $0["name"] as? String == "plain-unlock" })
        XCTAssertEqual(plain["condition"] as? String, "No-Barrier-Misuse")
        XCTAssertEqual(plain["caught_on"] as? String, "arm")
        XCTAssertTrue((plain["handlers"] as? [String])?.contains("host_share_hyp") ?? false)
    }

    func testVariantsDiffShowsTheChangedLines() throws {
        let result = try hvdiff("variants", "--diff", "local-tlbi")
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(result.stdout.contains("-     TLBI IPAS2E1IS"), result.stdout)
        XCTAssertTrue(result.stdout.contains("+     TLBI IPAS2E1,"), result.stdout)
        let bad = try hvdiff("variants", "--diff", "no-such-variant")
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("no variant 'no-such-variant'"), bad.stderr)
    }
}
