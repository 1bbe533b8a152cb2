import Litmus
import MemoryModel
import XCTest

/// A load to the zero register returns nothing: herd makes its read NoRet
/// (DMB LD and DSB LD do not order it, and it has no acquire semantics),
/// except a plain LDR's. P1's load of y succeeds only if its walk saw P0's
/// release of y's descriptor; whether P1 may still read x's old value then
/// says whether the load of y is ordered before the read of x.
final class ZeroDestinationLoadTests: XCTestCase {
    func text(_ load: String, _ barrier: String) -> String {
        """
        AArch64 MP.I2V+rel+\(load.replacingOccurrences(of: " ", with: "_"))
        {
         [PTE(y)]=(oa:PA(y), valid:0);
         0:X1=x; pteval_t 0:X2=(oa:PA(y), valid:1); 0:X4=PTE(y);
         1:X1=x; 1:X3=y;
        }
         P0           | P1         ;
         MOV W0,#1    | L0: \(load) ;
         STR W0,[X1]  | \(barrier)  ;
         STLR X2,[X4] | LDR W0,[X1] ;
        exists (~fault(P1:L0,y) /\\ 1:X0=0)
        """
    }

    func allowed(_ load: String, _ barrier: String) throws -> Bool {
        try InlineTestRunning.run(text(load, barrier), variants: ["vmsa", "fatal"]).allowed
    }

    func testPlainLDRToZeroIsStillOrdered() throws {
        XCTAssertFalse(try allowed("LDR XZR,[X3]", "DMB LD"))
        XCTAssertFalse(try allowed("LDR WZR,[X3]", "DSB LD"))
    }

    func testOtherLoadsToZeroAreNoRet() throws {
        XCTAssertTrue(try allowed("LDAR WZR,[X3]", "NOP"), "no acquire without a destination")
        XCTAssertTrue(try allowed("LDAXR XZR,[X3]", "DMB LD"))
        XCTAssertTrue(try allowed("LDP XZR,XZR,[X3]", "DSB LD"))
        // With a destination they order.
        XCTAssertFalse(try allowed("LDAR W5,[X3]", "NOP"))
        XCTAssertFalse(try allowed("LDP X5,XZR,[X3]", "DMB LD"))
    }
}
