import Hypervisor
import XCTest

/// The invariant checker must catch each kind of broken state: a sound
/// abstract state is corrupted in one way at a time and the checker has to
/// name the rule. (The oracle runs the same checker on the implementation's
/// states.)
final class InvariantCheckerTests: XCTestCase {
    static let rwx = Prot.rwx.rawValue

    /// A sound state with a page shared with a non-protected guest (100 at
    /// gfn 10), a page donated to a protected guest (200 at gfn 20), a page
    /// shared with and pinned by the hypervisor (300), one hyp page (5).
    func soundState() throws -> AbstractState {
        var fixture = try Fixture()
        try fixture.expect(.hostShareGuest(pfn: 100, gfn: 10, pages: 1, prot: Self.rwx), .ok, on: 0)
        try fixture.expect(.hostDonateGuest(pfn: 200, gfn: 20), .ok, on: 1)
        try fixture.expect(.hostShareHyp(pfn: 300), .ok)
        try fixture.expect(.hypPinSharedMem(pfn: 300), .ok)
        try fixture.expect(.hostAccess(.read(400 << 12)), .access(.read(0)))
        let state = fixture.spec.abstractState
        XCTAssertEqual(state.invariantViolations(), [])
        return state
    }

    func testEachCorruptionIsReportedUnderItsRule() throws {
        let sound = try soundState()
        let corruptions: [(InvariantViolation.Rule, String, (inout AbstractState) -> Void)] = [
            (.ownership, "guest-owned page also owned by the host", { $0.pages[200].host = .owned }),
            (.ownership, "owner field disagrees", { $0.pages[400].owner = .guest(VMID(0)) }),
            (.hypervisorMemory, "hypervisor page mapped for the host", { $0.pages[5].hostMapped = true }),
            (.hypervisorMemory, "hypervisor page mapped in a guest", {
                $0.vms[0].mappings.append(GuestMapping(gfn: 99, pfn: 5, pages: 1, state: .sharedBorrowed, prot: .rwx))
            }),
            (.shareCount, "share count off by one", { $0.pages[100].shareGuestCount = 2 }),
            (.pinCount, "pin on a page the hypervisor does not borrow", { $0.pages[400].pinCount = 1 }),
            (.sharing, "hypervisor borrows an unshared page", { $0.pages[400].hyp = .sharedBorrowed }),
            (.hostMapping, "host maps a page it lost", { $0.pages[200].hostMapped = true }),
            (.guestPrivacy, "guest-private page also borrowed by another VM", {
                $0.vms[0].mappings.append(GuestMapping(gfn: 98, pfn: 200, pages: 1, state: .sharedBorrowed, prot: .r))
            }),
            (.vmKind, "non-protected VM owning a page", { $0.vms[0].mappings[0].state = .owned }),
            (.mappingShape, "mapping outside memory", {
                $0.vms[1].mappings.append(GuestMapping(gfn: 999, pfn: 1 << 40, pages: 1, state: .owned, prot: .rwx))
            }),
            (.mappingShape, "misaligned block", {
                $0.vms[0].mappings.append(GuestMapping(gfn: 513, pfn: 1024, pages: 512, state: .sharedBorrowed, prot: .rwx))
            }),
            (.vcpuLoading, "CPU claims a vCPU that says it is elsewhere", {
                $0.loadedVCPUs[3] = Fixture.npVCPU
            }),
        ]
        for (rule, name, corrupt) in corruptions {
            var state = sound
            corrupt(&state)
            let rules = Set(state.invariantViolations().map(\.rule))
            XCTAssertTrue(rules.contains(rule), "\(name): expected \(rule), got \(rules)")
        }
    }

    /// Spec's bookkeeping check (table pages, memcaches, roles: what the
    /// abstract state cannot see) finds nothing after a hostile run.
    func testHostileRunLeavesSoundBookkeeping() throws {
        var fixture = try Fixture()
        var workload = RandomWorkload(config: Fixture.config, seed: 42, mix: .adversarial)
        for _ in 0..<2000 {
            let step = workload.next(for: fixture.spec)
            workload.observe(step, fixture.apply(step.event, on: step.cpu))
        }
        XCTAssertEqual(fixture.spec.invariantViolations(), [])
    }

    func testDifferencesNameWhatChanged() throws {
        let sound = try soundState()
        var changed = sound
        changed.pages[400].hostMapped = false
        changed.contents[400 * 4 + 1] = 0xAB
        changed.vms[0].mappings.removeAll()
        let differences = changed.differences(from: sound)
        XCTAssertEqual(differences.count, 3, "\(differences)")
        XCTAssertTrue(differences[0].hasPrefix("page 0x190:"), differences[0])
        XCTAssertEqual(differences[1], "page 0x190 word 1: 0x0 -> 0xab")
        XCTAssertTrue(differences[2].hasPrefix("vm0 unmapped gfn 0xa -> pfn 0x64"), differences[2])
        XCTAssertEqual(sound.differences(from: sound), [])
    }

    func testSameSeedSameWorkload() throws {
        func finalState(seed: UInt64) throws -> AbstractState {
            var spec = try Spec(config: Fixture.config)
            var workload = RandomWorkload(config: Fixture.config, seed: seed)
            for step in workload.setup() { _ = spec.apply(step.event, on: step.cpu) }
            for _ in 0..<3000 {
                let step = workload.next(for: spec)
                workload.observe(step, spec.apply(step.event, on: step.cpu))
            }
            return spec.abstractState
        }
        XCTAssertEqual(try finalState(seed: 5), try finalState(seed: 5))
        XCTAssertNotEqual(try finalState(seed: 5), try finalState(seed: 6))
    }
}
