@testable import Litmus
import MemoryModel
import XCTest

/// herd's SP: one more 64-bit register per thread, initialised by `n:SP=`
/// (else 0), usable as a base, an operand and a MOV source.
final class StackPointerTests: XCTestCase {
    static let text = """
        AArch64 SP
        { 0:sp = x; uint64_t x=7; 1:SP=5; }
         P0           | P1            ;
         LDR X1,[SP]  | ADD X2,SP,#8  ;
         MOV X6,SP    | MOV X3,SP     ;
         STR X1,[SP,#8] | MOV W4,WSP  ;
        forall (0:X1=7 /\\ 1:X2=13 /\\ 1:X3=5 /\\ 1:X4=5)
        """

    func testSPIsAPerThreadRegisterOnBothMachines() throws {
        for machine in [ArmMachine(), SCMachine()] as [any MemoryMachine] {
            let r = try HerdTestRunning.run(Self.text, on: machine)
            XCTAssertEqual(r.states.count, 1, machine.name)
            XCTAssertEqual(r.negative, 0, machine.name)
        }
        // A thread that never sets SP starts it at 0.
        let zero = try HerdTestRunning.run("AArch64 T\n{ }\n P0 ;\n MOV X1,SP ;\nforall (0:X1=0)")
        XCTAssertEqual(zero.negative, 0)
    }

    func testRewriteTouchesRegisterNamesOnly() {
        XCTAssertEqual(StackPointer.rewrite("LDR X1,[sp, #8]", thread: 2), "LDR X1,[X%P2_SP, #8]")
        XCTAssertEqual(StackPointer.rewrite("MOV W4,WSP", thread: 0), "MOV W4,W%P0_SP")
        XCTAssertEqual(StackPointer.rewrite("MRS X0,SPSR_EL1", thread: 0), "MRS X0,SPSR_EL1")
        XCTAssertEqual(StackPointer.rewrite("B.SP_done", thread: 0), "B.SP_done")
    }
}
