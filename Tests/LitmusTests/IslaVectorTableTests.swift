import Litmus
import MemoryModel
import XCTest

/// isla handler sections placed by address at vector entries, PSTATE.SP,
/// and the page_table_setup / reset functions of the ESOP tests outside the
/// shared set (CoWTf.inv.EL1+dsb-svc, W+T, CoTfW.inv+po,
/// pKVM.create_hyp_mappings.inv.l2, WRC.TTTf.inv+addrs). The texts are
/// written for these checks.
final class IslaVectorTableTests: XCTestCase {
    func run(_ text: String, on machine: any MemoryMachine = ArmMachine(),
             file: StaticString = #filePath, line: UInt = #line) throws -> LitmusResult {
        let r = try InlineTestRunning.run(text, file: "vectors.litmus.toml", on: machine)
        XCTAssertFalse(r.boundReached, file: file, line: line)
        return r
    }

    /// Every thread loads from an invalid mapping. Thread 0 runs at EL1 with
    /// SP_ELx (PSTATE.SP = 1): VBAR_EL1 + 0x200. Thread 1 starts at EL0,
    /// isla's default: + 0x400, not the + 0x200 section beside it. Thread 2
    /// runs at EL1 with SP_EL0 (PSTATE.SP absent, isla's 0): + 0x000, and its
    /// section has no conventional name. Thread 3 starts at EL1 with SP_EL0
    /// and ERETs to EL1h (SPSR_EL1.M = 0b0101): PSTATE.SP comes back as 1.
    static let vectors = #"""
        arch = "AArch64"
        name = "Vectors"
        symbolic = ["x"]
        page_table_setup = """
            x |-> invalid;
        """
        [thread.0]
        code = """
            LDR X0,[X1]
        """
        [thread.0.reset]
        R1 = "x"
        VBAR_EL1 = "extz(0x1000, 64)"
        "PSTATE.EL" = "0b01"
        "PSTATE.SP" = "0b1"
        [section.thread0_el1_handler_same_exc]
        address = "0x1200"
        code = """
            MOV X2,#1
        """
        [thread.1]
        code = """
            LDR X0,[X1]
        """
        [thread.1.reset]
        R1 = "x"
        VBAR_EL1 = "extz(0x2000, 64)"
        [section.thread1_el1_handler_same_exc]
        address = "0x2200"
        code = """
            MOV X2,#9
        """
        [section.thread1_el1_handler_lower_exc]
        address = "0x2400"
        code = """
            MOV X2,#2
        """
        [thread.2]
        code = """
            LDR X0,[X1]
        """
        [thread.2.reset]
        R1 = "x"
        VBAR_EL1 = "extz(0x3000, 64)"
        "PSTATE.EL" = "0b01"
        [section.sp0_vector]
        address = "0x3000"
        code = """
            MOV X2,#3
        """
        [thread.3]
        code = """
            ERET
        L0:
            LDR X0,[X1]
        """
        [thread.3.reset]
        R1 = "x"
        VBAR_EL1 = "extz(0x4000, 64)"
        "PSTATE.EL" = "0b01"
        SPSR_EL1 = "extz(0b00101, 64)"
        ELR_EL1 = "L0:"
        [section.thread3_el1_handler]
        address = "0x4200"
        code = """
            MOV X2,#4
        """
        [final]
        assertion = "0:X2 = 1 & 1:X2 = 2 & 2:X2 = 3 & 3:X2 = 4"
        """#

    func testExceptionsTakeTheVectorEntryTheirLevelAndStackPointerSelect() throws {
        for machine: any MemoryMachine in [ArmMachine(), SCMachine()] {
            let r = try run(Self.vectors, on: machine)
            XCTAssertEqual(r.negative, 0, "\(machine): \(r.states)")
            XCTAssertGreaterThan(r.positive, 0, "\(machine)")
        }
    }

    /// A fault at EL1 (SP_EL0: entry + 0x000) on a thread whose only section
    /// is at + 0x400: no code at the entry, so no execution takes it; the
    /// run where the other thread maps x first still completes.
    func testExceptionToAnEmptyVectorEntryYieldsNoExecution() throws {
        let text = #"""
            arch = "AArch64"
            name = "EmptyVector"
            symbolic = ["x"]
            page_table_setup = """
                physical pa1;
                x |-> invalid;
                x ?-> pa1;
                *pa1 = 1;
            """
            [thread.0]
            code = """
                STR X0,[X1]
            """
            [thread.0.reset]
            R0 = "mkdesc3(oa=pa1)"
            R1 = "pte3(x, page_table_base)"
            [thread.1]
            code = """
                MOV X2,#5
                LDR X2,[X3]
            """
            [thread.1.reset]
            R3 = "x"
            VBAR_EL1 = "extz(0x1000, 64)"
            "PSTATE.EL" = "0b01"
            [section.thread1_el1_handler]
            address = "0x1400"
            code = """
                MOV X2,#0
            """
            [final]
            assertion = "1:X2 = 1"
            """#
        for machine: any MemoryMachine in [ArmMachine(), SCMachine()] {
            let r = try run(text, on: machine)
            XCTAssertEqual(r.states.count, 1, "\(machine): \(r.states)")
            XCTAssertEqual(r.negative, 0, "\(machine): \(r.states)")
        }
    }

    /// `y |-> raw(2)` installs a descriptor given by its bits (`x ?-> raw(2)`
    /// declares one); `bvor`, `offset`,
    /// `index`, `bvand`, `bvxor`, `bvshl` compute register values; isla's
    /// `__isla_*` reset keys tune isla, not the machine.
    func testRawDescriptorsAndBitVectorFunctions() throws {
        let text = #"""
            arch = "AArch64"
            name = "Functions"
            symbolic = ["x", "y"]
            page_table_setup = """
                physical pa1;
                x |-> invalid;
                x ?-> raw(2);
                x ?-> pa1;
                y |-> raw(2);
            """
            [thread.0]
            code = """
                LDR X0,[X1]
            """
            [thread.0.reset]
            R1 = "x"
            R2 = "desc3(y, page_table_base)"
            R8 = "pte3(y, page_table_base)"
            R3 = "bvor(extz(0x283000, 64), offset(level=3, va=x))"
            R4 = "index(level=2, va=x)"
            R5 = "bvand(extz(0xFF0, 64), extz(0x3C, 64))"
            R6 = "bvxor(extz(0b101, 64), extz(0b110, 64))"
            R7 = "bvshl(extz(0b1, 64), extz(12, 64))"
            "__isla_monomorphize_writes" = "true"
            [final]
            assertion = "true"
            """#
        let c = try IslaParser.parse(text, file: "f.litmus.toml").compile()
        let x = try c.layout.resolve(.virtualAddress("x"))
        let r = c.program.initialRegisters[0].values
        XCTAssertEqual(r[2], 2)
        XCTAssertEqual(c.program.initialMemory[r[8]], 2)
        XCTAssertEqual(r[3], 0x283000 | (x >> 12 & 0x1FF) * 8)
        XCTAssertEqual(r[4], x >> 21 & 0x1FF)
        XCTAssertEqual(r[5], 0x30)
        XCTAssertEqual(r[6], 0b011)
        XCTAssertEqual(r[7], 0x1000)
    }

    func testBadPlacementAndStackPointerAreRejected() {
        let head = #"""
            arch = "AArch64"
            name = "Bad"
            symbolic = ["x"]
            page_table_setup = """
                x |-> invalid;
            """
            [thread.0]
            code = """
                LDR X0,[X1]
            """
            [thread.0.reset]
            R1 = "x"
            VBAR_EL1 = "extz(0x1000, 64)"

            """#
        assertEachRejected([
            (head + "[section.stray]\naddress = \"0x1100\"\ncode = \"\"\"\n    MOV X2,#0\n\"\"\"\n[final]\nassertion = \"true\"\n",
             16, "no thread's vector entry"),
            (head.replacingOccurrences(of: "R1 = \"x\"", with: "R1 = \"x\"\n\"PSTATE.SP\" = \"0b10\"")
                + "[final]\nassertion = \"true\"\n", 13, "PSTATE.SP must be 0 or 1"),
        ], file: "bad.litmus.toml", by: IslaParser.parse)
    }
}
