import Hypervisor
import MemoryModel
import XCTest

/// Impl on SC ⊆ Spec under concurrency: pairs of events on different CPUs,
/// drawn from a random workload, run as one program on the SC machine;
/// every final state (outcomes and abstract state) is one that Spec reaches
/// by running the two events in some order, and both orders are reached.
final class ImplementationConcurrencyTests: XCTestCase {
    static let config = MachineConfig(
        cpus: 2, physicalPages: 64, wordsPerPage: 1, pageTableLevels: 2,
        vms: [VMConfig(vcpus: 1, isProtected: false), VMConfig(vcpus: 1, isProtected: true)],
        reservedHypPages: 4)

    struct Result: Hashable {
        var outcomes: [Outcome]
        var state: AbstractState
    }

    /// Whether the window's handlers all finish within the loop bound when
    /// run alone (no range of more pages than the bound).
    static func isSmall(_ event: MachineEvent) -> Bool {
        switch event {
        case let .hostDonateHyp(_, pages), let .hypDonateHost(_, pages), let .hostShareFFA(_, pages),
             let .hostUnshareFFA(_, pages):
            return pages <= 16
        case let .hostShareGuest(_, _, pages, _), let .hostUnshareGuest(_, _, pages):
            return pages <= 16
        case .hostAccess, .guestAccess:
            return false
        default:
            return true
        }
    }

    func testPairsOfEventsOnSCAreSerialisableInSpec() throws {
        let config = Self.config
        var spec = try Spec(config: config)
        var impl = try Implementation(config: config)
        var workload = RandomWorkload(config: config, seed: 11, mix: .adversarial)
        for step in workload.setup() {
            XCTAssertEqual(impl.apply(step.event, on: step.cpu), spec.apply(step.event, on: step.cpu))
        }
        var windows = 0
        var interleaved = 0
        var steps = 0
        while windows < 8 && steps < 4000 {
            steps += 1
            let first = workload.next(for: spec)
            var after = spec
            workload.observe(first, after.apply(first.event, on: first.cpu))
            let second = workload.next(for: after)
            workload.observe(second, after.apply(second.event, on: second.cpu))
            defer {
                XCTAssertEqual(impl.apply(first.event, on: first.cpu), spec.apply(first.event, on: first.cpu))
                XCTAssertEqual(impl.apply(second.event, on: second.cpu), spec.apply(second.event, on: second.cpu))
            }
            guard first.cpu != second.cpu, Int(first.cpu) < config.cpus, Int(second.cpu) < config.cpus,
                  Self.isSmall(first.event), Self.isSmall(second.event),
                  let window = impl.window([(first.event, first.cpu), (second.event, second.cpu)])
            else { continue }
            windows += 1
            var serial: Set<Result> = []
            for order in [[first, second], [second, first]] {
                var s = spec
                var outcomes: [Outcome] = []
                for step in order { outcomes.append(s.apply(step.event, on: step.cpu)) }
                if order[0] == second { outcomes.reverse() }
                serial.insert(Result(outcomes: outcomes, state: s.abstractState))
            }
            let exploration = try SCMachine().explore(window.program)
            var reached: Set<Result> = []
            for final in exploration.finalStates {
                let result = Result(outcomes: window.outcomes(final), state: impl.abstractState(after: final))
                reached.insert(result)
                XCTAssertTrue(serial.contains(result),
                              "\(first.event) ‖ \(second.event): \(result.outcomes) is no serial order's")
            }
            XCTAssertEqual(reached.count, serial.count, "\(first.event) ‖ \(second.event): orders reached")
            if window.program.threads.count == 2 { interleaved += 1 }
        }
        XCTAssertGreaterThanOrEqual(windows, 8)
        XCTAssertGreaterThanOrEqual(interleaved, 4)
    }
}
