import Hypervisor
import XCTest

/// The "Other error codes seen" line of ../shared/kvm/pkvm-transitions.md,
/// each produced from the cause Spec models, plus -ERANGE and -EOPNOTSUPP.
/// Every case starts from a fresh `Fixture` (memory: 2048 pages; vm0
/// non-protected on CPU 0, vm1 protected on CPU 1; 3 levels, so gfns below
/// 2^27).
final class ErrorCodeTests: XCTestCase {
    struct Case {
        var code: Errno
        var cause: String
        /// Events that set the scene, each expected to succeed.
        var setup: [(MachineEvent, UInt32)] = []
        var event: MachineEvent
        var cpu: UInt32
    }

    static let rwx = Prot.rwx.rawValue
    static let np = Fixture.npVM

    static let cases: [Case] = [
        Case(code: .einval, cause: "prot has bits outside RWX (KVM_PGTABLE_PROT_DEVICE)",
             event: .hostShareGuest(pfn: 100, gfn: 10, pages: 1, prot: rwx | 8), cpu: 0),
        Case(code: .einval, cause: "range crosses memory/MMIO (donate)",
             event: .hostDonateHyp(pfn: 2047, pages: 2), cpu: 0),
        Case(code: .einval, cause: "range crosses memory/MMIO (FF-A share)",
             event: .hostShareFFA(pfn: 2047, pages: 2), cpu: 0),
        Case(code: .einval, cause: "share size neither one page nor one 2 MiB block",
             event: .hostShareGuest(pfn: 512, gfn: 512, pages: 2, prot: rwx), cpu: 0),
        Case(code: .einval, cause: "2 MiB share not block-aligned",
             event: .hostShareGuest(pfn: 513, gfn: 512, pages: 512, prot: rwx), cpu: 0),
        Case(code: .einval, cause: "pfn beyond the PA range (pfn_range_is_valid)",
             event: .hostDonateHyp(pfn: 1 << 40, pages: 1), cpu: 0),
        Case(code: .einval, cause: "share to a guest with no vCPU loaded on the CPU",
             event: .hostShareGuest(pfn: 100, gfn: 10, pages: 1, prot: rwx), cpu: 3),
        Case(code: .einval, cause: "share (not donate) to a protected VM",
             event: .hostShareGuest(pfn: 100, gfn: 10, pages: 1, prot: rwx), cpu: 1),
        Case(code: .einval, cause: "donate (not share) to a non-protected VM",
             event: .hostDonateGuest(pfn: 100, gfn: 10), cpu: 0),
        Case(code: .e2big, cause: "not a last-level mapping: unshare one page of a 2 MiB block",
             setup: [(.hostShareGuest(pfn: 512, gfn: 512, pages: 512, prot: rwx), 0)],
             event: .hostUnshareGuest(vm: np, gfn: 515, pages: 1), cpu: 0),
        Case(code: .e2big, cause: "unshare a 2 MiB block where a page is mapped",
             setup: [(.hostShareGuest(pfn: 100, gfn: 1024, pages: 1, prot: rwx), 0)],
             event: .hostUnshareGuest(vm: np, gfn: 1024, pages: 512), cpu: 0),
        Case(code: .enoent, cause: "no valid guest PTE (host unshare)",
             event: .hostUnshareGuest(vm: np, gfn: 77, pages: 1), cpu: 0),
        Case(code: .enoent, cause: "no valid guest PTE (guest MEM_SHARE)",
             event: .guestMemShare(Fixture.protectedVCPU, ipa: 77 << 12), cpu: 1),
        Case(code: .enoent, cause: "no valid guest PTE (reclaim from a dying VM)",
             setup: [(.vcpuPut, 1), (.teardownVM(vm: Fixture.protectedVM), 0)],
             event: .hostReclaimPage(vm: Fixture.protectedVM, gfn: 77), cpu: 0),
        Case(code: .enomem, cause: "vCPU memcache below kvm_mmu_cache_min_pages",
             setup: [(.vcpuLoad(vm: np, vcpu: 1), 2), (.hostTopupMemcache(pfn: 200), 2)],
             event: .hostShareGuest(pfn: 100, gfn: 10, pages: 1, prot: rwx), cpu: 2),
        Case(code: .enomem, cause: "memcache refill cannot take the host's page",
             event: .hostTopupMemcache(pfn: 5), cpu: 0),
        Case(code: .enomem, cause: "VM metadata donation fails (map_donated_memory)",
             event: .initVCPU(vm: np, vcpu: 1, hostVcpuPfn: 100, metadataPfn: 5), cpu: 0),
        Case(code: .ebusy, cause: "unshare from the hypervisor while pinned",
             setup: [(.hostShareHyp(pfn: 300), 0), (.hypPinSharedMem(pfn: 300), 0)],
             event: .hostUnshareHyp(pfn: 300), cpu: 0),
        Case(code: .ebusy, cause: "init_vcpu cannot pin the host's vCPU page",
             event: .initVCPU(vm: np, vcpu: 1, hostVcpuPfn: 300, metadataPfn: 301), cpu: 0),
        Case(code: .erange, cause: "gfn beyond the guest's IPA space",
             event: .hostShareGuest(pfn: 100, gfn: 1 << 27, pages: 1, prot: rwx), cpu: 0),
        Case(code: .eopnotsupp, cause: "MEM_SHARE from a non-protected VM goes to the host",
             event: .guestMemShare(Fixture.npVCPU, ipa: 0), cpu: 0),
    ]

    func testEachCauseGivesItsCode() throws {
        for testCase in Self.cases {
            var fixture = try Fixture()
            for (event, cpu) in testCase.setup {
                XCTAssertTrue(fixture.apply(event, on: cpu).isSuccessfulHypercall, "setup \(event) for \(testCase.cause)")
            }
            let before = fixture.spec.abstractState
            XCTAssertEqual(fixture.apply(testCase.event, on: testCase.cpu), .error(testCase.code), testCase.cause)
            // A refused hypercall changes nothing, except that a donated
            // metadata page goes back to the host zeroed and identity-mapped
            // (unmap_donated_memory + host_stage2_set_owner_locked).
            var after = fixture.spec.abstractState
            if case .initVCPU(_, _, _, let metadata) = testCase.event, metadata < 2048 {
                let page = Int(metadata)
                after.contents.replaceSubrange(page * 4..<(page + 1) * 4, with: before.words(ofPage: page))
                after.pages[page].hostMapped = before.pages[page].hostMapped
            }
            XCTAssertEqual(after.differences(from: before), [], "refused \(testCase.event) (\(testCase.cause))")
            fixture.assertSound()
        }
    }

    /// -EAGAIN: the fault was already handled (a racing fault).
    func testRepeatedHostFaultIsSpurious() throws {
        var fixture = try Fixture()
        XCTAssertEqual(fixture.apply(.hostStage2Fault(address: 400 << 12, write: false)), .fault(.mapped))
        XCTAssertEqual(fixture.apply(.hostStage2Fault(address: 400 << 12, write: true)), .fault(.spurious))
        XCTAssertEqual(fixture.apply(.hostStage2Fault(address: 5 << 12, write: false)), .fault(.injected))
    }

    /// Every code on the file's "Other error codes" line has a case above.
    func testTableCoversTheFilesOtherErrorCodes() throws {
        let text = try sharedFile("kvm/pkvm-transitions.md")
        guard let start = text.range(of: "Other error codes") else { return XCTFail("no 'Other error codes' line") }
        let tail = text[start.lowerBound...]
        var codes = Set<String>()
        var scanner = tail.startIndex
        while let match = tail[scanner...].range(of: "-E[A-Z0-9]+", options: .regularExpression) {
            codes.insert(String(tail[match]))
            scanner = match.upperBound
        }
        XCTAssertEqual(codes, ["-EINVAL", "-E2BIG", "-ENOENT", "-EAGAIN", "-ENOMEM", "-EBUSY"])
        // -EAGAIN is the fault resolution of testRepeatedHostFaultIsSpurious.
        let covered = Set(Self.cases.map(\.code.description)).union(["-EAGAIN"])
        for code in codes { XCTAssertTrue(covered.contains(code), "\(code) has no case") }
    }

    /// Freed stage-2 tables go to the VM's pool and are reused before the
    /// memcache (guest_s2_zalloc_page), so memcache use matches pKVM's.
    func testTablePagesComeFromPoolBeforeMemcache() throws {
        var fixture = try Fixture()
        let vcpu = Fixture.npVCPU
        XCTAssertEqual(fixture.spec.memcachePages(of: vcpu), 4)
        XCTAssertEqual(fixture.apply(.hostShareGuest(pfn: 100, gfn: 10, pages: 1, prot: Self.rwx)), .ok)
        // Level-2 and level-3 tables: two pages from the memcache.
        XCTAssertEqual(fixture.spec.memcachePages(of: vcpu), 2)
        XCTAssertEqual(fixture.spec.abstractState.vms[0].tablePages, 2)
        XCTAssertEqual(fixture.apply(.hostShareGuest(pfn: 101, gfn: 11, pages: 1, prot: Self.rwx)), .ok)
        XCTAssertEqual(fixture.spec.memcachePages(of: vcpu), 2, "same tables")
        XCTAssertEqual(fixture.apply(.hostUnshareGuest(vm: Self.np, gfn: 10, pages: 1)), .ok)
        XCTAssertEqual(fixture.apply(.hostUnshareGuest(vm: Self.np, gfn: 11, pages: 1)), .ok)
        XCTAssertEqual(fixture.spec.abstractState.vms[0].tablePages, 0)
        XCTAssertEqual(fixture.spec.abstractState.vms[0].poolPages, 2)
        XCTAssertEqual(fixture.apply(.hostShareGuest(pfn: 100, gfn: 1 << 20, pages: 1, prot: Self.rwx)), .ok)
        XCTAssertEqual(fixture.spec.memcachePages(of: vcpu), 2, "tables came from the pool")
        XCTAssertEqual(fixture.spec.abstractState.vms[0].poolPages, 0)
        fixture.assertSound()
    }
}

extension Outcome {
    var isSuccessfulHypercall: Bool {
        if case .hypercall(.success) = self { return true }
        return false
    }
}
