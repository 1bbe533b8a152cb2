import Litmus
import MemoryModel
import XCTest

/// A data abort's ESR: EC 0x24 from a lower level, 0x25 from the same one,
/// and ISS.DFSC with the level of the walk that faulted (isla's ROT.inv+po
/// reads it). Written for this check.
final class IslaFaultSyndromeTests: XCTestCase {
    /// Thread 0 (EL0) faults on x; thread 1 (EL1, SP_EL0) too, but from the
    /// level it is taken to. Each handler keeps EC and DFSC. `setup` makes
    /// x's entry invalid at the level `level` (all names share their level-2
    /// table, so one level per test).
    static func text(setup: String, level: Int) -> String {
        #"""
        arch = "AArch64"
        name = "DFSC"
        symbolic = ["x"]
        page_table_setup = """
            \#(setup)
        """
        [thread.0]
        code = """
            LDR X0,[X1]
        """
        [thread.0.reset]
        R1 = "x"
        VBAR_EL1 = "extz(0x1000, 64)"
        [section.thread0_el1_handler]
        address = "0x1400"
        code = """
            MRS X14,ESR_EL1
            AND X15,X14,#0b111111
            LSR X16,X14,#26
        """
        [thread.1]
        code = """
            LDR X0,[X1]
        """
        [thread.1.reset]
        R1 = "x"
        VBAR_EL1 = "extz(0x3000, 64)"
        "PSTATE.EL" = "0b01"
        [section.thread1_el1_handler]
        address = "0x3000"
        code = """
            MRS X14,ESR_EL1
            AND X15,X14,#0b111111
            LSR X16,X14,#26
        """
        [final]
        assertion = "0:X15 = \#(0b100 + level) & 0:X16 = 0x24 & 1:X15 = \#(0b100 + level) & 1:X16 = 0x25"
        """#
    }

    func testDataAbortSyndromeNamesTheLevelAndWhereFrom() throws {
        for (setup, level) in [("x |-> invalid;", 3), ("x |-> invalid at level 2;", 2)] {
            for machine: any MemoryMachine in [ArmMachine(), SCMachine()] {
                let r = try InlineTestRunning.run(Self.text(setup: setup, level: level), file: "dfsc.litmus.toml", on: machine)
                XCTAssertEqual(r.negative, 0, "\(machine), level \(level): \(r.states)")
                XCTAssertGreaterThan(r.positive, 0, "\(machine), level \(level)")
            }
        }
    }
}
