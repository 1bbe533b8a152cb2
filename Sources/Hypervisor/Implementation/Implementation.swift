import MemoryModel

/// The fine-grained implementation of the hypervisor: the same events and
/// outcomes as `Spec`, carried out by AArch64 handlers (see `Handler`) over
/// simulated physical memory (see `Layout`), executed one at a time by the
/// SC machine's `Interpreter` (memory accesses by its `SequentialExecutor`).
///
/// The Swift side is the trap path only: it decodes an event into
/// registers, makes the argument-only checks pKVM's handlers make before
/// touching shared state (`ArgumentChecks`), runs the handler and turns its
/// result registers into an `Outcome`. Everything that reads or writes the
/// hypervisor's state is handler code. Host and guest memory accesses are
/// single load/store instructions translated by the stage 2 the handlers
/// maintain.
public struct Implementation: SequentialHypervisor {
    public let config: MachineConfig
    public var variant: Variant { programs.variant }
    public let layout: Layout
    /// Simulated physical memory: machine pages and the hypervisor's carve-out.
    public internal(set) var memory: PagedMemory
    let programs: HandlerPrograms
    let checks: ArgumentChecks
    let memoryPages: UInt64
    let addressSpacePages: UInt64

    public init(config: MachineConfig, variant: Variant = .correct) throws {
        try config.validate()
        self.config = config
        layout = Layout(config: config)
        programs = try HandlerPrograms(variant: variant, levels: config.pageTableLevels)
        checks = ArgumentChecks(config: config)
        memoryPages = UInt64(config.physicalPages)
        addressSpacePages = config.addressSpacePages
        memory = PagedMemory(Implementation.bootMemory(config: config, layout: layout))
    }

    /// Memory as the hypervisor leaves it at the end of boot: boot
    /// constants, the VM table's static part, the vmemmap (reserved pages
    /// the hypervisor's, the rest the host's, none mapped yet), the
    /// hypervisor's linear map.
    static func bootMemory(config: MachineConfig, layout: Layout) -> [UInt64: UInt64] {
        var words: [UInt64: UInt64] = [:]
        let base = Layout.carveOut
        words[base + Layout.vmCountOffset] = UInt64(config.vms.count)
        words[base + Layout.memoryPagesOffset] = UInt64(config.physicalPages)
        words[base + Layout.hostRootOffset] = layout.hostPgd
        words[base + Layout.hypMapOffset] = layout.hypMap
        words[base + Layout.hostPoolNextOffset] = layout.hostPoolStart
        for (index, vm) in config.vms.enumerated() {
            let slot = layout.vmSlot(index)
            words[slot + 8] = layout.vcpuSlot(vm: index, vcpu: 0)
            words[slot + 16] = UInt64(vm.vcpus)
            words[slot + 24] = vm.isProtected ? 1 : 0
        }
        let hostPage = PageWord(host: .owned, hyp: .noPage, owner: 0).raw
        let hypPage = PageWord(host: .noPage, hyp: .owned, owner: 1).raw
        for pfn in 0..<UInt64(config.physicalPages) {
            words[layout.page(pfn)] = pfn < UInt64(config.reservedHypPages) ? hypPage : hostPage
            words[layout.hypMap + pfn * 8] = Stage2Descriptor.page(pfn: pfn, state: .owned, prot: .rw)
        }
        return words
    }

    /// The first word of a vmemmap entry.
    struct PageWord {
        var raw: UInt64
        init(raw: UInt64) { self.raw = raw }
        init(host: PageState, hyp: PageState, owner: UInt16) {
            raw = UInt64(host.rawValue) | UInt64(hyp.rawValue) << 8 | UInt64(owner) << 48
        }
        var host: PageState { PageState(rawValue: UInt8(raw & 0xFF)) ?? .noPage }
        var hyp: PageState { PageState(rawValue: UInt8((raw >> 8) & 0xFF)) ?? .noPage }
        var role: UInt8 { UInt8((raw >> 16) & 0xFF) }
        var pinCount: UInt16 { UInt16((raw >> 32) & 0xFFFF) }
        var owner: UInt16 { UInt16(raw >> 48) }
    }

    // MARK: Running handlers

    func word(_ address: UInt64) -> UInt64 { memory.word(address) }

    /// Runs `handler` with arguments X0-X4, this CPU, and the argument-check
    /// results X7/X8 (errnos, or flags); returns X0 and X1.
    mutating func run(
        _ handler: Handler, _ arguments: [UInt64] = [], cpu: Int, x7: UInt64 = 0, x8: UInt64 = 0
    ) -> (code: UInt64, value: UInt64) {
        var registers = RegisterFile()
        for (index, value) in arguments.enumerated() { registers[index] = value }
        registers[6] = UInt64(cpu)
        registers[7] = x7
        registers[8] = x8
        registers[26] = layout.vmemmap
        registers[27] = Layout.carveOut
        registers[28] = layout.vmTable
        let executor = programs.handlers[HandlerPrograms.position(handler)]
        var thread = ThreadState(
            registers: registers, systemRegisters: SystemRegisterFile(), instructionCount: 0, countsInstructions: false)
        // A handler's page loop may legitimately run long (a range of many
        // pages); an overall limit still stops a runaway loop.
        let limit = 64 * (config.physicalPages + 4096) * 64
        var faults: [Fault] = []
        do {
            _ = try executor.interpreter.run(&thread, thread: 0, memory: &memory, limit: limit, faults: &faults)
        } catch {
            preconditionFailure("handler \(handler.rawValue) failed on the SC machine: \(error)")
        }
        precondition(!thread.isRunning, "handler \(handler.rawValue) does not terminate")
        precondition(thread.status == .finished, "handler \(handler.rawValue) stopped: \(thread.status)")
        return (thread.registers[0], thread.registers[1])
    }

    /// A hypercall result from a handler's X0/X1.
    static func hypercall(_ result: (code: UInt64, value: UInt64)) -> Outcome {
        if result.code == 0 { return .hypercall(.success(result.value)) }
        guard let errno = Errno(rawValue: Int32(truncatingIfNeeded: result.code)) else {
            preconditionFailure("handler returned unknown code \(result.code)")
        }
        return .hypercall(.failure(errno))
    }

    /// One load or store through the stage 2 rooted at `root`: the value
    /// read, `.written`, or nil on a stage-2 fault.
    mutating func access(_ access: MemoryAccess, root: UInt64) -> AccessOutcome? {
        let widthIndex = access.width == 8 ? 3 : access.width == 4 ? 2 : access.width == 2 ? 1 : 0
        var registers = RegisterFile()
        registers[0] = access.value
        registers[1] = access.address
        var systemRegisters = SystemRegisterFile()
        systemRegisters[.vttbrEl2] = root
        let run: SequentialExecutor.Run
        do {
            run = try programs.accesses[access.isWrite ? 1 : 0][widthIndex].run(
                registers: registers, systemRegisters: systemRegisters, memory: &memory)
        } catch {
            preconditionFailure("access on the SC machine failed: \(error)")
        }
        if run.status == .faulted { return nil }
        return access.isWrite ? .written : .read(run.registers[0])
    }
}
