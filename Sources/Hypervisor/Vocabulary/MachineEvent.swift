/// One event, as Spec (and later the implementation) consumes it. Each is
/// applied on a physical CPU (`Spec.apply(_:on:)`); the replayer maps trace
/// events to these. Arguments that come from a trace are raw 64-bit values:
/// any value is legal input and gets pKVM's answer for it.
///
/// Page numbers: `pfn` is a physical page number, `gfn` a guest page number
/// (IPA >> 12). Both are shifted into addresses with pKVM's wrapping
/// arithmetic (`hyp_pfn_to_phys`).
public enum MachineEvent: Hashable, Sendable {
    // MARK: Host hypercalls (mem_protect.c, pkvm.c, hyp-main.c)

    /// `__pkvm_host_share_hyp(pfn)`.
    case hostShareHyp(pfn: UInt64)
    /// `__pkvm_host_unshare_hyp(pfn)`.
    case hostUnshareHyp(pfn: UInt64)
    /// `__pkvm_host_donate_hyp(pfn, nr_pages)`.
    case hostDonateHyp(pfn: UInt64, pages: UInt64)
    /// `__pkvm_hyp_donate_host(pfn, nr_pages)`: the hypervisor gives pages
    /// back. pKVM only calls it internally; Spec refuses pages that hold
    /// hypervisor state (see `Spec`).
    case hypDonateHost(pfn: UInt64, pages: UInt64)
    /// `__pkvm_host_share_ffa(pfn, nr_pages)`.
    case hostShareFFA(pfn: UInt64, pages: UInt64)
    /// `__pkvm_host_unshare_ffa(pfn, nr_pages)`.
    case hostUnshareFFA(pfn: UInt64, pages: UInt64)
    /// `hyp_pin_shared_mem` on one page.
    case hypPinSharedMem(pfn: UInt64)
    /// `hyp_unpin_shared_mem` on one page.
    case hypUnpinSharedMem(pfn: UInt64)
    /// `__pkvm_host_share_guest(pfn, gfn, nr_pages, prot)` to the vCPU loaded
    /// on this CPU (non-protected VMs). `pages` is 1 or 512 (a 2 MiB block).
    case hostShareGuest(pfn: UInt64, gfn: UInt64, pages: UInt64, prot: UInt64)
    /// `__pkvm_host_unshare_guest(handle, gfn, nr_pages)`.
    case hostUnshareGuest(vm: VMID, gfn: UInt64, pages: UInt64)
    /// `__pkvm_host_donate_guest(pfn, gfn)` to the vCPU loaded on this CPU
    /// (protected VMs).
    case hostDonateGuest(pfn: UInt64, gfn: UInt64)
    /// `__pkvm_reclaim_dying_guest_page(handle, gfn)`: after teardown started.
    case hostReclaimPage(vm: VMID, gfn: UInt64)
    /// The host gives one page to the memcache of the vCPU loaded on this
    /// CPU. pKVM does this inside the share/donate handlers
    /// (`pkvm_refill_memcache`, one `__pkvm_host_donate_hyp` per page); Spec
    /// makes it an event of its own so the page is named.
    case hostTopupMemcache(pfn: UInt64)
    /// `__pkvm_init_vm`: pins the host's `struct kvm` page (shared with the
    /// hypervisor beforehand) and takes the VM metadata page and the stage-2
    /// root (pgd) page by donation. Spec models one page for each.
    case initVM(vm: VMID, kvmPfn: UInt64, metadataPfn: UInt64, pgdPfn: UInt64)
    /// `__pkvm_init_vcpu`: takes the vCPU metadata page by donation and pins
    /// the host's `struct kvm_vcpu` page.
    case initVCPU(vm: VMID, vcpu: UInt32, hostVcpuPfn: UInt64, metadataPfn: UInt64)
    /// `__pkvm_start_teardown_vm(handle)`: the VM becomes dying; its pages are
    /// then reclaimed one by one.
    case teardownVM(vm: VMID)
    /// `__pkvm_vcpu_load(handle, vcpu_idx)` on this CPU.
    case vcpuLoad(vm: VMID, vcpu: UInt32)
    /// `__pkvm_vcpu_put` on this CPU.
    case vcpuPut
    /// `__kvm_vcpu_run` of the vCPU loaded on this CPU.
    case vcpuRun

    // MARK: Guest hypercalls (from the vCPU, which must be loaded on this CPU)

    /// ARM_SMCCC_KVM_FUNC_MEM_SHARE: `__pkvm_guest_share_host`.
    case guestMemShare(VCPURef, ipa: UInt64)
    /// ARM_SMCCC_KVM_FUNC_MEM_UNSHARE: `__pkvm_guest_unshare_host`.
    case guestMemUnshare(VCPURef, ipa: UInt64)
    /// ARM_SMCCC_KVM_FUNC_MEM_RELINQUISH: `__pkvm_guest_relinquish_to_host`;
    /// returns the physical address given back (0 if nothing was mapped).
    case guestMemRelinquish(VCPURef, ipa: UInt64)

    // MARK: Memory accesses and stage-2 faults

    /// The host reads or writes physical memory (host IPA = PA).
    case hostAccess(MemoryAccess)
    /// A guest vCPU reads or writes its IPA space.
    case guestAccess(VCPURef, MemoryAccess)
    /// A host stage-2 fault at a physical address.
    case hostStage2Fault(address: UInt64, write: Bool)
    /// A guest stage-2 fault at an IPA.
    case guestStage2Fault(VCPURef, ipa: UInt64, write: Bool)

    // MARK: IPIs

    /// A guest writes ICC_SGI1R_EL1: SGI `intid` (0-15) to another vCPU of
    /// its VM. The write traps; the interrupt becomes pending on the target.
    case guestSendSGI(VCPURef, targetVCPU: UInt32, intid: UInt32)
    /// A pending SGI is taken by the vCPU (loaded on this CPU).
    case guestTakeSGI(VCPURef, intid: UInt32)
    /// The host or the hypervisor raises a physical SGI (a kick) at a CPU.
    case sendIPI(from: IPISender, targetCPU: UInt32, intid: UInt32)
    /// A pending physical SGI is taken on this CPU.
    case takeIPI(intid: UInt32)
}

/// A load or store of 1, 2, 4 or 8 bytes, naturally aligned. Only the first
/// `wordsPerPage` 64-bit words of a page are modelled; an access beyond them
/// is an invalid event (`InvalidEvent.unmodelledAddress`). Multi-byte values
/// are little-endian within the word.
public struct MemoryAccess: Hashable, Sendable {
    public var address: UInt64
    public var width: UInt8
    public var isWrite: Bool
    /// The value written (writes only; the low `width` bytes).
    public var value: UInt64

    public init(address: UInt64, width: UInt8 = 8, isWrite: Bool, value: UInt64 = 0) {
        self.address = address
        self.width = width
        self.isWrite = isWrite
        self.value = value
    }

    public static func read(_ address: UInt64, width: UInt8 = 8) -> MemoryAccess {
        MemoryAccess(address: address, width: width, isWrite: false)
    }

    public static func write(_ address: UInt64, _ value: UInt64, width: UInt8 = 8) -> MemoryAccess {
        MemoryAccess(address: address, width: width, isWrite: true, value: value)
    }
}
