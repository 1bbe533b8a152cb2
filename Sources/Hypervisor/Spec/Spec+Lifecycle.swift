/// VM and vCPU lifecycle (pkvm.c, hyp-main.c): init, teardown, load, put,
/// run, and the memcache top-up.
///
/// pKVM's `__pkvm_vcpu_load` and `__pkvm_vcpu_put` handlers are void: a
/// refused load or a put with nothing loaded does nothing and the host sees
/// success. Spec reports them as failures so the reason is visible: -EBUSY
/// (this CPU already has a vCPU, or the vCPU is loaded on another CPU),
/// -ENOENT (no such VM in the table), -EINVAL (VM dying, no such vCPU, vCPU
/// not initialised, nothing to put). A replayer comparing recorded returns
/// must not expect pKVM to report these.
extension Spec {
    /// `__pkvm_init_vm`, in pKVM's order: pin the host's `struct kvm` page,
    /// take the metadata page (zeroed) and the pgd page by donation, then
    /// publish the VM. A failed donation is -ENOMEM; publishing a VM that is
    /// already in the table is -EINVAL, after which the donated pages go back
    /// to the host zeroed (`unmap_donated_memory`).
    mutating func initVM(vm handle: VMID, kvmPfn: UInt64, metadataPfn: UInt64, pgdPfn: UInt64) -> HypercallResult {
        let pinned = hypPinSharedMem(pfn: kvmPfn)
        guard pinned.isSuccess else { return pinned }
        let vm = Int(handle.rawValue)
        guard vm < vms.count else {
            _ = hypUnpinSharedMem(pfn: kvmPfn)
            return .failure(.einval)
        }
        guard takeDonation(pfn: metadataPfn, role: .vmMetadata) else {
            _ = hypUnpinSharedMem(pfn: kvmPfn)
            return .failure(.enomem)
        }
        scrub(page: Int(metadataPfn))
        guard takeDonation(pfn: pgdPfn, role: .vmPGD) else {
            returnDonation(pfn: metadataPfn)
            _ = hypUnpinSharedMem(pfn: kvmPfn)
            return .failure(.enomem)
        }
        guard vms[vm].status == .uninitialised else {
            returnDonation(pfn: metadataPfn)
            returnDonation(pfn: pgdPfn)
            _ = hypUnpinSharedMem(pfn: kvmPfn)
            return .failure(.einval)
        }
        vms[vm].status = .active
        vms[vm].kvmPfn = kvmPfn & (UInt64.max >> MachineConfig.pageShift)
        vms[vm].metadataPfn = metadataPfn
        vms[vm].pgdPfn = pgdPfn
        return .ok
    }

    /// `__pkvm_init_vcpu`, in pKVM's order: take the metadata page by
    /// donation (-ENOMEM), find the VM (-ENOENT), pin the host's vCPU page
    /// (-EBUSY), register the vCPU (-EINVAL if out of range or already
    /// initialised). On failure the metadata page goes back zeroed.
    mutating func initVCPU(vm handle: VMID, vcpu: UInt32, hostVcpuPfn: UInt64, metadataPfn: UInt64)
        -> HypercallResult
    {
        guard takeDonation(pfn: metadataPfn, role: .vcpuMetadata) else { return .failure(.enomem) }
        scrub(page: Int(metadataPfn))
        guard let vm = vmInTable(handle) else {
            returnDonation(pfn: metadataPfn)
            return .failure(.enoent)
        }
        guard hypPinSharedMem(pfn: hostVcpuPfn).isSuccess else {
            returnDonation(pfn: metadataPfn)
            return .failure(.ebusy)
        }
        let index = Int(vcpu)
        guard index < vms[vm].vcpus.count, !vms[vm].vcpus[index].initialised else {
            _ = hypUnpinSharedMem(pfn: hostVcpuPfn)
            returnDonation(pfn: metadataPfn)
            return .failure(.einval)
        }
        vms[vm].vcpus[index].initialised = true
        vms[vm].vcpus[index].hostVcpuPfn = hostVcpuPfn & (UInt64.max >> MachineConfig.pageShift)
        vms[vm].vcpus[index].metadataPfn = metadataPfn
        return .ok
    }

    /// `__pkvm_start_teardown_vm`: -EINVAL if the VM is not in the table, has
    /// a vCPU loaded, or is already dying. (pKVM's later
    /// `__pkvm_finalize_teardown_vm`, which frees the VM's hypervisor pages,
    /// is not modelled: a dying VM stays in the table.)
    mutating func teardownVM(vm handle: VMID) -> HypercallResult {
        guard let vm = vmInTable(handle), vms[vm].status == .active, vms[vm].loadedVCPUs == 0 else {
            return .failure(.einval)
        }
        vms[vm].status = .dying
        return .ok
    }

    /// `__pkvm_vcpu_load` (see the type's note on error codes).
    mutating func vcpuLoad(cpu: Int, vm handle: VMID, vcpu: UInt32) -> HypercallResult {
        guard loaded[cpu] < 0 else { return .failure(.ebusy) }
        guard let vm = vmInTable(handle) else { return .failure(.enoent) }
        guard vms[vm].status == .active else { return .failure(.einval) }
        let index = Int(vcpu)
        guard index < vms[vm].vcpus.count, vms[vm].vcpus[index].initialised else { return .failure(.einval) }
        guard vms[vm].vcpus[index].loadedOn < 0 else { return .failure(.ebusy) }
        vms[vm].vcpus[index].loadedOn = Int32(cpu)
        vms[vm].loadedVCPUs += 1
        loaded[cpu] = Int64(vm) << 32 | Int64(index)
        return .ok
    }

    /// `__pkvm_vcpu_put` (see the type's note on error codes).
    mutating func vcpuPut(cpu: Int) -> HypercallResult {
        guard let (vm, vcpu) = loadedVCPU(on: cpu) else { return .failure(.einval) }
        vms[vm].vcpus[vcpu].loadedOn = -1
        vms[vm].loadedVCPUs -= 1
        loaded[cpu] = -1
        return .ok
    }

    /// `__kvm_vcpu_run`: -EINVAL with no vCPU loaded. On success pKVM returns
    /// the exit code of the guest's run, which depends on what the guest did;
    /// Spec returns 0 ("the guest ran") and leaves the exit to later events.
    mutating func vcpuRun(cpu: Int) -> HypercallResult {
        loaded[cpu] < 0 ? .failure(.einval) : .ok
    }

    /// The host gives one page to the memcache of the vCPU loaded on this CPU
    /// (`pkvm_refill_memcache`): -EINVAL with no vCPU loaded, -ENOMEM if the
    /// donation fails (as `__topup_hyp_memcache` reports it).
    mutating func hostTopupMemcache(cpu: Int, pfn: UInt64) -> HypercallResult {
        guard let (vm, vcpu) = loadedVCPU(on: cpu) else { return .failure(.einval) }
        guard takeDonation(pfn: pfn, role: .memcache) else { return .failure(.enomem) }
        vms[vm].vcpus[vcpu].memcache.append(pfn)
        return .ok
    }
}
