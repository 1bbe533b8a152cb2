import Litmus
import XCTest

/// Every file of the shared set parses (and assembles) and compiles, except
/// those KnownDeviations.tsv lists as open work.
final class SharedParseTests: XCTestCase {
    func testEveryIndexedFileParses() throws {
        XCTAssertEqual(SharedTests.index.count, 1639)
        var failures: [String: String] = [:]
        for entry in SharedTests.index {
            do {
                let test = try SharedTests.read(entry)
                if test.name != entry.name { failures[entry.file] = "name '\(test.name)', index says '\(entry.name)'" }
            } catch {
                failures[entry.file] = "\(error)"
            }
        }
        KnownDeviations.assertExactly(failures, .parse, checked: SharedTests.index.count)
    }

    func testEveryIndexedFileCompiles() throws {
        var failures: [String: String] = [:]
        var parsed = 0
        for entry in SharedTests.index {
            // Files that do not parse are the parse check's business.
            guard let test = try? SharedTests.read(entry) else { continue }
            parsed += 1
            do { _ = try test.compile() }
            catch { failures[entry.file] = "\(error)" }
        }
        KnownDeviations.assertExactly(failures, .compile, checked: parsed)
    }
}
