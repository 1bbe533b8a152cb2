import Litmus
import MemoryModel
import XCTest

/// FEAT_ExS (herd's `exs`, `eis`, `eos` variants): without ExS exception
/// entry and return are context synchronising (IFB, like ISB), so a control
/// dependency into them orders what follows; with ExS an SVC entry is so
/// only with EIS and an ERET only with EOS (aarch64hwreqs.cat EXC-ENTRY-IFB,
/// EXC-RET-IFB).
final class ExceptionSynchronizationTests: XCTestCase {
    /// P1's read of y controls the SVC; its handler reads x.
    static let intoEntry = """
        AArch64 MP+dmb.st+ctrl-svc
        {
        0:X1=x; 0:X3=y;
        1:X0=y; 1:X2=x;
        }
         P0          | P1           | P1.F        ;
         MOV W0,#1   | LDR W1,[X0]  | LDR W3,[X2] ;
         STR W0,[X1] | CBNZ W1,Ls   |             ;
         DMB ST      | Ls:          |             ;
         MOV W2,#1   | SVC #1       |             ;
         STR W2,[X3] |              |             ;
        exists (1:X1=1 /\\ 1:X3=0)
        """

    /// The handler's read of y controls its ERET; x is read after the return.
    static let intoReturn = """
        AArch64 MP+dmb.st+svc-ctrl-eret
        {
        0:X1=x; 0:X3=y;
        1:X0=y; 1:X2=x;
        }
         P0          | P1          | P1.F         ;
         MOV W0,#1   | SVC #0      | LDR W1,[X0]  ;
         STR W0,[X1] | LDR W3,[X2] | CBZ W1,Lr    ;
         DMB ST      |             | Lr:          ;
         MOV W2,#1   |             | ERET         ;
         STR W2,[X3] |             |              ;
        exists (1:X1=1 /\\ 1:X3=0)
        """

    func allowed(_ text: String, _ variants: [String]) throws -> Bool {
        try InlineTestRunning.run(text, variants: variants).allowed
    }

    func testSVCEntrySynchronisesUnlessExSWithoutEIS() throws {
        XCTAssertFalse(try allowed(Self.intoEntry, []))
        XCTAssertTrue(try allowed(Self.intoEntry, ["exs"]))
        XCTAssertFalse(try allowed(Self.intoEntry, ["exs", "eis"]))
        XCTAssertTrue(try allowed(Self.intoEntry, ["exs", "eos"]))
    }

    func testExceptionReturnSynchronisesUnlessExSWithoutEOS() throws {
        XCTAssertFalse(try allowed(Self.intoReturn, []))
        XCTAssertTrue(try allowed(Self.intoReturn, ["exs", "eis"]))
        XCTAssertFalse(try allowed(Self.intoReturn, ["exs", "eos"]))
    }

    /// ExS changes no fault's entry: faults stay context synchronising.
    func testVariantsReachTheProgram() throws {
        func sync(_ v: [String]) throws -> ExceptionSynchronization {
            var t = try LitmusFile.parse(Self.intoEntry, file: "e.litmus")
            t.apply(variants: v)
            return try t.compile().program.exceptionSynchronization
        }
        XCTAssertEqual(try sync([]), .withoutExS)
        XCTAssertEqual(try sync(["ExS", "EOS"]), ExceptionSynchronization(supervisorCallEntry: false, exceptionReturn: true))
        let s = try sync(["exs"])
        XCTAssertTrue(s.entrySynchronises(.fault(.translation, address: 0)))
        XCTAssertFalse(s.entrySynchronises(.supervisorCall(0)))
    }
}
