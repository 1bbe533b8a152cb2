/// Spec's view in the shared vocabulary, and queries on it.
extension Spec {
    /// A canonical snapshot of the isolation-relevant state (O(pages + mappings)).
    public var abstractState: AbstractState {
        let pageViews = pages.map { record in
            PageView(
                owner: record.pageOwner, host: record.host, hyp: record.hyp,
                shareGuestCount: record.shareGuestCount, pinCount: record.pinCount, hostMapped: record.hostMapped)
        }
        var contents = words
        for (page, record) in pages.enumerated() where record.owner == PageRecord.ownerHyp {
            let base = page * wordsPerPage
            for word in base..<(base + wordsPerPage) { contents[word] = 0 }
        }
        let vmViews = vms.map { vm in
            VMView(
                status: vm.status, isProtected: vm.config.isProtected,
                vcpus: vm.vcpus.map { vcpu in
                    VCPUView(
                        initialised: vcpu.initialised, loadedOn: vcpu.loadedOn < 0 ? nil : UInt32(vcpu.loadedOn),
                        memcachePages: vcpu.memcache.count, pendingSGIs: vcpu.pendingSGIs)
                },
                mappings: vm.stage2.mappings(), tablePages: vm.tables.count, poolPages: vm.pool.count)
        }
        let loadedRefs: [VCPURef?] = loaded.map { packed in
            packed < 0 ? nil : VCPURef(vm: VMID(UInt32(packed >> 32)), vcpu: UInt32(packed & 0xFFFF_FFFF))
        }
        return AbstractState(
            pages: pageViews, vms: vmViews, loadedVCPUs: loadedRefs, pendingIPIs: pendingIPIs,
            wordsPerPage: wordsPerPage, contents: contents)
    }

    /// Whether `principal` may read (or write) physical page `pfn` now.
    /// Cheap for the host and the hypervisor; for a guest it scans the VM's
    /// mappings.
    public func canAccess(_ principal: Principal, page pfn: UInt64, write: Bool) -> Bool {
        guard pfn < memoryPages else { return false }
        let page = pages[Int(pfn)]
        return AccessRule.allows(
            principal, host: page.host, hyp: page.hyp, pinCount: page.pinCount, pfn: pfn, write: write,
            guestMappings: { vm in vm < vms.count ? vms[vm].stage2.mappings() : nil })
    }

    /// The owner of physical page `pfn`, or nil outside memory.
    public func owner(ofPage pfn: UInt64) -> PageOwner? {
        pfn < memoryPages ? pages[Int(pfn)].pageOwner : nil
    }

    /// The mapping translating `gfn` in `vm`'s stage 2, if any.
    public func translate(vm: VMID, gfn: UInt64) -> GuestMapping? {
        let index = Int(vm.rawValue)
        guard index < vms.count, let found = vms[index].stage2.lookup(gfn) else { return nil }
        let base = found.isBlock ? gfn & ~(MachineConfig.blockPages - 1) : gfn
        return GuestMapping(
            gfn: base, pfn: found.leaf.pfn, pages: found.isBlock ? UInt32(MachineConfig.blockPages) : 1,
            state: found.leaf.state, prot: found.leaf.prot)
    }

    /// The vCPU loaded on `cpu`, if any.
    public func loadedVCPU(onCPU cpu: UInt32) -> VCPURef? {
        guard Int(cpu) < loaded.count, let (vm, vcpu) = loadedVCPU(on: Int(cpu)) else { return nil }
        return VCPURef(vm: VMID(UInt32(vm)), vcpu: UInt32(vcpu))
    }

    /// The lifecycle state of `vm`, or nil if it is not in the configuration.
    public func status(of vm: VMID) -> VMStatus? {
        Int(vm.rawValue) < vms.count ? vms[Int(vm.rawValue)].status : nil
    }

    /// The modelled words of page `pfn` (whatever its owner), or nil outside memory.
    public func contents(ofPage pfn: UInt64) -> [UInt64]? {
        guard pfn < memoryPages else { return nil }
        let base = Int(pfn) * wordsPerPage
        return Array(words[base..<(base + wordsPerPage)])
    }
}

extension Spec {
    /// One page's ownership and sharing, or nil outside memory (cheap).
    public func pageView(_ pfn: UInt64) -> PageView? {
        guard pfn < memoryPages else { return nil }
        let record = pages[Int(pfn)]
        return PageView(
            owner: record.pageOwner, host: record.host, hyp: record.hyp, shareGuestCount: record.shareGuestCount,
            pinCount: record.pinCount, hostMapped: record.hostMapped)
    }

    /// Pages in a vCPU's memcache, or nil for a vCPU not in the configuration.
    public func memcachePages(of ref: VCPURef) -> Int? {
        let vm = Int(ref.vm.rawValue)
        guard vm < vms.count, Int(ref.vcpu) < vms[vm].vcpus.count else { return nil }
        return vms[vm].vcpus[Int(ref.vcpu)].memcache.count
    }
}
