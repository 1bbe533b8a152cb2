import Litmus
import MemoryModel
import XCTest

/// herd's NV2 variant: MSR/MRS of a VNCR-page register become memory
/// accesses at VNCR_EL2 + the register's offset, for the thread whose
/// VNCR_EL2 is set, and only under the variant.
final class NestedVirtualisationTests: XCTestCase {
    static func text(variant: String) -> String {
        """
        AArch64 NV
        Variant=\(variant)
        { uint64_t nvmem[100]; 0:VNCR_EL2=nvmem; 1:X1=nvmem; }
         P0             | P1               ;
         MOV X0,#1      | LDR X0,[X1,560]  ;
         MSR ELR_EL1,X0 | MSR ELR_EL1,X1   ;
         MRS X2,FAR_EL1 |                  ;
        exists (1:X0=1)
        """
    }

    func testRedirectedAccessesUseTheRegisterOffsets() throws {
        let c = try HerdParser.parse(Self.text(variant: "NV2"), file: "nv.litmus").compile()
        let nvmem = try c.layout.resolve(.virtualAddress("nvmem"))
        XCTAssertEqual(c.program.threads[0].instructions[1],
                       .store(.x(0), Address(base: .xzr, offset: .immediate(nvmem + 0x230)), width: .doubleword,
                              release: false, exclusiveStatus: nil))
        XCTAssertEqual(c.program.threads[0].instructions[2],
                       .load(.x(2), Address(base: .xzr, offset: .immediate(nvmem + 0x220)), width: .doubleword,
                             ordering: .plain, exclusive: false))
        // P1 has no VNCR_EL2: its MSR stays a register write.
        XCTAssertEqual(c.program.threads[1].instructions[1], .msr(.elrEl1, .x(1)))
    }

    func testWithoutTheVariantVNCRIsNotModelled() {
        XCTAssertThrowsError(try HerdParser.parse(Self.text(variant: "fatal"), file: "nv.litmus").compile())
    }
}
