import Litmus
import MemoryModel
import XCTest

/// The runner's herd-style text and one-line JSON.
final class ReportTests: XCTestCase {
    func result(positive: Int, negative: Int, quantifier: FinalCondition.Quantifier = .exists) -> LitmusResult {
        LitmusResult(file: "dir/a \"b\".litmus", name: "MP", condition: FinalCondition(quantifier, .constant(true)),
                     states: ["0:X0=0;", "0:X0=1;"], positive: positive, negative: negative,
                     executions: 4, boundReached: false, seconds: 0.0123)
    }

    func testJSONLine() {
        XCTAssertEqual(LitmusReport.json(result(positive: 1, negative: 1)),
                       #"{"file":"dir/a \"b\".litmus","name":"MP","verdict":"allowed","states":2,"positive":1,"negative":1,"seconds":0.012}"#)
        XCTAssertEqual(LitmusReport.json(result(positive: 0, negative: 2, quantifier: .notExists)),
                       #"{"file":"dir/a \"b\".litmus","name":"MP","verdict":"forbidden","states":2,"positive":0,"negative":2,"seconds":0.012}"#)
        let failure = LitmusFailure(file: "x/y.litmus.toml", name: nil, message: "x/y.litmus.toml:3: bad\ttab")
        XCTAssertEqual(LitmusReport.json(failure), #"{"file":"x/y.litmus.toml","name":"y","error":"x/y.litmus.toml:3: bad\ttab"}"#)
    }

    /// herd prints `Flag NAME` after the witnesses; JSON adds "flags" only
    /// when some execution raised one.
    func testFlags() {
        var r = result(positive: 1, negative: 1)
        r.flags = [.breakBeforeMakeExpected]
        XCTAssertTrue(LitmusReport.text(r).contains("Positive: 1 Negative: 1\nFlag Warning-BBM-expected\nCondition "))
        XCTAssertEqual(LitmusReport.json(r),
                       #"{"file":"dir/a \"b\".litmus","name":"MP","verdict":"allowed","states":2,"positive":1,"negative":1,"seconds":0.012,"flags":["Warning-BBM-expected"]}"#)
        XCTAssertFalse(LitmusReport.text(result(positive: 1, negative: 1)).contains("Flag"))
    }

    func testHerdText() {
        let text = LitmusReport.text(result(positive: 1, negative: 1, quantifier: .forall))
        XCTAssertEqual(text, """
            Test MP Required
            States 2
            0:X0=0;
            0:X0=1;
            No
            Witnesses
            Positive: 1 Negative: 1
            Condition forall (true)
            Observation MP Sometimes 1 1
            Time MP 0.012

            """)
        XCTAssertTrue(LitmusReport.text(result(positive: 0, negative: 2)).contains("Observation MP Never 0 2\n"))
        XCTAssertTrue(LitmusReport.text(result(positive: 2, negative: 0)).contains("\nOk\n"))
    }

    func testRunnerOnTheSCMachine() throws {
        let runner = LitmusRunner(machine: SCMachine())
        let sb = """
            AArch64 SB
            { 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }
             P0          | P1          ;
             MOV W0,#1   | MOV W0,#1   ;
             STR W0,[X1] | STR W0,[X1] ;
             LDR W2,[X3] | LDR W2,[X3] ;
            exists (0:X2=0 /\\ 1:X2=0)
            """
        guard case .success(let r) = runner.run(text: sb, file: "sb.litmus") else { return XCTFail("SB did not run") }
        XCTAssertEqual(r.states, ["0:X2=0; 1:X2=1;", "0:X2=1; 1:X2=0;", "0:X2=1; 1:X2=1;"])
        XCTAssertFalse(r.allowed)
        XCTAssertEqual(r.negative, 3)
        guard case .failure(let f) = runner.run(text: "AArch64 B\n{}\n P0 ;\n BRAA X1,X2 ;\nexists (0:X0=0)", file: "b.litmus") else {
            return XCTFail("BRAA ran")
        }
        XCTAssertEqual(f.message, "b.litmus:4: unsupported instruction BRAA in 'BRAA X1,X2'")
        XCTAssertEqual(LitmusReport.json(f), #"{"file":"b.litmus","name":"b","error":"b.litmus:4: unsupported instruction BRAA in 'BRAA X1,X2'"}"#)
    }
}
