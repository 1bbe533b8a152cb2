import MemoryModel

/// The trap path: each event becomes a handler run (or a translated access).
extension Implementation {
    public mutating func apply(_ event: MachineEvent, on cpu: UInt32) -> Outcome {
        guard Int(cpu) < config.cpus else { return .invalid(.noSuchCPU(cpu)) }
        let cpu = Int(cpu)
        switch event {
        case .guestAccess(let ref, let access):
            return guestAccess(cpu: cpu, ref, access)
        case .hostAccess(let access):
            return hostAccess(cpu: cpu, access)
        default:
            break
        }
        switch dispatch(event, cpu: cpu) {
        case .done(let outcome):
            return outcome
        case .call(let call):
            return call.outcome(run(call.handler, call.arguments, cpu: cpu, x7: call.x7, x8: call.x8))
        }
    }

    /// What the trap path does with a non-access event on `cpu` (in range):
    /// answer at once (an argument check failed, the event is invalid), or
    /// call a handler.
    func dispatch(_ event: MachineEvent, cpu: Int) -> Dispatched {
        switch event {
        case .guestAccess, .hostAccess:
            preconditionFailure("accesses are not dispatched to a handler")
        case .hostShareHyp(let pfn):
            if let error = checks.hostPage(pfn) { return .hypercall(.failure(error)) }
            return (Self.call(.hostShareHyp, [Self.page(pfn)], cpu: cpu))
        case .hostUnshareHyp(let pfn):
            if let error = checks.hostPage(pfn) { return .hypercall(.failure(error)) }
            return (Self.call(.hostUnshareHyp, [Self.page(pfn)], cpu: cpu))
        case .hostDonateHyp(let pfn, let count):
            if let error = checks.donation(pfn, count) { return .hypercall(.failure(error)) }
            return (Self.call(.hostDonateHyp, [pfn, count], cpu: cpu))
        case .hypDonateHost(let pfn, let count):
            guard checks.pfnRangeIsValid(pfn, count) else { return .hypercall(.failure(.einval)) }
            // Pages beyond memory read as NOPAGE for the hypervisor: -EPERM.
            if count > 0 && pfn + count > memoryPages { return .hypercall(.failure(.eperm)) }
            let phys = pfn << MachineConfig.pageShift
            if count == 0, let error = checks.rangeAllowedMemory(start: phys, end: phys) {
                return .hypercall(.failure(error))
            }
            return (Self.call(.hypDonateHost, [pfn, count], cpu: cpu))
        case .hostShareFFA(let pfn, let count):
            if let error = checks.donation(pfn, count) { return .hypercall(.failure(error)) }
            return (Self.call(.hostShareFFA, [pfn, count], cpu: cpu))
        case .hostUnshareFFA(let pfn, let count):
            if let error = checks.donation(pfn, count) { return .hypercall(.failure(error)) }
            return (Self.call(.hostUnshareFFA, [pfn, count], cpu: cpu))
        case .hypPinSharedMem(let pfn):
            if let error = checks.hostPage(pfn) { return .hypercall(.failure(error)) }
            return (Self.call(.hypPin, [Self.page(pfn)], cpu: cpu))
        case .hypUnpinSharedMem(let pfn):
            let page = pfn & (UInt64.max >> MachineConfig.pageShift)
            guard page < memoryPages else { return .hypercall(.failure(.einval)) }
            return (Self.call(.hypUnpin, [page], cpu: cpu))
        case let .hostShareGuest(pfn, gfn, count, prot):
            return hostShareGuest(cpu: cpu, pfn: pfn, gfn: gfn, count: count, prot: prot)
        case let .hostUnshareGuest(vm, gfn, count):
            let ipa = gfn &<< MachineConfig.pageShift
            var check: Errno?
            switch checks.transitionSize(phys: 0, ipa: ipa, pages: count) {
            case .failure(let error): check = error
            case .success: check = checks.walkRange(ipa: ipa, size: MachineConfig.pageSize)
            }
            return (Self.call(
                .hostUnshareGuest, [UInt64(vm.rawValue), ipa >> MachineConfig.pageShift, count], cpu: cpu,
                x7: Self.code(check)))
        case let .hostDonateGuest(pfn, gfn):
            let ipa = gfn &<< MachineConfig.pageShift
            return (Self.call(
                .hostDonateGuest, [Self.page(pfn), ipa >> MachineConfig.pageShift],
                cpu: cpu, x7: Self.code(checks.hostPage(pfn)),
                x8: Self.code(checks.walkRange(ipa: ipa, size: MachineConfig.pageSize))))
        case let .hostReclaimPage(vm, gfn):
            let ipa = gfn &<< MachineConfig.pageShift
            return (Self.call(
                .hostReclaimPage, [UInt64(vm.rawValue), ipa >> MachineConfig.pageShift], cpu: cpu,
                x7: Self.code(checks.walkRange(ipa: ipa, size: MachineConfig.pageSize))))
        case .hostTopupMemcache(let pfn):
            let check: Errno? = checks.donation(pfn) == nil ? nil : .enomem
            return (Self.call(.hostTopupMemcache, [pfn], cpu: cpu, x7: Self.code(check)))
        case let .initVM(vm, kvmPfn, metadataPfn, pgdPfn):
            if let error = checks.hostPage(kvmPfn) { return .hypercall(.failure(error)) }
            var flags: UInt64 = 0
            if Int(vm.rawValue) >= config.vms.count { flags |= 1 }
            if checks.donation(metadataPfn) != nil { flags |= 2 }
            if checks.donation(pgdPfn) != nil { flags |= 4 }
            return (Self.call(
                .initVM, [UInt64(vm.rawValue), Self.page(kvmPfn), metadataPfn, pgdPfn], cpu: cpu, x8: flags))
        case let .initVCPU(vm, vcpu, hostVcpuPfn, metadataPfn):
            if checks.donation(metadataPfn) != nil { return .hypercall(.failure(.enomem)) }
            return (Self.call(
                .initVCPU, [UInt64(vm.rawValue), UInt64(vcpu), Self.page(hostVcpuPfn), metadataPfn], cpu: cpu,
                x8: checks.hostPage(hostVcpuPfn) == nil ? 0 : 1))
        case .teardownVM(let vm):
            return (Self.call(.teardownVM, [UInt64(vm.rawValue)], cpu: cpu))
        case let .vcpuLoad(vm, vcpu):
            return (Self.call(.vcpuLoad, [UInt64(vm.rawValue), UInt64(vcpu)], cpu: cpu))
        case .vcpuPut:
            return (Self.call(.vcpuPut, cpu: cpu))
        case .vcpuRun:
            return (Self.call(.vcpuRun, cpu: cpu))
        case let .guestMemShare(ref, ipa):
            return guestHypercall(.guestMemShare, cpu: cpu, ref, ipa: ipa)
        case let .guestMemUnshare(ref, ipa):
            return guestHypercall(.guestMemUnshare, cpu: cpu, ref, ipa: ipa)
        case let .guestMemRelinquish(ref, ipa):
            return guestHypercall(.guestMemRelinquish, cpu: cpu, ref, ipa: ipa)
        case let .hostStage2Fault(address, _):
            let page = address >> MachineConfig.pageShift
            guard page < addressSpacePages else { return .invalid(.addressOutsideAddressSpace(address)) }
            // MMIO: mapped on demand; not modelled, so nothing to map.
            guard page < memoryPages else { return .fault(.mapped) }
            return Self.call(.hostMemAbort, [page], cpu: cpu, kind: .fault)
        case let .guestStage2Fault(ref, ipa, write):
            if let why = checkLoaded(cpu: cpu, ref) { return .invalid(why) }
            let gfn = ipa >> MachineConfig.pageShift
            guard gfn < addressSpacePages else { return .fault(.exitToHost) }
            let needed = write ? Stage2Descriptor.s2Write : Stage2Descriptor.s2Read
            return Self.call(.guestFault, [0, gfn, 0, needed], cpu: cpu, kind: .fault)
        case let .guestSendSGI(ref, target, intid):
            if let why = checkLoaded(cpu: cpu, ref) { return .invalid(why) }
            guard intid < 16 else { return .invalid(.badInterruptID(intid)) }
            return Self.call(.guestSendSGI, [0, UInt64(target), UInt64(intid)], cpu: cpu, kind: .ipi)
        case let .guestTakeSGI(ref, intid):
            if let why = checkLoaded(cpu: cpu, ref) { return .invalid(why) }
            guard intid < 16 else { return .invalid(.badInterruptID(intid)) }
            return Self.call(.guestTakeSGI, [0, 0, UInt64(intid)], cpu: cpu, kind: .ipi)
        case let .sendIPI(_, target, intid):
            guard Int(target) < config.cpus else { return .invalid(.noSuchCPU(target)) }
            guard intid < 16 else { return .invalid(.badInterruptID(intid)) }
            return Self.call(.sendIPI, [0, UInt64(target), UInt64(intid)], cpu: cpu, kind: .ipi)
        case .takeIPI(let intid):
            guard intid < 16 else { return .invalid(.badInterruptID(intid)) }
            return Self.call(.takeIPI, [0, 0, UInt64(intid)], cpu: cpu, kind: .ipi)
        }
    }

    /// The page a pfn argument names once shifted into a 64-bit address
    /// (`hyp_pfn_to_phys` wraps): its low 52 bits.
    static func page(_ pfn: UInt64) -> UInt64 { pfn & (UInt64.max >> MachineConfig.pageShift) }

    /// A handler call: the handler, its registers, how to read its result.
    struct HandlerCall {
        enum Kind { case hypercall, fault, ipi }
        var handler: Handler
        var arguments: [UInt64]
        var x7: UInt64
        var x8: UInt64
        var kind: Kind

        func outcome(_ result: (code: UInt64, value: UInt64)) -> Outcome {
            switch kind {
            case .hypercall: return Implementation.hypercall(result)
            case .fault: return .fault(Implementation.resolution(result.code))
            case .ipi: return .ipi(Implementation.ipi(result.code))
            }
        }
    }

    enum Dispatched {
        case done(Outcome)
        case call(HandlerCall)

        static func hypercall(_ result: HypercallResult) -> Dispatched { .done(.hypercall(result)) }
        static func invalid(_ why: InvalidEvent) -> Dispatched { .done(.invalid(why)) }
        static func fault(_ resolution: FaultResolution) -> Dispatched { .done(.fault(resolution)) }
    }

    /// A call of `handler`; `cpu` is where it runs (the registers carry it).
    static func call(
        _ handler: Handler, _ arguments: [UInt64] = [], cpu: Int, x7: UInt64 = 0, x8: UInt64 = 0,
        kind: HandlerCall.Kind = .hypercall
    ) -> Dispatched {
        .call(HandlerCall(handler: handler, arguments: arguments, x7: x7, x8: x8, kind: kind))
    }

    static func code(_ errno: Errno?) -> UInt64 { errno.map { UInt64($0.rawValue) } ?? 0 }

    static func resolution(_ code: UInt64) -> FaultResolution {
        switch code {
        case HandlerCode.mapped: return .mapped
        case HandlerCode.spurious: return .spurious
        case HandlerCode.injected: return .injected
        default: return .exitToHost
        }
    }

    static func ipi(_ code: UInt64) -> IPIOutcome {
        switch code {
        case HandlerCode.pending: return .pending
        case HandlerCode.dropped: return .dropped
        case HandlerCode.taken: return .taken
        default: return .spurious
        }
    }

    private func hostShareGuest(cpu: Int, pfn: UInt64, gfn: UInt64, count: UInt64, prot: UInt64) -> Dispatched {
        let phys = pfn &<< MachineConfig.pageShift
        let ipa = gfn &<< MachineConfig.pageShift
        var check: Errno?
        if prot & ~Prot.rwx.rawValue != 0 || !checks.pfnRangeIsValid(pfn, count) {
            check = .einval
        } else {
            switch checks.transitionSize(phys: phys, ipa: ipa, pages: count) {
            case .failure(let error): check = error
            case .success(let size):
                check = checks.rangeAllowedMemory(start: phys, end: phys &+ size)
                    ?? checks.walkRange(ipa: ipa, size: size)
            }
        }
        var attributes = Stage2Descriptor.leafAttributes(state: .sharedBorrowed, prot: Prot(rawValue: prot & 7))
        if count == 1 { attributes |= Descriptor.tableOrPage }
        return Self.call(.hostShareGuest, [pfn, ipa >> MachineConfig.pageShift, count, attributes], cpu: cpu,
                         x7: Self.code(check))
    }

    /// MEM_SHARE / MEM_UNSHARE / MEM_RELINQUISH from the vCPU `ref`.
    private func guestHypercall(_ handler: Handler, cpu: Int, _ ref: VCPURef, ipa: UInt64) -> Dispatched {
        if let why = checkLoaded(cpu: cpu, ref) { return .invalid(why) }
        if !config.vms[Int(ref.vm.rawValue)].isProtected {
            // Not for the hypervisor: the call goes to the host.
            return .hypercall(handler == .guestMemRelinquish ? .ok : .failure(.eopnotsupp))
        }
        guard ipa & (MachineConfig.pageSize - 1) == 0 else { return .hypercall(.failure(.einval)) }
        if let error = checks.walkRange(ipa: ipa, size: MachineConfig.pageSize) { return .hypercall(.failure(error)) }
        return (Self.call(handler, [0, ipa >> MachineConfig.pageShift], cpu: cpu))
    }

    /// The guest-event check of the trap path: the event's vCPU must be the
    /// one this CPU runs (its context, in the per-CPU area).
    func checkLoaded(cpu: Int, _ ref: VCPURef) -> InvalidEvent? {
        let loaded = word(layout.perCPU(cpu))
        if loaded != 0 && loaded - 1 == UInt64(ref.vm.rawValue) << 32 | UInt64(ref.vcpu) { return nil }
        let vm = Int(ref.vm.rawValue)
        guard vm < config.vms.count, Int(ref.vcpu) < config.vms[vm].vcpus else { return .noSuchVCPU(ref) }
        return .vcpuNotLoaded(ref, cpu: UInt32(cpu))
    }

    private mutating func guestFault(cpu: Int, gfn: UInt64, write: Bool) -> UInt64 {
        let needed = write ? Stage2Descriptor.s2Write : Stage2Descriptor.s2Read
        return run(.guestFault, [0, gfn, 0, needed], cpu: cpu).code
    }

    /// Word index, or nil if the access has a bad width, is misaligned or
    /// lies beyond the modelled words of its page.
    private func isModelled(_ access: MemoryAccess) -> Bool {
        let width = access.width
        guard width == 8 || width == 4 || width == 2 || width == 1 else { return false }
        guard access.address & UInt64(width - 1) == 0 else { return false }
        return Int((access.address & (MachineConfig.pageSize - 1)) >> 3) < config.wordsPerPage
    }

    private func invalidAccess(_ access: MemoryAccess) -> InvalidEvent {
        let width = access.width
        guard width == 8 || width == 4 || width == 2 || width == 1 else { return .badAccessWidth(width) }
        guard access.address & UInt64(width - 1) == 0 else {
            return .misalignedAccess(address: access.address, width: width)
        }
        return .unmodelledAddress(access.address)
    }

    /// A host access through the host stage 2; a stage-2 fault goes to the
    /// host fault handler, and the access is retried once it has mapped the page.
    mutating func hostAccess(cpu: Int, _ access: MemoryAccess) -> Outcome {
        let page = access.address >> MachineConfig.pageShift
        guard page < addressSpacePages else { return .invalid(.addressOutsideAddressSpace(access.address)) }
        guard page < memoryPages else { return .invalid(.unmodelledAddress(access.address)) }
        guard isModelled(access) else {
            let state = run(.hostPageState, [page], cpu: cpu).value
            return state == UInt64(PageState.noPage.rawValue) ? .access(.fault) : .invalid(invalidAccess(access))
        }
        if let done = self.access(access, root: layout.hostPgd) { return .access(done) }
        guard Self.resolution(run(.hostMemAbort, [page], cpu: cpu).code) != .injected else { return .access(.fault) }
        guard let done = self.access(access, root: layout.hostPgd) else {
            preconditionFailure("host access faulted after its page was mapped")
        }
        return .access(done)
    }

    /// A guest access through its VM's stage 2 (VTTBR as vcpu_load set it).
    mutating func guestAccess(cpu: Int, _ ref: VCPURef, _ access: MemoryAccess) -> Outcome {
        if let why = checkLoaded(cpu: cpu, ref) { return .invalid(why) }
        let gfn = access.address >> MachineConfig.pageShift
        guard gfn < addressSpacePages else { return .access(.fault) }
        guard isModelled(access) else {
            let permitted = guestFault(cpu: cpu, gfn: gfn, write: access.isWrite) == HandlerCode.spurious
            return permitted ? .invalid(invalidAccess(access)) : .access(.fault)
        }
        let vm = word(layout.vmSlot(Int(ref.vm.rawValue)))
        let root = word(vm + Layout.VMField.pgd)
        return .access(self.access(access, root: root) ?? .fault)
    }
}
