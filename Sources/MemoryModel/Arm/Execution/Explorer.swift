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
/// The values a promise may name come from `candidates`: values later
/// threads were seen to write to the location in earlier passes (see
/// `ArmMachine`, which repeats the exploration until no new value appears).
final class Explorer {
    let program: ConcurrentProgram
    /// candidates[thread][location]: values threads after `thread` may write there.
    let candidates: [[UInt64: [UInt64]]]
    let budget: Int

    /// (thread, location, value) of every write made in this pass.
    var written: Set<WrittenValue> = []
    var finalStates: [FinalState] = []
    var seen: Set<FinalState> = []
    var executions = 0
    var boundReached = false
    var steps = 0

    struct WrittenValue: Hashable { var thread: Int; var location: UInt64; var value: UInt64 }

    init(_ program: ConcurrentProgram, candidates: [[UInt64: [UInt64]]], budget: Int) {
        self.program = program
        self.candidates = candidates
        self.budget = budget
    }

    func run() throws(MachineError) {
        try startThread(0, ExecutionGraph(), finished: [])
    }

    // MARK: Threads

    func startThread(_ t: Int, _ g: ExecutionGraph, finished: [[UInt64]]) throws(MachineError) {
        guard t < program.threads.count else { return try complete(g, finished) }
        var sysregs: [SystemRegister: UInt64] = [:]
        if case .tables(let tables) = program.translation, t < tables.systemRegisters.count {
            sysregs = tables.systemRegisters[t]
        }
        let run = ThreadRun(registers: program.initialRegisters[t], systemRegisters: sysregs,
                            instructionCount: program.threads[t].instructions.count)
        try proceed(t, run, g, finished)
    }

    /// Runs thread `t` from its current state until it ends or reaches a
    /// memory access, where the exploration branches.
    func proceed(_ t: Int, _ run: ThreadRun, _ g: ExecutionGraph, _ finished: [[UInt64]]) throws(MachineError) {
        steps += 1
        if steps > budget { throw .tooManyExecutions(limit: budget) }
        var r = run
        let code = program.threads[t].instructions
        while r.pc < code.count {
            if r.executed[r.pc] >= UInt16(clamping: program.instructionBound) {
                boundReached = true
                return
            }
            r.executed[r.pc] += 1
            if r.executeLocal(code[r.pc]) { continue }
            return try access(t, code[r.pc], r, g, finished)
        }
        guard Consistency.holds(g) else { return }
        try startThread(t + 1, g, finished: finished + [r.registers.values])
    }

    /// Branches on one memory instruction, then continues the thread.
    func access(_ t: Int, _ instruction: Instruction, _ r: ThreadRun, _ g: ExecutionGraph,
                _ finished: [[UInt64]]) throws(MachineError) {
        let d = r.dependencies
        func next(_ r: ThreadRun, _ g: ExecutionGraph) throws(MachineError) {
            var r = r
            r.pc += 1
            try proceed(t, r, g, finished)
        }
        switch instruction {
        case let .load(dst, a, width, ordering, exclusive):
            let location = r.address(a)
            var spec = LocalOrder.Access(direction: .read, location: location, address: d.of(a))
            spec.acquire = ordering == .acquire
            spec.acquirePC = ordering == .acquirePC
            try read(t, spec, width, r, g) { (r, g, id, value, taint) throws(MachineError) in
                var r = r
                r.write(dst, value, taint)
                if exclusive { r.exclusiveRead = id; r.exclusiveLocation = location }
                try next(r, g)
            }

        case let .store(src, a, width, release, status):
            let location = r.address(a)
            var spec = LocalOrder.Access(direction: .write, location: location, address: d.of(a), data: d.of(src))
            spec.release = release
            let value = r.read(src)
            guard let status else {
                return try write(t, spec, width, value, r, g, next)
            }
            // STXR: it may always fail; it may succeed only paired with the
            // thread's unpaired LDXR of the same location (rmw).
            var failed = r
            failed.exclusiveRead = nil
            failed.write(status, 1, .none)
            try next(failed, g)
            if let paired = r.exclusiveRead, r.exclusiveLocation == location {
                var succeeded = r
                succeeded.exclusiveRead = nil
                succeeded.write(status, 0, .none)
                spec.rmwRead = paired
                try write(t, spec, width, value, succeeded, g, next)
            }

        case let .loadPair(first, second, a, width):
            let location = r.address(a)
            let spec = LocalOrder.Access(direction: .read, location: location, address: d.of(a))
            try read(t, spec, width, r, g) { (r, g, _, v1, t1) throws(MachineError) in
                var r = r
                r.write(first, v1, t1)
                var spec2 = spec
                spec2.location = location &+ UInt64(width.rawValue)
                try self.read(t, spec2, width, r, g) { (r, g, _, v2, t2) throws(MachineError) in
                    var r = r
                    r.write(second, v2, t2)
                    try next(r, g)
                }
            }

        case let .storePair(first, second, a, width):
            let location = r.address(a)
            let spec = LocalOrder.Access(direction: .write, location: location, address: d.of(a), data: d.of(first))
            try write(t, spec, width, r.read(first), r, g) { (r, g) throws(MachineError) in
                var spec2 = spec
                spec2.location = location &+ UInt64(width.rawValue)
                spec2.data = d.of(second)
                try self.write(t, spec2, width, r.read(second), r, g, next)
            }

        case let .compareAndSwap(compare, new, a, width, acquire, release):
            // A CAS reads, and writes only if the comparison holds; a failing
            // CAS is a read alone. The compared register reaches the write
            // through the comparison (iico_ctrl): a pick-data dependency.
            // With the zero register as Rs the read is NoRet (and not A).
            let location = r.address(a)
            let noReturn = compare.isZero
            var spec = LocalOrder.Access(direction: .read, location: location, address: d.of(a))
            spec.acquire = acquire && !noReturn
            let expected = r.read(compare) & width.mask
            let newValue = r.read(new)
            try read(t, spec, width, r, g, noReturn: noReturn) { (r, g, id, old, taint) throws(MachineError) in
                var r = r
                guard old == expected else {
                    r.write(compare, old, taint)
                    return try next(r, g)
                }
                // On success herd writes Rs back on the "ok" path, whose
                // value is fixed by the comparison: the read and the old Rs
                // reach it only through iico_ctrl (pick), the address as data.
                r.write(compare, old, d.of(a).union(taint.union(d.of(compare)).asPick))
                var w = LocalOrder.Access(direction: .write, location: location, address: d.of(a),
                                          data: d.of(new).union(d.of(compare).asPick))
                w.release = release
                w.rmwRead = id
                w.isAtomicOperation = true
                try self.write(t, w, width, newValue, r, g, next)
            }

        case let .swap(src, dst, a, width, acquire, release):
            try readModifyWrite(t, a, width, acquire && !dst.isZero, release, r, g, noReturn: dst.isZero, data: d.of(src),
                                newValue: { _ in r.read(src) }) { (r, old, taint) in
                r.write(dst, old, taint)
            } then: { (r, g) throws(MachineError) in try next(r, g) }

        case let .atomic(op, src, dst, a, width, acquire, release):
            let noReturn = dst?.isZero ?? true
            let operand = r.read(src)
            try readModifyWrite(t, a, width, acquire && !noReturn, release, r, g, noReturn: noReturn, data: d.of(src),
                                newValue: { ValueSemantics.atomic(op, old: $0, operand: operand, width: width) }) { (r, old, taint) in
                if let dst { r.write(dst, old, taint) }
            } then: { (r, g) throws(MachineError) in try next(r, g) }

        default:
            preconditionFailure("not a memory access: \(instruction)")
        }
    }

    /// SWP and LD<op>/ST<op>: a read and a write of one instruction, related
    /// by rmw and amo.
    func readModifyWrite(_ t: Int, _ a: Address, _ width: AccessWidth, _ acquire: Bool, _ release: Bool,
                         _ r: ThreadRun, _ g: ExecutionGraph, noReturn: Bool, data: Taint,
                         newValue: (UInt64) -> UInt64, result: (inout ThreadRun, UInt64, Taint) -> Void,
                         then next: (ThreadRun, ExecutionGraph) throws(MachineError) -> Void) throws(MachineError) {
        let location = r.address(a)
        let addressTaint = r.dependencies.of(a)
        var spec = LocalOrder.Access(direction: .read, location: location, address: addressTaint)
        spec.acquire = acquire
        try read(t, spec, width, r, g, noReturn: noReturn) { (r, g, id, old, taint) throws(MachineError) in
            var r = r
            result(&r, old, taint)
            var w = LocalOrder.Access(direction: .write, location: location, address: addressTaint, data: data)
            w.release = release
            w.rmwRead = id
            w.isAtomicOperation = true
            try self.write(t, w, width, newValue(old), r, g, next)
        }
    }

    // MARK: Events

    /// Creates a read with each admissible rf source in turn.
    func read(_ t: Int, _ spec: LocalOrder.Access, _ width: AccessWidth, _ r: ThreadRun, _ g: ExecutionGraph,
              noReturn: Bool = false,
              _ then: (ThreadRun, ExecutionGraph, Int, UInt64, Taint) throws(MachineError) -> Void) throws(MachineError) {
        let loc = spec.location
        var event = Event(direction: .read, thread: t, instruction: r.pc, location: loc, width: width, value: 0)
        event.acquire = spec.acquire
        event.acquirePC = spec.acquirePC
        event.noReturn = noReturn
        event.localPredecessors = r.order.predecessors(spec, r.dependencies, g)
        event.pickSources = spec.address.pick.union(r.order.lastWriteTaint[loc]?.pick ?? EventSet())
        event.pickReach = pickReach(event.localPredecessors, g)
        event.previousLocalWrite = r.order.lastWrite[loc]
        event.previousLocalReads = r.order.readsByLocation[loc] ?? []
        let id = g.events.count
        // The value read depends on the read, its address, and (lmrs) on
        // what fed the po-previous write to the location.
        var taint = Taint(read: id).union(spec.address)
        if let fed = r.order.lastWriteTaint[loc] { taint.formUnion(fed) }
        var after = r
        after.order.record(id, spec, noReturn: noReturn, readAcquire: false)
        after.dependencies.earlierAddresses.formUnion(spec.address)

        func attempt(_ source: Event.Source, _ value: UInt64) throws(MachineError) {
            var g2 = g
            var e = event
            e.source = source
            e.value = value & width.mask
            _ = g2.append(e)
            guard Consistency.holds(g2) else { return }
            try then(after, g2, id, e.value, taint)
        }

        // coWR: no write coherence-before the thread's own latest write.
        let order = g.coherence[loc] ?? []
        var firstAllowed = 0
        if let own = event.previousLocalWrite {
            firstAllowed = order.firstIndex(of: own)!
        } else {
            try attempt(.initial, initialValue(loc, width))
        }
        for w in order[firstAllowed...] { try attempt(.write(w), g.events[w].value) }
        for v in candidates[t][loc] ?? [] { try attempt(.promise, v) }
    }

    /// Creates a write at each admissible coherence position in turn.
    func write(_ t: Int, _ spec: LocalOrder.Access, _ width: AccessWidth, _ value: UInt64, _ r: ThreadRun,
               _ g: ExecutionGraph,
               _ then: (ThreadRun, ExecutionGraph) throws(MachineError) -> Void) throws(MachineError) {
        let loc = spec.location
        var event = Event(direction: .write, thread: t, instruction: r.pc, location: loc, width: width,
                          value: value & width.mask)
        event.release = spec.release
        event.rmwPartner = spec.rmwRead
        event.isAtomicOperation = spec.isAtomicOperation
        event.localPredecessors = r.order.predecessors(spec, r.dependencies, g)
        event.pickSources = spec.address.pick.union(spec.data.pick)
        event.pickReach = pickReach(event.localPredecessors, g)
        event.localPredecessors.formUnion(event.pickReach)  // pick-lob
        event.previousLocalWrite = r.order.lastWrite[loc]
        let id = g.events.count
        written.insert(WrittenValue(thread: t, location: loc, value: event.value))
        var after = r
        let readAcquire = spec.rmwRead.map { g.events[$0].acquire } ?? false
        after.order.record(id, spec, noReturn: false, readAcquire: readAcquire)
        after.dependencies.earlierAddresses.formUnion(spec.address)

        var base = g
        _ = base.append(event)
        if let read = spec.rmwRead { base.events[read].rmwPartner = id }
        let order = g.coherence[loc] ?? []
        // coWW: after the thread's own earlier writes.
        let lowest = event.previousLocalWrite.map { order.firstIndex(of: $0)! + 1 } ?? 0
        for position in lowest...order.count {
            var g2 = base
            g2.coherence[loc, default: []].insert(id, at: position)
            guard Consistency.holds(g2) else { continue }
            try then(after, g2)
        }
    }

    /// `pick-dep; lob` into an event with lob predecessors `lob`.
    func pickReach(_ lob: EventSet, _ g: ExecutionGraph) -> EventSet {
        var reach = EventSet()
        lob.forEach { p in
            reach.formUnion(g.events[p].pickSources)
            reach.formUnion(g.events[p].pickReach)
        }
        return reach
    }

    func initialValue(_ location: UInt64, _ width: AccessWidth) -> UInt64 {
        let word = program.initialMemory[location & ~7] ?? 0
        return (word >> ((location & 7) * 8)) & width.mask
    }

    // MARK: Complete executions

    /// Resolves every promise to a later thread's write of the promised
    /// value, checks the complete execution, and records its final state.
    func complete(_ g: ExecutionGraph, _ registers: [[UInt64]]) throws(MachineError) {
        let promised = g.events.indices.filter { g.events[$0].isRead && g.events[$0].source == .promise }
        var consistent = 0
        func resolve(_ k: Int, _ g: ExecutionGraph) {
            if k == promised.count {
                if Consistency.holds(g) { consistent += 1 }
                return
            }
            let read = g.events[promised[k]]
            for w in g.coherence[read.location] ?? [] {
                let e = g.events[w]
                guard e.thread > read.thread, e.value == read.value else { continue }
                var g2 = g
                g2.events[promised[k]].source = .write(w)
                // Partial checks prune as promises are kept.
                guard Consistency.holds(g2) else { continue }
                resolve(k + 1, g2)
            }
        }
        resolve(0, g)
        guard consistent > 0 else { return }
        executions += consistent
        let state = FinalState(registers: registers, memory: finalMemory(g))
        if seen.insert(state).inserted { finalStates.append(state) }
    }

    /// Initial memory updated with the coherence-last write of each location.
    func finalMemory(_ g: ExecutionGraph) -> [UInt64: UInt64] {
        var memory = program.initialMemory
        for (loc, order) in g.coherence.sorted(by: { $0.key < $1.key }) {
            guard let last = order.last else { continue }
            let e = g.events[last]
            let shift = (loc & 7) * 8
            let m = e.width.mask << shift
            memory[loc & ~7] = (memory[loc & ~7] ?? 0) & ~m | (e.value & e.width.mask) << shift
        }
        return memory
    }
}
