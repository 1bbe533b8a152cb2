import MemoryModel

/// The abstraction function: from the implementation's memory to Spec's
/// `AbstractState`. It reads the vmemmap, walks the host's and every VM's
/// stage-2 tables, and reads the VM and vCPU metadata pages, the per-CPU
/// area and the pages' contents.
extension Implementation {
    public var abstractState: AbstractState {
        let pageCount = config.physicalPages
        let words = config.wordsPerPage
        var pages: [PageView] = []
        pages.reserveCapacity(pageCount)
        var contents = Array(repeating: UInt64(0), count: pageCount * words)
        let hostMapped = hostMappedPages()
        for pfn in 0..<pageCount {
            let entry = layout.page(UInt64(pfn))
            let first = PageWord(raw: word(entry))
            let owner: PageOwner
            switch first.owner {
            case 0: owner = .host
            case 1: owner = .hypervisor
            default: owner = .guest(VMID(UInt32(first.owner) - 2))
            }
            pages.append(PageView(
                owner: owner, host: first.host, hyp: first.hyp,
                shareGuestCount: UInt32(truncatingIfNeeded: word(entry + Layout.PageField.shareGuestCount)),
                pinCount: first.pinCount, hostMapped: hostMapped[pfn]))
            if owner != .hypervisor {
                let base = UInt64(pfn) << MachineConfig.pageShift
                for index in 0..<words { contents[pfn * words + index] = word(base + UInt64(index) * 8) }
            }
        }
        let vms = config.vms.enumerated().map { index, vm in vmView(index, vm) }
        var loaded: [VCPURef?] = []
        var pendingIPIs: [UInt16] = []
        for cpu in 0..<config.cpus {
            let packed = word(layout.perCPU(cpu))
            loaded.append(packed == 0 ? nil : VCPURef(vm: VMID(UInt32((packed - 1) >> 32)), vcpu: UInt32(truncatingIfNeeded: packed - 1)))
            pendingIPIs.append(UInt16(truncatingIfNeeded: word(layout.perCPU(cpu) + 8)))
        }
        return AbstractState(
            pages: pages, vms: vms, loadedVCPUs: loaded, pendingIPIs: pendingIPIs, wordsPerPage: words,
            contents: contents)
    }

    private func vmView(_ index: Int, _ vm: VMConfig) -> VMView {
        var vcpus: [VCPUView] = []
        for vcpu in 0..<vm.vcpus {
            let page = word(layout.vcpuSlot(vm: index, vcpu: vcpu))
            if page == 0 {
                vcpus.append(VCPUView(initialised: false, loadedOn: nil, memcachePages: 0, pendingSGIs: 0))
                continue
            }
            let loadedOn = word(page + Layout.VCPUField.loadedOn)
            vcpus.append(VCPUView(
                initialised: word(page + Layout.VCPUField.initialised) != 0,
                loadedOn: loadedOn == 0 ? nil : UInt32(loadedOn - 1),
                memcachePages: Int(word(page + Layout.VCPUField.memcachePages)),
                pendingSGIs: UInt16(truncatingIfNeeded: word(page + Layout.VCPUField.pendingSGIs))))
        }
        let metadata = word(layout.vmSlot(index))
        guard metadata != 0 else {
            return VMView(status: .uninitialised, isProtected: vm.isProtected, vcpus: vcpus, mappings: [],
                          tablePages: 0, poolPages: 0)
        }
        let status: VMStatus = word(metadata + Layout.VMField.status) == Layout.statusDying ? .dying : .active
        var mappings: [GuestMapping] = []
        var tables = 0
        collect(table: word(metadata + Layout.VMField.pgd), level: 4 - config.pageTableLevels, gfnBase: 0,
                into: &mappings, tables: &tables)
        return VMView(
            status: status, isProtected: vm.isProtected, vcpus: vcpus, mappings: mappings, tablePages: tables,
            poolPages: Int(word(metadata + Layout.VMField.poolPages)))
    }

    /// Every leaf under `table` at `level`, in IPA order; counts the
    /// non-root tables it passes through.
    private func collect(table: UInt64, level: Int, gfnBase: UInt64, into mappings: inout [GuestMapping], tables: inout Int) {
        let span: UInt64 = 1 << (9 * UInt64(3 - level))
        for index in 0..<UInt64(512) {
            let d = word(table + index * 8)
            guard Descriptor.isValid(d) else { continue }
            let gfn = gfnBase + index * span
            let pfn = Descriptor.outputAddress(d) >> MachineConfig.pageShift
            if level == 3 || d & Descriptor.tableOrPage == 0 {
                mappings.append(GuestMapping(
                    gfn: gfn, pfn: pfn, pages: UInt32(span), state: Stage2Descriptor.state(d),
                    prot: Stage2Descriptor.prot(d)))
            } else {
                tables += 1
                collect(table: Descriptor.outputAddress(d), level: level + 1, gfnBase: gfn, into: &mappings, tables: &tables)
            }
        }
    }

    /// Which memory pages have a valid identity mapping in the host stage 2:
    /// every page a page or a 2 MiB block leaf covers. A leaf that does not
    /// map its own IPA is no identity mapping and maps nothing here.
    private func hostMappedPages() -> [Bool] {
        var mapped = Array(repeating: false, count: config.physicalPages)
        var leaves: [GuestMapping] = []
        var tables = 0
        collect(table: layout.hostPgd, level: 4 - config.pageTableLevels, gfnBase: 0, into: &leaves, tables: &tables)
        let memory = UInt64(config.physicalPages)
        for leaf in leaves where leaf.pfn == leaf.gfn && leaf.gfn < memory {
            for page in leaf.gfn..<min(leaf.gfn + UInt64(leaf.pages), memory) { mapped[Int(page)] = true }
        }
        return mapped
    }
}
