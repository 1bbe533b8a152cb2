import Foundation
import Litmus
import MemoryModel
import XCTest

/// The shared tests that use exceptions (herd `Pn.F` handler columns, isla
/// handler sections, SVC/HVC/UDF/ERET): they compile, the herd ones get the
/// index's verdict on the Arm machine, and SC's final states are Arm's.
final class SharedExceptionTests: XCTestCase {
    static let entries: [(SharedTests.Entry, String)] = SharedTests.index.compactMap { entry in
        guard let text = try? String(contentsOfFile: entry.path, encoding: .utf8) else { return nil }
        let usesExceptions = text.range(of: #"P[0-9]+\.F\b|\[section\.|\b(SVC|HVC|UDF|ERET)\b"#,
                                        options: .regularExpression) != nil
        return usesExceptions ? (entry, text) : nil
    }

    func testEveryExceptionTestCompiles() throws {
        XCTAssertGreaterThan(Self.entries.count, 100)
        var failures: [String] = []
        for (entry, _) in Self.entries {
            do { _ = try SharedTests.read(entry).compile() }
            catch { failures.append("\(error)") }
        }
        XCTAssertTrue(failures.isEmpty, "\(failures.count) exception tests do not compile:\n" + failures.joined(separator: "\n"))
    }

    /// herd's exception tests, but those that run a thread at EL0 (`EL0=`):
    /// EL0 permissions are not modelled.
    func testHerdExceptionVerdictsOnArm() throws {
        let runner = LitmusRunner(machine: ArmMachine())
        var wrong: [String] = []
        var checked = 0
        for (entry, text) in Self.entries where entry.group.hasPrefix("herd") && !text.contains("EL0=") {
            checked += 1
            switch runner.run(try SharedTests.read(entry)) {
            case .success(let r):
                if r.allowed != entry.allowed { wrong.append("\(entry.file): got \(r.allowed ? "Allowed" : "Forbidden")") }
            case .failure(let f):
                wrong.append("\(entry.file): \(f.message)")
            }
        }
        XCTAssertGreaterThan(checked, 60)
        XCTAssertTrue(wrong.isEmpty, "\(wrong.count)/\(checked) wrong:\n" + wrong.joined(separator: "\n"))
    }

    func testSCFinalStatesAreArmFinalStates() throws {
        var violations: [String] = []
        for (entry, _) in Self.entries {
            guard let compiled = try? SharedTests.read(entry).compile() else { continue }
            do {
                let arm = Set(try ArmMachine().explore(compiled.program).finalStates)
                let missing = try SCMachine().explore(compiled.program).finalStates.filter { !arm.contains($0) }
                if !missing.isEmpty { violations.append("\(entry.file): \(missing.count) SC states not on Arm") }
            } catch {
                violations.append("\(entry.file): \(error)")
            }
        }
        XCTAssertTrue(violations.isEmpty, violations.joined(separator: "\n"))
    }
}
