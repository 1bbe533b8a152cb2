import MemoryModel

/// Scenarios whose bad outcome needs a TLB: a principal's access translated
/// through a descriptor the handler changes.
/// - The unshare scenario uses real 4-level stage-2 walks: the guest thread
///   through its VM's tables (VTTBR), the handler thread through the
///   hypervisor's identity map (`hypIdentityMap`), so that the stage-2
///   TLBI by IPA and its barriers are what they are on hardware.
/// - The remap scenario uses herd's single-level translation for the
///   hypervisor's linear map (one descriptor per page).
enum TLBScenarios {
    /// A non-protected VM (one vCPU, loaded on CPU 0) that the host has
    /// shared page 30 with at gfn 5 (and page 31 at gfn 6); page 30 holds
    /// the host's old value.
    static let config = MachineConfig(
        cpus: 2, physicalPages: 64, wordsPerPage: 1, pageTableLevels: 4,
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
            .hostTopupMemcache(pfn: 22), .hostTopupMemcache(pfn: 23), .hostTopupMemcache(pfn: 24),
            .hostTopupMemcache(pfn: 25),
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
        let metadata = impl.word(impl.layout.vmSlot(0))
        let guestRoot = impl.word(metadata + Layout.VMField.pgd)
        var program = impl.concurrentProgram([
            .init(code: guest, registers: guestRegisters),
            .init(code: host, registers: impl.handlerRegisters([0, gfn, 1], cpu: 1)),
        ], instructionBound: 4, translation: .tables(TableTranslation(
            stage1: false, stage2: true, stage2Levels: 4,
            systemRegisters: [[.vttbrEl2: guestRoot], [.vttbrEl2: hypIdentityRoot(impl.layout)]])))
        for (address, value) in hypIdentityMap(impl.layout) { program.initialMemory[address] = value }
        return ConcurrentScenario(
            variant: variant,
            summary: "host (CPU1) __pkvm_host_unshare_guest(gfn 5) then writes a secret to the page; guest (CPU0) reads gfn 5; bad: the guest reads the secret",
            machine: .arm, program: program,
            bad: { state in
                !state.faults.contains { $0.thread == 0 } && state.registers[0][2] == hostSecret
                    && state.registers[1][0] == 0
            })
    }

    /// The hypervisor's own identity map, as a 4-level stage 2 with 1 GiB
    /// blocks over memory and the carve-out, in pages after the carve-out's
    /// end: how the handler thread's physical accesses are translated when
    /// the principal's accesses use real stage-2 tables.
    static func hypIdentityRoot(_ layout: Layout) -> UInt64 { layout.end }

    static func hypIdentityMap(_ layout: Layout) -> [UInt64: UInt64] {
        let root = layout.end
        let low = root + 0x1000
        let high = root + 0x2000
        let block = Descriptor.valid | Descriptor.accessFlag | Stage2Descriptor.s2Read | Stage2Descriptor.s2Write
        return [
            root: Stage2Descriptor.table(at: low),
            root + (Layout.carveOut >> 39) * 8: Stage2Descriptor.table(at: high),
            low: block,
            high + ((Layout.carveOut >> 30) & 511) * 8: block | Layout.carveOut,
        ]
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
