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

    /// Translates `va` for an access of `kind` by thread `t`, creating the
    /// walk reads, then calls `then` once per combination of walk values.
    func translate(_ t: Int, _ va: UInt64, _ kind: Translation.AccessKind, _ addressTaint: Taint,
                   _ r: ThreadRun, _ g: ExecutionGraph,
                   decided: [Translation.WalkRead: UInt64] = [:], walks: [Int] = [],
                   _ then: (ThreadRun, ExecutionGraph, TranslationOutcome) throws(MachineError) -> Void) throws(MachineError) {
        let context = Translation.Context(r.systemRegisters)
        let result = Translation.translate(va, kind, setup: program.translation, context: context) { decided[$0] }
        switch result {
        case .physical(let pa):
            try then(r, g, .physical(pa, walks: walks))
        case .fault(let faultKind, let address):
            var g2 = g
            // TLBUncacheable: the walk that saw an invalid (or AF=0) entry.
            if faultKind != .permission && faultKind != .stage2Permission, let last = walks.last {
                g2.events[last].faulted = true
            }
            try then(r, g2, .fault(Fault(thread: t, instruction: r.pc, address: address, kind: faultKind)))
        case .needsRead(let walkRead):
            try walk(t, walkRead, page: va >> 12, addressTaint, r, g) { (r, g, id, value) throws(MachineError) in
                var decided = decided
                decided[walkRead] = value
                try self.translate(t, va, kind, addressTaint, r, g, decided: decided, walks: walks + [id], then)
            }
        }
    }

    /// What a fault does to the thread (herd's fatal / skip / handled).
    func takeFault(_ t: Int, _ fault: Fault, _ r: ThreadRun, _ g: ExecutionGraph,
                   _ finished: [[UInt64]]) throws(MachineError) {
        var g = g
        var r = r
        g.faults.insert(fault)
        switch program.faultHandling {
        case .fatal:
            try finish(t, r, g, finished)
        case .skip:
            r.pc += 1
            try proceed(t, r, g, finished)
        case .handledRetryOnce:
            if r.retrying == r.pc { r.retrying = nil; r.pc += 1 } else { r.retrying = r.pc }
            try proceed(t, r, g, finished)
        }
    }
}
