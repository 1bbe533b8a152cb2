extension Explorer {
    // MARK: Events

    /// Creates a read with each admissible rf source in turn.
    func read(_ t: Int, _ spec: LocalOrder.Access, _ width: AccessWidth, _ r: ThreadRun, _ g: ExecutionGraph,
              noReturn: Bool = false,
              _ then: (ThreadRun, ExecutionGraph, Int, UInt64, Taint) throws(MachineError) -> Void) throws(MachineError) {
        var spec = spec
        spec.tagCheck = r.tagCheck  // tc-before, if the access was Tag Checked
        let loc = spec.location
        if splits(loc, width) {
            return try readBytes(t, spec, width, r, g, noReturn: noReturn, then)
        }
        guard mixedWords.isEmpty else { return }
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
            e.speculative = Explorer.readsSpeculatively(from: source, g)
            _ = g2.append(e)
            for w in spec.walks { g2.events[w].translatedAccess = id }
            guard Consistency.holds(g2) else { return }
            try then(after, g2, id, e.value, taint)
        }

        try forEachSource(t, loc, width, after: event.previousLocalWrite, g, attempt)
    }

    /// Calls `attempt` with each rf source a read of `loc` by thread `t` may
    /// take and the value it gives: the initial value, each write in
    /// coherence order, each value a later thread may write (a promise);
    /// but (coWR) no write coherence-before `own`, the thread's own latest
    /// write to `loc`, and then not the initial value either.
    func forEachSource(_ t: Int, _ loc: UInt64, _ width: AccessWidth, after own: Int?, _ g: ExecutionGraph,
                       _ attempt: (Event.Source, UInt64) throws(MachineError) -> Void) throws(MachineError) {
        let order = g.coherence[loc] ?? []
        var firstAllowed = 0
        if let own {
            firstAllowed = order.firstIndex(of: own)!
        } else {
            try attempt(.initial, initialValue(loc, width))
        }
        for w in order[firstAllowed...] { try attempt(.write(w), g.events[w].value) }
        for v in candidates[t][loc] ?? [] { try attempt(.promise, v) }
    }

    /// Whether a read from `source` is speculative: it reads a promise, or a
    /// write that is itself speculative.
    static func readsSpeculatively(from source: Event.Source, _ g: ExecutionGraph) -> Bool {
        switch source {
        case .promise: return true
        case .write(let w): return g.events[w].speculative
        case .initial: return false
        }
    }

    /// Creates a write at each admissible coherence position in turn.
    func write(_ t: Int, _ spec: LocalOrder.Access, _ width: AccessWidth, _ value: UInt64, _ r: ThreadRun,
               _ g: ExecutionGraph,
               _ then: (ThreadRun, ExecutionGraph) throws(MachineError) -> Void) throws(MachineError) {
        var spec = spec
        spec.tagCheck = r.tagCheck  // tc-before and tc-ib, if Tag Checked
        let loc = spec.location
        if splits(loc, width) {
            return try writeBytes(t, spec, width, value, r, g, then)
        }
        guard pairSplitAlike(spec, split: false, g), mixedWords.isEmpty else { return }
        var event = Event(direction: .write, thread: t, instruction: r.pc, location: loc, width: width,
                          value: value & width.mask)
        event.release = spec.release
        event.rmwPartner = spec.rmwRead
        event.isAtomicOperation = spec.isAtomicOperation
        event.pairFirst = spec.pairFirst
        event.localPredecessors = r.order.predecessors(spec, r.dependencies, g)
        event.pickSources = spec.address.pick.union(spec.data.pick)
        event.pickReach = pickReach(event.localPredecessors, g)
        event.localPredecessors.formUnion(event.pickReach)  // pick-lob
        event.previousLocalWrite = r.order.lastWrite[loc]
        var sources = spec.data.pick.union(r.dependencies.control.pick).union(spec.address.pick)
        if let read = spec.rmwRead { sources.insert(read) }
        event.speculative = isSpeculative(sources, g)
        let id = g.events.count
        var after = r
        let value = WrittenValue(thread: t, location: loc, value: event.value)
        after.written.append(value)
        // A write that depends on no promise (by data, control or rmw) is a
        // candidate at once, whatever becomes of this branch: another
        // interleaving of promises may need it (see `ArmMachine`).
        if !event.speculative { written.insert(value) }
        let readAcquire = spec.rmwRead.map { g.events[$0].acquire } ?? false
        after.order.record(id, spec, noReturn: false, readAcquire: readAcquire)
        after.dependencies.earlierAddresses.formUnion(spec.address)

        var base = g
        _ = base.append(event)
        if let read = spec.rmwRead { base.events[read].rmwPartner = id }
        for w in spec.walks where base.events[w].translatedAccess == nil { base.events[w].translatedAccess = id }
        let order = g.coherence[loc] ?? []
        // coWW: after the thread's own earlier writes.
        let lowest = event.previousLocalWrite.map { order.firstIndex(of: $0)! + 1 } ?? 0
        for position in lowest...order.count {
            var g2 = base
            g2.coherence[loc, default: []].insert(id, at: position)
            guard pairsOrderedAlike(g2, id), Consistency.holds(g2) else { continue }
            try then(after, g2)
        }
    }

    /// herd makes an atomic pair (STXP, CASP) one write of both words, and
    /// coherence orders events, not words: two such pairs on the same words
    /// are ordered alike on both. Checked when a pair's second write lands.
    func pairsOrderedAlike(_ g: ExecutionGraph, _ second: Int) -> Bool {
        guard let first = g.events[second].pairFirst,
              let order2 = g.coherence[g.events[second].location],
              let order1 = g.coherence[g.events[first].location],
              let i2 = order2.firstIndex(of: second), let i1 = order1.firstIndex(of: first) else { return true }
        for (j2, other) in order2.enumerated() where other != second {
            guard let otherFirst = g.events[other].pairFirst,
                  let j1 = order1.firstIndex(of: otherFirst) else { continue }
            if (j2 < i2) != (j1 < i1) { return false }
        }
        return true
    }

    /// Creates a translation-table walk read of one descriptor, with each
    /// admissible rf source in turn. Walks are not Exp: no coWR bounds what
    /// they read (a TLB may hold a stale entry); the axioms that constrain
    /// them are TTD-obs, TLBI-ob and TLBuncacheable-ca (see `Consistency`).
    /// `previous` is the walk's read before this one (the table descriptor
    /// that gave this read its address), if any; `forStore`, whether the
    /// access translated is a store.
    func walk(_ t: Int, _ walkRead: Translation.WalkRead, page: UInt64, _ addressTaint: Taint,
              after previous: Int? = nil, forStore: Bool = false, _ r: ThreadRun, _ g: ExecutionGraph,
              _ then: (ThreadRun, ExecutionGraph, Int, UInt64) throws(MachineError) -> Void) throws(MachineError) {
        let loc = walkRead.address & ~7
        if splits(loc, .doubleword) {
            throw .unsupported("mixed-size accesses to the translation table descriptor at 0x\(String(loc, radix: 16))")
        }
        guard mixedWords.isEmpty else { return }
        var spec = LocalOrder.Access(direction: .read, location: loc, address: addressTaint)
        spec.category = .walk
        var event = Event(direction: .read, thread: t, instruction: r.pc, location: loc, width: .doubleword, value: 0)
        event.category = .walk
        event.page = page
        event.stage = walkRead.stage
        event.el2Regime = walkRead.el2Regime
        // The EL2 regime's entries carry no VMID.
        event.vmid = walkRead.el2Regime ? nil : (r.systemRegisters[.vttbrEl2] ?? 0) >> 48
        event.localPredecessors = r.order.predecessors(spec, r.dependencies, g)
        if forStore { event.localPredecessors.formUnion(r.dependencies.storeWalkBarrier) }
        if let previous {
            // Walk order (the ESOP 2022 model's `iio` in ob; the Arm ARM's
            // walk reads each level at the address the level before gave):
            // a walk's read is ordered after its read of the previous level
            // and after the hardware update that read made, if any.
            event.localPredecessors.insert(previous)
            if let update = g.events[previous].rmwPartner { event.localPredecessors.insert(update) }
        }
        let id = g.events.count
        var after = r
        after.order.record(id, spec, noReturn: false, readAcquire: false)

        func attempt(_ source: Event.Source, _ value: UInt64) throws(MachineError) {
            var g2 = g
            var e = event
            e.source = source
            e.value = value
            _ = g2.append(e)
            guard Consistency.holds(g2) else { return }
            try then(after, g2, id, value)
        }
        try attempt(.initial, initialValue(loc, .doubleword))
        for w in g.coherence[loc] ?? [] { try attempt(.write(w), g.events[w].value) }
        for v in candidates[t][loc] ?? [] { try attempt(.promise, v) }
    }

    /// Whether any of `reads` is speculative.
    func isSpeculative(_ reads: EventSet, _ g: ExecutionGraph) -> Bool {
        var found = false
        reads.forEach { if g.events[$0].speculative { found = true } }
        return found
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
}
