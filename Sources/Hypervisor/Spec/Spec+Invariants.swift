extension Spec {
    /// Every invariant Spec's state breaks: the isolation invariants of its
    /// abstract state, plus its own bookkeeping (every page holding
    /// hypervisor state is the hypervisor's, table pages match the stage-2
    /// shape, memcaches and pools hold what they claim). Empty when sound.
    public func invariantViolations() -> [InvariantViolation] {
        var violations = abstractState.invariantViolations()
        func fail(_ detail: String) { violations.append(InvariantViolation(.bookkeeping, detail)) }
        var expected = Array(repeating: HypRole.none, count: pages.count)
        func claim(_ pfn: UInt64, _ role: HypRole, _ what: String) {
            guard pfn < memoryPages else { return fail("\(what) page 0x\(String(pfn, radix: 16)) is outside memory") }
            let page = Int(pfn)
            if expected[page] != .none { fail("page 0x\(String(pfn, radix: 16)) is both \(expected[page]) and \(what)") }
            expected[page] = role
            if pages[page].owner != PageRecord.ownerHyp || pages[page].hyp != .owned {
                fail("\(what) page 0x\(String(pfn, radix: 16)) is not the hypervisor's")
            }
        }
        for (index, vm) in vms.enumerated() {
            let name = "vm\(index)"
            if vm.tables.count != vm.stage2.tableCount {
                fail("\(name) holds \(vm.tables.count) table pages but its stage 2 needs \(vm.stage2.tableCount)")
            }
            vm.tables.forEach { claim($0, .pageTable, "\(name) table") }
            vm.pool.forEach { claim($0, .tablePool, "\(name) pool") }
            if vm.status != .uninitialised {
                claim(vm.metadataPfn, .vmMetadata, "\(name) metadata")
                claim(vm.pgdPfn, .vmPGD, "\(name) pgd")
                if vm.kvmPfn >= memoryPages || pages[Int(vm.kvmPfn)].pinCount == 0 {
                    fail("\(name)'s struct kvm page is not pinned")
                }
            }
            var loadedCount = 0
            for (vcpuIndex, vcpu) in vm.vcpus.enumerated() {
                let vcpuName = "\(name).vcpu\(vcpuIndex)"
                vcpu.memcache.forEach { claim($0, .memcache, "\(vcpuName) memcache") }
                if vcpu.initialised {
                    claim(vcpu.metadataPfn, .vcpuMetadata, "\(vcpuName) metadata")
                    if vcpu.hostVcpuPfn >= memoryPages || pages[Int(vcpu.hostVcpuPfn)].pinCount == 0 {
                        fail("\(vcpuName)'s struct kvm_vcpu page is not pinned")
                    }
                }
                if vcpu.loadedOn >= 0 { loadedCount += 1 }
            }
            if loadedCount != vm.loadedVCPUs { fail("\(name) counts \(vm.loadedVCPUs) loaded vCPUs, not \(loadedCount)") }
        }
        for (page, record) in pages.enumerated() where record.role != expected[page] {
            fail("page 0x\(String(page, radix: 16)) has role \(record.role) but is accounted as \(expected[page])")
        }
        return violations
    }
}
