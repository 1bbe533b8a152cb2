import Litmus
import MemoryModel
import XCTest

/// herd's `attrs:(...)` descriptor field: a set of memory attribute names
/// (herd compares descriptors' attributes as sets). Each distinct set gets
/// its own AttrIndx, so descriptors equal exactly when herd's are.
final class MemoryAttributeLiteralTests: XCTestCase {
    static let text = """
        AArch64 Attrs
        Variant=vmsa
        {
         [PTE(x)]=(oa:PA(x), attrs:(Device-nGnRE));
         0:X4=(oa:PA(x), attrs:(oNC, Normal, iNC)); 0:X5=PTE(x);
         0:X6=(oa:PA(x), attrs:(Normal,iNC,oNC,iNC));
        }
         P0          ;
         STR X4,[X5] ;
        exists ([PTE(x)]=(oa:PA(x), attrs:(Normal, iNC, oNC)))
        """

    func testAttributesAreASet() throws {
        let t = try HerdParser.parse(Self.text, file: "a.litmus")
        guard case .descriptor(let d) = t.initialState[1].value else { return XCTFail("\(t.initialState[1])") }
        XCTAssertEqual(d.attributes, ["Normal", "iNC", "oNC"])
        XCTAssertEqual(t.initialState[1].value, t.initialState[3].value)
        XCTAssertTrue(d.description.hasSuffix("attrs:(Normal, iNC, oNC))"))
    }

    func testDistinctSetsGiveDistinctDescriptors() throws {
        let compiled = try LitmusFile.parse(Self.text, file: "a.litmus").compile()
        let registers = compiled.program.initialRegisters[0]
        XCTAssertEqual(registers.read(.x(4)), registers.read(.x(6)))
        let pte = try compiled.layout.resolve(.entryAddress("x", level: 3, table: nil))
        let device = compiled.program.initialMemory[pte] ?? 0
        let plain = Descriptor.herd(outputAddress: Descriptor.outputAddress(device))
        XCTAssertEqual(Set([device, registers.read(.x(4)), plain]).count, 3)
        // Attributes leave the translation alone.
        XCTAssertEqual(Descriptor.outputAddress(device), Descriptor.outputAddress(registers.read(.x(4))))
    }

    func testTheConditionSeesTheStoredAttributes() throws {
        for machine in [ArmMachine(), SCMachine()] as [any MemoryMachine] {
            let r = try InlineTestRunning.run(Self.text, on: machine)
            XCTAssertEqual(r.states, ["[PTE(x)]=(oa:PA(x), valid:1, af:1, db:1, dbm:0, el0:1, attrs:(Normal, iNC, oNC));"], machine.name)
            XCTAssertTrue(r.allowed, machine.name)
        }
    }

    func testEightSetsAreTooManyForAttrIndx() {
        let inits = (0..<8).map { "0:X\($0)=(oa:PA(x), attrs:(A\($0)));" }.joined(separator: " ")
        let text = "AArch64 Many\nVariant=vmsa\n{ \(inits) }\n P0 ;\n NOP ;\nexists (0:X0=0)"
        XCTAssertThrowsError(try LitmusFile.parse(text, file: "m.litmus").compile()) { e in
            XCTAssertTrue("\(e)".contains("m.litmus:"), "\(e)")
            XCTAssertTrue("\(e)".contains("memory attribute sets"), "\(e)")
        }
    }

    /// The error names the line of the item that brings the eighth set.
    func testTooManySetsNamesTheLineOfTheEighth() {
        let seven = (0..<7).map { "0:X\($0)=(oa:PA(x), attrs:(A\($0)));" }.joined(separator: " ")
        let text = "AArch64 Many\nVariant=vmsa\n{ \(seven)\n 0:X7=(oa:PA(x), attrs:(A7)); }\n P0 ;\n NOP ;\nexists (0:X0=0)"
        assertEachRejected([(text, 4, "more than 7 memory attribute sets")], file: "m.litmus",
                           by: { (text, name) throws(LitmusError) in try LitmusFile.parse(text, file: name) })
    }
}
