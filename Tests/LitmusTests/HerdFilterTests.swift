import Litmus
import MemoryModel
import XCTest

/// herd's `filter P` line before the final condition: final states where P
/// does not hold are dropped before they are shown, counted or checked.
final class HerdFilterTests: XCTestCase {
    static func text(filter: String?) -> String {
        """
        AArch64 SB+filter
        {
        0:X1=x; 0:X3=y;
        1:X1=y; 1:X3=x;
        }
         P0          | P1          ;
         MOV W0,#1   | MOV W0,#1   ;
         STR W0,[X1] | STR W0,[X1] ;
         LDR W2,[X3] | LDR W2,[X3] ;
        \(filter.map { "filter \($0)" } ?? "")
        forall (0:X2=1 \\/ 1:X2=1)
        """
    }

    func testFilterDropsStatesBeforeTheCondition() throws {
        // SB: four outcomes on Arm, one of them with both reads 0.
        let all = try InlineTestRunning.run(Self.text(filter: nil))
        XCTAssertEqual(all.states.count, 4)
        XCTAssertEqual(all.negative, 1)
        // Keeping only the states where P0 read 0 leaves two, one failing.
        let filtered = try InlineTestRunning.run(Self.text(filter: "0:X2=0"))
        XCTAssertEqual(filtered.states.count, 2)
        XCTAssertEqual(filtered.negative, 1)
        // A filter the forbidden state fails makes the forall hold.
        let held = try InlineTestRunning.run(Self.text(filter: "~(0:X2=0 /\\ 1:X2=0)"))
        XCTAssertEqual(held.states.count, 3)
        XCTAssertEqual(held.negative, 0)
    }

    func testFilterIsParsed() throws {
        let t = try HerdParser.parse(Self.text(filter: "0:X2=0"), file: "f.litmus")
        XCTAssertEqual(t.filter, .equals(.register(thread: 0, .x(2)), .integer(0)))
        XCTAssertNil(try HerdParser.parse(Self.text(filter: nil), file: "f.litmus").filter)
    }
}
