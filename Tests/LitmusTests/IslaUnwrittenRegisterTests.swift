import Litmus
import MemoryModel
import XCTest

/// isla takes a register's final value from the thread's last write to it: a
/// register with no initial value that the thread never wrote has none, and
/// a condition on it is false (isla's `eq_loc_to_smt`), whatever value it
/// names. herd's registers start at zero instead.
final class IslaUnwrittenRegisterTests: XCTestCase {
    static func test(assertion: String) -> String {
        #"""
        arch = "AArch64"
        name = "Unwritten"
        symbolic = ["x"]

        page_table_setup = """
            physical pa1;
            x |-> pa1;
        """

        [thread.0]
        init = {}
        code = """
            LDR X0,[X1]
            CBZ X0,L0
            MOV X2,#0
        L0:
        """

        [thread.0.reset]
        R1 = "x"

        [final]
        assertion = "\#(assertion)"
        """#
    }

    func verdict(_ assertion: String) throws -> (positive: Int, states: [String]) {
        let result = try LitmusRunner(machine: ArmMachine())
            .run(text: Self.test(assertion: assertion), file: "u.litmus.toml").get()
        return (result.positive, result.states)
    }

    func testNeverWrittenRegisterSatisfiesNoCondition() throws {
        // X0 reads 0, so CBZ skips the MOV: X2 is never written.
        XCTAssertEqual(try verdict("0:X2 = 0").positive, 0)
        XCTAssertEqual(try verdict("~(0:X2 = 0)").positive, 1)
        XCTAssertEqual(try verdict("0:X2 = 0").states, ["0:X2=?;"])
    }

    func testWrittenAndInitialisedRegistersCompareAsUsual() throws {
        XCTAssertEqual(try verdict("0:X0 = 0").positive, 1)
        XCTAssertEqual(try verdict("0:X1 = 0").positive, 0)
    }
}
