import Litmus
import MemoryModel
import XCTest

/// isla's TOML tests: the page-table setup becomes real tables in memory that
/// the shared translation walk follows.
final class IslaParserTests: XCTestCase {
    static let stage1 = #"""
        arch = "AArch64"
        name = "CoTT.ro"
        symbolic = ["x", "y"]

        page_table_setup = """
            physical pa1 pa2;
            x |-> pa1 with [AP = 0b11] and default;
            x ?-> pa2;
            y |-> pa2;
            *pa2 = 1;
        """

        [thread.0]
        init = {}
        code = """
            STR X0,[X1]
        """

        [thread.0.reset]
        R0 = "desc3(y, page_table_base)"
        R1 = "pte3(x, page_table_base)"
        R2 = "extz(0x1, 64)"

        [thread.1]
        init = {}
        code = """
            LDR X0,[X1]
        """

        [thread.1.reset]
        R1 = "x"

        [final]
        assertion = "1:X0 = 1 & ~(0:X2=0) & *pa2 = 1"
        """#

    /// Follows the initial tables like the machines do.
    func walk(_ c: CompiledTest, _ va: UInt64, thread: Int, _ kind: Translation.AccessKind = .read) -> Translation.Result {
        guard case .tables(let t) = c.program.translation else { return .fault(.translation, address: va) }
        return Translation.translate(va, kind, setup: c.program.translation,
                                     context: Translation.Context(t.systemRegisters[thread])) {
            c.program.initialMemory[$0.address] ?? 0
        }
    }

    func testStageOneTablesMapAsTheSetupSays() throws {
        let t = try IslaParser.parse(Self.stage1, file: "t.litmus.toml")
        XCTAssertEqual(t.name, "CoTT.ro")
        XCTAssertEqual(t.threads.count, 2)
        let c = try t.compile()
        let x = try c.layout.resolve(.virtualAddress("x"))
        let y = try c.layout.resolve(.virtualAddress("y"))
        let pa1 = try c.layout.resolve(.virtualAddress("pa1"))
        let pa2 = try c.layout.resolve(.virtualAddress("pa2"))
        XCTAssertEqual(walk(c, x + 8, thread: 1), .physical(pa1 + 8))
        XCTAssertEqual(walk(c, y, thread: 1), .physical(pa2))
        // x is read-only: a write faults with a permission fault.
        XCTAssertEqual(walk(c, x, thread: 1, .write), .fault(.permission, address: x))
        // Thread 0 writes y's descriptor into x's entry: registers hold them,
        // and the entry's address is identity-mapped so the store reaches it.
        let pte = c.program.initialRegisters[0].values[1]
        XCTAssertEqual(Descriptor.outputAddress(c.program.initialRegisters[0].values[0]), pa2)
        XCTAssertEqual(Descriptor.outputAddress(c.program.initialMemory[pte] ?? 0), pa1)
        XCTAssertEqual(walk(c, pte, thread: 0, .write), .physical(pte))
        XCTAssertEqual(c.program.initialMemory[pa2], 1)
    }

    func testStageTwoAndNamedTables() throws {
        let text = #"""
            arch = "AArch64"
            name = "S2"
            symbolic = ["x"]
            page_table_setup = """
                physical pa1;
                intermediate ipa1;
                x |-> ipa1;
                ipa1 |-> pa1;
                *pa1 = 7;
            """
            [thread.0]
            init = {}
            code = """
                LDR X0,[X1]
            """
            [thread.0.reset]
            R1 = "x"
            R2 = "ttbr(vmid=0x0002, base=s2_page_table_base)"
            R4 = "extz(page(ipa1), 64)"
            [final]
            assertion = "0:X0 = 7"
            """#
        let c = try IslaParser.parse(text, file: "s2.litmus.toml").compile()
        guard case .tables(let tables) = c.program.translation else { return XCTFail("tables") }
        XCTAssertTrue(tables.stage1 && tables.stage2)
        let x = try c.layout.resolve(.virtualAddress("x"))
        let pa1 = try c.layout.resolve(.virtualAddress("pa1"))
        let ipa1 = try c.layout.resolve(.virtualAddress("ipa1"))
        XCTAssertEqual(walk(c, x, thread: 0), .physical(pa1))
        XCTAssertEqual(c.program.initialRegisters[0].values[2] >> 48, 2)
        XCTAssertEqual(c.program.initialRegisters[0].values[4], ipa1 >> 12)
        XCTAssertEqual(c.program.initialMemory[pa1], 7)
    }

    func testMalformedSetupNamesFileAndLine() {
        let cases: [(String, Int, String)] = [
            ("name = \"T\"\npage_table_setup = \"\"\"\n  physical pa1;\n  x => pa1;\n\"\"\"\n[thread.0]\ncode = \"NOP\"\n[final]\nassertion = \"true\"",
             4, "|->"),
            ("name = \"T\"\n[thread.0]\ncode = \"\"\"\n  NOP\n  BRAA X1,X2\n\"\"\"\n[final]\nassertion = \"true\"", 5, "BRAA"),
            ("name = \"T\"\n[thread.0]\ncode = \"NOP\"\n[final]\nassertion = \"0:X0 = \"", 5, "value"),
            ("name = \"T\"\n[thread.0]\ncode = \"NOP\"\n[thread.0.reset]\nR1 = \"nowhere\"\n[final]\nassertion = \"true\"", 5, "nowhere"),
            ("name = \"T\"\n[thread.0]\ncode = \"NOP\"\n[final]\nassertion = \"true\"\n[section.h]\naddress = \"0x400\"\ncode = \"\"\"\n  ERET\n\"\"\"", 8, "section 'h' is not a handler"),
            ("name = \"T\"\npage_table_setup = \"\"\"\n  physical pa1;\n  x |-> invalid at level 2;\n  x |-> pa1;\n\"\"\"\n[thread.0]\ncode = \"NOP\"\n[final]\nassertion = \"true\"",
             5, "not a table"),
        ]
        assertEachRejected(cases, file: "bad.litmus.toml", by: IslaParser.parse)
    }
}
