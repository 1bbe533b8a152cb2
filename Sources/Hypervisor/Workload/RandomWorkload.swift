/// A seeded generator of event sequences for Spec (and any machine taking
/// the same events): it brings the machine up like a host would, then draws
/// events by `WorkloadMix` weights, choosing arguments that are mostly
/// meaningful (pages the host owns, gfns the VM has mapped, vCPUs that are
/// loaded) by asking the machine's current state, so most events succeed.
///
/// Values written carry their writer in the top 16 bits (`writer(ofValue:)`):
/// a guest of VM n writes n + 1, the host 0xFFFF; the low 48 bits count up.
/// Property tests use that to tell whose data a read returns.
public struct RandomWorkload: Sendable {
    public struct Step: Hashable, Sendable {
        public var event: MachineEvent
        public var cpu: UInt32
        public init(_ event: MachineEvent, on cpu: UInt32) {
            self.event = event
            self.cpu = cpu
        }
    }

    public static let hostWriterTag: UInt64 = 0xFFFF

    /// The principal whose write produced `value`, if a workload wrote it.
    public static func writer(ofValue value: UInt64) -> Principal? {
        let tag = value >> 48
        if tag == 0 { return nil }
        if tag == hostWriterTag { return .host }
        return .guest(VMID(UInt32(tag - 1)))
    }

    public let config: MachineConfig
    private var rng: SplitMix64
    private var kinds: [WorkloadMix.Kind]
    private var queue: [Step] = []
    private var queueHead = 0
    /// Per VM: gfns believed mapped (may be stale; a stale pick just fails).
    private var mapped: [[UInt64]]
    private var hypShared: [UInt64] = []
    private var ffaShared: [UInt64] = []
    private var hypDonated: [UInt64] = []
    private var pinned: [UInt64] = []
    /// Per VM: gfns a protected guest has shared with the host.
    private var guestShared: [[UInt64]]
    private var counter: UInt64 = 0
    private var pending: Pending = .none
    /// Guests use gfns below this; the lists can hold every one of them, so
    /// every mapping the workload makes can later be undone.
    private let gfnWindow: UInt64 = 4096
    private let listCap = 8192

    private enum Pending {
        case none
        case mapped(vm: Int, gfn: UInt64)
        case unmapped(vm: Int, index: Int)
        case hypShared(UInt64), hypUnshared(Int)
        case ffaShared(UInt64), ffaUnshared(Int)
        case hypDonated(UInt64), hypReturned(Int)
        case pinned(UInt64), unpinned(Int)
        case guestShared(vm: Int, gfn: UInt64), guestUnshared(vm: Int, index: Int)
    }

    public init(config: MachineConfig, seed: UInt64, mix: WorkloadMix = .realistic) {
        self.config = config
        rng = SplitMix64(seed: seed)
        var table: [WorkloadMix.Kind] = []
        for kind in WorkloadMix.Kind.allCases {
            table.append(contentsOf: repeatElement(kind, count: max(0, mix.weights[kind] ?? 0)))
        }
        kinds = table.isEmpty ? [.hostRead] : table
        mapped = Array(repeating: [], count: config.vms.count)
        guestShared = Array(repeating: [], count: config.vms.count)
    }

    /// The events that bring the machine up: for each VM, share the host's
    /// `struct kvm` page with the hypervisor and init the VM; for each vCPU,
    /// share its host page and init it; then load one vCPU per CPU and fill
    /// its memcache. Uses the host pages right after the boot reservation.
    public mutating func setup() -> [Step] {
        var steps: [Step] = []
        var next = UInt64(config.reservedHypPages)
        func take() -> UInt64 {
            defer { next += 1 }
            return next
        }
        for (vm, vmConfig) in config.vms.enumerated() {
            let kvm = take()
            steps.append(Step(.hostShareHyp(pfn: kvm), on: 0))
            steps.append(Step(.initVM(vm: VMID(UInt32(vm)), kvmPfn: kvm, metadataPfn: take(), pgdPfn: take()), on: 0))
            for vcpu in 0..<vmConfig.vcpus {
                let hostVcpu = take()
                steps.append(Step(.hostShareHyp(pfn: hostVcpu), on: 0))
                steps.append(Step(
                    .initVCPU(vm: VMID(UInt32(vm)), vcpu: UInt32(vcpu), hostVcpuPfn: hostVcpu, metadataPfn: take()),
                    on: 0))
            }
        }
        guard !config.vms.isEmpty else { return steps }
        var cursor = Array(repeating: 0, count: config.vms.count)
        for cpu in 0..<config.cpus {
            let vm = cpu % config.vms.count
            guard cursor[vm] < config.vms[vm].vcpus else { continue }
            steps.append(Step(.vcpuLoad(vm: VMID(UInt32(vm)), vcpu: UInt32(cursor[vm])), on: UInt32(cpu)))
            cursor[vm] += 1
            for _ in 0..<(2 * config.pageTableLevels) {
                steps.append(Step(.hostTopupMemcache(pfn: take()), on: UInt32(cpu)))
            }
        }
        return steps
    }

    /// The next event, chosen against `spec`'s current state. Call
    /// `observe(_:_:)` with its outcome before asking for another.
    public mutating func next(for spec: Spec) -> Step {
        pending = .none
        if queueHead < queue.count {
            defer {
                queueHead += 1
                if queueHead == queue.count {
                    queue.removeAll(keepingCapacity: true)
                    queueHead = 0
                }
            }
            return queue[queueHead]
        }
        let kind = kinds[Int(rng.below(UInt64(kinds.count)))]
        return draw(kind, spec)
    }

    /// Learns from an event's outcome which gfns and pages are mapped or shared.
    public mutating func observe(_ step: Step, _ outcome: Outcome) {
        guard case .hypercall(let result) = outcome, result.isSuccess else {
            pending = .none
            return
        }
        switch pending {
        case .none: break
        case let .mapped(vm, gfn): if mapped[vm].count < listCap { mapped[vm].append(gfn) }
        case let .unmapped(vm, index): mapped[vm].swapRemoveAt(index)
        case .hypShared(let pfn): if hypShared.count < listCap { hypShared.append(pfn) }
        case .hypUnshared(let index): hypShared.swapRemoveAt(index)
        case .ffaShared(let pfn): if ffaShared.count < listCap { ffaShared.append(pfn) }
        case .ffaUnshared(let index): ffaShared.swapRemoveAt(index)
        case .hypDonated(let pfn): if hypDonated.count < listCap { hypDonated.append(pfn) }
        case .hypReturned(let index): hypDonated.swapRemoveAt(index)
        case .pinned(let pfn): if pinned.count < listCap { pinned.append(pfn) }
        case .unpinned(let index): pinned.swapRemoveAt(index)
        case let .guestShared(vm, gfn): if guestShared[vm].count < listCap { guestShared[vm].append(gfn) }
        case let .guestUnshared(vm, index): guestShared[vm].swapRemoveAt(index)
        }
        pending = .none
    }

    // MARK: Drawing events

    private mutating func draw(_ kind: WorkloadMix.Kind, _ spec: Spec) -> Step {
        let cpu = UInt32(rng.below(UInt64(config.cpus)))
        let loaded = spec.loadedVCPU(onCPU: cpu)
        switch kind {
        case .guestRead, .guestWrite:
            guard let ref = loaded else { return hostAccess(write: kind == .guestWrite, cpu: cpu, spec) }
            let gfn = pickMapped(vm: Int(ref.vm.rawValue)) ?? rng.below(gfnWindow)
            let address = gfn << 12 | wordOffset()
            let access = kind == .guestWrite
                ? MemoryAccess.write(address, value(writer: UInt64(ref.vm.rawValue) + 1)) : .read(address)
            return Step(.guestAccess(ref, access), on: cpu)
        case .hostRead, .hostWrite:
            return hostAccess(write: kind == .hostWrite, cpu: cpu, spec)
        case .hostFault:
            return Step(.hostStage2Fault(address: randomPage() << 12, write: rng.below(2) == 0), on: cpu)
        case .guestFault:
            guard let ref = loaded else { return loadSomething(cpu: cpu, spec) }
            return Step(.guestStage2Fault(ref, ipa: rng.below(gfnWindow) << 12, write: rng.below(2) == 0), on: cpu)
        case .shareGuest, .donateGuest:
            guard let ref = loaded else { return loadSomething(cpu: cpu, spec) }
            if let topup = topupIfLow(ref, spec, cpu: cpu) { return topup }
            let vm = Int(ref.vm.rawValue)
            let gfn = unmappedGFN(vm: ref.vm, spec)
            if config.vms[vm].isProtected {
                pending = .mapped(vm: vm, gfn: gfn)
                return Step(.hostDonateGuest(pfn: hostOwnedPage(spec), gfn: gfn), on: cpu)
            }
            if rng.below(64) == 0 && config.physicalPages >= 1024 {
                // A 2 MiB block share.
                let blocks = UInt64(config.physicalPages) / MachineConfig.blockPages
                let pfn = rng.below(blocks) * MachineConfig.blockPages
                let gfnBlock = rng.below(gfnWindow / MachineConfig.blockPages) * MachineConfig.blockPages
                pending = .mapped(vm: vm, gfn: gfnBlock)
                return Step(.hostShareGuest(pfn: pfn, gfn: gfnBlock, pages: 512, prot: Prot.rwx.rawValue), on: cpu)
            }
            let prot = rng.below(8) == 0 ? Prot.r.rawValue : Prot.rwx.rawValue
            pending = .mapped(vm: vm, gfn: gfn)
            return Step(.hostShareGuest(pfn: hostOwnedPage(spec), gfn: gfn, pages: 1, prot: prot), on: cpu)
        case .unshareGuest, .reclaim:
            var vm = Int(rng.below(UInt64(max(1, config.vms.count))))
            if kind == .unshareGuest, vm < config.vms.count, config.vms[vm].isProtected {
                // Host unshares only make sense for non-protected VMs.
                vm = (vm + 1) % config.vms.count
            }
            guard vm < mapped.count, !mapped[vm].isEmpty else { return Step(.takeIPI(intid: 0), on: cpu) }
            let index = Int(rng.below(UInt64(mapped[vm].count)))
            let gfn = mapped[vm][index]
            pending = .unmapped(vm: vm, index: index)
            let id = VMID(UInt32(vm))
            if kind == .reclaim { return Step(.hostReclaimPage(vm: id, gfn: gfn), on: cpu) }
            let block = spec.translate(vm: id, gfn: gfn)?.pages ?? 1
            return Step(.hostUnshareGuest(vm: id, gfn: gfn, pages: UInt64(block)), on: cpu)
        case .guestShare, .guestUnshare, .relinquish:
            guard let ref = loaded else { return loadSomething(cpu: cpu, spec) }
            let vm = Int(ref.vm.rawValue)
            if kind == .guestUnshare, !guestShared[vm].isEmpty {
                let index = Int(rng.below(UInt64(guestShared[vm].count)))
                pending = .guestUnshared(vm: vm, index: index)
                return Step(.guestMemUnshare(ref, ipa: guestShared[vm][index] << 12), on: cpu)
            }
            guard var index = pickMappedIndex(vm: vm) else { return Step(.vcpuRun, on: cpu) }
            if kind == .guestShare {
                // Prefer a page the guest still owns privately.
                for _ in 0..<4 where spec.translate(vm: ref.vm, gfn: mapped[vm][index])?.state != .owned {
                    index = pickMappedIndex(vm: vm) ?? index
                }
            }
            let ipa = mapped[vm][index] << 12
            switch kind {
            case .guestShare:
                pending = .guestShared(vm: vm, gfn: mapped[vm][index])
                return Step(.guestMemShare(ref, ipa: ipa), on: cpu)
            case .guestUnshare: return Step(.guestMemUnshare(ref, ipa: ipa), on: cpu)
            default:
                if config.vms[vm].isProtected { pending = .unmapped(vm: vm, index: index) }
                return Step(.guestMemRelinquish(ref, ipa: ipa), on: cpu)
            }
        case .shareHyp:
            let pfn = hostOwnedPage(spec)
            pending = .hypShared(pfn)
            return Step(.hostShareHyp(pfn: pfn), on: cpu)
        case .unshareHyp, .pin, .unpin:
            guard !hypShared.isEmpty else { return Step(.hostShareHyp(pfn: hostOwnedPage(spec)), on: cpu) }
            let index = Int(rng.below(UInt64(hypShared.count)))
            let pfn = hypShared[index]
            switch kind {
            case .pin:
                pending = .pinned(pfn)
                return Step(.hypPinSharedMem(pfn: pfn), on: cpu)
            case .unpin:
                guard !pinned.isEmpty else { return Step(.hypPinSharedMem(pfn: pfn), on: cpu) }
                let pinIndex = Int(rng.below(UInt64(pinned.count)))
                pending = .unpinned(pinIndex)
                return Step(.hypUnpinSharedMem(pfn: pinned[pinIndex]), on: cpu)
            default:
                pending = .hypUnshared(index)
                return Step(.hostUnshareHyp(pfn: pfn), on: cpu)
            }
        case .shareFFA:
            let pfn = hostOwnedPage(spec)
            pending = .ffaShared(pfn)
            return Step(.hostShareFFA(pfn: pfn, pages: 1), on: cpu)
        case .unshareFFA:
            guard !ffaShared.isEmpty else { return Step(.hostShareFFA(pfn: hostOwnedPage(spec), pages: 1), on: cpu) }
            let index = Int(rng.below(UInt64(ffaShared.count)))
            pending = .ffaUnshared(index)
            return Step(.hostUnshareFFA(pfn: ffaShared[index], pages: 1), on: cpu)
        case .donateHyp:
            let pfn = hostOwnedPage(spec)
            pending = .hypDonated(pfn)
            return Step(.hostDonateHyp(pfn: pfn, pages: 1), on: cpu)
        case .hypDonateHost:
            guard !hypDonated.isEmpty else { return Step(.hypDonateHost(pfn: randomPage(), pages: 1), on: cpu) }
            let index = Int(rng.below(UInt64(hypDonated.count)))
            pending = .hypReturned(index)
            return Step(.hypDonateHost(pfn: hypDonated[index], pages: 1), on: cpu)
        case .topup:
            return Step(.hostTopupMemcache(pfn: hostOwnedPage(spec)), on: cpu)
        case .switchVCPU:
            guard loaded != nil else { return loadSomething(cpu: cpu, spec) }
            if let target = freeVCPU(spec) { schedule(Step(.vcpuLoad(vm: target.vm, vcpu: target.vcpu), on: cpu)) }
            return Step(.vcpuPut, on: cpu)
        case .run:
            guard loaded != nil else { return loadSomething(cpu: cpu, spec) }
            return Step(.vcpuRun, on: cpu)
        case .sendSGI, .takeSGI:
            guard let ref = loaded else { return Step(.takeIPI(intid: UInt32(rng.below(16))), on: cpu) }
            let intid = UInt32(rng.below(16))
            if kind == .takeSGI { return Step(.guestTakeSGI(ref, intid: intid), on: cpu) }
            let vcpus = UInt64(config.vms[Int(ref.vm.rawValue)].vcpus)
            return Step(.guestSendSGI(ref, targetVCPU: UInt32(rng.below(vcpus)), intid: intid), on: cpu)
        case .sendIPI:
            let sender: IPISender = rng.below(2) == 0 ? .host : .hypervisor
            let target = UInt32(rng.below(UInt64(config.cpus)))
            return Step(.sendIPI(from: sender, targetCPU: target, intid: UInt32(rng.below(16))), on: cpu)
        case .takeIPI:
            return Step(.takeIPI(intid: UInt32(rng.below(16))), on: cpu)
        case .teardown:
            guard !config.vms.isEmpty else { return Step(.vcpuRun, on: cpu) }
            let vm = VMID(UInt32(rng.below(UInt64(config.vms.count))))
            for other in 0..<UInt32(config.cpus) where spec.loadedVCPU(onCPU: other)?.vm == vm {
                schedule(Step(.vcpuPut, on: other))
            }
            schedule(Step(.teardownVM(vm: vm), on: cpu))
            return Step(.vcpuRun, on: cpu)
        case .hostile:
            return hostile(cpu: cpu, loaded: loaded)
        }
    }

    /// Host accesses go mostly to memory the host may touch, as a kernel's do.
    private mutating func hostAccess(write: Bool, cpu: UInt32, _ spec: Spec) -> Step {
        var pfn = randomPage()
        for _ in 0..<4 {
            if let view = spec.pageView(pfn), view.host != .noPage { break }
            pfn = randomPage()
        }
        let address = pfn << 12 | wordOffset()
        let access = write ? MemoryAccess.write(address, value(writer: RandomWorkload.hostWriterTag)) : .read(address)
        return Step(.hostAccess(access), on: cpu)
    }

    private mutating func topupIfLow(_ ref: VCPURef, _ spec: Spec, cpu: UInt32) -> Step? {
        guard let pages = spec.memcachePages(of: ref), pages <= config.pageTableLevels else { return nil }
        return Step(.hostTopupMemcache(pfn: hostOwnedPage(spec)), on: cpu)
    }

    private mutating func schedule(_ step: Step) { queue.append(step) }

    private mutating func value(writer: UInt64) -> UInt64 {
        counter = (counter + 1) & ((1 << 48) - 1)
        return writer << 48 | counter
    }

    private mutating func wordOffset() -> UInt64 { rng.below(UInt64(config.wordsPerPage)) << 3 }

    private mutating func randomPage() -> UInt64 { rng.below(UInt64(config.physicalPages)) }

    /// A page the host owns outright, if a few random picks find one.
    private mutating func hostOwnedPage(_ spec: Spec) -> UInt64 {
        var pfn = randomPage()
        for _ in 0..<8 {
            if let view = spec.pageView(pfn), view.host == .owned, view.owner == .host { return pfn }
            pfn = randomPage()
        }
        return pfn
    }

    /// A gfn of the window the VM does not map, if a few picks find one.
    private mutating func unmappedGFN(vm: VMID, _ spec: Spec) -> UInt64 {
        var gfn = rng.below(gfnWindow)
        for _ in 0..<4 where spec.translate(vm: vm, gfn: gfn) != nil { gfn = rng.below(gfnWindow) }
        return gfn
    }

    private mutating func pickMappedIndex(vm: Int) -> Int? {
        guard vm < mapped.count, !mapped[vm].isEmpty else { return nil }
        return Int(rng.below(UInt64(mapped[vm].count)))
    }

    /// Mostly a gfn the VM has mapped; sometimes any gfn of the window.
    private mutating func pickMapped(vm: Int) -> UInt64? {
        guard rng.below(16) != 0, let index = pickMappedIndex(vm: vm) else { return nil }
        return mapped[vm][index]
    }

    private mutating func randomVCPU() -> VCPURef? {
        guard !config.vms.isEmpty else { return nil }
        let vm = Int(rng.below(UInt64(config.vms.count)))
        return VCPURef(vm: VMID(UInt32(vm)), vcpu: UInt32(rng.below(UInt64(config.vms[vm].vcpus))))
    }

    /// A vCPU of a live VM loaded on no CPU, if a few picks find one.
    private mutating func freeVCPU(_ spec: Spec) -> VCPURef? {
        for _ in 0..<4 {
            guard let candidate = randomVCPU() else { return nil }
            guard spec.status(of: candidate.vm) == .active else { continue }
            var busy = false
            for cpu in 0..<UInt32(config.cpus) where spec.loadedVCPU(onCPU: cpu) == candidate {
                busy = true
                break
            }
            if !busy { return candidate }
        }
        return nil
    }

    /// An idle CPU loads a vCPU (or, failing to find one, takes an IPI).
    private mutating func loadSomething(cpu: UInt32, _ spec: Spec) -> Step {
        guard let target = freeVCPU(spec) else { return Step(.takeIPI(intid: UInt32(rng.below(16))), on: cpu) }
        return Step(.vcpuLoad(vm: target.vm, vcpu: target.vcpu), on: cpu)
    }

    // MARK: Hostile input

    /// A raw 64-bit argument biased towards the boundaries that matter.
    private mutating func nasty() -> UInt64 {
        let pages = UInt64(config.physicalPages)
        let limit = config.addressSpacePages
        switch rng.below(12) {
        case 0: return 0
        case 1: return pages - 1
        case 2: return pages
        case 3: return limit - 1
        case 4: return limit
        case 5: return UInt64.max
        case 6: return UInt64.max >> 12
        case 7: return 1 << 52 | rng.below(pages)
        case 8: return rng.below(512) == 0 ? 512 : rng.below(pages)
        case 9: return rng.next()
        default: return rng.below(pages)
        }
    }

    private mutating func nastyVM() -> VMID { VMID(UInt32(rng.below(UInt64(config.vms.count + 2)))) }

    private mutating func nastyVCPU() -> VCPURef { VCPURef(vm: nastyVM(), vcpu: UInt32(rng.below(4))) }

    private mutating func hostile(cpu: UInt32, loaded: VCPURef?) -> Step {
        // Sometimes a CPU that does not exist.
        let where_ = rng.below(16) == 0 ? UInt32(config.cpus) + UInt32(rng.below(3)) : cpu
        let ref = rng.below(2) == 0 ? (loaded ?? nastyVCPU()) : nastyVCPU()
        let event: MachineEvent
        switch rng.below(24) {
        case 0: event = .hostShareHyp(pfn: nasty())
        case 1: event = .hostUnshareHyp(pfn: nasty())
        case 2: event = .hostDonateHyp(pfn: nasty(), pages: nasty() & 0x3FF)
        case 3: event = .hypDonateHost(pfn: nasty(), pages: nasty() & 0x3FF)
        case 4: event = .hostShareFFA(pfn: nasty(), pages: nasty())
        case 5: event = .hostUnshareFFA(pfn: nasty(), pages: nasty())
        case 6: event = .hypPinSharedMem(pfn: nasty())
        case 7: event = .hypUnpinSharedMem(pfn: nasty())
        case 8: event = .hostShareGuest(pfn: nasty(), gfn: nasty(), pages: rng.below(2) == 0 ? 1 : nasty(), prot: rng.below(16))
        case 9: event = .hostUnshareGuest(vm: nastyVM(), gfn: nasty(), pages: rng.below(2) == 0 ? 1 : nasty())
        case 10: event = .hostDonateGuest(pfn: nasty(), gfn: nasty())
        case 11: event = .hostReclaimPage(vm: nastyVM(), gfn: nasty())
        case 12: event = .hostTopupMemcache(pfn: nasty())
        case 13: event = .initVM(vm: nastyVM(), kvmPfn: nasty(), metadataPfn: nasty(), pgdPfn: nasty())
        case 14: event = .initVCPU(vm: nastyVM(), vcpu: UInt32(rng.below(6)), hostVcpuPfn: nasty(), metadataPfn: nasty())
        case 15: event = .vcpuLoad(vm: nastyVM(), vcpu: UInt32(rng.below(6)))
        case 16: event = .guestMemShare(ref, ipa: nasty() << (rng.below(2) == 0 ? 12 : 0))
        case 17: event = .guestMemUnshare(ref, ipa: nasty() << 12)
        case 18: event = .guestMemRelinquish(ref, ipa: nasty() << (rng.below(2) == 0 ? 12 : 0))
        case 19:
            let widths: [UInt8] = [0, 1, 2, 3, 4, 8, 16]
            let access = MemoryAccess(
                address: nasty() << (rng.below(2) == 0 ? 12 : 0) | rng.below(4096),
                width: widths[Int(rng.below(UInt64(widths.count)))], isWrite: rng.below(2) == 0,
                value: value(writer: rng.below(2) == 0 ? RandomWorkload.hostWriterTag : UInt64(ref.vm.rawValue) + 1))
            event = rng.below(2) == 0 ? .hostAccess(access) : .guestAccess(ref, access)
        case 20: event = .hostStage2Fault(address: nasty() << 12, write: true)
        case 21: event = .guestStage2Fault(ref, ipa: nasty() << 12, write: false)
        case 22: event = .guestSendSGI(ref, targetVCPU: UInt32(rng.below(6)), intid: UInt32(rng.below(20)))
        default: event = .sendIPI(from: .host, targetCPU: UInt32(rng.below(UInt64(config.cpus + 2))), intid: UInt32(rng.below(20)))
        }
        return Step(event, on: where_)
    }
}

extension Array {
    /// Removes the element at `index` by moving the last one into its place.
    fileprivate mutating func swapRemoveAt(_ index: Int) {
        guard index < count else { return }
        swapAt(index, count - 1)
        removeLast()
    }
}
