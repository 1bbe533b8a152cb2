import Litmus
import MemoryModel
import XCTest

/// herd's fault-handling flags: `imprecise` and `precise` are its old names
/// for `handled` and `fatal`, and the test's own `Variant=` line wins over
/// flags given from outside (the command line, the index's variant column).
final class FaultHandlingFlagTests: XCTestCase {
    func text(variant: String?) -> String {
        """
        AArch64 F
        \(variant.map { "Variant=\($0)" } ?? "")
        {
        0:X1=x;
        [PTE(x)]=(valid:0);
        }
         P0          ;
         LDR W0,[X1] ;
        exists (0:X0=0)
        """
    }

    func handling(own: String?, applied: [String]) throws -> FaultHandling {
        var test = try HerdParser.parse(text(variant: own), file: "f.litmus")
        test.apply(variants: applied)
        return try test.compile().program.faultHandling
    }

    func testImpreciseIsHandledAndWinsOverAppliedFatal() throws {
        XCTAssertEqual(try handling(own: "imprecise", applied: ["vmsa", "fatal"]), .handledRetryOnce)
        XCTAssertEqual(try handling(own: "vmsa,Handled", applied: ["vmsa", "fatal"]), .handledRetryOnce)
    }

    func testPreciseIsFatalAndWinsOverAppliedHandled() throws {
        XCTAssertEqual(try handling(own: "precise", applied: ["vmsa", "handled"]), .fatal)
        XCTAssertEqual(try handling(own: "fatal", applied: ["vmsa", "faultToNext"]), .fatal)
    }

    func testAppliedFlagsCountWhenTheTestNamesNone() throws {
        XCTAssertEqual(try handling(own: "vmsa", applied: ["skip"]), .skip)
        XCTAssertEqual(try handling(own: nil, applied: ["vmsa", "handled"]), .handledRetryOnce)
        XCTAssertEqual(try handling(own: nil, applied: ["vmsa"]), .fatal)
    }

    func testTheLastFlagOfALineWins() throws {
        XCTAssertEqual(try handling(own: "skip,imprecise", applied: []), .handledRetryOnce)
        XCTAssertEqual(try handling(own: nil, applied: ["handled", "fatal"]), .fatal)
    }
}
