import Litmus
import MemoryModel
import XCTest

/// isla threads start at EL0 (PSTATE.EL absent): their accesses are
/// checked with EL0's permissions, so a page mapped with AP = 0b00 (EL1
/// only) faults and one with AP = 0b01 (EL0 too) does not. herd's EL0
/// threads are marked per thread instead (`EL0=P0`).
final class IslaEL0PermissionTests: XCTestCase {
    static func text(ap: String, level: String?) -> String {
        let reset = level.map { "\"PSTATE.EL\" = \"\($0)\"\n" } ?? ""
        return #"""
            arch = "AArch64"
            name = "EL0.perm"
            symbolic = ["x"]
            page_table_setup = """
                physical pa1;
                x |-> pa1 with [AP = \#(ap)] and default;
                *pa1 = 1;
            """
            [thread.0]
            init = {}
            code = """
                LDR X0,[X1]
            """
            [thread.0.reset]
            R1 = "x"
            \#(reset)
            [final]
            assertion = "0:X0 = 1"
            """#
    }

    func testEL0AccessToAnEL1OnlyPageFaults() throws {
        for machine: any MemoryMachine in [ArmMachine(), SCMachine()] {
            let el0 = try InlineTestRunning.run(Self.text(ap: "0b00", level: nil), file: "el0.litmus.toml", on: machine)
            XCTAssertFalse(el0.allowed, "\(machine): \(el0.states)")
            let el1 = try InlineTestRunning.run(Self.text(ap: "0b00", level: "0b01"), file: "el0.litmus.toml", on: machine)
            XCTAssertTrue(el1.allowed, "\(machine): \(el1.states)")
            let shared = try InlineTestRunning.run(Self.text(ap: "0b01", level: nil), file: "el0.litmus.toml", on: machine)
            XCTAssertTrue(shared.allowed, "\(machine): \(shared.states)")
        }
    }
}
