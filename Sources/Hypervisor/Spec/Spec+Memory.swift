/// Memory accesses and stage-2 faults: the hot path.
extension Spec {
    /// Validates width and alignment; returns the word index within the page
    /// and the bit shift within the word, or why the access is invalid.
    @inline(__always)
    private func locate(_ access: MemoryAccess) -> (word: Int, shift: UInt64, mask: UInt64)? {
        let width = access.width
        guard width == 8 || width == 4 || width == 2 || width == 1 else { return nil }
        guard access.address & UInt64(width - 1) == 0 else { return nil }
        let offset = access.address & (MachineConfig.pageSize - 1)
        let word = Int(offset >> 3)
        guard word < wordsPerPage else { return nil }
        let shift = (offset & 7) << 3
        let mask: UInt64 = width == 8 ? .max : (1 << (UInt64(width) << 3)) - 1
        return (word, shift, mask)
    }

    private func invalidAccess(_ access: MemoryAccess) -> InvalidEvent {
        let width = access.width
        guard width == 8 || width == 4 || width == 2 || width == 1 else { return .badAccessWidth(width) }
        guard access.address & UInt64(width - 1) == 0 else {
            return .misalignedAccess(address: access.address, width: width)
        }
        return .unmodelledAddress(access.address)
    }

    @inline(__always)
    private mutating func perform(_ access: MemoryAccess, page: Int, at location: (word: Int, shift: UInt64, mask: UInt64))
        -> AccessOutcome
    {
        let index = page &* wordsPerPage &+ location.word
        if access.isWrite {
            let mask = location.mask << location.shift
            words[index] = (words[index] & ~mask) | ((access.value & location.mask) << location.shift)
            return .written
        }
        return .read((words[index] >> location.shift) & location.mask)
    }

    /// A host access to physical memory: allowed while the host owns the page
    /// or has it shared (OWNED, SHARED_OWNED, SHARED_BORROWED), else an
    /// injected abort. An allowed access to a page not yet in the host's
    /// stage 2 implies the fault that maps it (`mapForHost`: the page, or
    /// its whole 2 MiB block).
    mutating func hostAccess(_ access: MemoryAccess) -> Outcome {
        let page = access.address >> MachineConfig.pageShift
        guard page < addressSpacePages else { return .invalid(.addressOutsideAddressSpace(access.address)) }
        guard page < memoryPages else { return .invalid(.unmodelledAddress(access.address)) }
        let index = Int(page)
        guard pages[index].host != .noPage else { return .access(.fault) }
        guard let location = locate(access) else { return .invalid(invalidAccess(access)) }
        if !pages[index].hostMapped { mapForHost(page: index) }
        return .access(perform(access, page: index, at: location))
    }

    /// A guest access through its stage 2: allowed while a leaf maps the IPA
    /// with the needed permission, else a stage-2 fault (exit to the host).
    mutating func guestAccess(cpu: Int, _ ref: VCPURef, _ access: MemoryAccess) -> Outcome {
        let vm: Int
        switch checkLoaded(cpu: cpu, ref) {
        case .failure(let why): return .invalid(why)
        case .success(let index): vm = index
        }
        let gfn = access.address >> MachineConfig.pageShift
        guard let found = vms[vm].stage2.lookup(gfn), found.leaf.permits(write: access.isWrite) else {
            return .access(.fault)
        }
        guard let location = locate(access) else { return .invalid(invalidAccess(access)) }
        return .access(perform(access, page: Int(found.pfn), at: location))
    }

    /// `handle_host_mem_abort` / `host_stage2_idmap`: map host memory on
    /// demand, refuse memory the host does not own (see `mapForHost` for
    /// how much is mapped). MMIO is mapped on demand too; Spec does not
    /// track MMIO mappings, so a fault there always resolves as `.mapped`.
    mutating func hostStage2Fault(address: UInt64) -> Outcome {
        let page = address >> MachineConfig.pageShift
        guard page < addressSpacePages else { return .invalid(.addressOutsideAddressSpace(address)) }
        guard page < memoryPages else { return .fault(.mapped) }
        let index = Int(page)
        guard pages[index].host != .noPage else { return .fault(.injected) }
        if pages[index].hostMapped { return .fault(.spurious) }
        mapForHost(page: index)
        return .fault(.mapped)
    }

    /// The mapping a host fault on the unmapped page `page` installs
    /// (`host_stage2_adjust_range`): the whole aligned level-2 block (2 MiB)
    /// around it when the block lies in memory and every page of it is the
    /// host's, OWNED, and has never had a host stage-2 entry; otherwise the
    /// page alone. A page that once had an entry is, from then on, either
    /// mapped or not the host's (`giveToHost` maps at once), so "OWNED and
    /// not mapped" is "no entry yet", the empty level-2 entry pKVM's walk
    /// finds. pKVM would also try a level-1 (1 GiB) block; Spec stops at
    /// level 2. Changing one page of a block later splits it in the
    /// implementation; the other pages stay mapped, so Spec's per-page
    /// `hostMapped` needs no split.
    mutating func mapForHost(page: Int) {
        let span = Int(MachineConfig.blockPages)
        let first = page & ~(span - 1)
        if UInt64(first + span) <= memoryPages && hostBlockIsFree(first..<(first + span)) {
            for index in first..<(first + span) { pages[index].hostMapped = true }
        } else {
            pages[page].hostMapped = true
        }
    }

    private func hostBlockIsFree(_ range: Range<Int>) -> Bool {
        for index in range {
            let record = pages[index]
            if record.owner != PageRecord.ownerHost || record.host != .owned || record.hostMapped { return false }
        }
        return true
    }

    /// A guest stage-2 fault: spurious if the IPA is already mapped with the
    /// permission, otherwise the exit goes to the host.
    func guestStage2Fault(cpu: Int, _ ref: VCPURef, ipa: UInt64, write: Bool) -> Outcome {
        let vm: Int
        switch checkLoaded(cpu: cpu, ref) {
        case .failure(let why): return .invalid(why)
        case .success(let index): vm = index
        }
        if let found = vms[vm].stage2.lookup(ipa >> MachineConfig.pageShift), found.leaf.permits(write: write) {
            return .fault(.spurious)
        }
        return .fault(.exitToHost)
    }
}
