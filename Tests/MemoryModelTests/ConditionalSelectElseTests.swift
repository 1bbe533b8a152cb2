import XCTest
@testable import MemoryModel

/// CSINC, CSINV, CSNEG (Rd = cond ? Rn : Rm + 1, ~Rm, -Rm) and their
/// aliases CINC, CINV, CNEG, CSETM, on both machines, and their encodings.
final class ConditionalSelectElseTests: XCTestCase {
    func run(_ source: String, _ setup: [(UInt8, UInt64)]) throws -> [RegisterFile] {
        let code = try Assembler().assemble(source)
        var r = RegisterFile()
        for (n, v) in setup { r.write(.x(n), v) }
        let program = ConcurrentProgram(threads: [code], initialRegisters: [r])
        var results: [RegisterFile] = []
        for machine in [SCMachine() as any MemoryMachine, ArmMachine()] {
            let states = try machine.explore(program).finalStates
            XCTAssertEqual(states.count, 1, machine.name)
            var file = RegisterFile()
            for n in 0..<31 { file.write(.x(UInt8(n)), states[0].registers[0][n]) }
            results.append(file)
        }
        XCTAssertEqual(results[0], results[1], "SC and Arm agree")
        return results
    }

    func testEachAlternativeOnTheFailingCondition() throws {
        let s = try run("""
            CMP X0, X0
            CSINC W1, W2, W3, NE
            CSINV W4, W2, W3, NE
            CSNEG X5, X2, X3, NE
            CSINC W6, W2, W3, EQ
            """, [(0, 7), (2, 10), (3, 2)])[0]
        XCTAssertEqual(s.read(.x(1)), 3)
        XCTAssertEqual(s.read(.x(4)), 0xFFFF_FFFD, "W: 32-bit NOT")
        XCTAssertEqual(s.read(.x(5)), 0 &- 2, "X: 64-bit negation")
        XCTAssertEqual(s.read(.x(6)), 10, "condition holds: Rn")
    }

    func testAliases() throws {
        let s = try run("""
            CMP X0, #1
            CINC X1, X2, EQ
            CNEG X3, X2, NE
            CSETM W4, EQ
            CSETM X5, NE
            """, [(0, 1), (2, 5)])[0]
        XCTAssertEqual(s.read(.x(1)), 6)
        XCTAssertEqual(s.read(.x(3)), 5)
        XCTAssertEqual(s.read(.x(4)), 0xFFFF_FFFF)
        XCTAssertEqual(s.read(.x(5)), 0)
    }

    func testEncodings() {
        // CSINC W1, W2, W3, NE; CSINV X4, X5, X6, EQ; CSNEG W7, W8, W9, LT.
        XCTAssertEqual(InstructionEncoder.encode(.conditionalSelectElse(destination: .w(1), .w(2), .w(3), .ne, .increment), at: 0, origin: 0), 0x1A83_1441)
        XCTAssertEqual(InstructionEncoder.encode(.conditionalSelectElse(destination: .x(4), .x(5), .x(6), .eq, .invert), at: 0, origin: 0), 0xDA86_00A4)
        XCTAssertEqual(InstructionEncoder.encode(.conditionalSelectElse(destination: .w(7), .w(8), .w(9), .lt, .negate), at: 0, origin: 0), 0x5A89_B507)
    }
}
