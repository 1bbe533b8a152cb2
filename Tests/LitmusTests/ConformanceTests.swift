import Litmus
import MemoryModel
import XCTest

/// The Arm machine against the published verdicts of the shared set
/// (../shared/litmus/INDEX.tsv): every test must run and give the index's
/// verdict (is the final-condition predicate reachable?), except the tests
/// KnownDeviations.tsv lists as open work.
final class ConformanceTests: XCTestCase {
    func testEveryIndexedVerdictOnTheArmMachine() throws {
        let runner = LitmusRunner(machine: ArmMachine())
        var deviations: [String: String] = [:]
        for entry in SharedTests.index {
            let outcome: Result<LitmusResult, LitmusFailure>
            do { outcome = runner.run(try SharedTests.read(entry)) }
            catch { deviations[entry.file] = "error: \(error)"; continue }
            switch outcome {
            case .success(let r):
                if r.allowed != entry.allowed {
                    deviations[entry.file] = "expected \(entry.allowed ? "Allowed" : "Forbidden"), got \(r.allowed ? "Allowed" : "Forbidden")"
                        + (r.boundReached ? " (loop bound reached)" : "")
                }
            case .failure(let f):
                deviations[entry.file] = "error: \(f.message)"
            }
        }
        XCTAssertEqual(SharedTests.index.count, 1639)
        KnownDeviations.assertExactly(deviations, .verdict, checked: SharedTests.index.count)
    }
}

/// SC is stronger than Arm: every final state SC reaches, Arm reaches too.
final class SCWithinArmTests: XCTestCase {
    func testSCFinalStatesAreArmFinalStatesOnTheSharedSet() throws {
        var violations: [String: String] = [:]
        var checked = 0
        for entry in SharedTests.index {
            // Tests that do not compile are SharedParseTests' business.
            guard let compiled = try? SharedTests.read(entry).compile() else { continue }
            checked += 1
            let sc: Exploration, arm: Exploration
            do {
                sc = try SCMachine().explore(compiled.program)
                arm = try ArmMachine().explore(compiled.program)
            } catch {
                violations[entry.file] = "\(error)"
                continue
            }
            let armStates = Set(arm.finalStates)
            let missing = sc.finalStates.filter { !armStates.contains($0) }
            if !missing.isEmpty {
                let shown = missing.prefix(3).map { (try? compiled.show($0)) ?? "\($0)" }
                violations[entry.file] = "\(missing.count) SC final states not reached on Arm, e.g. \(shown)"
            }
        }
        XCTAssertGreaterThan(checked, 0)
        KnownDeviations.assertExactly(violations, .scWithinArm, checked: checked)
    }
}
