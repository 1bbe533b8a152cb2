/// Transitions between the host and the hypervisor (and FF-A): share,
/// unshare, donate, pin.
extension Spec {
    /// `__pkvm_host_share_hyp`.
    mutating func hostShareHyp(pfn: UInt64) -> HypercallResult {
        let phys = pfn &<< MachineConfig.pageShift
        if let error = hostCheck(phys: phys, size: MachineConfig.pageSize, .owned) { return .failure(error) }
        if let error = hypCheck(phys: phys, size: MachineConfig.pageSize, .noPage) { return .failure(error) }
        let page = Int(phys >> MachineConfig.pageShift)
        pages[page].hyp = .sharedBorrowed
        pages[page].host = .sharedOwned
        return .ok
    }

    /// `__pkvm_host_unshare_hyp`: -EBUSY while the hypervisor has it pinned.
    mutating func hostUnshareHyp(pfn: UInt64) -> HypercallResult {
        let phys = pfn &<< MachineConfig.pageShift
        if let error = hostCheck(phys: phys, size: MachineConfig.pageSize, .sharedOwned) { return .failure(error) }
        if let error = hypCheck(phys: phys, size: MachineConfig.pageSize, .sharedBorrowed) { return .failure(error) }
        let page = Int(phys >> MachineConfig.pageShift)
        guard pages[page].pinCount == 0 else { return .failure(.ebusy) }
        pages[page].hyp = .noPage
        pages[page].host = .owned
        return .ok
    }

    /// `__pkvm_host_donate_hyp`.
    mutating func hostDonateHyp(pfn: UInt64, pages count: UInt64) -> HypercallResult {
        guard pfnRangeIsValid(pfn, count) else { return .failure(.einval) }
        let phys = pfn << MachineConfig.pageShift
        let size = count << MachineConfig.pageShift
        if let error = hostCheck(phys: phys, size: size, .owned) { return .failure(error) }
        if let error = hypCheck(phys: phys, size: size, .noPage) { return .failure(error) }
        for page in Int(pfn)..<Int(pfn + count) {
            pages[page].hyp = .owned
            pages[page].role = .none
            takeFromHost(page: page, owner: PageRecord.ownerHyp)
        }
        return .ok
    }

    /// `__pkvm_hyp_donate_host`. In pKVM only the hypervisor itself calls
    /// this, on pages it knows to be free; Spec takes it as an event, so it
    /// refuses (-EBUSY) pages that still hold hypervisor state (VM or vCPU
    /// metadata, a stage-2 root or table, a memcache or pool page). Handing
    /// those back would break isolation; the pKVM checks come first.
    mutating func hypDonateHost(pfn: UInt64, pages count: UInt64) -> HypercallResult {
        guard pfnRangeIsValid(pfn, count) else { return .failure(.einval) }
        let phys = pfn << MachineConfig.pageShift
        let size = count << MachineConfig.pageShift
        if let error = hypCheck(phys: phys, size: size, .owned) { return .failure(error) }
        if let error = hostCheck(phys: phys, size: size, .noPage) { return .failure(error) }
        let range = Int(pfn)..<Int(pfn + count)
        for page in range where pages[page].role != .none { return .failure(.ebusy) }
        for page in range {
            pages[page].hyp = .noPage
            giveToHost(page: page)
        }
        return .ok
    }

    /// `__pkvm_host_share_ffa`: shared with the secure world; the hypervisor
    /// keeps NOPAGE.
    mutating func hostShareFFA(pfn: UInt64, pages count: UInt64) -> HypercallResult {
        guard pfnRangeIsValid(pfn, count) else { return .failure(.einval) }
        let phys = pfn << MachineConfig.pageShift
        if let error = hostCheck(phys: phys, size: count << MachineConfig.pageShift, .owned) {
            return .failure(error)
        }
        for page in Int(pfn)..<Int(pfn + count) { pages[page].host = .sharedOwned }
        return .ok
    }

    /// `__pkvm_host_unshare_ffa`. pKVM's function checks only the host state;
    /// its caller (the FF-A proxy) only passes ranges it shared. Spec makes
    /// that explicit: a page shared with the hypervisor or a guest (also
    /// SHARED_OWNED for the host) is not an FF-A share, so -EPERM.
    mutating func hostUnshareFFA(pfn: UInt64, pages count: UInt64) -> HypercallResult {
        guard pfnRangeIsValid(pfn, count) else { return .failure(.einval) }
        let phys = pfn << MachineConfig.pageShift
        if let error = hostCheck(phys: phys, size: count << MachineConfig.pageShift, .sharedOwned) {
            return .failure(error)
        }
        let range = Int(pfn)..<Int(pfn + count)
        for page in range where pages[page].hyp != .noPage || pages[page].shareGuestCount != 0 {
            return .failure(.eperm)
        }
        for page in range { pages[page].host = .owned }
        return .ok
    }

    /// `hyp_pin_shared_mem` on one page. The refcount is a u16 in pKVM, which
    /// BUGs on overflow; Spec refuses with -EBUSY.
    mutating func hypPinSharedMem(pfn: UInt64) -> HypercallResult {
        let phys = pfn &<< MachineConfig.pageShift
        if let error = hostCheck(phys: phys, size: MachineConfig.pageSize, .sharedOwned) { return .failure(error) }
        if let error = hypCheck(phys: phys, size: MachineConfig.pageSize, .sharedBorrowed) { return .failure(error) }
        let page = Int(phys >> MachineConfig.pageShift)
        guard pages[page].pinCount < UInt16.max else { return .failure(.ebusy) }
        pages[page].pinCount += 1
        return .ok
    }

    /// `hyp_unpin_shared_mem` on one page. pKVM's is void and BUGs on an
    /// unpinned page; Spec refuses with -EINVAL.
    mutating func hypUnpinSharedMem(pfn: UInt64) -> HypercallResult {
        let page = pfn & (UInt64.max >> MachineConfig.pageShift)
        guard page < memoryPages, pages[Int(page)].pinCount > 0 else { return .failure(.einval) }
        pages[Int(page)].pinCount -= 1
        return .ok
    }

    /// One page given to the hypervisor for its own use, as
    /// `map_donated_memory` and `admit_host_page` do: true on success.
    mutating func takeDonation(pfn: UInt64, role: HypRole) -> Bool {
        guard hostDonateHyp(pfn: pfn, pages: 1).isSuccess else { return false }
        pages[Int(pfn)].role = role
        return true
    }

    /// `unmap_donated_memory`: zeroed, then given back to the host.
    mutating func returnDonation(pfn: UInt64) {
        let page = Int(pfn)
        scrub(page: page)
        pages[page].role = .none
        pages[page].hyp = .noPage
        giveToHost(page: page)
    }
}
