import MemoryModel

/// The scenario for `no-break-before-make` (Transactional-Page-Table): the
/// hypervisor splits a host 2 MiB block while the host reads through it.
///
/// The split is the one valid-to-valid change in the handlers that changes
/// an output address (a level-2 block becomes a table descriptor), so it is
/// the one aarch64.cat's TTD-update-needsBBM asks break-before-make for.
/// `correct` writes an invalid entry, completes it, invalidates the block's
/// IPA and completes that before it writes the table; the variant writes the
/// table over the block at once and invalidates afterwards. Both give the
/// host the same memory through the same output addresses, so no final
/// state tells them apart: the bad outcome is the Arm machine's
/// `Warning-BBM-expected` flag (TTD-update-needsBBM \ BBM) on the
/// exploration, `ConcurrentScenario.badFlag`.
enum BBMScenarios {
    /// 4 levels so that the handler thread's accesses (memory and the
    /// carve-out at 1 TiB) translate through the hypervisor's identity map
    /// (`TLBScenarios.hypIdentityMap`); 1024 pages so that [512, 1024) is
    /// a whole block of host memory. No VM: the split comes from a donation
    /// to the hypervisor.
    static let config = MachineConfig(cpus: 2, physicalPages: 1024, wordsPerPage: 1, pageTableLevels: 4)
    /// The block's first page, which the host reads: the page the split's
    /// TLBI names, so that the host's walks are in the TLBI's scope on a
    /// machine that matches TLB maintenance by page.
    static let readPage: UInt64 = 512
    /// The page donated to the hypervisor, whose change splits the block.
    static let donatedPage: UInt64 = 601
    static let hostValue: UInt64 = 0x0B10C

    /// The flag the Arm machine raises when a translation-table write needs
    /// break-before-make and did not get it (aarch64.cat).
    static let bbmFlag = ModelFlag.breakBeforeMakeExpected

    /// The machine after the host's first access to the block: its fault
    /// mapped [512, 1024) as one level-2 block.
    static func hostBlock(_ handlers: Variant) throws -> Implementation {
        var impl = try Implementation(config: config, variant: handlers)
        let outcome = impl.apply(.hostAccess(.write(readPage << 12, hostValue)), on: 0)
        precondition(outcome == .access(.written), "BBM scenario setup: \(outcome)")
        let level2 = impl.hostLevel2Descriptor(readPage)
        precondition(Descriptor.isValid(level2) && level2 & Descriptor.tableOrPage == 0,
                     "BBM scenario setup: the host fault mapped no block (level-2 entry 0x\(String(level2, radix: 16)))")
        return impl
    }

    /// Host (CPU0) reads page 512 through its stage 2 (real 4-level walks
    /// from VTTBR = the host's root) while the hypervisor (CPU1) runs
    /// `__pkvm_host_donate_hyp(601, 1)`, whose split of the block links
    /// the new table (with break-before-make or not) before it unmaps page
    /// 601. The host reads its value or, in `correct`'s break window, takes
    /// a stage-2 fault (it would fault the page back in).
    ///
    /// CPU1's handler starts in the window at the split's link (label
    /// `link_table_*`): the part before it (locks taken, page checked, the
    /// new level-3 table filled with 512 descriptors) runs first on the SC
    /// machine, and the window starts from the memory and registers it left.
    /// That part touches only the hypervisor's own memory (vmemmap, locks,
    /// a pool page no walk can reach until it is linked), so the host cannot
    /// tell it from one run concurrently; leaving it out of the window keeps
    /// the Arm exploration small (512 stores, each with its own walk, would
    /// take minutes).
    static func splitWhileReading(_ handlers: Variant) throws -> ConcurrentScenario {
        var impl = try hostBlock(handlers)
        let handler = impl.handlerCode(.hostDonateHyp)
        let labels = handler.labels.keys.filter { $0.hasPrefix(AssemblyWriter.linkTableLabel + "_") }
        guard labels.count == 1, let link = labels.first, let entry = handler.labels[link] else {
            preconditionFailure("BBM scenario: host_donate_hyp has \(labels.count) table links")
        }
        let registers = impl.runHandlerPrefix(.hostDonateHyp, [donatedPage, 1], cpu: 1, until: entry)
        let host = try Assembler().assemble(
            "LDR X2, [X0]          // the host reads its page in the block", file: "host-read-block.S")
        var hostRegisters = RegisterFile()
        hostRegisters.values[0] = readPage << 12
        var program = impl.concurrentProgram([
            .init(code: host, registers: hostRegisters),
            .init(code: handler.entered(at: entry), registers: registers),
        ], instructionBound: 4, translation: .tables(TableTranslation(
            stage1: false, stage2: true, stage2Levels: 4,
            systemRegisters: [[.vttbrEl2: impl.layout.hostPgd],
                              [.vttbrEl2: TLBScenarios.hypIdentityRoot(impl.layout)]])))
        for (address, value) in TLBScenarios.hypIdentityMap(impl.layout) { program.initialMemory[address] = value }
        return ConcurrentScenario(
            variant: .noBreakBeforeMake,
            summary: "host (CPU0) reads page 512 of its 2 MiB block; hypervisor (CPU1) in __pkvm_host_donate_hyp(601) links the table that splits the block; bad: the block is replaced by the table without break-before-make (\(bbmFlag.name))",
            machine: .arm, program: program, badFlag: bbmFlag)
    }
}

extension Implementation {
    /// The host stage-2 level-2 descriptor covering page `pfn` (0 if a level
    /// above it is invalid), read from memory as the walker would.
    func hostLevel2Descriptor(_ pfn: UInt64) -> UInt64 {
        var table = layout.hostPgd
        for level in (4 - config.pageTableLevels)...2 {
            let d = word(table + ((pfn >> UInt64(9 * (3 - level))) & 511) * 8)
            if level == 2 || !Descriptor.isValid(d) { return level == 2 ? d : 0 }
            table = Descriptor.outputAddress(d)
        }
        return 0
    }

    /// Runs `handler` on the SC machine from its start until it reaches
    /// instruction `stop`, leaving memory as it is there; returns the
    /// registers at that point.
    mutating func runHandlerPrefix(_ handler: Handler, _ arguments: [UInt64], cpu: Int, until stop: Int) -> RegisterFile {
        let interpreter = programs.executor(handler).interpreter
        var thread = ThreadState(
            registers: handlerRegisters(arguments, cpu: cpu), systemRegisters: [:],
            instructionCount: interpreter.program.threads[0].instructions.count, countsInstructions: false)
        do {
            while thread.isRunning && thread.pc != stop { _ = try interpreter.step(&thread, thread: 0, memory: &memory) }
        } catch {
            preconditionFailure("handler \(handler.rawValue) failed on the SC machine: \(error)")
        }
        precondition(thread.pc == stop, "handler \(handler.rawValue) did not reach instruction \(stop)")
        return thread.registers
    }
}

extension ThreadCode {
    /// The same code entered at instruction `entry`: a branch there comes
    /// first, and every branch target and label moves up by one.
    func entered(at entry: Int) -> ThreadCode {
        precondition(handlers.isEmpty, "entering code that has exception handlers")
        let shifted: [Instruction] = instructions.map { instruction in
            switch instruction {
            case .branch(let to): return .branch(to: to + 1)
            case let .branchConditional(condition, to): return .branchConditional(condition, to: to + 1)
            case let .compareBranchZero(register, to): return .compareBranchZero(register, to: to + 1)
            case let .compareBranchNonZero(register, to): return .compareBranchNonZero(register, to: to + 1)
            default: return instruction
            }
        }
        return ThreadCode(instructions: [.branch(to: entry + 1)] + shifted, labels: labels.mapValues { $0 + 1 })
    }
}
