import Hypervisor
import MemoryModel
import XCTest

/// For each variant with a concurrent scenario: the bad outcome is reachable
/// with the variant's handlers on the machine DESIGN.md names, and not with
/// the correct handlers.
final class ImplementationScenarioTests: XCTestCase {
    func outcomes(_ variant: Variant, handlers: Variant, on machine: any MemoryMachine) throws
        -> (bad: Int, finals: Int, exploration: Exploration)
    {
        let scenario = try XCTUnwrap(try ConcurrentScenario.scenario(for: variant, handlers: handlers))
        let exploration = try machine.explore(scenario.program)
        XCTAssertFalse(exploration.finalStates.isEmpty, "\(variant) with \(handlers): no complete execution")
        return (exploration.finalStates.filter(scenario.isBad).count, exploration.finalStates.count, exploration)
    }

    func check(_ variant: Variant, on machine: any MemoryMachine, file: StaticString = #filePath, line: UInt = #line) throws {
        let broken = try outcomes(variant, handlers: variant, on: machine)
        XCTAssertGreaterThan(broken.bad, 0, "\(variant): bad outcome not reached on \(machine.name)", file: file, line: line)
        let correct = try outcomes(variant, handlers: .correct, on: machine)
        XCTAssertEqual(correct.bad, 0, "\(variant)'s bad outcome reached by correct on \(machine.name)", file: file, line: line)
    }

    func testUnlockedOwnerCheckOnSC() throws { try check(.unlockedOwnerCheck, on: SCMachine()) }
    func testHypTableSharedOnSC() throws { try check(.hypTableShared, on: SCMachine()) }

    /// The Arm-only variants are not caught on SC.
    func testArmVariantsAreNotCaughtOnSC() throws {
        for variant in [Variant.plainUnlock, .missingDSBBeforeIPI, .scrubWithoutBarrier] {
            XCTAssertEqual(try outcomes(variant, handlers: variant, on: SCMachine()).bad, 0, "\(variant)")
        }
    }

    func testMissingDSBBeforeIPIOnArm() throws { try check(.missingDSBBeforeIPI, on: ArmMachine()) }
    func testPlainUnlockOnArm() throws { try check(.plainUnlock, on: ArmMachine()) }
    func testScrubWithoutBarrierOnArm() throws { try check(.scrubWithoutBarrier, on: ArmMachine()) }
}
