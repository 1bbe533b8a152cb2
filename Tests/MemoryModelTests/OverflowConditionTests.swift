import XCTest
@testable import MemoryModel

/// VS and VC (overflow set / clear, Arm ARM C1.2.4) after SUBS/ADDS, in
/// B.cond and CSET, on both machines.
final class OverflowConditionTests: XCTestCase {
    let samples64: [UInt64] = [0, 1, 3, 0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, ~0]

    /// VS holds exactly when the signed result does not fit.
    func testVSMeansSignedOverflow() {
        for a in samples64 {
            for b in samples64 {
                let sa = Int64(bitPattern: a), sb = Int64(bitPattern: b)
                let sub = ValueSemantics.arithmetic(.subtract, a, b, width: 64).1
                XCTAssertEqual(ValueSemantics.holds(.vs, sub), sa.subtractingReportingOverflow(sb).overflow, "\(a) - \(b)")
                XCTAssertEqual(ValueSemantics.holds(.vc, sub), !sa.subtractingReportingOverflow(sb).overflow)
                let add = ValueSemantics.arithmetic(.add, a, b, width: 64).1
                XCTAssertEqual(ValueSemantics.holds(.vs, add), sa.addingReportingOverflow(sb).overflow, "\(a) + \(b)")
            }
        }
    }

    func testAssembledCSETAndBranchOnOverflow() throws {
        let source = """
            SUBS X0, X1, X2
            CSET W3, VS
            CSET W4, VC
            B.VC Lend
            MOV W5, #1
            Lend: NOP
            """
        let code = try Assembler().assemble(source)
        var r = RegisterFile()
        r.write(.x(1), 0x8000_0000_0000_0000); r.write(.x(2), 3)  // INT64_MIN - 3 overflows
        let program = ConcurrentProgram(threads: [code], initialRegisters: [r])
        for machine in [SCMachine() as any MemoryMachine, ArmMachine()] {
            let s = try XCTUnwrap(try machine.explore(program).finalStates.first)
            XCTAssertEqual(s.registers[0][3], 1, machine.name)
            XCTAssertEqual(s.registers[0][4], 0, machine.name)
            XCTAssertEqual(s.registers[0][5], 1, "B.VC not taken (\(machine.name))")
        }
    }

    func testEncodingsAndInverses() {
        XCTAssertEqual(InstructionEncoder.code(.vs), 6)
        XCTAssertEqual(InstructionEncoder.code(.vc), 7)
        XCTAssertEqual(Condition.vs.inverted, .vc)
        XCTAssertEqual(Condition.named("vc"), .vc)
    }
}
