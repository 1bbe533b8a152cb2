/// Executes one instruction of one thread against always-current memory:
/// the SC machine's step. Every access translates through the current
/// descriptors (the SC machine's TLB is always coherent), so barriers and
/// TLB maintenance have nothing to do here.
public struct Interpreter: Sendable {
    public let program: ConcurrentProgram
    /// False when addresses are physical (`.none`): asked on every access.
    let translates: Bool

    public init(_ program: ConcurrentProgram) {
        self.program = program
        if case .none = program.translation { translates = false } else { translates = true }
    }

    /// What a step did that the machine around it must know.
    public struct Effect: Sendable {
        /// The physical address written, if any: other threads' exclusive
        /// monitors on it are cleared.
        public var wrote: UInt64?
        /// The second word a pair store wrote, if any (monitors on it too).
        public var wroteSecond: UInt64?
        public var fault: Fault?
        /// Descriptors the MMU updated (HA/HD): every thread's exclusive
        /// monitor on them is cleared, the updating thread's too (aarch64.cat
        /// `atomic`: no write, an HU included, between an rmw's read and write).
        public var hardwareUpdated: [UInt64] {
            get { updatedDescriptors ?? [] }
            set { updatedDescriptors = newValue.isEmpty ? nil : newValue }
        }
        /// Stored as nil when empty (almost every step): an effect is made and
        /// dropped per step, and an array in it would be released each time.
        private var updatedDescriptors: [UInt64]?
    }

    /// True if the instruction touches neither memory nor translation state,
    /// so that running it at once cannot change what other threads see (the
    /// SC explorer runs such steps without interleaving them).
    public static func isLocal(_ instruction: Instruction) -> Bool {
        switch instruction {
        case .move, .arithmetic, .compare, .conditionalSelect, .conditionalSet, .conditionalSelectElse,
             .branch, .branchConditional, .compareBranchZero, .compareBranchNonZero, .branchAndLink, .branchToRegister, .nop,
             .dmb, .dsb, .isb, .tlbi, .mrs,
             .supervisorCall, .hypervisorCall, .undefined, .exceptionReturn:
            return true
        case .load, .store, .loadPair, .storePair, .loadExclusivePair, .storeExclusivePair, .compareAndSwap, .compareAndSwapPair, .swap, .atomic, .msr,
             .storeTag, .storeZeroTag, .loadTag, .addressTranslate:
            return false
        }
    }

    /// Translates against current memory. A fault the thread's MMU resolves
    /// itself (HA/HD) becomes a descriptor update, atomic with the walk as
    /// on SC everything is, and the walk goes on; the update is kept only if
    /// the access then succeeds (an access that faults anyway changes nothing).
    func translateUpdating<Memory: PhysicalMemory>(_ va: UInt64, _ kind: Translation.AccessKind, thread: Int,
                           context: Translation.Context, memory: inout Memory,
                           applied: inout [UInt64], applies: Bool = true) -> Translation.Result {
        let updates = thread < program.hardwareUpdates.count ? program.hardwareUpdates[thread] : HardwareUpdates()
        // Without HA/HD no fault becomes an update (`hardwareUpdate` is nil):
        // one walk over current memory, with no table of pending updates.
        if !updates.accessFlag && !updates.dirtyState {
            return Translation.translate(va, kind, setup: program.translation, context: context) { walk in
                memory.word(walk.address)
            }
        }
        var updated: [UInt64: UInt64] = [:]
        while true {
            var last: UInt64?
            let result = Translation.translate(va, kind, setup: program.translation, context: context) { walk in
                last = walk.address & ~7
                return updated[walk.address & ~7] ?? memory.word(walk.address)
            }
            // Each round clears one fault (AF, then AP[2]); an update that
            // changes nothing would loop, so it ends the walk with its fault.
            guard case .fault(let fault, _) = result, let at = last,
                  let value = Translation.hardwareUpdate(fault, kind, descriptor: updated[at] ?? memory.word(at), updates),
                  value != (updated[at] ?? memory.word(at))
            else {
                if applies, case .physical = result {
                    for (a, v) in updated { memory.setWord(a, v) }
                    applied += updated.keys
                }
                return result
            }
            updated[at] = value
        }
    }

    /// Executes thread `thread`'s next instruction.
    public func step<Memory: PhysicalMemory>(_ t: inout ThreadState, thread: Int, memory: inout Memory) throws(MachineError) -> Effect {
        try execute(&t, thread: thread, code: program.threads[thread].instructions, memory: &memory)
    }

    /// Steps thread `thread` until it stops running or has taken `limit`
    /// steps, appending the faults it takes to `faults`; returns the steps
    /// taken. The thread's code is fetched once for the whole run, not per
    /// step. Pre-specialized for `PagedMemory` so that the sequential
    /// executor's callers in other modules (the hypervisor's handlers) do
    /// not run the generic version, which reaches memory through witness
    /// tables.
    @_specialize(exported: true, where Memory == PagedMemory)
    public func run<Memory: PhysicalMemory>(_ t: inout ThreadState, thread: Int, memory: inout Memory, limit: Int,
                                            faults: inout [Fault]) throws(MachineError) -> Int {
        let code = program.threads[thread].instructions
        var steps = 0
        while t.isRunning && steps < limit {
            let effect = try execute(&t, thread: thread, code: code, memory: &memory)
            if let fault = effect.fault { faults.append(fault) }
            steps += 1
        }
        return steps
    }

    /// One step: `code` is thread `thread`'s instructions.
    @inline(__always)
    func execute<Memory: PhysicalMemory>(_ t: inout ThreadState, thread: Int, code: [Instruction],
                                         memory: inout Memory) throws(MachineError) -> Effect {
        guard t.pc < code.count else { t.status = .finished; return Effect() }
        if !t.executed.isEmpty {
            if t.executed[t.pc] >= UInt16(clamping: program.instructionBound) { t.status = .cut; return Effect() }
            t.executed[t.pc] += 1
        }
        var next = t.pc + 1
        var effect = Effect()
        // Registers are read in place through `t`'s storage: a call of the
        // register file's `read` would first copy all 31 registers (the file
        // is inline, and a method's `self` is not read in place).
        func reg(_ x: Register) -> UInt64 { x.isZero ? 0 : x.view(t.registers.storage[Int(x.number)]) }

        func address(_ a: Address) -> UInt64 {
            reg(a.base.full) &+ ValueSemantics.value(a.offset, width: 64, read: { reg($0) })
        }
        /// Takes an exception: the thread's handler if it has one (see
        /// Exceptions.swift), else the program's fault handling.
        func takeException(_ cause: ExceptionCause, faultLevel: Int? = nil) {
            effect.fault = cause.fault(thread: thread, instruction: t.pc)
            if let handler = program.threads[thread].handler(for: cause, t.systemRegisters) {
                let entry = handler.enter(cause, at: t.pc, in: program.threads[thread],
                                          from: t.systemRegisters.value(of: .currentEL),
                                          stackPointer: t.systemRegisters.value(of: .spSel), faultLevel: faultLevel)
                for (register, value) in entry.writes { t.systemRegisters[register] = value }
                t.context = Translation.Context(t.systemRegisters)
                next = entry.pc
                return
            }
            if program.threads[thread].vectorIsEmpty(for: cause, t.systemRegisters) {
                t.status = .dropped
                return
            }
            switch program.faultHandling {
            case .fatal: t.status = .faulted
            case .skip: break
            case .handledRetryOnce:
                // Once re-executing (to the thread's end, as in herd) any
                // fault drops the run; before, SVC/HVC return past
                // themselves and a fault runs its instruction again.
                if t.reexecuting { t.status = .dropped }
                else if !cause.returnsPastInstruction { t.reexecuting = true; next = t.pc }
            }
        }
        /// Translates or, on a fault, takes the exception and returns nil.
        /// With memory tagging the pointer's top byte is ignored, and a Tag
        /// Checked access (`checked`) compares the pointer's logical tag with
        /// the current allocation tag of its granule: tag memory is always
        /// current too. A mismatch is a TagCheck fault.
        func translate(_ pointer: UInt64, _ kind: Translation.AccessKind, checked: Bool = true) -> UInt64? {
            guard program.memoryTagging else { return translateAddress(pointer, kind) }
            let va = MemoryTagging.untagged(pointer)
            guard let pa = translateAddress(va, kind) else { return nil }
            guard checked else { return pa }
            let allocationTag = memory.word(MemoryTagging.location(ofGranuleAt: pa)) & 0xF
            guard allocationTag == MemoryTagging.logicalTag(of: pointer) else {
                takeException(.fault(.tagCheck, address: va))
                return nil
            }
            return pa
        }
        func translateAddress(_ va: UInt64, _ kind: Translation.AccessKind) -> UInt64? {
            guard translates else { return va }
            var context = t.context
            context.unprivileged = context.unprivileged || program.threads[thread].isUnprivileged(at: t.pc)
            let result = translateUpdating(va, kind, thread: thread, context: context, memory: &memory,
                                           applied: &effect.hardwareUpdated)
            switch result {
            case .physical(let pa): return pa
            case .needsRead: preconditionFailure("SC walks read current memory; every read is decided")
            case .fault(let faultKind, let faultAddress):
                // The level of the walk read that found the fault (ESR.DFSC):
                // the walk again over the same memory, its last read.
                var faultLevel: Int?
                _ = Translation.translate(va, kind, setup: program.translation, context: context) { walk in
                    faultLevel = walk.level
                    return memory.word(walk.address)
                }
                takeException(.fault(faultKind, address: faultAddress), faultLevel: faultLevel)
                return nil
            }
        }

        let instruction = code[t.pc]
        switch instruction {
        case let .load(dst, a, width, _, exclusive):
            guard let pa = translate(address(a), .read) else { break }
            t.registers.write(dst, try memory.read(pa, width))
            if exclusive { t.monitor = pa; t.monitorSecond = nil }
        case let .store(src, a, width, _, status):
            guard let pa = translate(address(a), .write) else { break }
            if let status {
                let success = t.monitor == pa && t.monitorSecond == nil
                t.monitor = nil
                t.registers.write(status, success ? 0 : 1)
                guard success else { break }
            }
            try memory.write(pa, width, reg(src))
            effect.wrote = pa
        case let .loadPair(first, second, a, width, _):
            let va = address(a)
            guard let pa1 = translate(va, .read), let pa2 = translate(va &+ UInt64(width.rawValue), .read, checked: false) else { break }
            t.registers.write(first, try memory.read(pa1, width))
            t.registers.write(second, try memory.read(pa2, width))
        case let .storePair(first, second, a, width, _):
            let va = address(a)
            guard let pa1 = translate(va, .write), let pa2 = translate(va &+ UInt64(width.rawValue), .write, checked: false) else { break }
            try memory.write(pa1, width, reg(first))
            try memory.write(pa2, width, reg(second))
            effect.wrote = pa1
        case let .compareAndSwap(compare, new, a, width, _, _):
            guard let pa = translate(address(a), .write) else { break }
            let old = try memory.read(pa, width)
            if old == reg(compare) & width.mask {
                try memory.write(pa, width, reg(new))
                effect.wrote = pa
            }
            t.registers.write(compare, old)
        case let .loadExclusivePair(first, second, a, width, _):
            let va = address(a)
            guard let pa1 = translate(va, .read), let pa2 = translate(va &+ UInt64(width.rawValue), .read, checked: false) else { break }
            t.registers.write(first, try memory.read(pa1, width))
            t.registers.write(second, try memory.read(pa2, width))
            t.monitor = pa1
            t.monitorSecond = pa2
        case let .storeExclusivePair(status, first, second, a, width, _):
            let va = address(a)
            guard let pa1 = translate(va, .write), let pa2 = translate(va &+ UInt64(width.rawValue), .write, checked: false) else { break }
            let success = t.monitor == pa1 && t.monitorSecond == pa2
            t.monitor = nil
            t.monitorSecond = nil
            t.registers.write(status, success ? 0 : 1)
            guard success else { break }
            try memory.write(pa1, width, reg(first))
            try memory.write(pa2, width, reg(second))
            effect.wrote = pa1
            effect.wroteSecond = pa2
        case let .compareAndSwapPair(compare1, compare2, new1, new2, a, width, _, _):
            let va = address(a)
            guard let pa1 = translate(va, .write), let pa2 = translate(va &+ UInt64(width.rawValue), .write, checked: false) else { break }
            let old1 = try memory.read(pa1, width), old2 = try memory.read(pa2, width)
            if old1 == reg(compare1) & width.mask && old2 == reg(compare2) & width.mask {
                try memory.write(pa1, width, reg(new1))
                try memory.write(pa2, width, reg(new2))
                effect.wrote = pa1
            }
            t.registers.write(compare1, old1)
            t.registers.write(compare2, old2)
        case let .swap(src, dst, a, width, _, _):
            guard let pa = translate(address(a), .write) else { break }
            let old = try memory.read(pa, width)
            try memory.write(pa, width, reg(src))
            effect.wrote = pa
            t.registers.write(dst, old)
        case let .atomic(op, src, dst, a, width, _, _):
            guard let pa = translate(address(a), .write) else { break }
            let old = try memory.read(pa, width)
            try memory.write(pa, width, ValueSemantics.atomic(op, old: old, operand: reg(src), width: width))
            effect.wrote = pa
            if let dst { t.registers.write(dst, old) }
        case let .storeTag(src, a), let .storeZeroTag(src, a):
            // STG: translated as a write, not Tag Checked. STZG also zeroes
            // the granule's two data doublewords.
            guard let pa = translate(address(a), .write, checked: false) else { break }
            let location = MemoryTagging.location(ofGranuleAt: pa)
            memory.setWord(location, MemoryTagging.logicalTag(of: reg(src)))
            effect.wrote = location
            if case .storeZeroTag = instruction {
                try memory.write(pa, .doubleword, 0)
                try memory.write(pa &+ 8, .doubleword, 0)
                effect.wrote = pa
                effect.wroteSecond = pa &+ 8
            }
        case let .loadTag(dst, a):
            guard let pa = translate(address(a), .read, checked: false) else { break }
            let tag = memory.word(MemoryTagging.location(ofGranuleAt: pa)) & 0xF
            t.registers.write(dst, MemoryTagging.withLogicalTag(address(a), tag))
        case let .addressTranslate(op, src):
            // The walk an access of op's kind would make, reported instead
            // of taken. A fault the thread's MMU would resolve (HA/HD) is
            // none: the access would succeed. Whether an AT itself updates
            // the descriptor is IMPLEMENTATION DEFINED; hvdiff's does not.
            let result: Translation.Result
            if translates {
                var unused: [UInt64] = []
                result = translateUpdating(reg(src), op.kind, thread: thread, context: op.context(from: t.context),
                                           memory: &memory, applied: &unused, applies: false)
            } else {
                result = .physical(reg(src))
            }
            t.systemRegisters[.parEl1] = PhysicalAddressRegister.value(of: result)!
        case .dmb, .dsb, .isb, .tlbi, .nop:
            break
        case let .msr(sysreg, src):
            t.systemRegisters[sysreg] = reg(src.full)
            t.context = Translation.Context(t.systemRegisters)
        case let .mrs(dst, sysreg):
            t.registers.write(dst, t.systemRegisters[sysreg])
        case let .move(dst, operand):
            let value = ValueSemantics.value(operand, width: dst.width, read: { reg($0) })
            t.registers.write(dst, value)
        case let .arithmetic(op, dst, n, operand, setsFlags):
            let width = dst.isZero ? n.width : dst.width
            let b = ValueSemantics.value(operand, width: width, read: { reg($0) })
            let (value, flags) = ValueSemantics.arithmetic(op, reg(n), b, width: width)
            t.registers.write(dst, value)
            if setsFlags { t.flags = flags }
        case let .compare(n, operand):
            let b = ValueSemantics.value(operand, width: n.width, read: { reg($0) })
            t.flags = ValueSemantics.arithmetic(.subtract, reg(n), b, width: n.width).1
        case let .conditionalSelect(dst, n, m, cond):
            let value = ValueSemantics.holds(cond, t.flags) ? reg(n) : reg(m)
            t.registers.write(dst, value)
        case let .conditionalSelectElse(dst, n, m, cond, alternative):
            let value = ValueSemantics.holds(cond, t.flags) ? reg(n) : alternative.apply(reg(m), width: dst.width)
            t.registers.write(dst, value)
        case let .conditionalSet(dst, cond):
            t.registers.write(dst, ValueSemantics.holds(cond, t.flags) ? 1 : 0)
        case let .branch(target):
            next = target
        case let .branchConditional(cond, target):
            if ValueSemantics.holds(cond, t.flags) { next = target }
        case let .compareBranchZero(tested, target):
            if reg(tested) == 0 { next = target }
        case let .compareBranchNonZero(tested, target):
            if reg(tested) != 0 { next = target }
        case let .branchAndLink(target):
            t.registers.write(.x(30), program.threads[thread].codeAddress(ofInstruction: t.pc + 1))
            next = target
        case let .branchToRegister(r, link):
            next = try program.threads[thread].branchTarget(reg(r.full), thread: thread)
            if link { t.registers.write(.x(30), program.threads[thread].codeAddress(ofInstruction: t.pc + 1)) }
        case .supervisorCall, .hypervisorCall, .undefined:
            takeException(ExceptionCause(code[t.pc])!)
        case .exceptionReturn:
            let elr = t.systemRegisters[program.threads[thread].returnLinkRegister(at: t.pc, t.systemRegisters)]
            next = try program.threads[thread].returnTarget(elr, thread: thread)
            if let sp = program.threads[thread].returnStackPointer(at: t.pc, t.systemRegisters) { t.systemRegisters[.spSel] = sp }
            t.systemRegisters[.currentEL] = program.threads[thread].returnLevel(at: t.pc, t.systemRegisters)
            t.context = Translation.Context(t.systemRegisters)
        }
        if t.status == .running {
            t.pc = next
            if t.pc >= code.count { t.status = .finished }
        }
        return effect
    }
}
