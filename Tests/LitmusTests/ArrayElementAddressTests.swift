import Litmus
import MemoryModel
import XCTest

/// herd's `v[k]` as a value (`0:X2=v[1]`, `&v[1]`): the address of element
/// k of an array, k times the declared element width past the array's
/// start, even when the array is declared after the item that indexes it.
final class ArrayElementAddressTests: XCTestCase {
    static func text(element: String) -> String {
        """
        AArch64 element
        { 0:X2=\(element); int64_t v[2] = {22,44}; 1:X2=&v[1]; }
         P0          | P1          ;
         LDR X0,[X2] | LDR X0,[X2] ;
        forall (v = 22 /\\ v[1] = 44 /\\ 1:X0=44)
        """
    }

    func testElementValueIsTheArrayAddressPlusItsOffset() throws {
        let t = try HerdParser.parse(Self.text(element: "v[1]"), file: "e.litmus")
        XCTAssertTrue(t.initialState.contains { $0.location == .register(thread: 0, .x(2)) && $0.value == .element("v", offset: 8) })
        XCTAssertTrue(t.initialState.contains { $0.location == .register(thread: 1, .x(2)) && $0.value == .element("v", offset: 8) })
        // Element 0 is the array's own address.
        let first = try HerdParser.parse(Self.text(element: "v[0]"), file: "e.litmus")
        XCTAssertTrue(first.initialState.contains { $0.location == .register(thread: 0, .x(2)) && $0.value == .virtualAddress("v") })
        let c = try t.compile()
        let v = try c.layout.resolve(.virtualAddress("v"))
        XCTAssertEqual(c.program.initialRegisters[0].read(.x(2)), v + 8)
    }

    func testLoadsThroughElementAddressesOnBothMachines() throws {
        for machine in [ArmMachine(), SCMachine()] as [any MemoryMachine] {
            let second = try InlineTestRunning.run(Self.text(element: "v[1]").replacingOccurrences(of: "forall (", with: "forall (0:X0=44 /\\ "), on: machine)
            XCTAssertTrue(second.allowed, machine.name)
            XCTAssertEqual(second.negative, 0, machine.name)
            let first = try InlineTestRunning.run(Self.text(element: "v[0]").replacingOccurrences(of: "forall (", with: "forall (0:X0=22 /\\ "), on: machine)
            XCTAssertEqual(first.negative, 0, machine.name)
            XCTAssertEqual(first.positive, 1, machine.name)
        }
    }

    /// An untyped array (`v[2]={1,2}`) has herd's default element type, int.
    func testUntypedArrayDeclaration() throws {
        let t = try HerdParser.parse("AArch64 T\n{ v[2]={1,2}; 0:X2=v[1]; }\n P0 ;\n NOP ;\nexists (v[1]=2)", file: "u.litmus")
        XCTAssertTrue(t.initialState.contains { $0.location == .memory(.virtualAddress("v"), offset: 4) && $0.value == .integer(2) })
        XCTAssertTrue(t.initialState.contains { $0.value == .element("v", offset: 4) })
        XCTAssertTrue(try InlineTestRunning.run("AArch64 T\n{ v[2]={1,2}; 0:X2=v[1]; }\n P0 ;\n LDR W0,[X2] ;\nforall (0:X0=2)").allowed)
    }

    func testBadIndexIsRejected() {
        assertEachRejected([
            ("AArch64 T\n{ 0:X2=v[k]; int64_t v[2]; }\n P0 ;\n NOP ;\nexists (0:X2=0)", 2, "'k' is not an array index"),
            ("AArch64 T\n{ 0:X2=PTE(v)[1]; }\n P0 ;\n NOP ;\nexists (0:X2=0)", 2, "unexpected '['"),
            // herd-regression A175: one element alone cannot be initialised.
            ("AArch64 T\n{ int64_t v[2] = {1, 2};\n v[3] = 3 }\n P0 ;\n NOP ;\nexists (v[3]=3)", 3, "sets one array element"),
            // An index whose byte offset does not fit is an error, not a trap.
            ("AArch64 T\n{ 0:X2=v[2000000000000000000]; int64_t v[2]; }\n P0 ;\n NOP ;\nexists (0:X2=0)", 2, "too large"),
            ("AArch64 T\n{ int64_t v[2]; }\n P0 ;\n NOP ;\nexists (v[2000000000000000000]=1)", 5, "too large"),
        ], file: "e.litmus", by: { (text, name) throws(LitmusError) in try HerdParser.parse(text, file: name) })
    }
}
