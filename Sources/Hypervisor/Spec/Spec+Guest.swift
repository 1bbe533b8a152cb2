/// Transitions between the host and guests: share / unshare / donate /
/// reclaim (host side) and share / unshare / relinquish (guest side).
extension Spec {
    static let blockSize = MachineConfig.blockPages << MachineConfig.pageShift

    /// `__guest_check_transition_size`: 1 page, or one aligned 2 MiB block.
    func transitionSize(phys: UInt64, ipa: UInt64, pages count: UInt64) -> Result<UInt64, Errno> {
        if count == 1 { return .success(MachineConfig.pageSize) }
        guard count == MachineConfig.blockPages else { return .failure(.einval) }
        guard (phys | ipa) & (Spec.blockSize - 1) == 0 else { return .failure(.einval) }
        return .success(Spec.blockSize)
    }

    /// `get_valid_guest_pte`: the page leaf at `ipa`.
    func validGuestLeaf(vm: Int, ipa: UInt64) -> Result<GuestLeafLookup, Errno> {
        if let error = walkRangeError(ipa: ipa, size: MachineConfig.pageSize) { return .failure(error) }
        guard let found = vms[vm].stage2.lookup(ipa >> MachineConfig.pageShift) else { return .failure(.enoent) }
        guard !found.isBlock else { return .failure(.e2big) }
        return .success(found)
    }

    /// Takes the table pages a new leaf needs: the VM's pool first, then the
    /// vCPU's memcache (`guest_s2_zalloc_page`). The caller has checked the
    /// memcache holds at least `memcacheMinPages`, which covers any walk.
    mutating func allocateTables(vm: Int, vcpu: Int, count: Int) {
        for _ in 0..<count {
            let page: UInt64
            if let pooled = vms[vm].pool.popLast() {
                page = pooled
            } else if let cached = vms[vm].vcpus[vcpu].memcache.popLast() {
                page = cached
            } else {
                preconditionFailure("stage-2 table allocation without the memcache check")
            }
            pages[Int(page)].role = .pageTable
            scrub(page: Int(page))
            vms[vm].tables.append(page)
        }
    }

    /// Tables freed by an unmap go back to the VM's pool (`guest_s2_put_page`).
    mutating func releaseTables(vm: Int, count: Int) {
        for _ in 0..<count {
            guard let page = vms[vm].tables.popLast() else {
                preconditionFailure("stage-2 table release without a table")
            }
            pages[Int(page)].role = .tablePool
            vms[vm].pool.append(page)
        }
    }

    // MARK: Host side

    /// `handle___pkvm_host_share_guest` + `__pkvm_host_share_guest`: to the
    /// non-protected VM whose vCPU is loaded on this CPU.
    mutating func hostShareGuest(cpu: Int, pfn: UInt64, gfn: UInt64, pages count: UInt64, prot: UInt64)
        -> HypercallResult
    {
        guard let (vm, vcpu) = loadedVCPU(on: cpu), !vms[vm].config.isProtected else { return .failure(.einval) }
        guard prot & ~Prot.rwx.rawValue == 0 else { return .failure(.einval) }
        guard pfnRangeIsValid(pfn, count) else { return .failure(.einval) }
        let phys = pfn &<< MachineConfig.pageShift
        let ipa = gfn &<< MachineConfig.pageShift
        let size: UInt64
        switch transitionSize(phys: phys, ipa: ipa, pages: count) {
        case .failure(let error): return .failure(error)
        case .success(let value): size = value
        }
        if let error = checkRangeAllowedMemory(start: phys, end: phys &+ size) { return .failure(error) }
        if let error = walkRangeError(ipa: ipa, size: size) { return .failure(error) }
        let isBlock = count != 1
        let firstGFN = ipa >> MachineConfig.pageShift
        guard vms[vm].stage2.isEmpty(gfn: firstGFN, pages: count) else { return .failure(.eperm) }
        let range = Int(pfn)..<Int(pfn + count)
        for page in range {
            switch pages[page].host {
            case .owned:
                continue
            case .sharedOwned:
                if pages[page].shareGuestCount == UInt32.max { return .failure(.ebusy) }
                // Only host-to-guest multi-sharing is tolerated.
                if pages[page].shareGuestCount > 0 { continue }
                return .failure(.eperm)
            default:
                return .failure(.eperm)
            }
        }
        guard vms[vm].vcpus[vcpu].memcache.count >= memcacheMinPages else { return .failure(.enomem) }
        allocateTables(vm: vm, vcpu: vcpu, count: vms[vm].stage2.tablesNeeded(gfn: firstGFN, block: isBlock))
        for page in range {
            pages[page].host = .sharedOwned
            pages[page].shareGuestCount += 1
        }
        let leaf = GuestLeaf(pfn: pfn, state: .sharedBorrowed, prot: Prot(rawValue: prot))
        vms[vm].stage2.map(gfn: firstGFN, leaf: leaf, block: isBlock)
        return .ok
    }

    /// `handle___pkvm_host_unshare_guest` + `__pkvm_host_unshare_guest`.
    mutating func hostUnshareGuest(vm handle: VMID, gfn: UInt64, pages count: UInt64) -> HypercallResult {
        // get_np_pkvm_hyp_vm: a VM in the table that is not protected.
        guard let vm = vmInTable(handle), !vms[vm].config.isProtected else { return .failure(.einval) }
        let ipa = gfn &<< MachineConfig.pageShift
        let size: UInt64
        switch transitionSize(phys: 0, ipa: ipa, pages: count) {
        case .failure(let error): return .failure(error)
        case .success(let value): size = value
        }
        // __check_host_shared_guest
        if let error = walkRangeError(ipa: ipa, size: MachineConfig.pageSize) { return .failure(error) }
        let firstGFN = ipa >> MachineConfig.pageShift
        guard let found = vms[vm].stage2.lookup(firstGFN) else { return .failure(.enoent) }
        let granule = found.isBlock ? Spec.blockSize : MachineConfig.pageSize
        guard granule == size else { return .failure(.e2big) }
        guard found.leaf.state == .sharedBorrowed else { return .failure(.eperm) }
        let firstPage = Int(found.leaf.pfn)
        let range = firstPage..<(firstPage + Int(count))
        for page in range {
            guard pages[page].host == .sharedOwned else { return .failure(.eperm) }
            guard pages[page].shareGuestCount > 0 else { return .failure(.einval) }
        }
        releaseTables(vm: vm, count: vms[vm].stage2.unmap(gfn: firstGFN, block: found.isBlock))
        for page in range {
            pages[page].shareGuestCount -= 1
            if pages[page].shareGuestCount == 0 { pages[page].host = .owned }
        }
        return .ok
    }

    /// `__pkvm_host_donate_guest`: to the protected VM whose vCPU is loaded
    /// on this CPU. The page keeps its content (the guest's image).
    mutating func hostDonateGuest(cpu: Int, pfn: UInt64, gfn: UInt64) -> HypercallResult {
        guard let (vm, vcpu) = loadedVCPU(on: cpu), vms[vm].config.isProtected else { return .failure(.einval) }
        let phys = pfn &<< MachineConfig.pageShift
        let ipa = gfn &<< MachineConfig.pageShift
        if let error = hostCheck(phys: phys, size: MachineConfig.pageSize, .owned) { return .failure(error) }
        if let error = walkRangeError(ipa: ipa, size: MachineConfig.pageSize) { return .failure(error) }
        let guestGFN = ipa >> MachineConfig.pageShift
        guard vms[vm].stage2.isEmpty(gfn: guestGFN, pages: 1) else { return .failure(.eperm) }
        guard vms[vm].vcpus[vcpu].memcache.count >= memcacheMinPages else { return .failure(.enomem) }
        allocateTables(vm: vm, vcpu: vcpu, count: vms[vm].stage2.tablesNeeded(gfn: guestGFN, block: false))
        let page = Int(phys >> MachineConfig.pageShift)
        takeFromHost(page: page, owner: PageRecord.ownerGuest(vm))
        vms[vm].stage2.map(gfn: guestGFN, leaf: GuestLeaf(pfn: UInt64(page), state: .owned, prot: .rwx), block: false)
        return .ok
    }

    /// `__pkvm_reclaim_dying_guest_page` + `__pkvm_host_reclaim_page_guest`:
    /// a guest-owned page comes back to the host scrubbed; a page the guest
    /// had shared with the host comes back as it is.
    mutating func hostReclaimPage(vm handle: VMID, gfn: UInt64) -> HypercallResult {
        guard let vm = vmInTable(handle), vms[vm].status == .dying else { return .failure(.einval) }
        let ipa = gfn &<< MachineConfig.pageShift
        let found: GuestLeafLookup
        switch validGuestLeaf(vm: vm, ipa: ipa) {
        case .failure(let error): return .failure(error)
        case .success(let value): found = value
        }
        let page = Int(found.pfn)
        switch found.leaf.state {
        case .owned: scrub(page: page)
        case .sharedOwned: break
        default: return .failure(.eperm)
        }
        releaseTables(vm: vm, count: vms[vm].stage2.unmap(gfn: ipa >> MachineConfig.pageShift, block: false))
        giveToHost(page: page)
        return .ok
    }

    // MARK: Guest side (protected VMs; pkvm.c's kvm_handle_pvm_hvc64)

    /// The page a protected VM's share or unshare call names, checked as
    /// pKVM checks it before touching anything: a non-protected VM's call
    /// goes to the host (-EOPNOTSUPP), an unaligned IPA is an invalid
    /// parameter (-EINVAL), an unmapped one -ENOENT, a page not in `state`
    /// for the guest -EPERM.
    func protectedGuestPage(vm: Int, ipa: UInt64, in state: PageState) -> Result<GuestLeafLookup, Errno> {
        guard vms[vm].config.isProtected else { return .failure(.eopnotsupp) }
        guard ipa & (MachineConfig.pageSize - 1) == 0 else { return .failure(.einval) }
        return validGuestLeaf(vm: vm, ipa: ipa).flatMap { found in
            found.leaf.state == state ? .success(found) : .failure(.eperm)
        }
    }

    /// MEM_SHARE: `__pkvm_guest_share_host`. -ENOENT makes pKVM turn the
    /// call into a page request to the host; Spec reports the code.
    mutating func guestMemShare(vm: Int, ipa: UInt64) -> HypercallResult {
        let found: GuestLeafLookup
        switch protectedGuestPage(vm: vm, ipa: ipa, in: .owned) {
        case .failure(let error): return .failure(error)
        case .success(let value): found = value
        }
        let phys = found.pfn << MachineConfig.pageShift
        if hostCheck(phys: phys, size: MachineConfig.pageSize, .noPage) != nil { return .failure(.eperm) }
        let page = Int(found.pfn)
        vms[vm].stage2.update(gfn: ipa >> MachineConfig.pageShift, leaf: found.leaf.with(state: .sharedOwned))
        pages[page].host = .sharedBorrowed
        pages[page].hostMapped = true
        return .ok
    }

    /// MEM_UNSHARE: `__pkvm_guest_unshare_host`.
    mutating func guestMemUnshare(vm: Int, ipa: UInt64) -> HypercallResult {
        let found: GuestLeafLookup
        switch protectedGuestPage(vm: vm, ipa: ipa, in: .sharedOwned) {
        case .failure(let error): return .failure(error)
        case .success(let value): found = value
        }
        let phys = found.pfn << MachineConfig.pageShift
        if hostCheck(phys: phys, size: MachineConfig.pageSize, .sharedBorrowed) != nil { return .failure(.eperm) }
        takeFromHost(page: Int(found.pfn), owner: PageRecord.ownerGuest(vm))
        vms[vm].stage2.update(gfn: ipa >> MachineConfig.pageShift, leaf: found.leaf.with(state: .owned))
        return .ok
    }

    /// MEM_RELINQUISH: `__pkvm_guest_relinquish_to_host` (Android pKVM). A
    /// protected VM gives a page it owns back to the host, scrubbed; the call
    /// returns its physical address, or 0 if nothing was mapped there. For a
    /// non-protected VM it does nothing and returns 0.
    mutating func guestMemRelinquish(vm: Int, ipa: UInt64) -> HypercallResult {
        guard vms[vm].config.isProtected else { return .ok }
        guard ipa & (MachineConfig.pageSize - 1) == 0 else { return .failure(.einval) }
        if let error = walkRangeError(ipa: ipa, size: MachineConfig.pageSize) { return .failure(error) }
        let gfn = ipa >> MachineConfig.pageShift
        guard let found = vms[vm].stage2.lookup(gfn) else { return .ok }
        guard !found.isBlock else { return .failure(.e2big) }
        guard found.leaf.state == .owned else { return .failure(.eperm) }
        let page = Int(found.pfn)
        // The page might be used for DMA.
        guard pages[page].pinCount == 0 else { return .failure(.ebusy) }
        scrub(page: page)
        releaseTables(vm: vm, count: vms[vm].stage2.unmap(gfn: gfn, block: false))
        giveToHost(page: page)
        return .success(found.pfn << MachineConfig.pageShift)
    }
}
