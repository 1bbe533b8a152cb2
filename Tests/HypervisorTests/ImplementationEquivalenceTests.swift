import Hypervisor
import XCTest

/// The implementation on the SC machine gives exactly Spec's outcome for
/// every event and Spec's abstract state, on random sequential workloads
/// (fixed seeds) with 2, 3 and 4 stage-2 levels, on machines large enough
/// for host 2 MiB blocks.
final class ImplementationEquivalenceTests: XCTestCase {
    /// The machines Spec's own property tests use (2, 3 and 4 levels).
    static let configs = PropertyTests.configs

    /// Runs Spec and the implementation side by side; fails at the first
    /// event whose outcome or resulting abstract state differs.
    /// Returns how many host blocks the run mapped and how many of them the
    /// implementation split. `stateEvery`: the abstract states are compared after every event of
    /// the setup and the first 100, then every `stateEvery` events, and at the end.
    @discardableResult
    func runSideBySide(
        _ config: MachineConfig, seed: UInt64, mix: WorkloadMix, steps: Int, stateEvery: Int = 10,
        file: StaticString = #filePath, line: UInt = #line
    ) throws -> (blocks: Int, split: Int) {
        var spec = try Spec(config: config)
        var impl = try Implementation(config: config)
        var workload = RandomWorkload(config: config, seed: seed, mix: mix)
        var coverage = HostBlockCoverage()
        var index = 0
        func step(_ step: RandomWorkload.Step) -> Bool {
            coverage.willApply(step.event, to: spec)
            let expected = spec.apply(step.event, on: step.cpu)
            coverage.didApply(to: spec)
            let got = impl.apply(step.event, on: step.cpu)
            workload.observe(step, expected)
            defer { index += 1 }
            guard got == expected else {
                XCTFail("event \(index) \(step.event) on CPU \(step.cpu): Spec \(expected), implementation \(got)",
                        file: file, line: line)
                return false
            }
            if index < 100 || index % stateEvery == 0 {
                let want = spec.abstractState
                let have = impl.abstractState
                if want != have {
                    XCTFail("after event \(index) \(step.event): \(have.differences(from: want))", file: file, line: line)
                    return false
                }
            }
            return true
        }
        for setup in workload.setup() where !step(setup) { return (0, 0) }
        for _ in 0..<steps where !step(workload.next(for: spec)) { return (0, 0) }
        XCTAssertEqual(impl.abstractState, spec.abstractState, "final state", file: file, line: line)
        return (coverage.blocks.count, coverage.split(in: impl).count)
    }

    /// Every machine has memory for host 2 MiB blocks: these runs map some
    /// and split them (a donation of one of their pages), so a wrong split
    /// (a missing or wrong page descriptor) shows as a page the host lost
    /// or an access that reads another page.
    func testRealisticWorkloadsMatchSpec() throws {
        for config in Self.configs {
            var split = 0
            for seed: UInt64 in [1, 2] {
                split += try runSideBySide(config, seed: seed, mix: .realistic, steps: 400).split
            }
            XCTAssertGreaterThan(split, 0, "no host block split with \(config.pageTableLevels) levels")
        }
    }

    /// The abstract states compared after every single event.
    func testEveryEventLeavesSpecsAbstractState() throws {
        for config in Self.configs {
            try runSideBySide(config, seed: 7, mix: .adversarial, steps: 300, stateEvery: 1)
        }
    }

    func testBadConfigurationsAreRefusedLikeSpecs() {
        let bad = MachineConfig(cpus: 1, physicalPages: 64, pageTableLevels: 5)
        XCTAssertThrowsError(try Implementation(config: bad)) { error in
            XCTAssertEqual(error as? ConfigError, .outOfRange(field: "page_table_levels", value: 5, allowed: "2...4"))
        }
    }

    func testAdversarialWorkloadsMatchSpec() throws {
        for config in Self.configs {
            for seed: UInt64 in [3, 0xC0FFEE] {
                try runSideBySide(config, seed: seed, mix: .adversarial, steps: 400)
            }
        }
    }
}
