import Litmus
import MemoryModel
import XCTest

/// The Arm machine against the published verdicts of the shared set
/// (../shared/litmus/INDEX.tsv): every test must run and give the index's
/// verdict (is the final-condition predicate reachable?).
final class ConformanceTests: XCTestCase {
    func testEveryIndexedVerdictOnTheArmMachine() throws {
        let runner = LitmusRunner(machine: ArmMachine())
        var mismatches: [String] = []
        var errors: [String] = []
        var disagreeing: [String: Int] = [:]
        for entry in SharedTests.index {
            let before = mismatches.count + errors.count
            defer { if mismatches.count + errors.count > before { disagreeing[entry.group, default: 0] += 1 } }
            let outcome: Result<LitmusResult, LitmusFailure>
            do { outcome = runner.run(try SharedTests.read(entry)) }
            catch { errors.append("\(entry.file): \(error)"); continue }
            switch outcome {
            case .success(let r):
                if r.allowed != entry.allowed {
                    mismatches.append("\(entry.file): expected \(entry.allowed ? "Allowed" : "Forbidden"), got \(r.allowed ? "Allowed" : "Forbidden")"
                                      + (r.boundReached ? " (loop bound reached)" : ""))
                }
            case .failure(let f):
                errors.append("\(entry.file): \(f.message)")
            }
        }
        let total = SharedTests.index.count
        XCTAssertEqual(total, 1639)
        XCTAssertTrue(mismatches.isEmpty && errors.isEmpty,
                      "\(total - mismatches.count - errors.count)/\(total) agree; \(mismatches.count) mismatches, \(errors.count) errors\n"
                        + "By group: " + disagreeing.sorted(by: { $0.key < $1.key }).map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "\n"
                        + "Mismatches:\n" + mismatches.joined(separator: "\n") + "\nErrors:\n" + errors.joined(separator: "\n"))
    }
}

/// SC is stronger than Arm: every final state SC reaches, Arm reaches too.
final class SCWithinArmTests: XCTestCase {
    func testSCFinalStatesAreArmFinalStatesOnTheSharedSet() throws {
        var violations: [String] = []
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
                violations.append("\(entry.file): \(error)")
                continue
            }
            let armStates = Set(arm.finalStates)
            let missing = sc.finalStates.filter { !armStates.contains($0) }
            if !missing.isEmpty {
                let shown = missing.prefix(3).map { (try? compiled.show($0)) ?? "\($0)" }
                violations.append("\(entry.file): \(missing.count) SC final states not reached on Arm, e.g. \(shown)")
            }
        }
        XCTAssertGreaterThan(checked, 0)
        XCTAssertTrue(violations.isEmpty, "\(violations.count) of \(checked) tests:\n" + violations.joined(separator: "\n"))
    }
}
