import Hypervisor
import XCTest

/// Memory accesses, stage-2 faults, lifecycle and IPIs, one behaviour each.
final class BehaviourTests: XCTestCase {
    static let rwx = Prot.rwx.rawValue

    func testHostAccessIsLazilyMappedAndRefusedOnOthersPages() throws {
        var fixture = try Fixture()
        XCTAssertEqual(fixture.spec.pageView(100)?.hostMapped, false)
        XCTAssertEqual(fixture.apply(.hostAccess(.write(100 << 12 | 8, 0x1122_3344_5566_7788))), .access(.written))
        XCTAssertEqual(fixture.spec.pageView(100)?.hostMapped, true, "the access implies the mapping fault")
        XCTAssertEqual(fixture.apply(.hostAccess(.read(100 << 12 | 8))), .access(.read(0x1122_3344_5566_7788)))
        // Narrow accesses are little-endian within the word.
        XCTAssertEqual(fixture.apply(.hostAccess(.read(100 << 12 | 8, width: 4))), .access(.read(0x5566_7788)))
        XCTAssertEqual(fixture.apply(.hostAccess(.read(100 << 12 | 14, width: 2))), .access(.read(0x1122)))
        XCTAssertEqual(fixture.apply(.hostAccess(.write(100 << 12 | 9, 0xAB, width: 1))), .access(.written))
        XCTAssertEqual(fixture.apply(.hostAccess(.read(100 << 12 | 8))), .access(.read(0x1122_3344_5566_AB88)))
        // Hypervisor memory.
        XCTAssertEqual(fixture.apply(.hostAccess(.read(5 << 12))), .access(.fault))
        XCTAssertEqual(fixture.apply(.hostStage2Fault(address: 5 << 12, write: false)), .fault(.injected))
        XCTAssertFalse(fixture.spec.canAccess(.host, page: 5, write: false))
        XCTAssertTrue(fixture.spec.canAccess(.hypervisor, page: 5, write: true))
    }

    func testGuestAccessFollowsItsStage2AndPermissions() throws {
        var fixture = try Fixture()
        let vcpu = Fixture.npVCPU
        XCTAssertEqual(fixture.apply(.guestAccess(vcpu, .read(10 << 12))), .access(.fault))
        XCTAssertEqual(fixture.apply(.guestStage2Fault(vcpu, ipa: 10 << 12, write: false)), .fault(.exitToHost))
        XCTAssertEqual(fixture.apply(.hostAccess(.write(100 << 12, 42))), .access(.written))
        XCTAssertEqual(fixture.apply(.hostShareGuest(pfn: 100, gfn: 10, pages: 1, prot: Prot.r.rawValue)), .ok)
        XCTAssertEqual(fixture.apply(.guestAccess(vcpu, .read(10 << 12))), .access(.read(42)))
        XCTAssertEqual(fixture.apply(.guestAccess(vcpu, .write(10 << 12, 1))), .access(.fault), "read-only share")
        XCTAssertEqual(fixture.apply(.guestStage2Fault(vcpu, ipa: 10 << 12, write: false)), .fault(.spurious))
        XCTAssertEqual(fixture.apply(.guestStage2Fault(vcpu, ipa: 10 << 12, write: true)), .fault(.exitToHost))
        XCTAssertTrue(fixture.spec.canAccess(.guest(Fixture.npVM), page: 100, write: false))
        XCTAssertFalse(fixture.spec.canAccess(.guest(Fixture.npVM), page: 100, write: true))
        XCTAssertFalse(fixture.spec.canAccess(.guest(Fixture.protectedVM), page: 100, write: false))
        fixture.assertSound()
    }

    func testBlockShareMapsEveryPageOfTheBlock() throws {
        var fixture = try Fixture()
        XCTAssertEqual(fixture.apply(.hostShareGuest(pfn: 1024, gfn: 2048, pages: 512, prot: Self.rwx)), .ok)
        XCTAssertEqual(fixture.apply(.guestAccess(Fixture.npVCPU, .write((2048 + 7) << 12, 77))), .access(.written))
        XCTAssertEqual(fixture.apply(.hostAccess(.read((1024 + 7) << 12))), .access(.read(77)))
        XCTAssertEqual(fixture.spec.pageView(1030)?.shareGuestCount, 1)
        XCTAssertEqual(fixture.spec.translate(vm: Fixture.npVM, gfn: 2048 + 300)?.pages, 512)
        XCTAssertEqual(fixture.apply(.hostShareGuest(pfn: 1030, gfn: 9, pages: 1, prot: Self.rwx)), .ok,
                       "a page of a shared block can be shared again (count 2)")
        XCTAssertEqual(fixture.spec.pageView(1030)?.shareGuestCount, 2)
        fixture.assertSound()
        XCTAssertEqual(fixture.apply(.hostUnshareGuest(vm: Fixture.npVM, gfn: 2048, pages: 512)), .ok)
        XCTAssertEqual(fixture.spec.pageView(1031)?.host, .owned)
        XCTAssertEqual(fixture.spec.pageView(1030)?.host, .sharedOwned)
        fixture.assertSound()
    }

    /// Scrubbing: a protected guest's data never reaches the host.
    func testReclaimAndRelinquishReturnPagesZeroed() throws {
        var fixture = try Fixture()
        let vcpu = Fixture.protectedVCPU
        for (pfn, gfn) in [(UInt64(200), UInt64(1)), (201, 2), (202, 3)] {
            XCTAssertEqual(fixture.apply(.hostDonateGuest(pfn: pfn, gfn: gfn), on: 1), .ok)
            XCTAssertEqual(fixture.apply(.guestAccess(vcpu, .write(gfn << 12, 0x5EC2E7)), on: 1), .access(.written))
            XCTAssertEqual(fixture.apply(.hostAccess(.read(pfn << 12))), .access(.fault))
        }
        // Shared with the host on purpose: visible, and not scrubbed on reclaim.
        XCTAssertEqual(fixture.apply(.guestMemShare(vcpu, ipa: 3 << 12), on: 1), .ok)
        XCTAssertEqual(fixture.apply(.hostAccess(.read(202 << 12))), .access(.read(0x5EC2E7)))
        XCTAssertEqual(fixture.apply(.guestMemRelinquish(vcpu, ipa: 1 << 12), on: 1), .hypercall(.success(200 << 12)))
        XCTAssertEqual(fixture.apply(.hostAccess(.read(200 << 12))), .access(.read(0)))
        XCTAssertEqual(fixture.apply(.guestMemRelinquish(vcpu, ipa: 1 << 12), on: 1), .ok, "nothing mapped any more")
        XCTAssertEqual(fixture.apply(.vcpuPut, on: 1), .ok)
        XCTAssertEqual(fixture.apply(.teardownVM(vm: Fixture.protectedVM)), .ok)
        XCTAssertEqual(fixture.apply(.teardownVM(vm: Fixture.protectedVM)), .error(.einval), "already dying")
        XCTAssertEqual(fixture.apply(.vcpuLoad(vm: Fixture.protectedVM, vcpu: 0), on: 1), .error(.einval), "dying")
        XCTAssertEqual(fixture.apply(.hostReclaimPage(vm: Fixture.protectedVM, gfn: 2)), .ok)
        XCTAssertEqual(fixture.apply(.hostAccess(.read(201 << 12))), .access(.read(0)))
        XCTAssertEqual(fixture.apply(.hostReclaimPage(vm: Fixture.protectedVM, gfn: 3)), .ok)
        XCTAssertEqual(fixture.apply(.hostAccess(.read(202 << 12))), .access(.read(0x5EC2E7)))
        XCTAssertEqual(fixture.spec.abstractState.vms[1].mappings, [])
        XCTAssertEqual(fixture.spec.abstractState.vms[1].tablePages, 0)
        fixture.assertSound()
    }

    func testLifecycleRollsBackFailedInitialisation() throws {
        var fixture = try Fixture()
        XCTAssertEqual(fixture.apply(.hostAccess(.write(300 << 12, 9))), .access(.written))
        XCTAssertEqual(fixture.apply(.hostAccess(.write(301 << 12, 9))), .access(.written))
        // vm0 is already initialised: the donations are undone, the pages zeroed.
        XCTAssertEqual(fixture.apply(.hostShareHyp(pfn: 299)), .ok)
        XCTAssertEqual(fixture.apply(.initVM(vm: Fixture.npVM, kvmPfn: 299, metadataPfn: 300, pgdPfn: 301)), .error(.einval))
        XCTAssertEqual(fixture.spec.pageView(300)?.owner, .host)
        XCTAssertEqual(fixture.spec.pageView(299)?.pinCount, 0, "the struct kvm pin is dropped")
        XCTAssertEqual(fixture.apply(.hostAccess(.read(300 << 12))), .access(.read(0)))
        XCTAssertEqual(fixture.apply(.hostAccess(.read(301 << 12))), .access(.read(0)))
        // The same page twice: the second donation fails.
        XCTAssertEqual(fixture.apply(.initVCPU(vm: Fixture.npVM, vcpu: 0, hostVcpuPfn: 19, metadataPfn: 302)),
                       .error(.einval), "vCPU 0 already initialised")
        XCTAssertEqual(fixture.apply(.hostShareHyp(pfn: 303)), .ok)
        XCTAssertEqual(fixture.apply(.initVM(vm: VMID(0), kvmPfn: 303, metadataPfn: 304, pgdPfn: 304)), .error(.enomem))
        // Hypervisor state cannot be handed back to the host.
        XCTAssertEqual(fixture.apply(.hypDonateHost(pfn: 17, pages: 1)), .error(.ebusy), "vm0 metadata")
        fixture.assertSound()
    }

    func testInterrupts() throws {
        var fixture = try Fixture()
        let vcpu = Fixture.npVCPU
        XCTAssertEqual(fixture.apply(.guestSendSGI(vcpu, targetVCPU: 1, intid: 3)), .ipi(.pending))
        XCTAssertEqual(fixture.apply(.guestSendSGI(vcpu, targetVCPU: 5, intid: 3)), .ipi(.dropped))
        XCTAssertEqual(fixture.apply(.vcpuLoad(vm: Fixture.npVM, vcpu: 1), on: 2), .ok)
        let other = VCPURef(vm: Fixture.npVM, vcpu: 1)
        XCTAssertEqual(fixture.apply(.guestTakeSGI(other, intid: 4), on: 2), .ipi(.spurious))
        XCTAssertEqual(fixture.apply(.guestTakeSGI(other, intid: 3), on: 2), .ipi(.taken))
        XCTAssertEqual(fixture.apply(.guestTakeSGI(other, intid: 3), on: 2), .ipi(.spurious))
        XCTAssertEqual(fixture.apply(.sendIPI(from: .hypervisor, targetCPU: 3, intid: 0)), .ipi(.pending))
        XCTAssertEqual(fixture.spec.abstractState.pendingIPIs[3], 1)
        XCTAssertEqual(fixture.apply(.takeIPI(intid: 0), on: 2), .ipi(.spurious))
        XCTAssertEqual(fixture.apply(.takeIPI(intid: 0), on: 3), .ipi(.taken))
        fixture.assertSound()
    }

    /// A Spec is a value: a copy evolves on its own, and equal histories give
    /// equal states.
    func testCopiesAreIndependentAndDeterministic() throws {
        let fixture = try Fixture()
        var first = fixture.spec
        var second = fixture.spec
        _ = first.apply(.hostShareGuest(pfn: 100, gfn: 10, pages: 1, prot: Self.rwx), on: 0)
        XCTAssertNotEqual(first.abstractState, fixture.spec.abstractState)
        XCTAssertEqual(second.abstractState, fixture.spec.abstractState)
        _ = second.apply(.hostShareGuest(pfn: 100, gfn: 10, pages: 1, prot: Self.rwx), on: 0)
        XCTAssertEqual(first.abstractState, second.abstractState)
    }
}
