import Litmus
import MemoryModel
import XCTest

/// A herd descriptor literal without `oa:` in a register (`1:X4=(valid:0)`)
/// has herd's default output address `PHY ""`, a page no name maps; where it
/// initialises or is compared with `PTE(x)` it means x's own page.
final class DescriptorWithoutOutputAddressTests: XCTestCase {
    /// P1 breaks x's mapping with an oa-less invalid descriptor, then maps x
    /// to y's page; the condition compares P0's copy with another oa-less one.
    static let text = """
        AArch64 BreakThenMake
        Variant=vmsa
        {
         [x]=1; [y]=2;
         0:X1=x; 0:X5=PTE(x);
         1:X4=(valid:0); 1:X5=PTE(x); 1:X6=(oa:PA(y));
        }
         P0          | P1          ;
         LDR X3,[X5] | STR X4,[X5] ;
         L0:         | STR X6,[X5] ;
         LDR W0,[X1] |             ;
        exists (0:X3=(valid:0) /\\ fault(P0:L0,x))
        """

    func testRegisterLiteralTakesAPageNoNameHas() throws {
        let compiled = try LitmusFile.parse(Self.text, file: "b.litmus").compile()
        let invalid = compiled.program.initialRegisters[1].read(.x(4))
        XCTAssertFalse(Descriptor.isValid(invalid))
        XCTAssertEqual(Descriptor.outputAddress(invalid), AddressLayout.noOutputAddress)
        XCTAssertFalse(compiled.layout.physicalAddresses.values.contains(AddressLayout.noOutputAddress))
    }

    /// P0 can read the invalid descriptor and then fault on x; the
    /// condition's oa-less literal equals the one P1 wrote.
    func testConditionLiteralEqualsTheWrittenOne() throws {
        for machine in [ArmMachine(), SCMachine()] as [any MemoryMachine] {
            let r = try InlineTestRunning.run(Self.text, variants: ["fatal"], on: machine)
            XCTAssertTrue(r.allowed, machine.name)
        }
    }
}
