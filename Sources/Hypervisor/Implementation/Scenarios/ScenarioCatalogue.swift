import MemoryModel

/// The concurrent scenarios, one per variant that has one. Each starts from
/// a small machine: 2 CPUs, 64 pages, a 2-level stage 2, one protected VM
/// with one vCPU loaded on CPU 0, set up by sequential events.
enum ScenarioCatalogue {
    static let config = MachineConfig(
        cpus: 2, physicalPages: 64, wordsPerPage: 1, pageTableLevels: 2,
        vms: [VMConfig(vcpus: 1, isProtected: true)], reservedHypPages: 0)

    /// Pages the setup uses: the VM's struct kvm (10), metadata (11), pgd
    /// (12), host vCPU (13), vCPU metadata (14); memcache pages from 20; a
    /// page donated to the guest at gfn 5 (30).
    static let setup: [MachineEvent] = [
        .hostShareHyp(pfn: 10), .initVM(vm: VMID(0), kvmPfn: 10, metadataPfn: 11, pgdPfn: 12),
        .hostShareHyp(pfn: 13), .initVCPU(vm: VMID(0), vcpu: 0, hostVcpuPfn: 13, metadataPfn: 14),
        .vcpuLoad(vm: VMID(0), vcpu: 0), .hostTopupMemcache(pfn: 20), .hostTopupMemcache(pfn: 21),
        .hostStage2Fault(address: 40 << 12, write: true),
        .hostDonateGuest(pfn: 30, gfn: 5),
    ]
    static let guestPage: UInt64 = 30
    static let guestGFN: UInt64 = 5
    /// The page of the memcache that became the guest's level-3 table.
    static let tablePage: UInt64 = 21
    static let secret: UInt64 = 0x5EC2E7

    static func machine(_ variant: Variant, extra: [MachineEvent] = []) throws -> Implementation {
        var impl = try Implementation(config: config, variant: variant)
        for event in setup + extra {
            let outcome = impl.apply(event, on: 0)
            switch outcome {
            case .hypercall(.failure), .invalid, .access(.fault), .fault(.injected):
                preconditionFailure("scenario setup \(event) gave \(outcome)")
            default: break
            }
        }
        return impl
    }

    static func x(_ state: FinalState, thread: Int, _ register: Int) -> UInt64 { state.registers[thread][register] }

    /// unlocked-owner-check (DRF-Kernel, SC): two CPUs donate the same host
    /// page to the hypervisor. Bad: both succeed (checked before locking,
    /// both saw it host-owned).
    static func concurrentDonations(_ variant: Variant) throws -> ConcurrentScenario {
        let impl = try machine(variant)
        let code = impl.handlerCode(.hostDonateHyp)
        let program = impl.concurrentProgram([
            .init(code: code, registers: impl.handlerRegisters([50, 1], cpu: 0)),
            .init(code: code, registers: impl.handlerRegisters([50, 1], cpu: 1)),
        ], instructionBound: 6)
        return ConcurrentScenario(
            variant: .unlockedOwnerCheck,
            summary: "CPU0 and CPU1 both __pkvm_host_donate_hyp(page 50); bad: both return 0",
            machine: .sc, program: program,
            bad: { x($0, thread: 0, 0) == 0 && x($0, thread: 1, 0) == 0 })
    }

    /// hyp-table-shared (Memory-Isolation, SC): CPU0 hands a page back to
    /// the host while CPU1 takes the host's stage-2 fault on it. The page
    /// is the guest's stage-2 table. Bad: the fault is not refused (the
    /// host maps the page, or finds it already mapped).
    static func tablePageToHost(_ variant: Variant) throws -> ConcurrentScenario {
        let impl = try machine(variant)
        let program = impl.concurrentProgram([
            .init(code: impl.handlerCode(.hypDonateHost), registers: impl.handlerRegisters([tablePage, 1], cpu: 0)),
            .init(code: impl.handlerCode(.hostMemAbort), registers: impl.handlerRegisters([tablePage], cpu: 1)),
        ], instructionBound: 6)
        return ConcurrentScenario(
            variant: .hypTableShared,
            summary: "CPU0 __pkvm_hyp_donate_host(guest table page), CPU1 host stage-2 fault on it; bad: the host gets it mapped",
            machine: .sc, program: program,
            bad: { x($0, thread: 1, 0) != HandlerCode.injected })
    }

    /// plain-unlock (No-Barrier-Misuse, Arm): two CPUs share the same page
    /// with the secure world (FF-A, under the host lock alone). The second
    /// takes the lock after the first released it, but a plain release lets
    /// it read the page state from before the first's update. Bad: both succeed.
    static func concurrentShares(_ variant: Variant) throws -> ConcurrentScenario {
        let impl = try machine(variant)
        let code = impl.handlerCode(.hostShareFFA)
        let program = impl.concurrentProgram([
            .init(code: code, registers: impl.handlerRegisters([50, 1], cpu: 0)),
            .init(code: code, registers: impl.handlerRegisters([50, 1], cpu: 1)),
        ], instructionBound: 4)
        return ConcurrentScenario(
            variant: .plainUnlock,
            summary: "CPU0 and CPU1 both __pkvm_host_share_ffa(page 50, 1); bad: both return 0",
            machine: .arm, program: program,
            bad: { x($0, thread: 0, 0) == 0 && x($0, thread: 1, 0) == 0 })
    }

    /// missing-dsb-before-ipi (No-Barrier-Misuse, Arm): CPU0 kicks CPU1
    /// with SGI 3, writing the reason first; CPU1 takes it and reads the
    /// reason. Bad: CPU1 took the SGI but read no reason.
    static func kick(_ variant: Variant) throws -> ConcurrentScenario {
        let impl = try machine(variant)
        let program = impl.concurrentProgram([
            .init(code: impl.handlerCode(.sendIPI), registers: impl.handlerRegisters([0, 1, 3], cpu: 0)),
            .init(code: impl.handlerCode(.takeIPI), registers: impl.handlerRegisters([0, 0, 3], cpu: 1)),
        ], instructionBound: 2)
        return ConcurrentScenario(
            variant: .missingDSBBeforeIPI,
            summary: "CPU0 kicks CPU1 (reason 3, SGI 3), CPU1 takes SGI 3; bad: taken but the reason reads 0",
            machine: .arm, program: program,
            bad: { x($0, thread: 1, 0) == HandlerCode.taken && x($0, thread: 1, 1) == 0 })
    }

    /// scrub-without-barrier (No-Barrier-Misuse, Arm): the protected guest
    /// (CPU0) relinquishes a page holding its secret; the host (CPU1) reads
    /// the page through its stage 2, the walk written out as loads (the
    /// level-3 descriptor, then the data at its output address). Bad: the
    /// host finds the page mapped and reads the secret.
    static func relinquishAndRead(_ variant: Variant) throws -> ConcurrentScenario {
        let ref = VCPURef(vm: VMID(0), vcpu: 0)
        let impl = try machine(variant, extra: [.guestAccess(ref, .write(guestGFN << 12, secret))])
        guard let entry = impl.hostLeafEntry(guestPage) else {
            preconditionFailure("scenario: the host's level-3 table for page \(guestPage) is missing")
        }
        let reader = try Assembler().assemble("""
            LDR X2, [X0]                  // the host's stage-2 descriptor of the page
            AND X3, X2, #1
            CBZ X3, unmapped              // not mapped: a stage-2 fault
            AND X4, X2, #0xfffffffff000
            LDR X5, [X4]                  // the page's first word
            unmapped:
            """, file: "host-reader.S")
        var readerRegisters = RegisterFile()
        readerRegisters.values[0] = entry
        let program = impl.concurrentProgram([
            .init(code: impl.handlerCode(.guestMemRelinquish), registers: impl.handlerRegisters([0, guestGFN], cpu: 0)),
            .init(code: reader, registers: readerRegisters),
        ], instructionBound: 18)
        return ConcurrentScenario(
            variant: .scrubWithoutBarrier,
            summary: "guest (CPU0) MEM_RELINQUISH of a page holding its secret, host (CPU1) reads the page; bad: the host reads the secret",
            machine: .arm, program: program,
            bad: { x($0, thread: 1, 3) != 0 && x($0, thread: 1, 5) == secret })
    }
}
