import Hypervisor
import XCTest

/// Random event sequences (fixed seeds) from every kind of principal,
/// including hostile arguments, on machines of 2, 3 and 4 stage-2 levels.
final class PropertyTests: XCTestCase {
    static let configs: [MachineConfig] = [
        MachineConfig(
            cpus: 3, physicalPages: 1024, wordsPerPage: 2, pageTableLevels: 3,
            vms: [VMConfig(vcpus: 2, isProtected: false), VMConfig(vcpus: 2, isProtected: true),
                  VMConfig(vcpus: 1, isProtected: true)],
            reservedHypPages: 8),
        MachineConfig(
            cpus: 2, physicalPages: 1024, wordsPerPage: 1, pageTableLevels: 2,
            vms: [VMConfig(vcpus: 1, isProtected: true), VMConfig(vcpus: 2, isProtected: false)],
            reservedHypPages: 4),
        MachineConfig(
            cpus: 4, physicalPages: 1536, wordsPerPage: 4, pageTableLevels: 4,
            vms: [VMConfig(vcpus: 3, isProtected: false), VMConfig(vcpus: 1, isProtected: true)],
            reservedHypPages: 32),
    ]
    static let seeds: [UInt64] = [1, 2, 3, 0xC0FFEE]
    static let steps = 2500

    /// Runs a seeded workload, calling `check` after every event with the
    /// state before it.
    func run(
        _ config: MachineConfig, seed: UInt64, mix: WorkloadMix, steps: Int = PropertyTests.steps,
        check: (_ step: RandomWorkload.Step, _ outcome: Outcome, _ before: Spec, _ after: Spec) -> Void
    ) throws {
        var spec = try Spec(config: config)
        var workload = RandomWorkload(config: config, seed: seed, mix: mix)
        for step in workload.setup() {
            let before = spec
            let outcome = spec.apply(step.event, on: step.cpu)
            XCTAssertTrue(outcome.isSuccessfulHypercall, "setup \(step.event): \(outcome)")
            check(step, outcome, before, spec)
        }
        for _ in 0..<steps {
            let step = workload.next(for: spec)
            let before = spec
            let outcome = spec.apply(step.event, on: step.cpu)
            workload.observe(step, outcome)
            check(step, outcome, before, spec)
        }
    }

    /// The invariants are checked after every one of the first 300 events of
    /// each run and after every 8th event later (a broken invariant stays
    /// broken: nothing in Spec repairs state), and at the end.
    func testRandomSequencesNeverBreakTheInvariants() throws {
        for (index, config) in Self.configs.enumerated() {
            for seed in Self.seeds {
                var failures = 0
                var successes = 0
                var count = 0
                var last: Spec?
                try run(config, seed: seed, mix: .adversarial) { step, outcome, _, after in
                    if outcome.isSuccessfulHypercall { successes += 1 }
                    count += 1
                    last = after
                    guard failures < 3, count < 300 || count % 8 == 0 else { return }
                    let violations = after.invariantViolations()
                    if !violations.isEmpty {
                        failures += 1
                        XCTFail("config \(index) seed \(seed) after \(step.event) -> \(outcome): \(violations.prefix(4))")
                    }
                }
                XCTAssertEqual(last?.invariantViolations(), [], "config \(index) seed \(seed) at the end")
                XCTAssertGreaterThan(successes, Self.steps / 10, "config \(index) seed \(seed): workload mostly refused")
            }
        }
    }

    /// Ownership is conserved: every page keeps exactly one owner (checked by
    /// the invariants) and changes owner only through a successful transfer
    /// hypercall, between the principals that transfer allows.
    func testOwnershipChangesOnlyThroughTransfers() throws {
        for (index, config) in Self.configs.enumerated() {
            for seed in Self.seeds.prefix(2) {
                try run(config, seed: seed, mix: .adversarial, steps: 1500) { step, outcome, before, after in
                    var changed: [(UInt64, PageOwner, PageOwner)] = []
                    for pfn in 0..<UInt64(config.physicalPages) {
                        let old = before.owner(ofPage: pfn), new = after.owner(ofPage: pfn)
                        if let old, let new, old != new { changed.append((pfn, old, new)) }
                    }
                    guard !changed.isEmpty else { return }
                    let context = "config \(index) seed \(seed): \(step.event) -> \(outcome) moved \(changed.prefix(3))"
                    guard outcome.isSuccessfulHypercall else { return XCTFail("refused or non-hypercall event; \(context)") }
                    let loadedVM = before.loadedVCPU(onCPU: step.cpu)?.vm
                    for (_, old, new) in changed {
                        let allowed: Bool
                        switch (step.event, old, new) {
                        case (.hostDonateHyp, .host, .hypervisor), (.hostTopupMemcache, .host, .hypervisor),
                             (.initVM, .host, .hypervisor), (.initVCPU, .host, .hypervisor),
                             (.hypDonateHost, .hypervisor, .host):
                            allowed = true
                        case (.hostDonateGuest, .host, .guest(let vm)):
                            allowed = vm == loadedVM
                        case (.guestMemRelinquish(let ref, _), .guest(let vm), .host):
                            allowed = vm == ref.vm
                        case (.hostReclaimPage(let handle, _), .guest(let vm), .host):
                            allowed = vm == handle
                        default:
                            allowed = false
                        }
                        XCTAssertTrue(allowed, context)
                    }
                    switch step.event {
                    case .hostDonateHyp(_, let pages), .hypDonateHost(_, let pages):
                        XCTAssertLessThanOrEqual(UInt64(changed.count), pages, context)
                    case .initVM: XCTAssertLessThanOrEqual(changed.count, 2, context)
                    default: XCTAssertEqual(changed.count, 1, context)
                    }
                }
            }
        }
    }

    /// Confidentiality and scrubbing: a value a guest wrote while the page
    /// was its own (not shared) is never read by the host or by another VM,
    /// also after the page went back to the host (relinquish, reclaim) —
    /// unless the guest itself shared the page with the host first.
    func testGuestSecretsNeverReachAnotherPrincipal() throws {
        for (index, config) in Self.configs.enumerated() {
            for (seed, mix) in [(UInt64(7), WorkloadMix.realistic), (8, .adversarial), (9, .adversarial)] {
                var secrets: [UInt64: VMID] = [:]
                var scrubChecks = 0
                try run(config, seed: seed, mix: mix, steps: 4000) { step, outcome, before, after in
                    let context = "config \(index) seed \(seed): \(step.event)"
                    switch (step.event, outcome) {
                    case let (.guestAccess(ref, access), .access(.written)):
                        let mapping = before.translate(vm: ref.vm, gfn: access.address >> 12)
                        if access.width == 8, mapping?.state == .owned { secrets[access.value] = ref.vm }
                    case let (.guestAccess(ref, _), .access(.read(value))):
                        if let owner = secrets[value] {
                            XCTAssertEqual(owner, ref.vm, "\(context) read another VM's secret 0x\(String(value, radix: 16))")
                        }
                    case let (.hostAccess, .access(.read(value))):
                        XCTAssertNil(secrets[value], "\(context) host read a guest secret 0x\(String(value, radix: 16))")
                    case let (.guestMemShare(ref, ipa), .hypercall(.success)):
                        // Shared on purpose: what is in the page now is declassified.
                        if let mapping = before.translate(vm: ref.vm, gfn: ipa >> 12),
                            let words = after.contents(ofPage: mapping.pfn)
                        {
                            for word in words { secrets[word] = nil }
                        }
                    case let (.guestMemRelinquish(ref, ipa), .hypercall(.success(phys))) where phys != 0:
                        XCTAssertEqual(before.translate(vm: ref.vm, gfn: ipa >> 12)?.state, .owned, context)
                        XCTAssertEqual(after.contents(ofPage: phys >> 12).map { $0.allSatisfy { $0 == 0 } }, true, context)
                        scrubChecks += 1
                    case let (.hostReclaimPage(vm, gfn), .hypercall(.success)):
                        if let mapping = before.translate(vm: vm, gfn: gfn), mapping.state == .owned {
                            XCTAssertEqual(after.contents(ofPage: mapping.pfn).map { $0.allSatisfy { $0 == 0 } }, true,
                                           context)
                            scrubChecks += 1
                        }
                    default:
                        break
                    }
                }
                if config.vms.contains(where: \.isProtected) {
                    XCTAssertGreaterThan(secrets.count, 0, "config \(index) seed \(seed): no guest secrets written")
                    XCTAssertGreaterThan(scrubChecks, 0, "config \(index) seed \(seed): no page came back from a guest")
                }
            }
        }
    }
}
