import MemoryModel
import XCTest

/// The assembler on exception instructions and handler sections: SVC, HVC,
/// UDF, ERET, ADR (code addresses), UBFX, the exception registers, and a
/// handler laid out after its thread's code.
final class ExceptionAssemblyTests: XCTestCase {
    func testExceptionInstructions() throws {
        let code = try Assembler().assemble("""
            SVC #0
            HVC #0x16
            UDF #7
            ERET
            MRS X2,ELR_EL1
            MSR ESR_EL2,X3
            MRS X4,FAR_EL1
            """, file: "t.s").instructions
        XCTAssertEqual(code, [
            .supervisorCall(0), .hypervisorCall(0x16), .undefined(7), .exceptionReturn,
            .mrs(.x(2), .elrEl1), .msr(.esrEl2, .x(3)), .mrs(.x(4), .farEl1),
        ])
    }

    func testADRGivesTheLabelsCodeAddress() throws {
        let code = try Assembler().assemble("""
            ADR X4,L1
            NOP
            L1:
            ADR W5,L1
            """, file: "t.s").instructions
        XCTAssertEqual(code, [
            .move(.x(4), .immediate(ThreadCode.codeAddress(ofInstruction: 2))),
            .nop,
            .move(.w(5), .immediate(ThreadCode.codeAddress(ofInstruction: 2) & 0xFFFF_FFFF)),
        ])
    }

    func testUBFXIsAShiftThenAMask() throws {
        let code = try Assembler().assemble("UBFX X13, X13, #26, #6", file: "t.s").instructions
        XCTAssertEqual(code, [
            .arithmetic(.shiftRight, destination: .x(13), .x(13), .immediate(26), setsFlags: false),
            .arithmetic(.and, destination: .x(13), .x(13), .immediate(0x3F), setsFlags: false),
        ])
        XCTAssertThrowsError(try Assembler().assemble("UBFX X1, X2, #60, #8", file: "t.s"))
    }

    func testHandlerFollowsTheThreadBehindABranchToTheEnd() throws {
        func lines(_ text: String, from first: Int) -> [SourceLine] {
            text.split(separator: "\n").enumerated().map {
                SourceLine(String($0.element), at: SourceLocation(file: "t.litmus", line: first + $0.offset))
            }
        }
        let thread = lines("LDR W0,[X1]\nL1:", from: 1)
        let handler = lines("ADR X3,L1\nMSR ELR_EL1,X3\nERET", from: 1)
        let code = try Assembler().assemble(thread, handlers: [(handler, .el2)])
        XCTAssertEqual(code.handlers, [ExceptionHandler(entry: 2, level: .el2)])
        XCTAssertEqual(code.labels["L1"], 1)
        XCTAssertEqual(code.instructions, [
            .load(.w(0), Address(base: .x(1)), width: .word, ordering: .plain, exclusive: false),
            .branch(to: 5),  // the thread's code ends here, not in the handler
            .move(.x(3), .immediate(ThreadCode.codeAddress(ofInstruction: 1))),
            .msr(.elrEl1, .x(3)),
            .exceptionReturn,
        ])
        XCTAssertEqual(code.instructionIndex(atCodeAddress: ThreadCode.codeAddress(ofInstruction: 5)), 5)
        XCTAssertNil(code.instructionIndex(atCodeAddress: ThreadCode.codeAddress(ofInstruction: 6)))
        XCTAssertNil(code.instructionIndex(atCodeAddress: ThreadCode.codeAddress(ofInstruction: 1) + 2))
    }

    func testBadExceptionOperandsNameTheLine() {
        XCTAssertThrowsError(try Assembler().assemble("NOP\nSVC #0x10000", file: "t.s")) { error in
            XCTAssertTrue("\(error)".contains("t.s:2"), "\(error)")
        }
        XCTAssertThrowsError(try Assembler().assemble("MRS X0,VBAR_EL1", file: "t.s")) { error in
            XCTAssertTrue("\(error)".contains("VBAR_EL1"), "\(error)")
        }
    }
}
