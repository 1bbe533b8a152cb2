import MemoryModel

/// Scenarios whose bad outcome needs a TLB: a principal's access translated
/// through a descriptor the handler changes. They use herd's single-level
/// translation (`AddressTranslation.singleLevel`): the access walks only the
/// last-level descriptor the handler writes (the tables above it do not
/// change in these scenarios); the handler's own accesses are physical.
enum TLBScenarios {
    /// A non-protected VM (one vCPU, loaded on CPU 0) that the host has
    /// shared page 30 with at gfn 5 (and page 31 at gfn 6); page 30 holds
    /// the host's old value.
    static let config = MachineConfig(
        cpus: 2, physicalPages: 64, wordsPerPage: 1, pageTableLevels: 2,
        vms: [VMConfig(vcpus: 1, isProtected: false)], reservedHypPages: 0)
    static let page: UInt64 = 30
    static let gfn: UInt64 = 5
    static let oldValue: UInt64 = 0x01D
    static let hostSecret: UInt64 = 0x4855

    static func sharedPage(_ variant: Variant) throws -> Implementation {
        var impl = try Implementation(config: config, variant: variant)
        let setup: [MachineEvent] = [
            .hostShareHyp(pfn: 10), .initVM(vm: VMID(0), kvmPfn: 10, metadataPfn: 11, pgdPfn: 12),
            .hostShareHyp(pfn: 13), .initVCPU(vm: VMID(0), vcpu: 0, hostVcpuPfn: 13, metadataPfn: 14),
            .vcpuLoad(vm: VMID(0), vcpu: 0), .hostTopupMemcache(pfn: 20), .hostTopupMemcache(pfn: 21),
            .hostAccess(.write(page << 12, oldValue)),
            .hostShareGuest(pfn: page, gfn: gfn, pages: 1, prot: Prot.rwx.rawValue),
            // A neighbour in the same level-3 table keeps the table alive,
            // so the unshare invalidates once (freeing the table would
            // invalidate again and hide a broken first sequence).
            .hostShareGuest(pfn: page + 1, gfn: gfn + 1, pages: 1, prot: Prot.rwx.rawValue),
        ]
        for event in setup {
            let outcome = impl.apply(event, on: 0)
            switch outcome {
            case .hypercall(.failure), .invalid, .access(.fault): preconditionFailure("TLB scenario setup \(event): \(outcome)")
            default: break
            }
        }
        return impl
    }

    /// The Sequential-TLB-Invalidation variants: the host unshares the page
    /// from the guest (CPU1: `__pkvm_host_unshare_guest`, then the host
    /// writes a secret into its page), while the guest (CPU0) reads it.
    /// Bad: the guest reads the host's secret, through a translation the
    /// unshare should have invalidated before returning.
    static func unshareThenWrite(_ variant: Variant, _ handlers: Variant) throws -> ConcurrentScenario {
        let impl = try sharedPage(handlers)
        guard let entry = impl.guestLeafEntry(vm: 0, gfn: gfn) else {
            preconditionFailure("TLB scenario: no guest leaf for gfn \(gfn)")
        }
        var host = impl.handlerCode(.hostUnshareGuest)
        let afterwards = try Assembler().assemble("""
            MOV X12, #\(hostSecret)
            MOV X13, #\(page << 12)
            STR X12, [X13]                // the host writes its secret into its page
            """, file: "host-after-unshare.S")
        host.instructions += afterwards.instructions
        let guest = try Assembler().assemble("LDR X2, [X0]          // the guest reads its IPA", file: "guest-read.S")
        var guestRegisters = RegisterFile()
        guestRegisters.values[0] = gfn << 12
        let program = impl.concurrentProgram([
            .init(code: guest, registers: guestRegisters),
            .init(code: host, registers: impl.handlerRegisters([0, gfn, 1], cpu: 1)),
        ], instructionBound: 4, translation: .singleLevel(descriptorAddress: [gfn << 12: entry]))
        return ConcurrentScenario(
            variant: variant,
            summary: "host (CPU1) __pkvm_host_unshare_guest(gfn 5) then writes a secret to the page; guest (CPU0) reads gfn 5; bad: the guest reads the secret",
            machine: .arm, program: program,
            bad: { state in
                !state.faults.contains { $0.thread == 0 } && state.registers[0][2] == hostSecret
                    && state.registers[1][0] == 0
            })
    }

    /// remap-hyp-mapping: CPU0 pins a page shared with the hypervisor while
    /// CPU1 (the hypervisor on another CPU) reads that page through the
    /// hypervisor's linear map. Bad: the read faults (the mapping, written
    /// once at boot, was rewritten under it).
    static func pinWhileReading(_ handlers: Variant) throws -> ConcurrentScenario {
        let impl = try ScenarioCatalogue.machine(handlers)
        let pinned: UInt64 = 10
        let hypVA: UInt64 = 0x4000_0000 + pinned << 12
        let reader = try Assembler().assemble("LDR X2, [X0]          // the hypervisor reads the shared page", file: "hyp-read.S")
        var readerRegisters = RegisterFile()
        readerRegisters.values[0] = hypVA
        let program = impl.concurrentProgram([
            .init(code: impl.handlerCode(.hypPin), registers: impl.handlerRegisters([pinned], cpu: 0)),
            .init(code: reader, registers: readerRegisters),
        ], instructionBound: 4, translation: .singleLevel(descriptorAddress: [hypVA: impl.layout.hypMap + pinned * 8]))
        return ConcurrentScenario(
            variant: .remapHypMapping,
            summary: "CPU0 hyp_pin_shared_mem(page 10), CPU1 (hypervisor) reads page 10 through the hyp linear map; bad: the read faults",
            machine: .sc, program: program,
            bad: { state in state.faults.contains { $0.thread == 1 } })
    }
}
