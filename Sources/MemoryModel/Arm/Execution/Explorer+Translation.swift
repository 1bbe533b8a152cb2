/// Address translation on the Arm machine: each descriptor the walk needs
/// is a walk read (Imp & TTD & R) that, like any read, may read from any
/// write of the descriptor the model allows, stale ones included. The
/// shared `Translation` helper decides what each descriptor value means;
/// the explorer branches on the values.
extension Explorer {
    enum TranslationOutcome {
        case physical(UInt64, walks: [Int])
        case fault(Fault)
    }

    /// Where a translation's walk starts: the context (base registers), and
    /// the stages whose base is a cached earlier one (see
    /// `CachedTableBases`), whose root-level descriptor must be valid.
    struct WalkStart {
        var context: Translation.Context
        var cachedStages: Set<Int> = []
        /// A stage-1 base cached under another ASID: only its global leaf
        /// entries match.
        var globalStage1LeafOnly = false
        /// An AT's translation: a fault is reported to `then`, not taken
        /// (no fault event), and the MMU writes no descriptor.
        var reportOnly = false
    }

    /// Translates `va` for an access of `kind` by thread `t`, creating the
    /// walk reads, then calls `then` once per combination of walk values.
    /// In the EL1&0 regime the walk starts at the current bases and, in turn,
    /// at each combination of cached earlier bases with the current tags.
    /// `operation`: the translation is an AT's (see `WalkStart.reportOnly`).
    func translate(_ t: Int, _ va: UInt64, _ kind: Translation.AccessKind, _ addressTaint: Taint,
                   _ r: ThreadRun, _ g: ExecutionGraph, operation: AddressTranslationOperation? = nil,
                   _ then: (ThreadRun, ExecutionGraph, TranslationOutcome) throws(MachineError) -> Void) throws(MachineError) {
        var context = Translation.Context(r.systemRegisters)
        context.unprivileged = context.unprivileged || program.threads[t].isUnprivileged(at: r.pc)
        if let operation { context = operation.context(from: context) }
        var first = WalkStart(context: context)
        first.reportOnly = operation != nil
        guard case .tables(let tables) = program.translation, !context.el2Regime else {
            return try translate(t, va, kind, addressTaint, r, g, from: first, then)
        }
        var r = r
        r.cachedBases.recordCurrent(r.systemRegisters, stage2: tables.stage2)
        try translate(t, va, kind, addressTaint, r, g, from: first, then)
        for alternative in r.cachedBases.alternatives(r.systemRegisters, stage2: tables.stage2) {
            var start = first
            start.context.ttbr0 = alternative.ttbr0
            start.context.vttbr = alternative.vttbr
            start.globalStage1LeafOnly = alternative.globalStage1LeafOnly
            if alternative.ttbr0 != context.ttbr0 { start.cachedStages.insert(1) }
            if alternative.vttbr != context.vttbr { start.cachedStages.insert(2) }
            try translate(t, va, kind, addressTaint, r, g, from: start, then)
        }
    }

    func translate(_ t: Int, _ va: UInt64, _ kind: Translation.AccessKind, _ addressTaint: Taint,
                   _ r: ThreadRun, _ g: ExecutionGraph, from start: WalkStart,
                   decided: [Translation.WalkRead: UInt64] = [:], walks: [Int] = [],
                   lastRead: Translation.WalkRead? = nil,
                   _ then: (ThreadRun, ExecutionGraph, TranslationOutcome) throws(MachineError) -> Void) throws(MachineError) {
        let context = start.context
        let result = Translation.translate(va, kind, setup: program.translation, context: context) { decided[$0] }
        if start.globalStage1LeafOnly {
            if case .needsRead = result {} else if !Explorer.stage1LeafIsGlobal(decided) { return }
        }
        switch result {
        case .physical(let pa):
            try then(r, g, .physical(pa, walks: walks))
        case .fault(var faultKind, let address):
            if let lastRead, let last = walks.last, g.events[last].rmwPartner == nil,
               let updated = hardwareUpdate(t, faultKind, kind, decided[lastRead]!) {
                guard let other = faultsAnyway(va, kind, context, decided, lastRead, updated) else {
                    if start.reportOnly {
                        // An AT: the access would succeed once the MMU set
                        // the flag, so no fault is reported. Whether an AT
                        // updates the descriptor itself is IMPLEMENTATION
                        // DEFINED; hvdiff's does not (as on the SC machine).
                        var decided = decided
                        decided[lastRead] = updated
                        return try self.translate(t, va, kind, addressTaint, r, g, from: start, decided: decided,
                                                  walks: walks, lastRead: lastRead, then)
                    }
                    // FEAT_HAFDBS: the MMU sets AF / clears AP[2] itself, an HU
                    // write atomic with the walk read (rmw), and walks on.
                    return try update(t, last, updated, r, g) { (r, g) throws(MachineError) in
                        var decided = decided
                        decided[lastRead] = updated
                        try self.translate(t, va, kind, addressTaint, r, g, from: start, decided: decided,
                                           walks: walks, lastRead: lastRead, then)
                    }
                }
                // The flag the MMU manages is no fault: the access takes the
                // fault that remains (a write to a read-only page with HA but
                // not HD is a Permission fault, not an Access flag one), as on
                // the SC machine.
                faultKind = other
            }
            if start.reportOnly {
                return try then(r, g, .fault(Fault(thread: t, instruction: r.pc, address: address, kind: faultKind)))
            }
            // The fault is an event (MMU & FAULT) after its walks (tr-ib).
            var g2 = g
            var r2 = r
            var spec = LocalOrder.Access(direction: .maintenance, category: .fault, location: 0, address: addressTaint)
            spec.walks = walks
            var e = Event(direction: .maintenance, thread: t, instruction: r.pc, location: 0, width: .doubleword, value: 0)
            e.category = .fault
            e.localPredecessors = r.order.predecessors(spec, r.dependencies, g)
            let id = g2.append(e)
            r2.order.record(id, spec, noReturn: false, readAcquire: false)
            for w in walks { g2.events[w].translatedAccess = id }
            if program.translationSynchronization.ordersWalks(faulting: faultKind) {
                // ets-ob: earlier explicit accesses are ordered before the
                // walks that found the fault; a walk that already read a
                // value this makes stale leaves no consistent execution.
                for w in walks { g2.events[w].localPredecessors.formUnion(r.order.memory) }
                guard Consistency.holds(g2) else { return }
            }
            // TLBUncacheable: the walk that saw an invalid (or AF=0) entry.
            if faultKind != .permission && faultKind != .stage2Permission, let last = walks.last {
                g2.events[last].faulted = true
            }
            r2.faultLevel = lastRead?.level
            try then(r2, g2, .fault(Fault(thread: t, instruction: r.pc, address: address, kind: faultKind)))
        case .needsRead(let walkRead):
            try walk(t, walkRead, page: walkRead.input >> 12, addressTaint, after: walks.last,
                     forStore: kind == .write, r, g) { (r, g, id, value) throws(MachineError) in
                // Nothing below an invalid root entry of a cached base can
                // come from the TLB.
                if start.cachedStages.contains(walkRead.stage), walkRead.level == self.rootLevel(stage: walkRead.stage),
                   !Descriptor.isValid(value) { return }
                var decided = decided
                decided[walkRead] = value
                try self.translate(t, va, kind, addressTaint, r, g, from: start, decided: decided,
                                   walks: walks + [id], lastRead: walkRead, then)
            }
        }
    }

    /// Whether the last stage-1 descriptor a finished walk read is a valid
    /// global leaf (page, or block above level 3).
    static func stage1LeafIsGlobal(_ decided: [Translation.WalkRead: UInt64]) -> Bool {
        guard let last = decided.keys.filter({ $0.stage == 1 }).max(by: { $0.level < $1.level }),
              let d = decided[last], Descriptor.isValid(d) else { return false }
        let leaf = last.level == 3 || d & Descriptor.tableOrPage == 0
        return leaf && d & Descriptor.notGlobal == 0
    }

    /// The level a stage's walk starts at (4 levels: level 0).
    func rootLevel(stage: Int) -> Int {
        guard case .tables(let tables) = program.translation else { return 3 }
        return 4 - (stage == 1 ? tables.stage1Levels : tables.stage2Levels)
    }

    /// The descriptor a hardware update writes instead of taking `fault`, if
    /// thread `t` manages that flag (HA: AF = 0; HD: a write through a
    /// read-only descriptor with DBM = 1).
    func hardwareUpdate(_ t: Int, _ fault: FaultKind, _ kind: Translation.AccessKind, _ d: UInt64) -> UInt64? {
        guard t < program.hardwareUpdates.count else { return nil }
        return Translation.hardwareUpdate(fault, kind, descriptor: d, program.hardwareUpdates[t])
    }

    /// The MMU updates a descriptor only for an access that then succeeds:
    /// if the access faults for another reason (say, a write without HD to
    /// a read-only page) the descriptor is left alone and that fault, which
    /// this returns, is taken.
    func faultsAnyway(_ va: UInt64, _ kind: Translation.AccessKind, _ context: Translation.Context,
                      _ decided: [Translation.WalkRead: UInt64], _ read: Translation.WalkRead, _ updated: UInt64) -> FaultKind? {
        var after = decided
        after[read] = updated
        if case .fault(let kind, _) = Translation.translate(va, kind, setup: program.translation, context: context, read: { after[$0] }) {
            return kind
        }
        return nil
    }

    /// Creates the HU write of `value` for walk `walk` (rmw), at each
    /// admissible coherence position.
    func update(_ t: Int, _ walk: Int, _ value: UInt64, _ r: ThreadRun, _ g: ExecutionGraph,
                _ then: (ThreadRun, ExecutionGraph) throws(MachineError) -> Void) throws(MachineError) {
        let loc = g.events[walk].location
        var spec = LocalOrder.Access(direction: .write, category: .update, location: loc, address: .none)
        spec.rmwRead = walk
        var event = Event(direction: .write, thread: t, instruction: r.pc, location: loc, width: .doubleword, value: value)
        event.category = .update
        event.rmwPartner = walk
        event.localPredecessors = r.order.predecessors(spec, r.dependencies, g)
        let id = g.events.count
        var after = r
        let written = WrittenValue(thread: t, location: loc, value: value, byHardware: true)
        after.written.append(written)
        // As for explicit writes (Explorer+Events): an update whose walk read
        // no promise is a candidate at once, whatever becomes of this branch.
        // An earlier RMW of the thread may need to read it (and then this
        // branch, where the RMW read something older, is inconsistent).
        if !g.events[walk].speculative { self.written.insert(written) }
        after.order.record(id, spec, noReturn: false, readAcquire: false)
        var base = g
        _ = base.append(event)
        base.events[walk].rmwPartner = id
        let order = g.coherence[loc] ?? []
        for position in 0...order.count {
            var g2 = base
            g2.coherence[loc, default: []].insert(id, at: position)
            guard Consistency.holds(g2) else { continue }
            try then(after, g2)
        }
    }

    /// What a fault does to the thread (herd's fatal / skip / handled).
    func takeFault(_ t: Int, _ fault: Fault, _ r: ThreadRun, _ g: ExecutionGraph,
                   _ finished: [RegisterFile]) throws(MachineError) {
        let cause = ExceptionCause.fault(fault.kind, address: fault.address)
        if program.threads[t].handler(for: cause, r.systemRegisters) != nil {
            return try takeException(t, cause, r, g, finished)
        }
        var g = g
        var r = r
        g.faults.insert(fault)
        r.tagCheck = nil
        if program.threads[t].vectorIsEmpty(for: cause, r.systemRegisters) {
            return try dropExecution(t, r, g, finished)
        }
        switch program.faultHandling {
        case .fatal:
            try finish(t, r, g, finished)
        case .skip:
            r.pc += 1
            try proceed(t, r, g, finished)
        case .handledRetryOnce:
            // herd (mem.ml, add_fault): the instruction runs again "in the
            // handler", as does the rest of the thread; a fault there yields
            // no execution.
            if r.reexecuting { return try dropExecution(t, r, g, finished) }
            r.reexecuting = true
            try proceed(t, r, g, finished)
        }
    }
}
