/// One thread in the middle of an Arm execution: architectural state plus
/// the dependency and local-order bookkeeping that give its events their
/// lob predecessors.
struct ThreadRun: Sendable {
    var pc = 0
    var registers: RegisterFile
    var flags = ValueSemantics.Flags()
    /// Times each instruction has executed (the loop bound).
    var executed: [UInt16]
    var dependencies = Dependencies()
    var order = LocalOrder()
    /// The unpaired load-exclusive read and its location (the local monitor).
    var exclusiveRead: Int?
    var exclusiveLocation: UInt64 = 0
    /// The second read of an unpaired LDXP and its location (nil after LDXR).
    var exclusiveSecondRead: Int?
    var exclusiveSecondLocation: UInt64 = 0
    var systemRegisters: [SystemRegister: UInt64]
    /// The thread has taken its one `handledRetryOnce` fault: a later fault
    /// drops the execution.
    var reexecuting = false
    /// Earlier table bases whose entries the TLB may still hold.
    var cachedBases = CachedTableBases()
    /// The tag read that checked the current instruction's access (FEAT_MTE),
    /// until the instruction completes or takes its TagCheck fault.
    var tagCheck: Int?
    /// The level of the walk read that found the current instruction's MMU
    /// fault, until the exception entry reports it in ESR.DFSC.
    var faultLevel: Int?
    /// Values this thread has written so far; they become promise
    /// candidates once the thread ends in a graph that can still complete.
    var written: [Explorer.WrittenValue] = []

    init(registers: RegisterFile, systemRegisters: [SystemRegister: UInt64], instructionCount: Int) {
        self.registers = registers
        self.systemRegisters = systemRegisters
        executed = Array(repeating: 0, count: instructionCount)
    }

    func read(_ r: Register) -> UInt64 { registers.read(r) }

    /// The virtual address of a memory operand.
    func address(_ a: Address) -> UInt64 {
        read(a.base.full) &+ ValueSemantics.value(a.offset, width: 64, read: { read($0) })
    }

    mutating func write(_ r: Register, _ value: UInt64, _ taint: Taint) {
        registers.write(r, value)
        dependencies.set(r, taint)
    }

    /// IFB-ob at an ISB (or an exception entry or return): reads this point
    /// is control- or address-dependent on, `dsbOrdered` (DSB-ob; [IFB];
    /// po), and walks of earlier accesses.
    mutating func synchronise(dsbOrdered: EventSet) {
        let d = dependencies
        dependencies.instructionBarrier.formUnion(d.control.pick)
        dependencies.instructionBarrier.formUnion(d.earlierAddresses.pick)
        dependencies.instructionBarrier.formUnion(dsbOrdered)
        dependencies.instructionBarrier.formUnion(order.translatingWalks)
        // `[Imp & Tag & R]; tc-before; [Exp & M]; po; [IFB]; po`.
        dependencies.instructionBarrier.formUnion(order.checkingTagReads)
    }

    /// An exception entry or return under the ESOP 2022 model.
    ///
    /// aarch64.cat makes both IFB, so everything DSB-ob orders before them
    /// is ordered before every later walk. In the ESOP model they are
    /// context-synchronisation events (`[CSE]; instruction-order` in ctxob)
    /// but no barrier is ordered before them: bob's `[dsb]; po` relates
    /// `M | F | C` events only, and TE and ERET are none of these. What
    /// orders an earlier access before a later faulting walk across them is
    /// obfault then obETS, `(obfault; [Fault]); iio^-1; [T_f]`, with
    /// `[dmbld]; po; [Fault & (IsFromW | IsFromR)]` and
    /// `[dmbst]; po; [Fault & IsFromW]`: a DMB/DSB ST orders only before the
    /// faults of stores. So a store, DSB ST, ERET and a load whose walk reads
    /// the entry the store overwrote is allowed (the ESOP run's verdict for
    /// pKVM.host_handle_trap.stage2_idmap.l3), a DSB SY instead forbids it.
    /// Both models must order the pair: DSB-ob's sources that obfault also
    /// orders before a load's fault reach every later walk, the rest of
    /// DSB-ob's sources (a DSB ST's writes) the walks of stores only.
    mutating func synchroniseAtException() {
        synchronise(dsbOrdered: order.beforeSynchronised.intersection(order.beforeLoadFaults))
        dependencies.storeWalkBarrier.formUnion(order.beforeSynchronised)
    }

    /// Executes an instruction that touches no memory: data processing,
    /// branches, barriers, system registers. Returns false for a memory
    /// access (the explorer handles those, since they branch).
    mutating func executeLocal(_ instruction: Instruction) -> Bool {
        var next = pc + 1
        let d = dependencies
        switch instruction {
        case let .move(dst, operand):
            write(dst, ValueSemantics.value(operand, width: dst.width, read: read), d.of(operand))
        case let .arithmetic(op, dst, n, operand, setsFlags):
            let width = dst.isZero ? n.width : dst.width
            let b = ValueSemantics.value(operand, width: width, read: read)
            let (value, newFlags) = ValueSemantics.arithmetic(op, read(n), b, width: width)
            let taint = d.of(n).union(d.of(operand))
            write(dst, value, taint)
            if setsFlags { flags = newFlags; dependencies.flags = taint }
        case let .compare(n, operand):
            let b = ValueSemantics.value(operand, width: n.width, read: read)
            flags = ValueSemantics.arithmetic(.subtract, read(n), b, width: n.width).1
            dependencies.flags = d.of(n).union(d.of(operand))
        case let .conditionalSelect(dst, n, m, cond):
            // The flags choose the register through iico_ctrl: a pick
            // dependency; the chosen register flows as data.
            let chosen = ValueSemantics.holds(cond, flags) ? n : m
            write(dst, read(chosen), d.of(chosen).union(d.flags.asPick))
        case let .conditionalSelectElse(dst, n, m, cond, alternative):
            // As CSEL: the flags pick the register (a pick dependency).
            let holds = ValueSemantics.holds(cond, flags)
            let value = holds ? read(n) : alternative.apply(read(m), width: dst.width)
            write(dst, value, d.of(holds ? n : m).union(d.flags.asPick))
        case let .conditionalSet(dst, cond):
            write(dst, ValueSemantics.holds(cond, flags) ? 1 : 0, d.flags.asPick)
        case let .branch(target):
            next = target
        case let .branchConditional(cond, target):
            dependencies.control.formUnion(d.flags)
            if ValueSemantics.holds(cond, flags) { next = target }
        case let .compareBranchZero(r, target):
            dependencies.control.formUnion(d.of(r))
            if read(r) == 0 { next = target }
        case let .compareBranchNonZero(r, target):
            dependencies.control.formUnion(d.of(r))
            if read(r) != 0 { next = target }
        case .nop:
            break
        case let .dmb(_, kind):
            order.barrier(kind, synchronisation: false)
        case let .dsb(_, kind):
            order.barrier(kind, synchronisation: true)
        case .isb:
            synchronise(dsbOrdered: order.beforeSynchronised)
        case let .msr(sysreg, src):
            systemRegisters[sysreg] = read(src.full)
        case let .mrs(dst, sysreg):
            write(dst, systemRegisters[sysreg] ?? 0, .none)
        case .load, .tlbi, .store, .loadPair, .storePair, .loadExclusivePair, .storeExclusivePair, .compareAndSwap, .compareAndSwapPair, .swap, .atomic,
             .storeTag, .storeZeroTag, .loadTag, .addressTranslate,
             .supervisorCall, .hypervisorCall, .undefined, .exceptionReturn, .branchAndLink, .branchToRegister:
            return false
        }
        pc = next
        return true
    }
}
