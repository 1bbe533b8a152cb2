import MemoryModel

/// A short concurrent program built from the implementation's own handlers:
/// a small machine brought to a chosen state by sequential events, then two
/// handlers (or a handler and a principal's accesses) on different CPUs as
/// one `ConcurrentProgram`, and the bad outcome the variant under test
/// makes reachable: a final state (`isBad`), or, for a variant that no
/// final state can show, a flag the machine raises on the exploration
/// (`badFlag`). `correct` never reaches it.
public struct ConcurrentScenario: Sendable {
    public var variant: Variant
    /// What the threads do and what the bad outcome means.
    public var summary: String
    /// The machine on which the bad outcome is expected (DESIGN.md).
    public var machine: Variant.Machine
    public var program: ConcurrentProgram
    let bad: @Sendable (FinalState) -> Bool
    /// The aarch64.cat flag whose raising is the bad outcome (only
    /// `no-break-before-make`: Warning-BBM-expected), or nil when the bad
    /// outcome is a final state.
    public let badFlag: ModelFlag?

    /// Whether `state` is the bad outcome. Always false for a scenario whose
    /// bad outcome is a flag (`badFlag`): its final states are all good ones.
    public func isBad(_ state: FinalState) -> Bool { bad(state) }

    /// The final states of `exploration` that show the bad outcome: bad
    /// themselves, or reached by an execution that raised `badFlag`.
    public func badStates(in exploration: Exploration) -> [FinalState] {
        exploration.finalStates.filter { state in
            isBad(state) || badFlag.map { exploration.flags(of: state).contains($0) } == true
        }
    }

    init(variant: Variant, summary: String, machine: Variant.Machine, program: ConcurrentProgram,
         bad: @escaping @Sendable (FinalState) -> Bool) {
        self.variant = variant
        self.summary = summary
        self.machine = machine
        self.program = program
        self.bad = bad
        badFlag = nil
    }

    /// A scenario whose bad outcome is the machine raising `badFlag`.
    init(variant: Variant, summary: String, machine: Variant.Machine, program: ConcurrentProgram, badFlag: ModelFlag) {
        self.variant = variant
        self.summary = summary
        self.machine = machine
        self.program = program
        bad = { _ in false }
        self.badFlag = badFlag
    }

    /// One thread of a scenario: a handler on a CPU with its arguments, or
    /// raw code (a principal's accesses) with its registers.
    struct Thread {
        var code: ThreadCode
        var registers: RegisterFile
    }

    /// The scenario for `variant`'s bad outcome, run with the handlers of
    /// `handlers` (the variant itself, or `correct` to show the outcome is
    /// then unreachable). Nil for `correct`. `no-break-before-make`'s bad
    /// outcome is a flag (see `BBMScenarios`).
    public static func scenario(for variant: Variant, handlers: Variant) throws -> ConcurrentScenario? {
        switch variant {
        case .unlockedOwnerCheck: return try ScenarioCatalogue.concurrentDonations(handlers)
        case .hypTableShared: return try ScenarioCatalogue.tablePageToHost(handlers)
        case .plainUnlock: return try ScenarioCatalogue.concurrentShares(handlers)
        case .missingDSBBeforeIPI: return try ScenarioCatalogue.kick(handlers)
        case .scrubWithoutBarrier: return try ScenarioCatalogue.relinquishAndRead(handlers)
        case .missingDSBAfterTLBI, .missingDSBBeforeTLBI, .tlbiBeforePTEWrite, .localTLBI:
            return try TLBScenarios.unshareThenWrite(variant, handlers)
        case .remapHypMapping: return try TLBScenarios.pinWhileReading(handlers)
        case .noBreakBeforeMake: return try BBMScenarios.splitWhileReading(handlers)
        case .correct: return nil
        }
    }
}

extension Implementation {
    /// The registers a handler starts with (as `run` sets them).
    func handlerRegisters(_ arguments: [UInt64], cpu: Int, x7: UInt64 = 0, x8: UInt64 = 0) -> RegisterFile {
        var registers = RegisterFile()
        for (index, value) in arguments.enumerated() { registers.values[index] = value }
        registers.values[6] = UInt64(cpu)
        registers.values[7] = x7
        registers.values[8] = x8
        registers.values[26] = layout.vmemmap
        registers.values[27] = Layout.carveOut
        registers.values[28] = layout.vmTable
        return registers
    }

    /// The assembled code of `handler` for this implementation's variant.
    func handlerCode(_ handler: Handler) -> ThreadCode {
        programs.executor(handler).interpreter.program.threads[0]
    }

    /// A concurrent program of `threads` over this machine's current memory
    /// (zero words left out: absent memory reads as zero). Handlers run at
    /// EL2 on physical addresses (no translation).
    func concurrentProgram(
        _ threads: [ConcurrentScenario.Thread], instructionBound: Int, translation: AddressTranslation = .none
    ) -> ConcurrentProgram {
        ConcurrentProgram(
            threads: threads.map(\.code), initialRegisters: threads.map(\.registers),
            initialMemory: memory.words.filter { $0.value != 0 }, translation: translation, faultHandling: .fatal,
            instructionBound: instructionBound)
    }

    /// The address of the host stage-2 level-3 entry for page `pfn`, if its
    /// table exists (read from memory as the walker would).
    func hostLeafEntry(_ pfn: UInt64) -> UInt64? {
        var table = layout.hostPgd
        for level in (4 - config.pageTableLevels)...3 {
            let entry = table + ((pfn >> UInt64(9 * (3 - level))) & 511) * 8
            if level == 3 { return entry }
            let d = word(entry)
            guard Descriptor.isValid(d) else { return nil }
            table = Descriptor.outputAddress(d)
        }
        return nil
    }
}
