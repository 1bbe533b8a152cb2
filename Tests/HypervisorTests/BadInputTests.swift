import Hypervisor
import XCTest

/// Hostile values: page numbers outside memory or the address space, unknown
/// VM handles, vCPUs that do not exist, CPUs that do not exist, malformed
/// accesses. Each gets pKVM's error code (or, for events the hardware could
/// not produce, an `.invalid` outcome), never a crash, and changes nothing.
final class BadInputTests: XCTestCase {
    static let memory: UInt64 = 2048
    static let rwx = Prot.rwx.rawValue
    static let unknownVM = VMID(99)
    static let cpu0: UInt32 = 0

    struct Case {
        var name: String
        var event: MachineEvent
        var cpu: UInt32 = 0
        var outcome: Outcome
    }

    static let cases: [Case] = [
        // Page numbers.
        Case(name: "share_hyp: first page after memory (MMIO)", event: .hostShareHyp(pfn: memory), outcome: .error(.eperm)),
        Case(name: "share_hyp: last page of the 64-bit space (range wraps)",
             event: .hostShareHyp(pfn: UInt64.max >> 12), outcome: .error(.einval)),
        Case(name: "donate_hyp: beyond the PA range", event: .hostDonateHyp(pfn: 1 << 27, pages: 1), outcome: .error(.einval)),
        Case(name: "donate_hyp: overflowing page count", event: .hostDonateHyp(pfn: 100, pages: UInt64.max), outcome: .error(.einval)),
        Case(name: "donate_hyp: MMIO page", event: .hostDonateHyp(pfn: memory + 5, pages: 1), outcome: .error(.eperm)),
        Case(name: "hyp_donate_host: MMIO page", event: .hypDonateHost(pfn: memory, pages: 1), outcome: .error(.eperm)),
        Case(name: "hyp_donate_host: huge count reaching a non-hyp page", event: .hypDonateHost(pfn: 0, pages: 1 << 27), outcome: .error(.eperm)),
        Case(name: "share_ffa: pfn UInt64.max", event: .hostShareFFA(pfn: .max, pages: 1), outcome: .error(.einval)),
        Case(name: "unshare_ffa: MMIO", event: .hostUnshareFFA(pfn: memory, pages: 1), outcome: .error(.eperm)),
        Case(name: "pin: MMIO", event: .hypPinSharedMem(pfn: memory), outcome: .error(.eperm)),
        Case(name: "unpin: MMIO", event: .hypUnpinSharedMem(pfn: memory), outcome: .error(.einval)),
        Case(name: "unpin: never pinned", event: .hypUnpinSharedMem(pfn: 100), outcome: .error(.einval)),
        Case(name: "share_guest: MMIO page", event: .hostShareGuest(pfn: memory, gfn: 1, pages: 1, prot: rwx), outcome: .error(.eperm)),
        Case(name: "share_guest: pfn UInt64.max", event: .hostShareGuest(pfn: .max, gfn: 1, pages: 1, prot: rwx), outcome: .error(.einval)),
        Case(name: "share_guest: gfn UInt64.max", event: .hostShareGuest(pfn: 100, gfn: .max, pages: 1, prot: rwx), outcome: .error(.erange)),
        Case(name: "share_guest: zero pages", event: .hostShareGuest(pfn: 100, gfn: 1, pages: 0, prot: rwx), outcome: .error(.einval)),
        Case(name: "donate_guest: MMIO page", event: .hostDonateGuest(pfn: memory, gfn: 1), cpu: 1, outcome: .error(.eperm)),
        Case(name: "donate_guest: gfn beyond IPA space", event: .hostDonateGuest(pfn: 100, gfn: 1 << 27), cpu: 1, outcome: .error(.erange)),
        Case(name: "topup: MMIO page", event: .hostTopupMemcache(pfn: memory), outcome: .error(.enomem)),
        // Unknown VM handles.
        Case(name: "unshare_guest: unknown VM", event: .hostUnshareGuest(vm: unknownVM, gfn: 1, pages: 1), outcome: .error(.einval)),
        Case(name: "unshare_guest: protected VM", event: .hostUnshareGuest(vm: Fixture.protectedVM, gfn: 1, pages: 1), outcome: .error(.einval)),
        Case(name: "reclaim: unknown VM", event: .hostReclaimPage(vm: unknownVM, gfn: 1), outcome: .error(.einval)),
        Case(name: "reclaim: VM not dying", event: .hostReclaimPage(vm: Fixture.npVM, gfn: 1), outcome: .error(.einval)),
        Case(name: "teardown: unknown VM", event: .teardownVM(vm: unknownVM), outcome: .error(.einval)),
        Case(name: "teardown: vCPU still loaded", event: .teardownVM(vm: Fixture.npVM), outcome: .error(.einval)),
        Case(name: "init_vm: unknown VM", event: .initVM(vm: unknownVM, kvmPfn: 16, metadataPfn: 100, pgdPfn: 101), outcome: .error(.einval)),
        Case(name: "init_vm: kvm page not shared", event: .initVM(vm: unknownVM, kvmPfn: 100, metadataPfn: 101, pgdPfn: 102), outcome: .error(.eperm)),
        Case(name: "init_vcpu: unknown VM", event: .initVCPU(vm: unknownVM, vcpu: 0, hostVcpuPfn: 18, metadataPfn: 100), outcome: .error(.enoent)),
        Case(name: "vcpu_load: unknown VM", event: .vcpuLoad(vm: unknownVM, vcpu: 0), cpu: 2, outcome: .error(.enoent)),
        // vCPUs that do not exist.
        Case(name: "init_vcpu: index beyond the VM's vCPUs", event: .initVCPU(vm: Fixture.npVM, vcpu: 2, hostVcpuPfn: 19, metadataPfn: 100), outcome: .error(.einval)),
        Case(name: "vcpu_load: index beyond the VM's vCPUs", event: .vcpuLoad(vm: Fixture.npVM, vcpu: 7), cpu: 2, outcome: .error(.einval)),
        Case(name: "vcpu_load: already loaded elsewhere", event: .vcpuLoad(vm: Fixture.npVM, vcpu: 0), cpu: 2, outcome: .error(.ebusy)),
        Case(name: "vcpu_load: CPU already busy", event: .vcpuLoad(vm: Fixture.npVM, vcpu: 1), cpu: 0, outcome: .error(.ebusy)),
        Case(name: "vcpu_put: nothing loaded", event: .vcpuPut, cpu: 2, outcome: .error(.einval)),
        Case(name: "vcpu_run: nothing loaded", event: .vcpuRun, cpu: 2, outcome: .error(.einval)),
        Case(name: "guest access from a vCPU that does not exist",
             event: .guestAccess(VCPURef(vm: Fixture.npVM, vcpu: 7), .read(0)), outcome: .invalid(.noSuchVCPU(VCPURef(vm: Fixture.npVM, vcpu: 7)))),
        Case(name: "guest access from an unknown VM",
             event: .guestAccess(VCPURef(vm: unknownVM, vcpu: 0), .read(0)), outcome: .invalid(.noSuchVCPU(VCPURef(vm: unknownVM, vcpu: 0)))),
        Case(name: "guest hypercall from a vCPU not loaded on the CPU",
             event: .guestMemShare(Fixture.protectedVCPU, ipa: 0), cpu: 0,
             outcome: .invalid(.vcpuNotLoaded(Fixture.protectedVCPU, cpu: 0))),
        Case(name: "SGI from a vCPU not loaded", event: .guestSendSGI(Fixture.npVCPU, targetVCPU: 1, intid: 1), cpu: 3,
             outcome: .invalid(.vcpuNotLoaded(Fixture.npVCPU, cpu: 3))),
        // CPUs that do not exist.
        Case(name: "hypercall on CPU 4 of 4", event: .hostShareHyp(pfn: 100), cpu: 4, outcome: .invalid(.noSuchCPU(4))),
        Case(name: "hypercall on CPU UInt32.max", event: .vcpuRun, cpu: .max, outcome: .invalid(.noSuchCPU(.max))),
        Case(name: "IPI to CPU 9", event: .sendIPI(from: .host, targetCPU: 9, intid: 1), outcome: .invalid(.noSuchCPU(9))),
        // Malformed accesses, faults and interrupts.
        Case(name: "host access width 3", event: .hostAccess(MemoryAccess(address: 100 << 12, width: 3, isWrite: false)),
             outcome: .invalid(.badAccessWidth(3))),
        Case(name: "host access misaligned", event: .hostAccess(.read(100 << 12 | 4, width: 8)),
             outcome: .invalid(.misalignedAccess(address: 100 << 12 | 4, width: 8))),
        Case(name: "host access beyond the modelled words", event: .hostAccess(.read(100 << 12 | 0x800)),
             outcome: .invalid(.unmodelledAddress(100 << 12 | 0x800))),
        Case(name: "host access to MMIO", event: .hostAccess(.read(memory << 12)), outcome: .invalid(.unmodelledAddress(memory << 12))),
        Case(name: "host access beyond the address space", event: .hostAccess(.read(.max & ~7)),
             outcome: .invalid(.addressOutsideAddressSpace(.max & ~7))),
        Case(name: "host fault beyond the address space", event: .hostStage2Fault(address: 1 << 39, write: false),
             outcome: .invalid(.addressOutsideAddressSpace(1 << 39))),
        Case(name: "guest access beyond its IPA space faults", event: .guestAccess(Fixture.npVCPU, .read(1 << 45)),
             outcome: .access(.fault)),
        Case(name: "SGI number 16", event: .guestSendSGI(Fixture.npVCPU, targetVCPU: 1, intid: 16), outcome: .invalid(.badInterruptID(16))),
        Case(name: "physical IPI number 99", event: .takeIPI(intid: 99), outcome: .invalid(.badInterruptID(99))),
    ]

    func testHostileArgumentsGetTheirErrorAndChangeNothing() throws {
        let fixture = try Fixture()
        for testCase in Self.cases {
            var spec = fixture.spec
            let before = spec.abstractState
            XCTAssertEqual(spec.apply(testCase.event, on: testCase.cpu), testCase.outcome, testCase.name)
            var after = spec.abstractState
            // init_vcpu gives its donated metadata page back zeroed and mapped.
            if case .initVCPU(_, _, _, let metadata) = testCase.event, metadata < Self.memory {
                after.pages[Int(metadata)].hostMapped = before.pages[Int(metadata)].hostMapped
            }
            XCTAssertEqual(after.differences(from: before), [], testCase.name)
            XCTAssertEqual(spec.invariantViolations(), [], testCase.name)
        }
    }

    /// pKVM shifts pfns into addresses with wrapping arithmetic
    /// (hyp_pfn_to_phys), so a pfn with bit 52 set names page pfn mod 2^52
    /// for the calls that do not check pfn_range_is_valid first. Spec does
    /// the same arithmetic.
    func testWrappingPfnAliasesALowPage() throws {
        var fixture = try Fixture()
        XCTAssertEqual(fixture.apply(.hostShareHyp(pfn: 1 << 52 | 100)), .ok)
        XCTAssertEqual(fixture.spec.pageView(100)?.hyp, .sharedBorrowed)
        XCTAssertEqual(fixture.apply(.hostDonateHyp(pfn: 1 << 52 | 101, pages: 1)), .error(.einval), "range-checked")
    }

    func testConfigurationsOutOfRangeAreRejectedWithTheirField() {
        let good = Fixture.config
        var cases: [(String, MachineConfig)] = []
        var config = good
        config.cpus = 0
        cases.append(("cpus", config))
        config = good
        config.pageTableLevels = 5
        cases.append(("page_table_levels", config))
        config = good
        config.physicalPages = 0
        cases.append(("physical_pages", config))
        config = good
        config.pageTableLevels = 2
        config.physicalPages = 1 << 19
        cases.append(("physical_pages", config))
        config = good
        config.wordsPerPage = 0
        cases.append(("words_per_page", config))
        config = good
        config.reservedHypPages = 5000
        cases.append(("reserved_hyp_pages", config))
        config = good
        config.vms = [VMConfig(vcpus: 0, isProtected: false)]
        cases.append(("vms[0].vcpus", config))
        config = good
        config.vms = Array(repeating: VMConfig(vcpus: 1, isProtected: true), count: 256)
        cases.append(("vms", config))
        for (field, config) in cases {
            XCTAssertThrowsError(try Spec(config: config), field) { error in
                XCTAssertTrue("\(error)".contains(field), "\(error) should name \(field)")
            }
        }
        XCTAssertNoThrow(try Spec(config: good))
    }
}
