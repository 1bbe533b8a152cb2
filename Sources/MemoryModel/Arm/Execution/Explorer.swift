/// Builds every consistent execution of a program incrementally (in the
/// manner of HMC/GenMC execution-graph exploration):
///
/// - threads run one after another, each to completion, with its branches
///   decided by the values its reads return;
/// - a read takes its value (rf) from the initial write, from a write
///   already in the graph, or by *promise* from a write a later thread has
///   yet to make (one branch per candidate value);
/// - a write is inserted at each admissible position of its location's
///   coherence order (co);
/// - after each new event the monotone axioms are checked on the graph so
///   far and an inconsistent branch is dropped at once;
/// - at the end each promise is matched to a later thread's write of the
///   promised value and the complete execution is checked again.
///
/// Words accessed with several sizes or offsets are explored byte by byte
/// (see Explorer+MixedSize); all others one event per access.
///
/// The values a promise may name come from `candidates`: values later
/// threads were seen to write to the location in earlier passes (see
/// `ArmMachine`, which repeats the exploration until no new value appears).
final class Explorer {
    let program: ConcurrentProgram
    /// candidates[thread][location]: values threads after `thread` may write there.
    let candidates: [[UInt64: [UInt64]]]
    let budget: Int

    /// (thread, location, value) of the writes made in this pass by threads
    /// that ended in a graph that could still complete.
    var written: Set<WrittenValue> = []
    var finalStates: [FinalState] = []
    /// The model flags raised on the way to each final state (same indices).
    var finalStateFlags: [Set<ModelFlag>] = []
    var seen: Set<FinalState> = []
    /// The program's translation-table descriptors, for the BBM flag.
    lazy var tableLayout = TranslationTableLayout(program)
    var executions = 0
    var boundReached = false
    var steps = 0
    /// The (address, width) shapes seen accessing each 8-byte word.
    var accessShapes: [UInt64: [(address: UInt64, width: AccessWidth)]] = [:]
    /// The 8-byte words whose accesses are split into byte events (herd's
    /// mixed-size model, see Explorer+MixedSize).
    let splitWords: Set<UInt64>
    /// Words this pass found accessed with overlapping different shapes but
    /// not yet split: the pass stops at once and `ArmMachine` explores
    /// again with them split.
    var mixedWords: Set<UInt64> = []

    struct WrittenValue: Hashable {
        var thread: Int
        var location: UInt64
        var value: UInt64
        /// A hardware update: its own thread's earlier reads may read it too.
        var byHardware = false
    }

    /// lastWriters[location][value]: the last thread that may write it (a
    /// promise nobody after the current thread can keep is dropped early).
    let lastWriters: [UInt64: [UInt64: Int]]

    init(_ program: ConcurrentProgram, candidates: [[UInt64: [UInt64]]], lastWriters: [UInt64: [UInt64: Int]],
         splitWords: Set<UInt64> = [], budget: Int) {
        self.splitWords = splitWords
        self.lastWriters = lastWriters
        self.program = program
        self.candidates = candidates
        self.budget = budget
    }

    func run() throws(MachineError) {
        var graph = ExecutionGraph()
        graph.internalTranslationReadsOrdered = program.referenceModel == .aarch64Cat
        try startThread(0, graph, finished: [])
    }

    // MARK: Threads

    func startThread(_ t: Int, _ g: ExecutionGraph, finished: [RegisterFile]) throws(MachineError) {
        guard t < program.threads.count else { return try complete(g, finished) }
        var sysregs: [SystemRegister: UInt64] = [:]
        if case .tables(let tables) = program.translation, t < tables.systemRegisters.count {
            sysregs = tables.systemRegisters[t]
        }
        var run = ThreadRun(registers: program.initialRegisters[t], systemRegisters: sysregs,
                            instructionCount: program.threads[t].instructions.count)
        if case .tables(let tables) = program.translation {
            // The bases the thread starts with were in use before the test.
            run.cachedBases.recordCurrent(sysregs, stage2: tables.stage2)
        }
        run.order.dsbOrdersTranslation = program.translationSynchronization >= .ets2
        try proceed(t, run, g, finished)
    }

    /// Runs thread `t` from its current state until it ends or reaches a
    /// memory access or TLBI, where the exploration branches.
    func proceed(_ t: Int, _ run: ThreadRun, _ graph: ExecutionGraph, _ finished: [RegisterFile]) throws(MachineError) {
        guard mixedWords.isEmpty else { return }
        steps += 1
        if steps > budget { throw .tooManyExecutions(limit: budget) }
        var r = run
        var g = graph
        let code = program.threads[t].instructions
        while r.pc < code.count {
            if r.executed[r.pc] >= UInt16(clamping: program.instructionBound) {
                boundReached = true
                return
            }
            r.executed[r.pc] += 1
            let instruction = code[r.pc]
            if r.executeLocal(instruction) {
                completeMaintenance(instruction, &r, &g)
                continue
            }
            if case let .tlbi(op, register) = instruction {
                maintain(t, op, register, &r, &g)
                r.pc += 1
                continue
            }
            if let cause = ExceptionCause(instruction) { return try takeException(t, cause, r, g, finished) }
            if case .exceptionReturn = instruction {
                try returnFromException(t, &r, &g)
                continue
            }
            switch instruction {
            case .branchAndLink, .branchToRegister:
                try branch(t, instruction, &r)
                continue
            default: break
            }
            return try access(t, instruction, r, g, finished)
        }
        try finish(t, r, g, finished)
    }

    /// Thread `t` has ended (or stopped at a fatal fault): check, go on.
    func finish(_ t: Int, _ r: ThreadRun, _ g: ExecutionGraph, _ finished: [RegisterFile]) throws(MachineError) {
        guard Consistency.holds(g), promisesCanBeKept(g, after: t) else { return }
        written.formUnion(r.written)
        try startThread(t + 1, g, finished: finished + [r.registers])
    }

    /// Ends thread `t` in an execution that has no final state (see
    /// `ExecutionGraph.dropped`); later threads still run in it.
    func dropExecution(_ t: Int, _ r: ThreadRun, _ g: ExecutionGraph, _ finished: [RegisterFile]) throws(MachineError) {
        var g = g
        g.dropped = true
        try finish(t, r, g, finished)
    }

    /// Whether every unresolved promise has a possible supplier: a write
    /// already made by a later thread, or a thread after `t` that may write
    /// the value (spontaneous updates count as the last thread).
    func promisesCanBeKept(_ g: ExecutionGraph, after t: Int) -> Bool {
        for (id, e) in g.events.enumerated() where e.isRead && e.source == .promise {
            if let writer = lastWriters[e.location]?[e.value], writer > t { continue }
            let made = (g.coherence[e.location] ?? []).contains { w in
                let x = g.events[w]
                return x.value == e.value && (x.thread > e.thread || (x.isUpdate && x.thread == e.thread && w > id))
            }
            if !made { return false }
        }
        return true
    }

    /// C_TLBI and the ISB after it: a full DSB completes the thread's
    /// earlier TLBIs, the next ISB synchronises them (the points from which
    /// TTD-read-ordered-before reaches, via DSB-ob and IFB-ob).
    func completeMaintenance(_ instruction: Instruction, _ r: inout ThreadRun, _ g: inout ExecutionGraph) {
        switch instruction {
        case .dsb(_, .all):
            for id in r.order.pendingTLBIs {
                g.events[id].completedAt = g.events.count
                r.cachedBases.invalidate(by: g.events[id])
            }
            r.order.completedTLBIs += r.order.pendingTLBIs
            r.order.pendingTLBIs = []
        case .isb:
            for id in r.order.completedTLBIs { g.events[id].synchronisedAt = g.events.count }
            r.order.completedTLBIs = []
        default:
            break
        }
    }

    /// A TLBI event: its scope (page or all, stage) and broadcast.
    func maintain(_ t: Int, _ op: TLBIOperation, _ register: Register?, _ r: inout ThreadRun,
                  _ g: inout ExecutionGraph) {
        let taint = register.map { r.dependencies.of($0) } ?? .none
        let spec = LocalOrder.Access(direction: .maintenance, category: .tlbi, location: 0, address: taint)
        var e = Event(direction: .maintenance, thread: t, instruction: r.pc, location: 0, width: .doubleword, value: 0)
        e.category = .tlbi
        e.page = register.map { r.read($0.full) & 0xF_FFFF_FFFF } ?? 0
        e.invalidatesAll = !op.takesAddress
        e.broadcast = op.isBroadcast
        e.lastLevelOnly = op.invalidatesLastLevelOnly
        switch op {
        case .ipas2e1, .ipas2e1is, .ipas2le1, .ipas2le1is:
            e.invalidatesStage1 = false
            e.invalidatesStage2 = true
        case .vmalls12e1, .vmalls12e1is, .alle1, .alle1is:
            e.invalidatesStage2 = true
        case .aside1, .aside1is:
            e.invalidatesOnlyNonGlobal = true
        default:
            break
        }
        switch op {
        case .alle2, .alle2is, .vae2, .vae2is:
            e.vmid = nil
            e.el2Regime = true
        case .alle1, .alle1is:
            e.vmid = nil
        default:
            e.vmid = (r.systemRegisters[.vttbrEl2] ?? 0) >> 48
        }
        e.localPredecessors = r.order.predecessors(spec, r.dependencies, g)
        let id = g.append(e)
        r.order.record(id, spec, noReturn: false, readAcquire: false)
    }
}
