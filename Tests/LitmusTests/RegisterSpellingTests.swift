@testable import Litmus
import MemoryModel
import XCTest

/// herd's SP: one more 64-bit register per thread, initialised by `n:SP=`
/// (else 0), usable as a base, an operand and a MOV source.
final class RegisterSpellingTests: XCTestCase {
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
            let r = try InlineTestRunning.run(Self.text, on: machine)
            XCTAssertEqual(r.states.count, 1, machine.name)
            XCTAssertEqual(r.negative, 0, machine.name)
        }
        // A thread that never sets SP starts it at 0.
        let zero = try InlineTestRunning.run("AArch64 T\n{ }\n P0 ;\n MOV X1,SP ;\nforall (0:X1=0)")
        XCTAssertEqual(zero.negative, 0)
    }

    /// Under memtag an SP-based access is Unchecked, which a general-purpose
    /// register cannot stand for: refused, not run with a wrong verdict.
    func testSPWithMemoryTaggingIsRefused() {
        let text = "AArch64 T\nVariant=memtag\n{ [x]=1; 0:SP=x:red; }\n P0 ;\n LDR W0,[SP] ;\nforall (0:X0=1)"
        switch LitmusRunner(machine: ArmMachine()).run(text: text, file: "m.litmus") {
        case .success: XCTFail("accepted")
        case .failure(let f): XCTAssertTrue("\(f)".contains("SP with memtag"), "\(f)")
        }
    }

    func testRewriteTouchesRegisterNamesOnly() {
        XCTAssertEqual(RegisterSpellings.rewrite("LDR X1,[sp, #8]", thread: 2), "LDR X1,[X%P2_SP, #8]")
        XCTAssertEqual(RegisterSpellings.rewrite("MOV W4,WSP", thread: 0), "MOV W4,W%P0_SP")
        XCTAssertEqual(RegisterSpellings.rewrite("MRS X0,SPSR_EL1", thread: 0), "MRS X0,SPSR_EL1")
        XCTAssertEqual(RegisterSpellings.rewrite("B.SP_done", thread: 0), "B.SP_done")
        XCTAssertEqual(RegisterSpellings.rewrite("MOV X0, %r", thread: 0), "MOV X0, X%r")
        XCTAssertEqual(RegisterSpellings.rewrite("LDR W1,[X%r]", thread: 0), "LDR W1,[X%r]")
    }

    /// A bare `%name` is a 64-bit symbolic register (regression A127).
    func testBareSymbolicRegister() throws {
        let text = "AArch64 T\n{ uint64_t %r = x; uint64_t x; }\n P0 ;\n MOV X0, %r ;\nexists (0:X0 = x)"
        for machine in [ArmMachine(), SCMachine()] as [any MemoryMachine] {
            XCTAssertTrue(try InlineTestRunning.run(text, on: machine).allowed, machine.name)
        }
    }

    /// The zero register can be tested and shown (`0:XZR=0`, regression A164).
    func testZeroRegisterInConditions() throws {
        let r = try InlineTestRunning.run("AArch64 T\n{ 0:X1=1; }\n P0 ;\n CMP XZR, X1 ;\nforall (0:XZR=0 /\\ 0:X1=1)")
        XCTAssertEqual(r.negative, 0)
        XCTAssertEqual(r.states, ["0:XZR=0; 0:X1=1;"])
    }
}
