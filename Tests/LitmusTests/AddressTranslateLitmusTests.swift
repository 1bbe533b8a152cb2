import Litmus
import MemoryModel
import XCTest

/// herd's AT instruction and PAR_EL1 values (`parel1_t:(oa:PA(x))`,
/// `parel1_t:(f:1)`): a register read from PAR_EL1 after an AT compares
/// with them, on both machines.
final class AddressTranslateLitmusTests: XCTestCase {
    static func text(condition: String) -> String {
        """
        AArch64 AT+par
        Variant=vmsa
        {
        0:X1=x; 0:X2=y; 1:X0=(oa:PA(y), valid:0); 1:X1=PTE(y);
        }
         P0               | P1          ;
         AT S1E1R, X1     | STR X0,[X1] ;
         ISB              |             ;
         MRS X3, PAR_EL1  |             ;
         AT S1E0W, X2     |             ;
         ISB              |             ;
         MRS X4, PAR_EL1  |             ;
        \(condition)
        """
    }

    func testParValuesParse() throws {
        let t = try HerdParser.parse(Self.text(condition: "exists (0:X3=parel1_t:(oa:PA(x)) /\\ 0:X4=(parel1_t:(f:1)))"), file: "a.litmus")
        XCTAssertEqual(t.threads[0].instructions[0], .addressTranslate(.s1e1r, .x(1)))
        XCTAssertEqual(t.threads[0].instructions[2], .mrs(.x(3), .parEl1))
        XCTAssertEqual(t.condition.predicate, .and(
            .equals(.register(thread: 0, .x(3)), .physicalAddressRegister(output: .physicalAddress("x"))),
            .equals(.register(thread: 0, .x(4)), .physicalAddressRegister(output: nil))))
        XCTAssertEqual(Value.physicalAddressRegister(output: .physicalAddress("x")).description, "parel1_t:(oa:PA(x))")
    }

    /// P0's translation of x always succeeds; of y it succeeds or faults as
    /// P1's invalidation is or is not seen, on both machines.
    func testParHoldsTheTranslationOnBothMachines() throws {
        for machine in [ArmMachine(), SCMachine()] as [any MemoryMachine] {
            let always = try InlineTestRunning.run(Self.text(condition: "forall (0:X3=parel1_t:(oa:PA(x)))"), on: machine)
            XCTAssertEqual(always.negative, 0, machine.name)
            for y in ["parel1_t:(oa:PA(y))", "parel1_t:(f:1)"] {
                let r = try InlineTestRunning.run(Self.text(condition: "exists (0:X4=\(y))"), on: machine)
                XCTAssertTrue(r.allowed, "\(y) on \(machine.name)")
                XCTAssertEqual(r.states.count, 2, machine.name)
            }
        }
    }

    func testBadParValuesAreRejected() {
        assertEachRejected([
            (Self.text(condition: "exists (0:X3=parel1_t:(g:1))"), 13, "unknown PAR_EL1 field 'g'"),
            (Self.text(condition: "exists (0:X3=parel1_t:(f:2))"), 13, "f takes 0 or 1"),
            (Self.text(condition: "exists (0:X3=parel1_t:(f:0))"), 13, "needs oa:"),
        ], file: "a.litmus", by: { (text, name) throws(LitmusError) in try HerdParser.parse(text, file: name) })
    }
}
