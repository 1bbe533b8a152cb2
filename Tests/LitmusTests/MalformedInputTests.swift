import Litmus
import XCTest

/// Damaged litmus files: every prefix (cut at a line boundary) and every
/// one-line deletion of a sample of shared files either parses and compiles
/// or throws an error naming the file and a line inside it, never crashes.
final class MalformedInputTests: XCTestCase {
    func testTruncatedAndDamagedSharedFilesFailCleanly() throws {
        let sample = SharedTests.index.enumerated().filter { $0.offset % 25 == 0 }.map(\.element)
        XCTAssertGreaterThan(sample.count, 60)
        var checked = 0
        for entry in sample {
            let text = try String(contentsOfFile: entry.path, encoding: .utf8)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            var variants: [String] = []
            for cut in 0..<lines.count {
                variants.append(lines[..<cut].joined(separator: "\n"))
                variants.append((lines[..<cut] + lines[(cut + 1)...]).joined(separator: "\n"))
            }
            for damaged in variants {
                checked += 1
                do {
                    _ = try LitmusFile.parse(damaged, file: entry.file).compile()
                } catch {
                    XCTAssertEqual(error.location.file, entry.file)
                    XCTAssertTrue((1...max(1, lines.count + 1)).contains(error.location.line), "\(error)")
                }
            }
        }
        XCTAssertGreaterThan(checked, 1000)
    }
}
