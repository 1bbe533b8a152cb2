import XCTest
@testable import MemoryModel

/// Exception entry and return on the SC machine: a fault or SVC enters the
/// thread's handler with ELR/ESR/FAR set, ERET returns to ELR (which the
/// handler may advance), a handler without ERET ends the thread, and a thread
/// without a handler follows the program's fault handling.
final class SCExceptionTests: XCTestCase {
    let x: UInt64 = 0x10_0000
    let pte: UInt64 = 0x80_0000

    /// One page x whose descriptor is invalid: every access to x faults.
    func program(_ code: ThreadCode, faultHandling: FaultHandling = .fatal) -> ConcurrentProgram {
        var r = RegisterFile()
        r.write(.x(1), x)
        return ConcurrentProgram(threads: [code], initialRegisters: [r], initialMemory: [pte: 0],
                                 translation: .singleLevel(descriptorAddress: [x: pte]), faultHandling: faultHandling)
    }

    func run(_ p: ConcurrentProgram) throws -> FinalState {
        let result = try SCMachine().explore(p)
        XCTAssertFalse(result.boundReached)
        XCTAssertEqual(result.finalStates.count, 1)
        return try XCTUnwrap(result.finalStates.first)
    }

    func testFaultEntersHandlerWhichSkipsTheFaultingInstruction() throws {
        // LDR faults; the handler records ELR, ESR, FAR, adds 4 to ELR, ERETs.
        let code = ThreadCode(instructions: [
            .load(.w(0), Address(base: .x(1)), width: .word, ordering: .plain, exclusive: false),
            .move(.w(3), .immediate(1)),
            .branch(to: 9),
            .mrs(.x(13), .elrEl1),
            .mrs(.x(14), .esrEl1),
            .mrs(.x(15), .farEl1),
            .arithmetic(.add, destination: .x(13), .x(13), .immediate(4), setsFlags: false),
            .msr(.elrEl1, .x(13)),
            .exceptionReturn,
        ], handlers: [ExceptionHandler(entry: 3)])
        let s = try run(program(code))
        XCTAssertEqual(s.registers[0][13], ThreadCode.codeAddress(ofInstruction: 1))
        XCTAssertEqual(s.registers[0][14] >> 26, 0x24, "ESR.EC: data abort")
        XCTAssertEqual(s.registers[0][15], x)
        XCTAssertEqual(s.registers[0][3], 1, "ERET returned past the LDR")
        XCTAssertEqual(s.faults, [Fault(thread: 0, instruction: 0, address: x, kind: .translation)])
    }

    func testSVCReturnsToTheNextInstruction() throws {
        // herd F004: SVC; ADD W2,W2,#2 with handler MOV W2,#1; ERET gives 3.
        let code = ThreadCode(instructions: [
            .supervisorCall(5),
            .arithmetic(.add, destination: .w(2), .w(2), .immediate(2), setsFlags: false),
            .branch(to: 6),
            .move(.w(2), .immediate(1)),
            .mrs(.x(4), .esrEl1),
            .exceptionReturn,
        ], handlers: [ExceptionHandler(entry: 3)])
        let s = try run(program(code))
        XCTAssertEqual(s.registers[0][2], 3)
        XCTAssertEqual(s.registers[0][4], 0x15 << 26 | 1 << 25 | 5, "ESR: EC SVC64, IL, imm16")
        XCTAssertEqual(s.faults.map(\.kind), [.supervisorCall])
    }

    func testHandlerWithoutERETEndsTheThread() throws {
        let code = ThreadCode(instructions: [
            .load(.w(0), Address(base: .x(1)), width: .word, ordering: .plain, exclusive: false),
            .move(.w(3), .immediate(1)),
            .branch(to: 4),
            .move(.w(2), .immediate(7)),
        ], handlers: [ExceptionHandler(entry: 3)])
        let s = try run(program(code))
        XCTAssertEqual(s.registers[0][2], 7)
        XCTAssertEqual(s.registers[0][3], 0, "the thread's code after the fault never ran")
    }

    func testHVCUsesTheEL2Registers() throws {
        let code = ThreadCode(instructions: [
            .hypervisorCall(0),
            .branch(to: 5),
            .mrs(.x(5), .elrEl2),
            .mrs(.x(6), .esrEl2),
            .exceptionReturn,
        ], handlers: [ExceptionHandler(entry: 2, level: .el2)])
        let s = try run(program(code))
        XCTAssertEqual(s.registers[0][5], ThreadCode.codeAddress(ofInstruction: 1))
        XCTAssertEqual(s.registers[0][6] >> 26, 0x16)
    }

    func testUDFWithoutHandlerFollowsFaultHandling() throws {
        let code = ThreadCode(instructions: [.undefined(0), .move(.w(3), .immediate(1))])
        let skipped = try run(program(code, faultHandling: .skip))
        XCTAssertEqual(skipped.registers[0][3], 1)
        XCTAssertEqual(skipped.faults, [Fault(thread: 0, instruction: 0, address: 0, kind: .undefinedInstruction)])
        let stopped = try run(program(code, faultHandling: .fatal))
        XCTAssertEqual(stopped.registers[0][3], 0)
    }

    func testERETToANonInstructionIsAnError() {
        let code = ThreadCode(instructions: [.exceptionReturn])  // ELR_EL1 is 0: no instruction
        XCTAssertThrowsError(try SCMachine().explore(program(code))) { error in
            XCTAssertTrue("\(error)".contains("ERET"), "\(error)")
        }
    }
}
