/// The range and state checks of mem_protect.c, with its arithmetic: page
/// numbers become byte addresses by a wrapping shift (`hyp_pfn_to_phys`),
/// exactly as pKVM computes them.
extension Spec {
    /// `pfn_range_is_valid`: the range lies inside the stage-2 input
    /// address space, robust to overflow.
    func pfnRangeIsValid(_ pfn: UInt64, _ count: UInt64) -> Bool {
        pfn < addressSpacePages && addressSpacePages - pfn >= count
    }

    /// `check_range_allowed_memory(start, end)` for byte addresses: the range
    /// must not straddle memory and MMIO (-EINVAL) and must be memory (-EPERM).
    /// Memory is the single region [0, physicalPages * 4 KiB).
    func checkRangeAllowedMemory(start: UInt64, end: UInt64) -> Errno? {
        let memoryEnd = memoryPages << MachineConfig.pageShift
        let last = end &- 1
        if start < memoryEnd {
            return last < memoryEnd ? nil : .einval
        }
        // The gap after memory: [memoryEnd, ULONG_MAX) in find_mem_range.
        guard last >= memoryEnd && last < UInt64.max else { return .einval }
        return .eperm
    }

    /// `__host_check_page_state_range`.
    func hostCheck(phys: UInt64, size: UInt64, _ state: PageState) -> Errno? {
        if let error = checkRangeAllowedMemory(start: phys, end: phys &+ size) { return error }
        let first = Int(phys >> MachineConfig.pageShift)
        let count = Int(size >> MachineConfig.pageShift)
        for page in first..<(first + count) where pages[page].host != state { return .eperm }
        return nil
    }

    /// `__hyp_check_page_state_range`. It has no memory check of its own;
    /// pages beyond memory read as NOPAGE.
    func hypCheck(phys: UInt64, size: UInt64, _ state: PageState) -> Errno? {
        let first = phys >> MachineConfig.pageShift
        let count = size >> MachineConfig.pageShift
        var offset: UInt64 = 0
        while offset < count {
            let page = first &+ offset
            guard page < memoryPages else { return state == .noPage ? nil : .eperm }
            if pages[Int(page)].hyp != state { return .eperm }
            offset += 1
        }
        return nil
    }

    /// The page-table walker's range check (`_kvm_pgtable_walk`): -ERANGE
    /// beyond the input address space.
    func walkRangeError(ipa: UInt64, size: UInt64) -> Errno? {
        let limit = addressLimit
        return ipa > limit || ipa &+ size > limit ? .erange : nil
    }

    /// `host_stage2_set_owner_locked(.., PKVM_ID_HOST)` on one page: the host
    /// owns it again and its identity mapping is installed at once.
    mutating func giveToHost(page: Int) {
        pages[page].owner = PageRecord.ownerHost
        pages[page].host = .owned
        pages[page].hostMapped = true
    }

    /// The host loses the page: its stage-2 entry becomes an annotation
    /// naming the new owner (`host_stage2_set_owner_metadata_locked`).
    mutating func takeFromHost(page: Int, owner: UInt32) {
        pages[page].owner = owner
        pages[page].host = .noPage
        pages[page].hostMapped = false
    }
}
