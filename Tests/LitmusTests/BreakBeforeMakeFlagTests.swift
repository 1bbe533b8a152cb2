import Litmus
import MemoryModel
import XCTest

/// aarch64.cat's `Warning-BBM-expected` flag on herd tests: herdtools7's
/// catalogue/aarch64-BBM (tests and their `.expected` outputs, CeCILL-B,
/// quoted below) and the shared herd VMSA tests whose names mention BBM.
final class BreakBeforeMakeFlagTests: XCTestCase {
    let runner = LitmusRunner(machine: ArmMachine())

    func run(_ text: String) throws -> LitmusResult {
        switch runner.run(text: text, file: "inline.litmus") {
        case .success(let r): return r
        case .failure(let f): throw f
        }
    }

    /// herd catalogue/aarch64-BBM: (test, expected states, expected flag).
    /// `.expected` files give herd's states and whether `Flag
    /// Warning-BBM-expected` is printed.
    static let catalogue: [(text: String, states: Int, flagged: Bool)] = [
        // Valid to valid with a new output address, both writable: flagged.
        ("""
         AArch64 W+WW+PteOA
         Variant=vmsa
         {
           [PTE(x)]=(oa:PA(x));
           0:X1=x;
           1:X4=(oa:PA(y)); 1:X5=PTE(x);
         }
          P0          | P1          ;
          MOV W0,#1   | STR X4,[X5] ;
          STR W0,[X1] |             ;
          MOV W2,#2   |             ;
          STR W2,[X1] |             ;
         exists([x]=0 /\\ [y]=1)
         """, 4, true),
        ("""
         AArch64 CoWR+PteOA
         Variant=vmsa
         {
           [PTE(x)]=(oa:PA(x));
           0:X1=x;
           1:X4=(oa:PA(y)); 1:X5=PTE(x);
         }
          P0          | P1          ;
          MOV W0,#1   | STR X4,[X5] ;
          STR W0,[X1] |             ;
          LDR W2,[X1] |             ;
         exists(0:X2=0)
         """, 2, true),
        // Read-only both ways and the same memory contents: no BBM needed.
        ("""
         AArch64 CoRR+PteOA.DB0.val
         Variant=vmsa
         {
          [x]=1; [y]=1;
          [PTE(x)]=(oa:PA(x),db:0);
          0:X4=(oa:PA(y),db:0); 0:X5=PTE(x);
          1:X1=x;
         }
          P0          | P1          ;
          STR X4,[X5] | LDR W0,[X1] ;
                      | LDR W2,[X1] ;
         exists(1:X0=1 /\\ 1:X2=1)
         """, 1, false),
        // The same with the new mapping writable: flagged.
        ("""
         AArch64 CoRR+PteOA.DB1.val
         Variant=vmsa
         {
          [x]=1; [y]=1;
          [PTE(x)]=(oa:PA(x),db:0);
          0:X4=(oa:PA(y),db:1); 0:X5=PTE(x);
          1:X1=x;
         }
          P0          | P1          ;
          STR X4,[X5] | LDR W0,[X1] ;
                      | LDR W2,[X1] ;
         exists(1:X0=1 /\\ 1:X2=1)
         """, 1, true),
        // Break with valid:0, DSB, TLBI, DSB, make: not flagged.
        ("""
         AArch64 MP+tlbi-sync.ishsptev0pteoa.v1+pos
         Variant=vmsa
         {
          [x]=1;
          [y]=2;
          0:X0=PTE(x); 0:X1=(oa:PA(x), valid:0); 0:X2=(oa:PA(y)); 0:X3=x;
          1:X3=x;
         }
          P0              | P1               ;
          STR X1,[X0]     | L01: LDR W4,[X3] ;
          DSB ISH         | L00: LDR W5,[X3] ;
          LSR X4,X3,#12   |                  ;
          TLBI VAAE1IS,X4 |                  ;
          DSB ISH         |                  ;
          STR X2,[X0]     |                  ;

         exists (1:X4=2 /\\ 1:X5=1)
         """, 6, false),
        // Break with af:0 (not TLB-cacheable either): not flagged.
        ("""
         AArch64 MP+tlbi-sync.ishspteaf0pteoa.af1+pos
         Variant=vmsa
         {
          [x]=1;
          [y]=2;
          0:X0=PTE(x); 0:X1=(oa:PA(x), af:0); 0:X2=(oa:PA(y)); 0:X3=x;
          1:X3=x;
         }
          P0              | P1               ;
          STR X1,[X0]     | L01: LDR W4,[X3] ;
          DSB ISH         | L00: LDR W5,[X3] ;
          LSR X4,X3,#12   |                  ;
          TLBI VAAE1IS,X4 |                  ;
          DSB ISH         |                  ;
          STR X2,[X0]     |                  ;

         exists (1:X4=2 /\\ 1:X5=1)
         """, 6, false),
        // TLBI and DSBs but no break (no invalid entry in between): flagged.
        ("""
         AArch64 MP+tlbi-sync.ishpteoap+dmb.ld
         Variant=vmsa
         {
           [x]=1; [y]=2;
           [PTE(x)]=(oa:PA(x));
           0:X1=(oa:PA(y),valid:1); 0:X0=PTE(x);
           0:X3=z; 0:X4=x;
           1:X3=z; 1:X4=x;
         }
          P0              | P1          ;
          STR X1,[X0]     | LDR W2,[X3] ;
          DSB ISH         | DMB LD      ;
          LSR X9,X4,#12   | LDR W5,[X4] ;
          TLBI VAAE1IS,X9 |             ;
          DSB ISH         |             ;
          MOV W2,#1       |             ;
          STR W2,[X3]     |             ;
         exists (1:X2=1 /\\ 1:X5=1)
         """, 3, true),
        // Read-only both ways but different memory contents: flagged (the
        // expected output of herdtools7 d7ed06f; older outputs, from before
        // TTD-memory-contents-mismatch, had no flag).
        ("""
         AArch64 MP+tlbi-sync.ishpteoadb0p+dmb.ld
         Variant=vmsa
         {
           [x]=1; [y]=2;
           [PTE(x)]=(oa:PA(x),db:0);
           0:X1=(oa:PA(y),db:0); 0:X0=PTE(x);
           0:X3=z; 0:X4=x;
           1:X3=z; 1:X4=x;
         }
          P0              | P1          ;
          STR X1,[X0]     | LDR W2,[X3] ;
          DSB ISH         | DMB LD      ;
          LSR X9,X4,#12   | LDR W5,[X4] ;
          TLBI VAAE1IS,X9 |             ;
          DSB ISH         |             ;
          MOV W2,#1       |             ;
          STR W2,[X3]     |             ;
         exists (1:X2=1 /\\ 1:X5=1)
         """, 3, true),
        ("""
         AArch64 coRW+Wpteoa-copy
         Variant=vmsa
         {
           [PTE(z)]=(oa:PA(x));
           0:X1=z;
           1:X4=(oa:PA(y)); 1:X5=PTE(z);
           1:X7=x;
           1:X8=y;
         }
          P0          | P1          ;
          LDR W0,[X1] | STR X4,[X5] ;
          MOV W2,#1   | DSB SY      ;
          STR W2,[X1] | LDR W6,[X7] ;
                      | STR W6,[X8] ;
         exists(0:X0=1)
         """, 2, true),
    ]

    func testHerdCatalogueFlags() throws {
        for (text, states, flagged) in Self.catalogue {
            let r = try run(text)
            XCTAssertEqual(r.states.count, states, r.name)
            XCTAssertEqual(r.flags.contains(.breakBeforeMakeExpected), flagged, r.name)
            XCTAssertEqual(LitmusReport.text(r).contains("\nFlag Warning-BBM-expected\n"), flagged, r.name)
            XCTAssertEqual(LitmusReport.json(r).contains(#","flags":["Warning-BBM-expected"]"#), flagged, r.name)
        }
    }

    /// The shared herd tests about BBM: their index verdicts (checked by
    /// ConformanceTests too) and the flag where a valid entry gets a new
    /// output address without a TLBI of its page in between.
    func testSharedBBMTests() throws {
        let expected: [String: Bool] = [
            "herd-vmsa/aarch64-BBM/CoRR+PteOA.DB0.litmus": true,  // herd's .expected prints the flag
            "herd-vmsa/aarch64-BBM/MP+tlbi-sync.ishsRpteaf0pte-amo.casptepteoa.af1+pos.litmus": false,  // likewise, none
            "herd-vmsa/aarch64-VMSA/F2.mod+BBM.litmus": false,  // same output address throughout
            "herd-vmsa/aarch64-VMSA/F2.mod-reduced+BBM.litmus": false,
            "herd-vmsa/aarch64-VMSA/F2.mod-reduced-with-type+BBM.litmus": false,
            "herd-vmsa/aarch64-VMSA/MPV2I2V-no-bbm.litmus": true,  // break and make, no TLBI
            "herd-vmsa/aarch64-VMSA/coRR-pte9-nobbm+dsb.litmus": true,  // make before the break
            // The TLBI's operand is the descriptor's address, not x's page.
            "herd-vmsa/aarch64-VMSA/MP+bbm+dsb-isb.litmus": true,
        ]
        var checked = 0
        for entry in SharedTests.index where expected[entry.file] != nil {
            checked += 1
            let test = try SharedTests.read(entry)
            guard case .success(let r) = runner.run(test) else { return XCTFail("\(entry.file) did not run") }
            XCTAssertEqual(r.allowed, entry.allowed, entry.file)
            XCTAssertEqual(r.flags.contains(.breakBeforeMakeExpected), expected[entry.file], entry.file)
        }
        XCTAssertEqual(checked, expected.count, "shared BBM tests missing from INDEX.tsv")
    }
}
