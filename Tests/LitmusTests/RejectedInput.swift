import Litmus
import MemoryModel
import XCTest

/// Bad litmus input must be refused with an error naming the file and line.
/// Each case is the text, the line the error must name, and a fragment its
/// message must contain.
func assertEachRejected(
    _ cases: [(String, Int, String)], file name: String,
    by parse: (String, String) throws(LitmusError) -> LitmusTest,
    file: StaticString = #filePath, line: UInt = #line
) {
    for (text, expectedLine, fragment) in cases {
        do {
            _ = try parse(text, name).compile()
            XCTFail("accepted: \(text)", file: file, line: line)
        } catch {
            XCTAssertEqual(error.location, SourceLocation(file: name, line: expectedLine), "\(text) → \(error)",
                           file: file, line: line)
            XCTAssertTrue(error.description.contains(fragment), "\(text) → \(error)", file: file, line: line)
        }
    }
}
