/// Exception entry and return on the Arm machine (the entry/return
/// semantics themselves are in Program/Exceptions.swift).
///
/// aarch64.cat (aarch64hwreqs.cat, "IFB-ordered-before") puts EXC-ENTRY and
/// EXC-RET in IFB with ISB: without the `ExS` variant (FEAT_ExS, which herd's
/// default configuration and the shared tests leave off) both are context
/// synchronising; with it, only as `ExceptionSynchronization` says. A
/// synchronising entry or ERET orders as an ISB does: IFB-ob from reads it
/// is control- or address-dependent on and from what a DSB completed before
/// it (and TLBIs a DSB completed are synchronised by it, C_TLBI's
/// `TLBI-after; [TLBI]; IFB-ob`), except that under the ESOP 2022 model a
/// DSB's ordering reaches later walks only as that model's obfault does
/// (`contextSynchronise`). The fault event itself (MMU & FAULT) is the one
/// `takeFault` records, ordered by bob as before.
extension Explorer {
    /// The thread takes an exception at its current instruction: to its
    /// handler if it has one, else as the program's fault handling says.
    func takeException(_ t: Int, _ cause: ExceptionCause, _ r: ThreadRun, _ g: ExecutionGraph,
                       _ finished: [RegisterFile]) throws(MachineError) {
        guard let handler = program.threads[t].handler(for: cause, r.systemRegisters) else {
            if program.threads[t].vectorIsEmpty(for: cause, r.systemRegisters) {
                return try dropExecution(t, r, g, finished)
            }
            if cause.returnsPastInstruction, program.faultHandling == .handledRetryOnce {
                // SVC/HVC return past themselves: "handled" goes on, nothing
                // to retry, unless the thread is already re-executing.
                if r.reexecuting { return try dropExecution(t, r, g, finished) }
                var r = r, g = g
                g.faults.insert(cause.fault(thread: t, instruction: r.pc))
                r.pc += 1
                return try proceed(t, r, g, finished)
            }
            return try takeFault(t, cause.fault(thread: t, instruction: r.pc), r, g, finished)
        }
        var r = r, g = g
        g.faults.insert(cause.fault(thread: t, instruction: r.pc))
        let failedTagCheck = r.tagCheck
        r.tagCheck = nil
        let entry = handler.enter(cause, at: r.pc, in: program.threads[t],
                                  from: r.systemRegisters[.currentEL],
                                  stackPointer: r.systemRegisters[.spSel], faultLevel: r.faultLevel)
        r.faultLevel = nil
        for (register, value) in entry.writes { r.systemRegisters[register] = value }
        if program.exceptionSynchronization.entrySynchronises(cause) { contextSynchronise(&r, &g) }
        if case .fault(let kind, _) = cause {
            // `[Imp & Tag & R]; tc-ib; [IFB]; po`: the tag read that failed
            // is ordered before everything the handler does.
            if kind == .tagCheck, let tagRead = failedTagCheck {
                r.dependencies.instructionBarrier.insert(tagRead)
            }
            // `[Imp & TTD & R]; tr-ib; [IFB]; po`: the walks that found the
            // fault (tr-ib to the fault event, the last one of this thread)
            // are ordered before everything the handler does.
            if kind != .tagCheck, let fault = g.events.indices.last(where: { g.events[$0].thread == t && g.events[$0].category == .fault }) {
                for w in g.events.indices where g.events[w].translatedAccess == fault {
                    r.dependencies.instructionBarrier.insert(w)
                }
            }
            // `[Exp & R]; pick-addr-dep; tr-ib; [IFB]; po`: the reads the
            // faulting address depends on, through iico_ctrl too (CSEL).
            if let address = Explorer.address(of: program.threads[t].instructions[r.pc]) {
                r.dependencies.instructionBarrier.formUnion(r.dependencies.of(address).pick)
            }
        }
        r.pc = entry.pc
        try proceed(t, r, g, finished)
    }

    /// ERET: context synchronisation, then on at the instruction ELR names.
    func returnFromException(_ t: Int, _ r: inout ThreadRun, _ g: inout ExecutionGraph) throws(MachineError) {
        let code = program.threads[t]
        let target = try code.returnTarget(r.systemRegisters[code.returnLinkRegister(at: r.pc, r.systemRegisters)] ?? 0, thread: t)
        if let sp = code.returnStackPointer(at: r.pc, r.systemRegisters) { r.systemRegisters[.spSel] = sp }
        r.systemRegisters[.currentEL] = code.returnLevel(at: r.pc, r.systemRegisters)
        if program.exceptionSynchronization.exceptionReturn { contextSynchronise(&r, &g) }
        r.pc = target
    }

    /// BL, BR, BLR, RET: the target is the code address in a register (or
    /// the label), the link register gets the next instruction's address.
    /// herd's ctrl (aarch64deps.cat) starts at any branch whose target
    /// depends on a read: BR on a loaded value orders the events after it.
    func branch(_ t: Int, _ instruction: Instruction, _ r: inout ThreadRun) throws(MachineError) {
        let code = program.threads[t]
        let returnAddress = code.codeAddress(ofInstruction: r.pc + 1)
        switch instruction {
        case let .branchAndLink(target):
            r.write(.x(30), returnAddress, .none)
            r.pc = target
        case let .branchToRegister(register, link):
            r.dependencies.control.formUnion(r.dependencies.of(register))
            let target = try code.branchTarget(r.read(register.full), thread: t)
            if link { r.write(.x(30), returnAddress, .none) }
            r.pc = target
        default:
            preconditionFailure("not a branch with link or to a register: \(instruction)")
        }
    }

    /// What an exception entry or return does to the thread's ordering
    /// state, at the current point: what an ISB does, except that under the
    /// ESOP 2022 model a DSB's ordering reaches later walks only as that
    /// model's obfault does (see `ThreadRun.synchroniseAtException`).
    /// TLBIs a DSB completed are synchronised by it under either model, as
    /// by an ISB (C_TLBI's `TLBI-after; [TLBI]; IFB-ob`): the clause of a
    /// later aarch64_mmu_common.cat that orders them before later walks at
    /// the DSB already (obETS's `[TLBI]; po; [dsb]; instruction-order; [T]`)
    /// is not in the model of the ESOP 2022 results, so hvdiff has none.
    func contextSynchronise(_ r: inout ThreadRun, _ g: inout ExecutionGraph) {
        if program.referenceModel == .esop2022 {
            r.synchroniseAtException()
        } else {
            r.synchronise(dsbOrdered: r.order.beforeSynchronised)
        }
        completeMaintenance(.isb, &r, &g)
    }

    /// The address operand of a memory instruction (the one that can fault).
    static func address(of instruction: Instruction) -> Address? {
        switch instruction {
        case .load(_, let a, _, _, _), .store(_, let a, _, _, _), .loadPair(_, _, let a, _, _), .storePair(_, _, let a, _, _),
             .compareAndSwap(_, _, let a, _, _, _), .compareAndSwapPair(_, _, _, _, let a, _, _, _),
             .loadExclusivePair(_, _, let a, _, _), .storeExclusivePair(_, _, _, let a, _, _), .swap(_, _, let a, _, _, _), .atomic(_, _, _, let a, _, _, _):
            return a
        default:
            return nil
        }
    }
}
