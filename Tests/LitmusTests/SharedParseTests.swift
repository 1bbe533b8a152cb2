import Litmus
import XCTest

/// Every file of the shared set parses (and assembles).
final class SharedParseTests: XCTestCase {
    func testEveryIndexedFileParses() throws {
        XCTAssertEqual(SharedTests.index.count, 1639)
        var failures: [String] = []
        for entry in SharedTests.index {
            do {
                let test = try SharedTests.read(entry)
                if test.name != entry.name { failures.append("\(entry.file): name '\(test.name)', index says '\(entry.name)'") }
            } catch {
                failures.append("\(error)")
            }
        }
        XCTAssertTrue(failures.isEmpty, "\(failures.count) files do not parse:\n" + failures.joined(separator: "\n"))
    }
}
