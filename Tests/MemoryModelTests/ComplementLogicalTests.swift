import XCTest
@testable import MemoryModel

/// BIC, BICS, ORN, EON: AND, OR and EOR with the second operand
/// complemented (Arm ARM C6.2); BICS sets N and Z from the result and
/// clears C and V, as ANDS does.
final class ComplementLogicalTests: XCTestCase {
    func testValuesAndFlags() {
        // herd regression A204: BICS W0, W1, W2 with W1 = -3, W2 = 10.
        let (bic, flags) = ValueSemantics.arithmetic(.bitClear, 0xFFFF_FFFD, 10, width: 32)
        XCTAssertEqual(bic, 0xFFFF_FFF5)
        XCTAssertEqual(flags, ValueSemantics.Flags(n: true, z: false, c: false, v: false))
        XCTAssertEqual(ValueSemantics.arithmetic(.bitClear, 0b1100, 0b1100, width: 64).1, ValueSemantics.Flags(z: true))
        XCTAssertEqual(ValueSemantics.arithmetic(.orNot, 0, 0, width: 32).0, 0xFFFF_FFFF)
        XCTAssertEqual(ValueSemantics.arithmetic(.orNot, 1, ~UInt64(0), width: 64).0, 1)
        XCTAssertEqual(ValueSemantics.arithmetic(.exclusiveOrNot, 0xF0, 0x0F, width: 32).0, 0xFFFF_FF00)
    }

    func testAssemblyAndBothMachines() throws {
        let code = try Assembler().assemble("""
            BICS W0, W1, W2
            CSET W3, MI
            ORN X4, XZR, X1
            EON W5, W1, W2
            BIC X6, X1, #1
            """)
        XCTAssertEqual(code.instructions[0], .arithmetic(.bitClear, destination: .w(0), .w(1), .reg(.w(2)), setsFlags: true))
        XCTAssertEqual(code.instructions[2], .arithmetic(.orNot, destination: .x(4), .xzr, .reg(.x(1)), setsFlags: false))
        var r = RegisterFile()
        r.write(.x(1), 0xFFFF_FFFF_FFFF_FFFD); r.write(.x(2), 10)
        let program = ConcurrentProgram(threads: [code], initialRegisters: [r], initialMemory: [:])
        for machine in [SCMachine() as any MemoryMachine, ArmMachine()] {
            let s = try XCTUnwrap(try machine.explore(program).finalStates.first, machine.name)
            XCTAssertEqual(s.registers[0][0], 0xFFFF_FFF5, machine.name)
            XCTAssertEqual(s.registers[0][3], 1, machine.name)
            XCTAssertEqual(s.registers[0][4], 2, machine.name)
            XCTAssertEqual(s.registers[0][5], ~(0xFFFF_FFFD ^ 10) & 0xFFFF_FFFF, machine.name)
            XCTAssertEqual(s.registers[0][6], 0xFFFF_FFFF_FFFF_FFFC, machine.name)
        }
    }
}
