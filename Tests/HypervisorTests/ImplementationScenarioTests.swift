import Hypervisor
import MemoryModel
import XCTest

/// Explores `variant`'s scenario with the handlers of `handlers`: how many
/// distinct final states are bad, of how many.
func scenarioOutcomes(_ variant: Variant, handlers: Variant, on machine: any MemoryMachine) throws
    -> (bad: Int, finals: Int, exploration: Exploration)
{
    let scenario = try XCTUnwrap(try ConcurrentScenario.scenario(for: variant, handlers: handlers))
    let program = scenario.program
    let exploration = try onLargeStack { try machine.explore(program) }
    XCTAssertFalse(exploration.finalStates.isEmpty, "\(variant) with \(handlers): no complete execution")
    return (scenario.badStates(in: exploration).count, exploration.finalStates.count, exploration)
}

/// The outcome check every scenario test makes: reachable with the
/// variant's handlers, unreachable with the correct ones.
func checkScenario(_ variant: Variant, on machine: any MemoryMachine, file: StaticString, line: UInt) throws {
    let broken = try scenarioOutcomes(variant, handlers: variant, on: machine)
    XCTAssertGreaterThan(broken.bad, 0, "\(variant): bad outcome not reached on \(machine.name)", file: file, line: line)
    let correct = try scenarioOutcomes(variant, handlers: .correct, on: machine)
    XCTAssertEqual(correct.bad, 0, "\(variant)'s bad outcome reached by correct on \(machine.name)", file: file, line: line)
    if correct.exploration.boundReached {
        // Executions cut at the loop bound are a waiting CPU spinning on a
        // lock; doubling the bound must find no new final state.
        var scenario = try XCTUnwrap(try ConcurrentScenario.scenario(for: variant, handlers: .correct))
        scenario.program.instructionBound *= 2
        let program = scenario.program
        let longer = try onLargeStack { try machine.explore(program) }
        XCTAssertEqual(Set(longer.finalStates), Set(correct.exploration.finalStates),
                       "\(variant): correct's final states grow with the loop bound", file: file, line: line)
    }
}

/// For each variant with a concurrent scenario: the bad outcome is reachable
/// with the variant's handlers on the machine DESIGN.md names, and not with
/// the correct handlers.
final class ImplementationScenarioTests: XCTestCase {
    func check(_ variant: Variant, on machine: any MemoryMachine, file: StaticString = #filePath, line: UInt = #line) throws {
        try checkScenario(variant, on: machine, file: file, line: line)
    }

    func testUnlockedOwnerCheckOnSC() throws { try check(.unlockedOwnerCheck, on: SCMachine()) }
    func testHypTableSharedOnSC() throws { try check(.hypTableShared, on: SCMachine()) }

    /// The Arm-only variants are not caught on SC.
    func testArmVariantsAreNotCaughtOnSC() throws {
        for variant in [Variant.plainUnlock, .missingDSBBeforeIPI, .scrubWithoutBarrier] {
            XCTAssertEqual(try scenarioOutcomes(variant, handlers: variant, on: SCMachine()).bad, 0, "\(variant)")
        }
    }

    func testMissingDSBBeforeIPIOnArm() throws { try check(.missingDSBBeforeIPI, on: ArmMachine()) }
    func testPlainUnlockOnArm() throws { try check(.plainUnlock, on: ArmMachine()) }
    func testScrubWithoutBarrierOnArm() throws { try check(.scrubWithoutBarrier, on: ArmMachine()) }
}

/// The variants whose bad outcome needs a TLB (translation through a
/// descriptor the handler changes).
final class ImplementationTLBScenarioTests: XCTestCase {
    func check(_ variant: Variant, on machine: any MemoryMachine, file: StaticString = #filePath, line: UInt = #line) throws {
        try checkScenario(variant, on: machine, file: file, line: line)
    }

    func testRemapHypMappingOnSC() throws { try check(.remapHypMapping, on: SCMachine()) }
    func testMissingDSBAfterTLBIOnArm() throws { try check(.missingDSBAfterTLBI, on: ArmMachine()) }
    func testMissingDSBBeforeTLBIOnArm() throws { try check(.missingDSBBeforeTLBI, on: ArmMachine()) }
    func testTLBIBeforePTEWriteOnArm() throws { try check(.tlbiBeforePTEWrite, on: ArmMachine()) }
    func testLocalTLBIOnArm() throws { try check(.localTLBI, on: ArmMachine()) }
    /// The bad outcome is aarch64.cat's Warning-BBM-expected flag.
    func testNoBreakBeforeMakeOnArm() throws { try check(.noBreakBeforeMake, on: ArmMachine()) }

    func testTLBVariantsAreNotCaughtOnSC() throws {
        for variant in [Variant.missingDSBAfterTLBI, .missingDSBBeforeTLBI, .tlbiBeforePTEWrite, .localTLBI,
                        .noBreakBeforeMake] {
            XCTAssertEqual(try scenarioOutcomes(variant, handlers: variant, on: SCMachine()).bad, 0, "\(variant)")
        }
    }
}

final class ImplementationScenarioCoverageTests: XCTestCase {
    /// Every variant but correct has a scenario on the machine DESIGN.md
    /// names; no-break-before-make's bad outcome is a flag, the others' a
    /// final state.
    func testEveryVariantButCorrectHasAScenario() throws {
        for variant in Variant.allCases {
            let scenario = try ConcurrentScenario.scenario(for: variant, handlers: variant)
            if variant == .correct {
                XCTAssertNil(scenario, "\(variant)")
            } else {
                let found = try XCTUnwrap(scenario, "\(variant)")
                XCTAssertEqual(found.variant, variant)
                XCTAssertEqual(found.machine, variant.caughtOn, "\(variant)")
                XCTAssertEqual(found.badFlag, variant == .noBreakBeforeMake ? .breakBeforeMakeExpected : nil, "\(variant)")
            }
        }
    }
}

/// Runs `body` on a thread with a 1 GiB stack: the Arm explorer recurses
/// once per event, and a handler that zeroes a page has over 500 of them.
func onLargeStack<T: Sendable>(_ body: @escaping @Sendable () throws -> T) throws -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        box.result = Result { try body() }
        done.signal()
    }
    thread.stackSize = 1 << 30
    thread.start()
    done.wait()
    return try box.result!.get()
}

final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, Error>?
    init() {}
}
