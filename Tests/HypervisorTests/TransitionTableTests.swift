import Hypervisor
import XCTest

/// pKVM's ownership self-test (`pkvm_ownership_selftest`, mem_protect.c), as
/// summarised in ../shared/kvm/pkvm-transitions.md, replayed on Spec: every
/// row gives the listed result and leaves the page in the listed state.
///
/// The page under test starts as a page of the hypervisor's boot pool (S0),
/// like the self-test's page from `host_s2_pool`. gfn is the self-test's
/// `selftest_ipa()` (BIT(ia_bits - 1)). Spec routes share_guest to the
/// non-protected vm0 (loaded on CPU 0) and donate_guest to the protected vm1
/// (CPU 1), as pKVM's hypercall handlers do; the self-test calls both on one
/// VM directly. "np" and "pvm" below are the two VMs' views of [gfn, gfn+1].
final class TransitionTableTests: XCTestCase {
    static let pfn: UInt64 = 5
    static let gfn: UInt64 = 1 << 26

    /// The page's state after a row: (host, hyp, np guest[gfn], np guest[gfn+1],
    /// pvm guest[gfn], pvm guest[gfn+1]), host_share_guest_count, pin count.
    struct State: Equatable, CustomStringConvertible {
        var host: PageState
        var hyp: PageState
        var np: [PageState] = [.noPage, .noPage]
        var pvm: [PageState] = [.noPage, .noPage]
        var shareCount: UInt32 = 0
        var pins: UInt16 = 0

        var description: String {
            "(host \(host), hyp \(hyp), np \(np), pvm \(pvm), count \(shareCount), pins \(pins))"
        }
    }

    struct Row {
        /// The state section of pkvm-transitions.md the row belongs to.
        var section: String
        var operation: MachineEvent
        var cpu: UInt32
        var result: Outcome
        /// The page's state after the row.
        var state: State
    }

    // Shorthands for the table.
    static let p = pfn
    static let g = gfn
    static let rwx = Prot.rwx.rawValue
    static let np = Fixture.npVM
    static let pvm = Fixture.protectedVM
    static let eperm = Outcome.error(.eperm)
    static let enoent = Outcome.error(.enoent)
    static let ebusy = Outcome.error(.ebusy)
    static let ok = Outcome.ok

    static let s0 = State(host: .noPage, hyp: .owned)
    static let s1 = State(host: .owned, hyp: .noPage)
    static let s2 = State(host: .sharedOwned, hyp: .sharedBorrowed)
    static let s2pinned1 = State(host: .sharedOwned, hyp: .sharedBorrowed, pins: 1)
    static let s2pinned2 = State(host: .sharedOwned, hyp: .sharedBorrowed, pins: 2)
    static let s3 = State(host: .sharedOwned, hyp: .noPage)
    static let s4 = State(host: .sharedOwned, hyp: .noPage, np: [.sharedBorrowed, .noPage], shareCount: 1)
    static let s4both = State(host: .sharedOwned, hyp: .noPage, np: [.sharedBorrowed, .sharedBorrowed], shareCount: 2)
    static let s4second = State(host: .sharedOwned, hyp: .noPage, np: [.noPage, .sharedBorrowed], shareCount: 1)
    static let s5 = State(host: .noPage, hyp: .noPage, pvm: [.owned, .noPage])
    static let s5shared = State(host: .sharedBorrowed, hyp: .noPage, pvm: [.sharedOwned, .noPage])
    static let s5second = State(host: .noPage, hyp: .noPage, pvm: [.noPage, .owned])

    static let rows: [Row] = [
        // S0 (NOPAGE, OWNED, -, -): page owned by hyp.
        Row(section: "S0", operation: .hostDonateHyp(pfn: p, pages: 1), cpu: 0, result: eperm, state: s0),
        Row(section: "S0", operation: .hostShareHyp(pfn: p), cpu: 0, result: eperm, state: s0),
        Row(section: "S0", operation: .hostUnshareHyp(pfn: p), cpu: 0, result: eperm, state: s0),
        Row(section: "S0", operation: .hostShareFFA(pfn: p, pages: 1), cpu: 0, result: eperm, state: s0),
        Row(section: "S0", operation: .hostUnshareFFA(pfn: p, pages: 1), cpu: 0, result: eperm, state: s0),
        Row(section: "S0", operation: .hypPinSharedMem(pfn: p), cpu: 0, result: eperm, state: s0),
        Row(section: "S0", operation: .hostShareGuest(pfn: p, gfn: g, pages: 1, prot: rwx), cpu: 0, result: eperm, state: s0),
        Row(section: "S0", operation: .hostUnshareGuest(vm: np, gfn: g, pages: 1), cpu: 0, result: enoent, state: s0),
        Row(section: "S0", operation: .hostDonateGuest(pfn: p, gfn: g), cpu: 1, result: eperm, state: s0),

        // S1 (OWNED, NOPAGE) after hyp_donate_host.
        Row(section: "S1", operation: .hypDonateHost(pfn: p, pages: 1), cpu: 0, result: ok, state: s1),
        Row(section: "S1", operation: .hypDonateHost(pfn: p, pages: 1), cpu: 0, result: eperm, state: s1),
        Row(section: "S1", operation: .hostUnshareHyp(pfn: p), cpu: 0, result: eperm, state: s1),
        Row(section: "S1", operation: .hostUnshareFFA(pfn: p, pages: 1), cpu: 0, result: eperm, state: s1),
        Row(section: "S1", operation: .hostUnshareGuest(vm: np, gfn: g, pages: 1), cpu: 0, result: enoent, state: s1),
        Row(section: "S1", operation: .hypPinSharedMem(pfn: p), cpu: 0, result: eperm, state: s1),

        // S2 (SHARED_OWNED, SHARED_BORROWED) after host_share_hyp.
        Row(section: "S2", operation: .hostShareHyp(pfn: p), cpu: 0, result: ok, state: s2),
        Row(section: "S2", operation: .hostShareHyp(pfn: p), cpu: 0, result: eperm, state: s2),
        Row(section: "S2", operation: .hostDonateHyp(pfn: p, pages: 1), cpu: 0, result: eperm, state: s2),
        Row(section: "S2", operation: .hostShareFFA(pfn: p, pages: 1), cpu: 0, result: eperm, state: s2),
        Row(section: "S2", operation: .hypDonateHost(pfn: p, pages: 1), cpu: 0, result: eperm, state: s2),
        Row(section: "S2", operation: .hostShareGuest(pfn: p, gfn: g, pages: 1, prot: rwx), cpu: 0, result: eperm, state: s2),
        Row(section: "S2", operation: .hostUnshareGuest(vm: np, gfn: g, pages: 1), cpu: 0, result: enoent, state: s2),
        Row(section: "S2", operation: .hostDonateGuest(pfn: p, gfn: g), cpu: 1, result: eperm, state: s2),
        Row(section: "S2", operation: .hypPinSharedMem(pfn: p), cpu: 0, result: ok, state: s2pinned1),
        Row(section: "S2", operation: .hypPinSharedMem(pfn: p), cpu: 0, result: ok, state: s2pinned2),
        Row(section: "S2", operation: .hypUnpinSharedMem(pfn: p), cpu: 0, result: ok, state: s2pinned1),
        Row(section: "S2", operation: .hostUnshareHyp(pfn: p), cpu: 0, result: ebusy, state: s2pinned1),
        Row(section: "S2", operation: .hostShareHyp(pfn: p), cpu: 0, result: eperm, state: s2pinned1),
        Row(section: "S2", operation: .hostDonateHyp(pfn: p, pages: 1), cpu: 0, result: eperm, state: s2pinned1),
        Row(section: "S2", operation: .hostShareFFA(pfn: p, pages: 1), cpu: 0, result: eperm, state: s2pinned1),
        Row(section: "S2", operation: .hypDonateHost(pfn: p, pages: 1), cpu: 0, result: eperm, state: s2pinned1),
        Row(section: "S2", operation: .hostShareGuest(pfn: p, gfn: g, pages: 1, prot: rwx), cpu: 0, result: eperm, state: s2pinned1),
        Row(section: "S2", operation: .hostUnshareGuest(vm: np, gfn: g, pages: 1), cpu: 0, result: enoent, state: s2pinned1),
        Row(section: "S2", operation: .hostDonateGuest(pfn: p, gfn: g), cpu: 1, result: eperm, state: s2pinned1),
        Row(section: "S2", operation: .hypUnpinSharedMem(pfn: p), cpu: 0, result: ok, state: s2),
        Row(section: "S2", operation: .hostUnshareHyp(pfn: p), cpu: 0, result: ok, state: s1),

        // S3 (SHARED_OWNED, NOPAGE) after host_share_ffa.
        Row(section: "S3", operation: .hostShareFFA(pfn: p, pages: 1), cpu: 0, result: ok, state: s3),
        Row(section: "S3", operation: .hostShareFFA(pfn: p, pages: 1), cpu: 0, result: eperm, state: s3),
        Row(section: "S3", operation: .hostDonateHyp(pfn: p, pages: 1), cpu: 0, result: eperm, state: s3),
        Row(section: "S3", operation: .hostShareHyp(pfn: p), cpu: 0, result: eperm, state: s3),
        Row(section: "S3", operation: .hostUnshareHyp(pfn: p), cpu: 0, result: eperm, state: s3),
        Row(section: "S3", operation: .hypDonateHost(pfn: p, pages: 1), cpu: 0, result: eperm, state: s3),
        Row(section: "S3", operation: .hostShareGuest(pfn: p, gfn: g, pages: 1, prot: rwx), cpu: 0, result: eperm, state: s3),
        Row(section: "S3", operation: .hostUnshareGuest(vm: np, gfn: g, pages: 1), cpu: 0, result: enoent, state: s3),
        Row(section: "S3", operation: .hostDonateGuest(pfn: p, gfn: g), cpu: 1, result: eperm, state: s3),
        Row(section: "S3", operation: .hypPinSharedMem(pfn: p), cpu: 0, result: eperm, state: s3),
        Row(section: "S3", operation: .hostUnshareFFA(pfn: p, pages: 1), cpu: 0, result: ok, state: s1),
        Row(section: "S3", operation: .hostUnshareFFA(pfn: p, pages: 1), cpu: 0, result: eperm, state: s1),

        // S4 (SHARED_OWNED, -, SHARED_BORROWED) after host_share_guest.
        Row(section: "S4", operation: .hostShareGuest(pfn: p, gfn: g, pages: 1, prot: rwx), cpu: 0, result: ok, state: s4),
        Row(section: "S4", operation: .hostShareGuest(pfn: p, gfn: g, pages: 1, prot: rwx), cpu: 0, result: eperm, state: s4),
        Row(section: "S4", operation: .hostShareFFA(pfn: p, pages: 1), cpu: 0, result: eperm, state: s4),
        Row(section: "S4", operation: .hostDonateHyp(pfn: p, pages: 1), cpu: 0, result: eperm, state: s4),
        Row(section: "S4", operation: .hostShareHyp(pfn: p), cpu: 0, result: eperm, state: s4),
        Row(section: "S4", operation: .hostUnshareHyp(pfn: p), cpu: 0, result: eperm, state: s4),
        Row(section: "S4", operation: .hypDonateHost(pfn: p, pages: 1), cpu: 0, result: eperm, state: s4),
        Row(section: "S4", operation: .hostDonateGuest(pfn: p, gfn: g), cpu: 1, result: eperm, state: s4),
        Row(section: "S4", operation: .hypPinSharedMem(pfn: p), cpu: 0, result: eperm, state: s4),
        Row(section: "S4", operation: .hostShareGuest(pfn: p, gfn: g + 1, pages: 1, prot: rwx), cpu: 0, result: ok, state: s4both),
        Row(section: "S4", operation: .hostUnshareGuest(vm: np, gfn: g, pages: 1), cpu: 0, result: ok, state: s4second),
        Row(section: "S4", operation: .hostUnshareGuest(vm: np, gfn: g + 1, pages: 1), cpu: 0, result: ok, state: s1),

        // S5 (NOPAGE, -, OWNED) after host_donate_guest to a protected VM.
        Row(section: "S5", operation: .hostDonateGuest(pfn: p, gfn: g), cpu: 1, result: ok, state: s5),
        Row(section: "S5", operation: .hostDonateGuest(pfn: p, gfn: g), cpu: 1, result: eperm, state: s5),
        Row(section: "S5", operation: .hostDonateGuest(pfn: p, gfn: g + 1), cpu: 1, result: eperm, state: s5),
        Row(section: "S5", operation: .hostShareGuest(pfn: p, gfn: g, pages: 1, prot: rwx), cpu: 0, result: eperm, state: s5),
        Row(section: "S5", operation: .hostShareGuest(pfn: p, gfn: g + 1, pages: 1, prot: rwx), cpu: 0, result: eperm, state: s5),
        Row(section: "S5", operation: .hostShareFFA(pfn: p, pages: 1), cpu: 0, result: eperm, state: s5),
        Row(section: "S5", operation: .hostDonateHyp(pfn: p, pages: 1), cpu: 0, result: eperm, state: s5),
        Row(section: "S5", operation: .hostShareHyp(pfn: p), cpu: 0, result: eperm, state: s5),
        Row(section: "S5", operation: .hostUnshareHyp(pfn: p), cpu: 0, result: eperm, state: s5),
        Row(section: "S5", operation: .hypDonateHost(pfn: p, pages: 1), cpu: 0, result: eperm, state: s5),
        // The self-test's guest share/unshare with the host (beyond the file's summary).
        Row(section: "S5", operation: .guestMemShare(Fixture.protectedVCPU, ipa: g << 12), cpu: 1, result: ok, state: s5shared),
        Row(section: "S5", operation: .guestMemShare(Fixture.protectedVCPU, ipa: g << 12), cpu: 1, result: eperm, state: s5shared),
        Row(section: "S5", operation: .hostDonateGuest(pfn: p, gfn: g), cpu: 1, result: eperm, state: s5shared),
        Row(section: "S5", operation: .hostDonateGuest(pfn: p, gfn: g + 1), cpu: 1, result: eperm, state: s5shared),
        Row(section: "S5", operation: .hostShareGuest(pfn: p, gfn: g, pages: 1, prot: rwx), cpu: 0, result: eperm, state: s5shared),
        Row(section: "S5", operation: .hostShareFFA(pfn: p, pages: 1), cpu: 0, result: eperm, state: s5shared),
        Row(section: "S5", operation: .hostDonateHyp(pfn: p, pages: 1), cpu: 0, result: eperm, state: s5shared),
        Row(section: "S5", operation: .hostShareHyp(pfn: p), cpu: 0, result: eperm, state: s5shared),
        Row(section: "S5", operation: .hostUnshareHyp(pfn: p), cpu: 0, result: eperm, state: s5shared),
        Row(section: "S5", operation: .hypDonateHost(pfn: p, pages: 1), cpu: 0, result: eperm, state: s5shared),
        Row(section: "S5", operation: .guestMemUnshare(Fixture.protectedVCPU, ipa: g << 12), cpu: 1, result: ok, state: s5),
        Row(section: "S5", operation: .guestMemUnshare(Fixture.protectedVCPU, ipa: g << 12), cpu: 1, result: eperm, state: s5),
        // guest relinquish_to_host -> 0 (host OWNED, returns phys).
        Row(section: "S5", operation: .guestMemRelinquish(Fixture.protectedVCPU, ipa: g << 12), cpu: 1,
            result: .hypercall(.success(p << 12)), state: s1),
        // Reclaim after teardown (the self-test's __pkvm_host_reclaim_page_guest).
        Row(section: "S5", operation: .hostDonateGuest(pfn: p, gfn: g + 1), cpu: 1, result: ok, state: s5second),
        Row(section: "S5", operation: .vcpuPut, cpu: 1, result: ok, state: s5second),
        Row(section: "S5", operation: .teardownVM(vm: pvm), cpu: 1, result: ok, state: s5second),
        Row(section: "S5", operation: .hostReclaimPage(vm: pvm, gfn: g + 1), cpu: 0, result: ok, state: s1),
        Row(section: "S5", operation: .hostReclaimPage(vm: pvm, gfn: g + 1), cpu: 0, result: enoent, state: s1),
        // Back to the hypervisor, where the self-test ends.
        Row(section: "S0", operation: .hostDonateHyp(pfn: p, pages: 1), cpu: 0, result: ok, state: s0),
    ]

    func observedState(_ spec: Spec) -> State {
        let state = spec.abstractState
        let page = state.pages[Int(Self.pfn)]
        func guest(_ vm: VMID, _ gfn: UInt64) -> PageState {
            guard let mapping = state.translate(vm: vm, gfn: gfn), mapping.pfn == Self.pfn else { return .noPage }
            return mapping.state
        }
        return State(
            host: page.host, hyp: page.hyp,
            np: [guest(Self.np, Self.gfn), guest(Self.np, Self.gfn + 1)],
            pvm: [guest(Self.pvm, Self.gfn), guest(Self.pvm, Self.gfn + 1)],
            shareCount: page.shareGuestCount, pins: page.pinCount)
    }

    func testEveryRowGivesItsResultAndState() throws {
        var fixture = try Fixture()
        XCTAssertEqual(observedState(fixture.spec), Self.s0, "initial state")
        for (index, row) in Self.rows.enumerated() {
            let result = fixture.apply(row.operation, on: row.cpu)
            XCTAssertEqual(result, row.result, "row \(index) [\(row.section)] \(row.operation)")
            XCTAssertEqual(observedState(fixture.spec), row.state, "row \(index) [\(row.section)] \(row.operation)")
            fixture.assertSound()
        }
    }

    /// Every state line of pkvm-transitions.md has rows in the table.
    func testTableCoversEveryStateOfTheTransitionsFile() throws {
        let text = try sharedFile("kvm/pkvm-transitions.md")
        let sections = text.split(separator: "\n").compactMap { line -> String? in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("S"), let space = trimmed.firstIndex(of: " ") else { return nil }
            let label = String(trimmed[..<space])
            return label.dropFirst().allSatisfy(\.isNumber) && label.count > 1 ? label : nil
        }
        XCTAssertEqual(Set(sections), ["S0", "S1", "S2", "S3", "S4", "S5"], "state lines in the file")
        let covered = Set(Self.rows.map(\.section))
        for section in sections { XCTAssertTrue(covered.contains(section), "\(section) has no rows") }
    }
}
