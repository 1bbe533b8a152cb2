import Litmus
import MemoryModel
import XCTest

/// herd's format: structure, init items, VMSA syntax, conditions, and errors
/// that name file:line.
final class HerdParserTests: XCTestCase {
    static let mp = """
        AArch64 MP+dmb.sy+addr
        Hash=abc
        Variant=fatal
        (* a comment
           over two lines *)
        {
        0:X1=x; 0:X3=y;
        1:X1=y; 1:X3=x; int 1:X0; uint64_t z=3;
        }
         P0          | P1                  ;
         MOV W0,#1   | LDR W0,[X1]         ;
         STR W0,[X1] | EOR W2,W0,W0        ;
         DMB SY      | L0: LDR W4,[X3,W2,SXTW] ;
         MOV W2,#1   |                     ;
         STR W2,[X3] |                     ;
        locations [z;]
        exists (1:X0=1 /\\ 1:X4=0)
        """

    func testPlainTestStructure() throws {
        let t = try HerdParser.parse(Self.mp, file: "mp.litmus")
        XCTAssertEqual(t.name, "MP+dmb.sy+addr")
        XCTAssertEqual(t.variants, ["fatal"])
        XCTAssertEqual(t.threads.count, 2)
        XCTAssertEqual(t.threads[0].instructions.count, 5)
        XCTAssertEqual(t.threads[1].labels["L0"], 2)
        XCTAssertEqual(t.initialState.first, InitialAssignment(.register(thread: 0, .x(1)), .virtualAddress("x"), line: 7))
        XCTAssertTrue(t.initialState.contains(InitialAssignment(.memory(.virtualAddress("z"), offset: 0), .integer(3), line: 8)))
        XCTAssertEqual(t.types[.register(thread: 1, .x(0))], TypeWidth(bytes: 4))
        XCTAssertEqual(t.observed, [.location(.memory(.virtualAddress("z"), offset: 0))])
        XCTAssertEqual(t.condition, FinalCondition(.exists, .and(
            .equals(.register(thread: 1, .x(0)), .integer(1)),
            .equals(.register(thread: 1, .x(4)), .integer(0)))))
        guard case .physical = t.memory else { return XCTFail("a plain test is physical") }
    }

    func testVMSASyntax() throws {
        let text = """
            AArch64 V
            {
            [PTE(x)]=(oa:PA(y), valid:0);
            pte_z=(db:0,dbm:1);
            0:X1=(oa:phy_y, af:0, el0:0); 0:X2=PTE(x); 0:X3=x;
            pteval_t 0:X4;
            }
             P0           ;
             STR X1,[X2]  ;
             DSB ISH      ;
             LSR X9,X3,#12;
             TLBI VAAE1IS,X9 ;
             L0: LDR W5,[X3] ;
            exists (fault(P0:L0,x,MMU:Translation) \\/ ~fault(P0,x) \\/ [PTE(x)]=(oa:PA(x)) \\/ pte_z=(oa:phy_z,db:0,dbm:1))
            """
        let t = try HerdParser.parse(text, file: "v.litmus")
        guard case .herdVMSA = t.memory else { return XCTFail("PTE syntax means vmsa") }
        var d = DescriptorLiteral(outputAddress: .physicalAddress("y"))
        d.valid = false
        XCTAssertEqual(t.initialState[0].value, .descriptor(d))
        XCTAssertEqual(t.initialState[0].location, .memory(.entryAddress("x", level: 3, table: nil), offset: 0))
        XCTAssertEqual(t.initialState[1].location, .memory(.entryAddress("z", level: 3, table: nil), offset: 0))
        guard case .or(.or(.or(let f, let nf), _), _) = t.condition.predicate else { return XCTFail("\(t.condition)") }
        XCTAssertEqual(f, .fault(thread: 0, label: "L0", variable: "x", kind: .translation))
        XCTAssertEqual(nf, .not(.fault(thread: 0, label: nil, variable: "x", kind: nil)))

        let compiled = try t.compile()
        guard case .singleLevel(let map) = compiled.program.translation else { return XCTFail("single-level tables") }
        let x = try compiled.layout.resolve(.virtualAddress("x"))
        let pteX = try compiled.layout.resolve(.entryAddress("x", level: 3, table: nil))
        let paY = try compiled.layout.resolve(.physicalAddress("y"))
        XCTAssertEqual(map[x], pteX)
        // [PTE(x)] maps x to PA(y), invalid; register X1 holds a descriptor for PA(y) with AF and EL0 clear.
        XCTAssertEqual(compiled.program.initialMemory[pteX], Descriptor.herd(outputAddress: paY, valid: false))
        XCTAssertEqual(compiled.program.initialRegisters[0].values[1], Descriptor.herd(outputAddress: paY, af: false, el0: false))
        // pte_z without oa keeps z's own page.
        let pteZ = try compiled.layout.resolve(.entryAddress("z", level: 3, table: nil))
        let paZ = try compiled.layout.resolve(.physicalAddress("z"))
        XCTAssertEqual(compiled.program.initialMemory[pteZ], Descriptor.herd(outputAddress: paZ, db: false, dbm: true))
    }

    func testArraysSymbolicRegistersAndQuantifiers() throws {
        let text = """
            AArch64 A
            { int x[2]={1,2}; uint64_t %P0_y=y; }
             P0              ;
             LDR W1,[X%P0_y] ;
             RET             ;
            ~exists (x={1,2} /\\ 0:X1=0)
            """
        let t = try HerdParser.parse(text, file: "a.litmus")
        XCTAssertEqual(t.condition.quantifier, .notExists)
        XCTAssertEqual(t.threads[0].instructions[0],
                       .load(.w(1), Address(base: .x(0)), width: .word, ordering: .plain, exclusive: false))
        XCTAssertTrue(t.initialState.contains { $0.location == .register(thread: 0, .x(0)) && $0.value == .virtualAddress("y") })
        let c = try t.compile()
        let x = try c.layout.resolve(.virtualAddress("x"))
        XCTAssertEqual(c.program.initialMemory[x], 1 | 2 << 32)
    }

    func testForallAndMissingCondition() throws {
        let forall = try HerdParser.parse("AArch64 F\n{}\n P0 ;\n NOP ;\nforall (true)", file: "f.litmus")
        XCTAssertEqual(forall.condition, FinalCondition(.forall, .constant(true)))
        let none = try HerdParser.parse("AArch64 N\n{}\n P0 ;\n NOP ;\nlocations [0:X0;]", file: "n.litmus")
        XCTAssertEqual(none.condition, FinalCondition(.forall, .constant(true)))
    }

    func testMalformedInputNamesFileAndLine() {
        let cases: [(String, Int, String)] = [
            ("", 1, "empty"),
            ("X86 T\n{}", 1, "AArch64"),
            ("AArch64 T\nno block here", 2, "initial state"),
            ("AArch64 T\n{\n0:X1=\n}\n P0 ;\n NOP ;\nexists (0:X1=1)", 3, "value"),
            ("AArch64 T\n{}\n P0 ;\n FOO X1 ;\nexists (0:X1=1)", 4, "FOO"),
            ("AArch64 T\n{}\n P0 ;\n NOP\nexists (0:X1=1)", 4, "';'"),
            ("AArch64 T\n{}\n P0 ;\n NOP ;\n\nexists (0:X1=1 /\\ )", 6, "location"),
            ("AArch64 T\n{}\n P0 ;\n NOP ;\nmaybe (0:X1=1)", 5, "exists"),
            ("AArch64 T\n{ 0:X1=(oa:PA(x), colour:1) }\n P0 ;\n NOP ;\nexists (0:X1=1)", 2, "colour"),
            ("AArch64 T\n{}\n P0 | P1 ;\n NOP | NOP | NOP ;\nexists (0:X1=1)", 4, "columns"),
            ("AArch64 T\n{ 3:X1=x }\n P0 ;\n NOP ;\nexists (0:X1=1)", 2, "P3"),
        ]
        assertEachRejected(cases, file: "bad.litmus", by: HerdParser.parse)
    }

    func testHardwareUpdatesFromTTHM() throws {
        let all = try HerdParser.parse("AArch64 T\nTTHM=HA HD\n{}\n P0 | P1 ;\n NOP | NOP ;\nexists (0:X0=0)", file: "t.litmus")
        XCTAssertEqual(try all.compile().program.hardwareUpdates,
                       Array(repeating: HardwareUpdates(accessFlag: true, dirtyState: true), count: 2))
        let one = try HerdParser.parse("AArch64 T\nTTHM=P1:HD\n{}\n P0 | P1 ;\n NOP | NOP ;\nexists (0:X0=0)", file: "t.litmus")
        XCTAssertEqual(one.hardwareUpdates, [HardwareUpdates(), HardwareUpdates(dirtyState: true)])
        XCTAssertThrowsError(try HerdParser.parse("AArch64 T\nTTHM=P7:HA\n{}\n P0 ;\n NOP ;\nexists (0:X0=0)", file: "t.litmus")) {
            XCTAssertEqual("\($0)", "t.litmus:2: bad TTHM entry 'P7:HA'")
        }
    }

    func testHandlerColumnCompilesIntoItsThreadAfterItsCode() throws {
        let text = "AArch64 H\n{ 0:X1=x; }\n P0 | P0.F ;\n LDR W0,[X1] | MOV W2,#1 ;\n | ERET ;\nexists (0:X2=1)"
        let t = try HerdParser.parse(text, file: "h.litmus")
        XCTAssertEqual(t.handlers.map(\.name), ["P0.F"])
        let code = try t.compile().program.threads[0]
        XCTAssertEqual(code.handlers, [ExceptionHandler(entry: 2)])
        XCTAssertEqual(code.instructions.suffix(3), [.branch(to: 4), .move(.w(2), .immediate(1)), .exceptionReturn])
        XCTAssertThrowsError(try HerdParser.parse("AArch64 H\n{}\n P0 | P1.F ;\n NOP | NOP ;\nexists (0:X2=1)", file: "h.litmus")) { e in
            XCTAssertTrue("\(e)".contains("P1.F has no thread P1"), "\(e)")
        }
    }
}
