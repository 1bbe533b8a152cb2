import Litmus
import XCTest

/// Every file of the shared set parses (and assembles), and compiles unless
/// it needs a feature the program IR does not have (those are listed).
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

    func testEveryIndexedFileCompiles() throws {
        var failures: [String] = []
        for entry in SharedTests.index {
            do { _ = try SharedTests.read(entry).compile() }
            catch { failures.append("\(error)") }
        }
        XCTAssertTrue(failures.isEmpty, "\(failures.count) files do not compile:\n" + failures.joined(separator: "\n"))
    }
}
