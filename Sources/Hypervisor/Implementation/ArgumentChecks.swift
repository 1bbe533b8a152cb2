/// The checks of mem_protect.c that depend on a hypercall's arguments only
/// (ranges, sizes, prot bits), with pKVM's wrapping arithmetic. The
/// dispatcher computes them before a handler runs: a check that pKVM makes
/// before touching shared state fails the call at once; one that pKVM makes
/// between state checks is passed to the handler in X7/X8, which returns it
/// at that point.
struct ArgumentChecks: Sendable {
    let memoryPages: UInt64
    let addressSpacePages: UInt64

    init(config: MachineConfig) {
        memoryPages = UInt64(config.physicalPages)
        addressSpacePages = config.addressSpacePages
    }

    /// `pfn_range_is_valid`.
    func pfnRangeIsValid(_ pfn: UInt64, _ count: UInt64) -> Bool {
        pfn < addressSpacePages && addressSpacePages - pfn >= count
    }

    /// `check_range_allowed_memory(start, end)`: -EINVAL straddling memory
    /// and MMIO, -EPERM for MMIO.
    func rangeAllowedMemory(start: UInt64, end: UInt64) -> Errno? {
        let memoryEnd = memoryPages << MachineConfig.pageShift
        let last = end &- 1
        if start < memoryEnd { return last < memoryEnd ? nil : .einval }
        guard last >= memoryEnd && last < UInt64.max else { return .einval }
        return .eperm
    }

    /// The memory check of `__host_check_page_state_range` for one page.
    func hostPage(_ pfn: UInt64) -> Errno? {
        let phys = pfn &<< MachineConfig.pageShift
        return rangeAllowedMemory(start: phys, end: phys &+ MachineConfig.pageSize)
    }

    /// The argument checks of `__pkvm_host_donate_hyp` (also a donation
    /// inside init and the memcache top-up).
    func donation(_ pfn: UInt64, _ count: UInt64 = 1) -> Errno? {
        guard pfnRangeIsValid(pfn, count) else { return .einval }
        let phys = pfn << MachineConfig.pageShift
        return rangeAllowedMemory(start: phys, end: phys &+ count << MachineConfig.pageShift)
    }

    /// The page-table walker's range check: -ERANGE beyond the input address space.
    func walkRange(ipa: UInt64, size: UInt64) -> Errno? {
        let limit = addressSpacePages << MachineConfig.pageShift
        return ipa > limit || ipa &+ size > limit ? .erange : nil
    }

    /// `__guest_check_transition_size`: 1 page, or one aligned 2 MiB block.
    func transitionSize(phys: UInt64, ipa: UInt64, pages count: UInt64) -> Result<UInt64, Errno> {
        if count == 1 { return .success(MachineConfig.pageSize) }
        let block = MachineConfig.blockPages << MachineConfig.pageShift
        guard count == MachineConfig.blockPages else { return .failure(.einval) }
        guard (phys | ipa) & (block - 1) == 0 else { return .failure(.einval) }
        return .success(block)
    }
}
