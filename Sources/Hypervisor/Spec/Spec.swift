/// The atomic reference hypervisor: pKVM's ownership, sharing and stage-2
/// semantics as a sequential state machine. Every event takes effect at
/// once, in the order applied. It is the executable definition of what is
/// legal: each hypercall returns the code pKVM's `mem_protect.c` / `pkvm.c`
/// return for the same state and arguments, checked in the same order.
///
/// A value type: copying a `Spec` is cheap (copy-on-write storage), so a
/// replayer can fork it to explore orders of concurrent events.
///
/// Where Spec deliberately differs from pKVM (pKVM silently ignores a bad
/// vCPU load, would BUG on a pin underflow, has no host path to
/// `__pkvm_hyp_donate_host`) the operation's documentation says so.
public struct Spec: Sendable {
    public let config: MachineConfig

    var pages: [PageRecord]
    /// Page contents: `words[pfn * wordsPerPage + word]`.
    var words: [UInt64]
    var vms: [VMRecord]
    /// Per CPU: the loaded vCPU as (vm << 32 | vcpu), or -1.
    var loaded: [Int64]
    /// Per CPU: pending physical SGIs 0-15.
    var pendingIPIs: [UInt16]

    let memoryPages: UInt64
    let addressSpacePages: UInt64
    let wordsPerPage: Int
    /// pKVM's `kvm_mmu_cache_min_pages`: levels - 1.
    let memcacheMinPages: Int

    public init(config: MachineConfig) throws(ConfigError) {
        try config.validate()
        self.config = config
        memoryPages = UInt64(config.physicalPages)
        addressSpacePages = config.addressSpacePages
        wordsPerPage = config.wordsPerPage
        memcacheMinPages = config.pageTableLevels - 1
        let hostPage = PageRecord(owner: PageRecord.ownerHost, host: .owned, hyp: .noPage)
        let hypPage = PageRecord(owner: PageRecord.ownerHyp, host: .noPage, hyp: .owned)
        pages = Array(repeating: hostPage, count: config.physicalPages)
        for page in 0..<config.reservedHypPages { pages[page] = hypPage }
        words = Array(repeating: 0, count: config.physicalPages * config.wordsPerPage)
        vms = config.vms.map { VMRecord(config: $0, levels: config.pageTableLevels) }
        loaded = Array(repeating: -1, count: config.cpus)
        pendingIPIs = Array(repeating: 0, count: config.cpus)
    }

    /// Applies one event on physical CPU `cpu` and returns what it did.
    public mutating func apply(_ event: MachineEvent, on cpu: UInt32) -> Outcome {
        guard Int(cpu) < loaded.count else { return .invalid(.noSuchCPU(cpu)) }
        let cpu = Int(cpu)
        switch event {
        case .guestAccess(let ref, let access):
            return guestAccess(cpu: cpu, ref, access)
        case .hostAccess(let access):
            return hostAccess(access)
        case .hostShareHyp(let pfn):
            return .hypercall(hostShareHyp(pfn: pfn))
        case .hostUnshareHyp(let pfn):
            return .hypercall(hostUnshareHyp(pfn: pfn))
        case .hostDonateHyp(let pfn, let count):
            return .hypercall(hostDonateHyp(pfn: pfn, pages: count))
        case .hypDonateHost(let pfn, let count):
            return .hypercall(hypDonateHost(pfn: pfn, pages: count))
        case .hostShareFFA(let pfn, let count):
            return .hypercall(hostShareFFA(pfn: pfn, pages: count))
        case .hostUnshareFFA(let pfn, let count):
            return .hypercall(hostUnshareFFA(pfn: pfn, pages: count))
        case .hypPinSharedMem(let pfn):
            return .hypercall(hypPinSharedMem(pfn: pfn))
        case .hypUnpinSharedMem(let pfn):
            return .hypercall(hypUnpinSharedMem(pfn: pfn))
        case let .hostShareGuest(pfn, gfn, count, prot):
            return .hypercall(hostShareGuest(cpu: cpu, pfn: pfn, gfn: gfn, pages: count, prot: prot))
        case let .hostUnshareGuest(vm, gfn, count):
            return .hypercall(hostUnshareGuest(vm: vm, gfn: gfn, pages: count))
        case let .hostDonateGuest(pfn, gfn):
            return .hypercall(hostDonateGuest(cpu: cpu, pfn: pfn, gfn: gfn))
        case let .hostReclaimPage(vm, gfn):
            return .hypercall(hostReclaimPage(vm: vm, gfn: gfn))
        case .hostTopupMemcache(let pfn):
            return .hypercall(hostTopupMemcache(cpu: cpu, pfn: pfn))
        case let .initVM(vm, kvmPfn, metadataPfn, pgdPfn):
            return .hypercall(initVM(vm: vm, kvmPfn: kvmPfn, metadataPfn: metadataPfn, pgdPfn: pgdPfn))
        case let .initVCPU(vm, vcpu, hostVcpuPfn, metadataPfn):
            return .hypercall(initVCPU(vm: vm, vcpu: vcpu, hostVcpuPfn: hostVcpuPfn, metadataPfn: metadataPfn))
        case .teardownVM(let vm):
            return .hypercall(teardownVM(vm: vm))
        case let .vcpuLoad(vm, vcpu):
            return .hypercall(vcpuLoad(cpu: cpu, vm: vm, vcpu: vcpu))
        case .vcpuPut:
            return .hypercall(vcpuPut(cpu: cpu))
        case .vcpuRun:
            return .hypercall(vcpuRun(cpu: cpu))
        case let .guestMemShare(ref, ipa):
            return guestHypercall(cpu: cpu, ref) { spec, vm in spec.guestMemShare(vm: vm, ipa: ipa) }
        case let .guestMemUnshare(ref, ipa):
            return guestHypercall(cpu: cpu, ref) { spec, vm in spec.guestMemUnshare(vm: vm, ipa: ipa) }
        case let .guestMemRelinquish(ref, ipa):
            return guestHypercall(cpu: cpu, ref) { spec, vm in spec.guestMemRelinquish(vm: vm, ipa: ipa) }
        case let .hostStage2Fault(address, _):
            return hostStage2Fault(address: address)
        case let .guestStage2Fault(ref, ipa, write):
            return guestStage2Fault(cpu: cpu, ref, ipa: ipa, write: write)
        case let .guestSendSGI(ref, target, intid):
            return guestSendSGI(cpu: cpu, ref, target: target, intid: intid)
        case let .guestTakeSGI(ref, intid):
            return guestTakeSGI(cpu: cpu, ref, intid: intid)
        case let .sendIPI(_, target, intid):
            return sendIPI(target: target, intid: intid)
        case .takeIPI(let intid):
            return takeIPI(cpu: cpu, intid: intid)
        }
    }

    // MARK: Shared helpers

    /// The vCPU loaded on `cpu`, as VM and vCPU indices.
    @inline(__always)
    func loadedVCPU(on cpu: Int) -> (vm: Int, vcpu: Int)? {
        let packed = loaded[cpu]
        if packed < 0 { return nil }
        return (Int(packed >> 32), Int(packed & 0xFFFF_FFFF))
    }

    /// The VM index for a guest event's vCPU, if it is the one loaded on `cpu`.
    @inline(__always)
    func checkLoaded(cpu: Int, _ ref: VCPURef) -> Result<Int, InvalidEvent> {
        let packed = loaded[cpu]
        if packed >= 0 && UInt64(packed) == UInt64(ref.vm.rawValue) << 32 | UInt64(ref.vcpu) {
            return .success(Int(ref.vm.rawValue))
        }
        let vm = Int(ref.vm.rawValue)
        guard vm < vms.count, Int(ref.vcpu) < vms[vm].vcpus.count else { return .failure(.noSuchVCPU(ref)) }
        return .failure(.vcpuNotLoaded(ref, cpu: UInt32(cpu)))
    }

    private mutating func guestHypercall(
        cpu: Int, _ ref: VCPURef, _ body: (inout Spec, Int) -> HypercallResult
    ) -> Outcome {
        switch checkLoaded(cpu: cpu, ref) {
        case .failure(let why): return .invalid(why)
        case .success(let vm): return .hypercall(body(&self, vm))
        }
    }

    /// A VM index for a hypercall's handle, if the VM is in the hypervisor's
    /// VM table (initialised, possibly dying): pKVM's `get_vm_by_handle`.
    func vmInTable(_ vm: VMID) -> Int? {
        let index = Int(vm.rawValue)
        guard index < vms.count, vms[index].status != .uninitialised else { return nil }
        return index
    }

    /// Zeroes a page's modelled content (pKVM's `hyp_poison_page` and the
    /// memsets on donated metadata).
    mutating func scrub(page: Int) {
        let base = page * wordsPerPage
        for word in base..<(base + wordsPerPage) { words[word] = 0 }
    }

    /// The limit of the stage-2 input address space in bytes (BIT(ia_bits)).
    var addressLimit: UInt64 { addressSpacePages << MachineConfig.pageShift }
}
