import XCTest
@testable import MemoryModel

/// BL/BLR/BR/RET (CodeAddresses.swift): calls within a thread and into
/// another thread's code, the link register, and BR's control dependency.
final class BranchToRegisterTests: XCTestCase {
    /// P0 calls its own `inc` (BL) and P1's `dec` (BLR to P1's code address):
    /// each call returns through X30; P1 calls P0's `inc` twice.
    func callProgram() -> ConcurrentProgram {
        // 0 MOV W9,#4; 1 BL inc; 2 BLR X8; 3 B end; 4 inc: ADD W9,W9,#1; 5 RET
        let p0 = ThreadCode(instructions: [
            .move(.w(9), .immediate(4)), .branchAndLink(to: 4), .branchToRegister(.x(8), link: true), .branch(to: 6),
            .arithmetic(.add, destination: .w(9), .w(9), .immediate(1), setsFlags: false),
            .branchToRegister(.x(30), link: false),
        ], codeOrigin: ThreadCode.codeOrigin(ofThread: 0))
        // 0 MOV W9,#4; 1 BLR X8; 2 BLR X8; 3 B end; 4 dec: SUB W9,W9,#1; 5 RET
        let p1 = ThreadCode(instructions: [
            .move(.w(9), .immediate(4)), .branchToRegister(.x(8), link: true), .branchToRegister(.x(8), link: true),
            .branch(to: 6),
            .arithmetic(.subtract, destination: .w(9), .w(9), .immediate(1), setsFlags: false),
            .branchToRegister(.x(30), link: false),
        ], codeOrigin: ThreadCode.codeOrigin(ofThread: 1))
        var r0 = RegisterFile(), r1 = RegisterFile()
        r0.write(.x(8), ThreadCode.codeOrigin(ofThread: 1) + 4 * 4)  // P1:dec
        r1.write(.x(8), ThreadCode.codeOrigin(ofThread: 0) + 4 * 4)  // P0:inc
        return ConcurrentProgram(threads: ThreadCode.linkedForCalls([p0, p1]), initialRegisters: [r0, r1])
    }

    func testCallsReturnThroughTheLinkRegisterOnBothMachines() throws {
        for machine in [SCMachine() as any MemoryMachine, ArmMachine()] {
            let states = try machine.explore(callProgram()).finalStates
            XCTAssertEqual(states.count, 1)
            let s = try XCTUnwrap(states.first)
            XCTAssertEqual(s.registers[0][9], 4, "P0: +1 (own inc) -1 (P1's dec)")
            XCTAssertEqual(s.registers[1][9], 6, "P1: +1 +1 (P0's inc, run by P1)")
            // The last call was BLR at P1's instruction 2: X30 is P1's instruction 3.
            XCTAssertEqual(s.registers[1][30], ThreadCode.codeOrigin(ofThread: 1) + 12)
        }
    }

    func testReturnWithAnUnsetLinkRegisterEndsTheThread() throws {
        let code = ThreadCode(instructions: [.branchToRegister(.x(30), link: false), .move(.w(0), .immediate(1))])
        let s = try XCTUnwrap(SCMachine().explore(ConcurrentProgram(threads: [code])).finalStates.first)
        XCTAssertEqual(s.registers[0][0], 0)
    }

    /// LB where P1 branches to the code address it read: BR on a loaded
    /// value is a control dependency, so with P0's release the cycle is
    /// forbidden; a plain store on P0 allows it.
    func testBranchToALoadedAddressIsAControlDependency() throws {
        func lb(release: Bool) throws -> Bool {
            let target = ThreadCode.codeOrigin(ofThread: 1) + 8
            var r0 = RegisterFile(), r1 = RegisterFile()
            r0.write(.x(1), ArmLitmus.x); r0.write(.x(3), ArmLitmus.y); r0.write(.x(6), target)
            r1.write(.x(1), ArmLitmus.x); r1.write(.x(3), ArmLitmus.y)
            let p0 = ThreadCode(instructions: [
                ArmLitmus.ldr(0, 1), .store(.x(6), Address(base: .x(3)), width: .doubleword, release: release, exclusiveStatus: nil),
            ], codeOrigin: ThreadCode.codeOrigin(ofThread: 0))
            // 0 LDR X4,[X3]; 1 BR X4 (to 2 when it read P0's value); 2 MOV W2,#1; 3 STR W2,[X1]
            let p1 = ThreadCode(instructions: [
                .load(.x(4), Address(base: .x(3)), width: .doubleword, ordering: .plain, exclusive: false),
                .branchToRegister(.x(4), link: false), ArmLitmus.mov(2, 1), ArmLitmus.str(2, 1),
            ], codeOrigin: ThreadCode.codeOrigin(ofThread: 1))
            let program = ConcurrentProgram(threads: ThreadCode.linkedForCalls([p0, p1]), initialRegisters: [r0, r1])
            return try ArmLitmus.outcomes(ArmMachine(), program, registers: [(0, 0), (1, 4)]).contains([1, target])
        }
        XCTAssertFalse(try lb(release: true))
        XCTAssertTrue(try lb(release: false))
    }
}
