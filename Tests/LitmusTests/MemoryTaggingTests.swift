import Litmus
import MemoryModel
import XCTest

/// herd's `memtag` variant: tagged pointers (`x:red`), STG/LDG, TagCheck
/// faults, and herdtools7's catalogue/aarch64-MTE tests (CeCILL-B, quoted
/// below) whose verdicts follow from aarch64.cat (its tc-ib leaves a tag
/// read unordered before its own explicit read, so the shapes that need
/// that order are allowed).
final class MemoryTaggingTests: XCTestCase {
    func run(_ text: String, _ machine: any MemoryMachine = ArmMachine(), variants: [String] = []) throws -> LitmusResult {
        switch LitmusRunner(machine: machine, variants: variants).run(text: text, file: "mte.litmus") {
        case .success(let r): return r
        case .failure(let f): throw f
        }
    }

    func testTaggedPointersAndTagInstructionsParse() throws {
        let text = """
            AArch64 T
            Variant=memtag
            {
            0:X0=x:red; 0:X1=x; 0:X3=y:GREEN;
            }
             P0             ;
             STG X0,[X1]    ;
             LDG X2,[X1,#16] ;
             STZG X0,[X1]   ;
             L0: LDR W4,[X3] ;
            exists (0:X2=x:blue /\\ fault(P0:L0,y,TagCheck))
            """
        let t = try HerdParser.parse(text, file: "t.litmus")
        XCTAssertEqual(t.initialState[0].value, .tagged(.virtualAddress("x"), colour: "red"))
        XCTAssertEqual(t.initialState[2].value, .tagged(.virtualAddress("y"), colour: "green"))
        XCTAssertEqual(t.threads[0].instructions[0], .storeTag(.x(0), Address(base: .x(1))))
        XCTAssertEqual(t.threads[0].instructions[1], .loadTag(.x(2), Address(base: .x(1), offset: .immediate(16))))
        XCTAssertEqual(t.threads[0].instructions[2], .storeZeroTag(.x(0), Address(base: .x(1))))
        guard case .and(.equals(_, let blue), .fault(0, "L0", "y", .tagCheck)) = t.condition.predicate else {
            return XCTFail("\(t.condition)")
        }
        XCTAssertEqual(blue, .tagged(.virtualAddress("x"), colour: "blue"))
        let c = try t.compile()
        XCTAssertTrue(c.program.memoryTagging)
        let x = try c.layout.resolve(.virtualAddress("x"))
        // red is tag 1 in bits [59:56]; green is tag 0, the default.
        XCTAssertEqual(c.program.initialRegisters[0].values[0], x | 1 << 56)
        XCTAssertEqual(c.program.initialRegisters[0].values[1], x)
    }

    func testBadTaggedInputNamesFileAndLine() {
        let cases: [(String, Int, String)] = [
            ("AArch64 T\nVariant=memtag\n{\n0:X0=x:mauve;\n}\n P0 ;\n NOP ;\nexists (0:X0=1)", 4, "colour 'mauve'"),
            ("AArch64 T\n{\n0:X0=x:red;\n}\n P0 ;\n NOP ;\nexists (0:X0=1)", 3, "memtag"),
            ("AArch64 T\nVariant=memtag\n{\n0:X0=3:red;\n}\n P0 ;\n NOP ;\nexists (0:X0=1)", 4, "':'"),
            ("AArch64 T\nVariant=memtag\n{ 0:X1=x; }\n P0 ;\n STG W0,[X1] ;\nexists (0:X0=1)", 5, "X register"),
            ("AArch64 T\nVariant=memtag\n{ 0:X1=x; }\n P0 ;\n LDGB X0,[X1] ;\nexists (0:X0=1)", 5, "LDGB"),
        ]
        assertEachRejected(cases, file: "bad.litmus", by: HerdParser.parse)
    }

    /// A tag mismatch in one thread: the load faults (fatal: the thread
    /// stops, W2 keeps 0) and the later store does not happen.
    func testATagMismatchStopsTheThread() throws {
        let text = """
            AArch64 F
            Variant=memtag,fatal
            { 0:X1=x:red; 0:X3=y; }
             P0              ;
             L0: LDR W2,[X1] ;
             MOV W4,#1       ;
             STR W4,[X3]     ;
            forall (fault(P0:L0,x,TagCheck) /\\ 0:X2=0 /\\ y=0)
            """
        for machine in [ArmMachine(), SCMachine()] as [any MemoryMachine] {
            let r = try run(text, machine)
            XCTAssertEqual(r.positive, r.states.count, "\(machine.name): \(r.states)")
        }
    }

    /// tc-ib; [IFB]; po: a TagCheck fault taken to a handler is an exception
    /// entry (IFB), so the failed tag read is ordered before the handler's
    /// store. P1's load through x (green) faults only if its tag read saw
    /// P0's blue, which P0 colours after reading z; the handler's z = 1
    /// cannot then be what P0 read: forbidden on both machines.
    func testAFailedTagReadIsOrderedBeforeItsHandler() throws {
        let text = """
            AArch64 LB+dmb.sy+tagcheck-handler
            Variant=memtag
            {
             0:X0=x:blue; 0:X1=x; 0:X3=z;
             1:X1=x:green; 1:X3=z;
            }
             P0          | P1          | P1.F        ;
             LDR W2,[X3] | LDR W4,[X1] | MOV W5,#1   ;
             DMB SY      |             | STR W5,[X3] ;
             STG X0,[X1] |             |             ;
            exists (0:X2=1 /\\ fault(P1,x))
            """
        for machine in [ArmMachine(), SCMachine()] as [any MemoryMachine] {
            let r = try run(text, machine)
            XCTAssertEqual(r.positive, 0, "\(machine.name): \(r.states)")
            XCTAssertTrue(r.states.contains("0:X2=0; fault(P1,x);"), "\(machine.name): \(r.states)")
        }
    }

    /// (catalogue test, herd verdict under aarch64.cat): Allowed when the
    /// condition is reachable on Arm. SC must never reach more than Arm.
    static let catalogue: [(String, Bool)] = [
        // coWR-MTE: the load after the thread's own STG of red passes.
        ("""
         AArch64 coWR-mte
         {
         0:X0=x:red; 0:X1=x:green;
         }
         P0          ;
         STG X0,[X1] ;
         LDR W2,[X0] ;
         exists fault(P0,x)
         """, false),
        // Tag coherence: P1 cannot read red, overwrite it with blue, and read red again.
        ("""
         AArch64 Wt+RtWtRt
         {
         0:X0=x; 0:X1=x:red;
         1:X0=x; 1:X3=x:blue
         }
         P0           | P1          ;
         STG X1, [X0] | LDG X1, [X0];
                      | STG X3, [X0];
                      | LDG X2, [X0];
         exists(1:X1=x:red /\\ 1:X2=x:red)
         """, false),
        // Data into a store's data, not its tag read: allowed.
        ("""
         AArch64 S+dmb.stTT+data
         {
         0:X0=B:red; 0:X2=B:green; 0:X1=A:red; 0:X3=A:green;
         1:X1=A:red; 1:X4=B:red;
         }
          P0          | P1             ;
          STG X0,[X2] | L3: LDR W5,[X1];
          DMB ST      | L4: STR W5,[X4];
          STG X1,[X3] |                ;
         exists (~(fault(P1:L3,A)) /\\ fault(P1:L4,B))
         """, true),
        // Release orders the store after the read, not the read after its tag read.
        ("""
         AArch64 S+dmb.stTT+rel
         {
         0:X0=x:red; 0:X1=x:green; 0:X2=y:red; 0:X3=y:green;
         1:X1=y:red; 1:X3=x:green;
         }
          P0          | P1               ;
          STG X0,[X1] | L3: LDR W0,[X1]  ;
          DMB ST      | MOV W2,#1        ;
          STG X2,[X3] | L4: STLR W2,[X3] ;
         exists ~(fault(P1:L3,y) \\/ fault(P1:L4,x))
         """, true),
        // STZG: the tag write and the zeroing are unordered, so a load
        // may pass its check on either tag and read either value.
        ("""
         AArch64 LDR-STZG1
         {
         0:X0=x:green;
         1:X2=x:red;
         1:X3=x:red;
         x=1;
         }
         P0          | P1          ;
         LDR X1,[X0] | STZG X3,[X2];
         exists(0:X1=0)
         """, true),
        ("""
         AArch64 LDR-STZG2
         {
         0:X0=x:red;
         1:X2=x:red;
         1:X3=x:red;
         x=1;
         }
         P0          | P1          ;
         LDR X1,[X0] | STZG X3,[X2];
         exists(0:X1=1)
         """, true),
        // MP with the reader's DMB LD: bob orders its tag reads.
        ("""
         AArch64 MP+dmb.stTT+dmb.ld
         {
         0:X0=B:red; 0:X2=B:green; 0:X1=A:red; 0:X3=A:green;
         1:X1=A:red; 1:X4=B:red;
         }
          P0          | P1              ;
          STG X0,[X2] | L3: LDR W5,[X1] ;
          DMB ST      | DMB LD          ;
          STG X1,[X3] | L4: LDR W6,[X4] ;
         exists (~(fault(P1:L3,A)) /\\ fault(P1:L4,B))
         """, false),
    ]

    func testCatalogueVerdicts() throws {
        for (text, allowed) in Self.catalogue {
            let arm = try run(text, variants: ["memtag"])
            XCTAssertEqual(arm.positive > 0, allowed, "\(arm.name): \(arm.states)")
            let sc = try run(text, SCMachine(), variants: ["memtag"])
            XCTAssertTrue(Set(sc.states).isSubset(of: Set(arm.states)), "\(sc.name): SC \(sc.states) vs Arm \(arm.states)")
        }
    }

    /// Registers holding tagged pointers print as herd prints them.
    func testTaggedPointersShowAsHerdWritesThem() throws {
        let r = try run(Self.catalogue[1].0, variants: ["memtag"])
        XCTAssertEqual(Set(r.states), ["1:X1=x:green; 1:X2=x:blue;", "1:X1=x:green; 1:X2=x:red;", "1:X1=x:red; 1:X2=x:blue;"])
    }

    /// The shared ETS3 test with vmsa: forbidden with ETS3 (ConformanceTests
    /// checks that), allowed once `ets3` is dropped from its Variant line.
    func testETS3MessagePassingNeedsETS3() throws {
        let path = SharedTests.root.appendingPathComponent("herd-vmsa/aarch64-ETS3/ETS3.MP+dmb.sttp.litmus").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertEqual(try run(text, variants: ["vmsa", "fatal"]).positive, 0)
        let withoutETS3 = text.replacingOccurrences(of: "Variant=memtag,ets3", with: "Variant=memtag")
        XCTAssertNotEqual(withoutETS3, text)
        XCTAssertGreaterThan(try run(withoutETS3, variants: ["vmsa", "fatal"]).positive, 0)
        XCTAssertEqual(try run(withoutETS3, SCMachine(), variants: ["vmsa", "fatal"]).positive, 0)
    }

    /// herd's async, asymmetric and store-only tag checking are not
    /// modelled: refused, never given sync's verdict.
    func testUnmodelledCheckingModesAreRefused() {
        for mode in ["async", "store-only", "asymm"] {
            let text = "AArch64 T\nVariant=memtag,\(mode)\n{ 0:X9=x:red; }\n P0 ;\n LDR W0,[X9] ;\nexists (0:X0=0)"
            XCTAssertThrowsError(try run(text), mode) { error in
                XCTAssertTrue("\(error)".contains(mode) && "\(error)".contains("is not modelled (tag checks are synchronous"), "\(error)")
            }
        }
        XCTAssertNoThrow(try run("AArch64 T\nVariant=memtag,sync\n{ 0:X9=x:red; }\n P0 ;\n LDR W0,[X9] ;\nexists (0:X0=0)"))
    }

    /// `[tag(x)]=:colour`: x's allocation tag, set in the initial state and
    /// tested in the condition, on both machines.
    func testAllocationTagLocations() throws {
        func text(_ initial: String) -> String {
            """
            AArch64 T
            Variant=memtag
            { [tag(x)]=:\(initial); 0:X1=x:red; 0:X2=x:blue; }
             P0          ;
             L0: LDR W0,[X1] ;
             STG X2,[X1] ;
            forall ([tag(x)]=:blue)
            """
        }
        let t = try HerdParser.parse(text("green"), file: "t.litmus")
        XCTAssertEqual(t.initialState[0].location, .memory(.allocationTag("x"), offset: 0))
        XCTAssertEqual(t.initialState[0].value, .integer(MemoryTagging.tag(ofColour: "green")!))
        for machine in [ArmMachine(), SCMachine()] as [any MemoryMachine] {
            // A mismatching tag faults (fatal by default: the STG never runs).
            let green = try run(text("green") + " /\\ fault(P0:L0,x,TagCheck)", machine, variants: ["fatal"])
            XCTAssertEqual(green.states.count, 1, machine.name)
            XCTAssertEqual(green.positive, 0, machine.name)
            // A matching one does not, and the STG sets the tag to blue.
            let red = try run(text("red"), machine, variants: ["fatal"])
            XCTAssertEqual(red.negative, 0, machine.name)
        }
    }
}
