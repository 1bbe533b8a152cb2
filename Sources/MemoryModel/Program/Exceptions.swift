/// Exception entry and return, shared by both machines.
///
/// The semantics follow the tests that use them:
///
/// - herd (herdtools7 `-variant vmsa`, the `P0.F` fault-handler column, e.g.
///   herd-regression/AArch64.kvm/A005, A006, F001, F004): a fault (MMU fault,
///   UDF) or SVC on a thread with a handler enters the handler at EL1 with
///   ELR_EL1 = the faulting instruction's address (for SVC/HVC: the next
///   instruction's, their preferred return address, Arm ARM D1.10.1). The
///   handler may rewrite ELR (`ADR X3,L1; MSR ELR_EL1,X3`) before ERET; a
///   handler that ends without ERET ends the thread (herd runs the handler
///   code to its end, e.g. order-via-faults/*-mmufault-po). The fault is still
///   recorded, so `fault(P0:L0,x)` holds.
/// - isla (ESOP 2022, `[section.*]` code at an address: the vector entry
///   VBAR_ELM + 0x000/0x200/0x400 it sits at says which exceptions it takes,
///   see `ExceptionHandler.vector`):
///   the handler reads ELR_ELM, adds 4 to skip the faulting instruction and
///   ERETs; pKVM tests read ESR_EL2.EC to tell HVC (0x16) from a data abort.
///   ERET in thread code (an EL1 thread returning to EL0 at a preset ELR_EL1)
///   is a jump to ELR.
///
/// Instructions have code addresses `codeOrigin + 4 * index` (the index in
/// `ThreadCode.instructions`, see CodeAddresses.swift), so that ELR
/// arithmetic and ADR work. The
/// handler's code follows the thread's code in `instructions`, separated by
/// a `B <end>` the assembler places at the end of the thread's own code:
/// falling off the thread's code, or branching (or ERETing) to a label after
/// its last instruction, ends the thread without running into the handler.
///
/// Exception levels as translation regimes: CurrentEL (a system register
/// here, EL in bits [3:2], absent meaning EL1) selects the regime a thread's
/// accesses translate in (see `Translation.Context`). Entry saves it in
/// SPSR_ELx (M[3:2], and M[0] = PSTATE.SP: the `spSel` register where the
/// program models it, isla's tests, else SP_ELx above EL0) and moves to the
/// handler's level, selecting SP_ELx; ERET restores the level (and the
/// modelled PSTATE.SP) SPSR_ELx names (an EL2 thread returning to its
/// guest, isla's `SPSR_EL2 = 0b00101`, lands in EL1; an absent SPSR means
/// EL0, whose accesses translate in the EL1&0 regime as EL1's do).
///
/// Not modelled: the rest of SPSR/PSTATE, nested exceptions beyond
/// re-entering the same handler (the loop bound stops a handler that faults
/// forever).
public struct ExceptionHandler: Hashable, Sendable {
    /// Index of the handler's first instruction in `ThreadCode.instructions`.
    public var entry: Int
    /// The exception level the handler runs at: which ELR/ESR/FAR it uses.
    public var level: ExceptionLevel
    /// The synchronous-exception vector entry the handler sits at, as an
    /// offset from VBAR_ELx (isla places `[section]` code at an address):
    /// nil when the test gives none, and then the handler takes every
    /// exception routed to its level.
    public var vector: VectorOffset?

    public init(entry: Int, level: ExceptionLevel = .el1, vector: VectorOffset? = nil) {
        self.entry = entry
        self.level = level
        self.vector = vector
    }
}

public enum ExceptionLevel: Int, Hashable, Sendable {
    case el1 = 1, el2 = 2

    public var linkRegister: SystemRegister { self == .el1 ? .elrEl1 : .elrEl2 }
    public var syndromeRegister: SystemRegister { self == .el1 ? .esrEl1 : .esrEl2 }
    public var faultAddressRegister: SystemRegister { self == .el1 ? .farEl1 : .farEl2 }
    public var savedStateRegister: SystemRegister { self == .el1 ? .spsrEl1 : .spsrEl2 }
    /// The CurrentEL value of this level (EL in bits [3:2]).
    public var currentEL: UInt64 { UInt64(rawValue) << 2 }
}

/// Why an exception is taken, and the syndrome it reports (Arm ARM D17.2.37,
/// ESR_ELx.EC).
public enum ExceptionCause: Hashable, Sendable {
    case fault(FaultKind, address: UInt64)
    case supervisorCall(UInt16)
    case hypervisorCall(UInt16)
    case undefined

    /// The ESR value a data abort reports when the level of the walk that
    /// faulted is known: EC 0x24 taken from a lower level, 0x25 from the
    /// same one, and ISS.DFSC (bits [5:0]) the fault status code with the
    /// level in its low bits: translation 0b0001LL, access flag 0b0010LL,
    /// permission 0b0011LL (Arm ARM D17.2.40, "ISS encoding for an
    /// exception from a Data Abort"). isla's ROT.inv tests read DFSC to tell
    /// a level-2 from a level-3 translation fault. Other causes, or an
    /// unknown level: `syndrome`.
    public func syndrome(faultLevel: Int?, fromLowerLevel: Bool) -> UInt64 {
        guard case .fault(let kind, _) = self, let level = faultLevel, (0...3).contains(level) else { return syndrome }
        let status: UInt64
        switch kind {
        case .translation, .stage2Translation: status = 0b0001_00
        case .accessFlag: status = 0b0010_00
        case .permission, .stage2Permission: status = 0b0011_00
        case .undefinedInstruction, .supervisorCall, .hypervisorCall, .tagCheck: return syndrome
        }
        let ec: UInt64 = fromLowerLevel ? 0x24 : 0x25
        return ec << 26 | 1 << 25 | status | UInt64(level)
    }

    /// The ESR value: EC in bits [31:26], IL (32-bit instruction) in bit 25,
    /// the immediate in the ISS for SVC/HVC.
    public var syndrome: UInt64 {
        let il: UInt64 = 1 << 25
        switch self {
        case .fault: return 0x24 << 26 | il                // data abort from a lower EL
        case .supervisorCall(let imm): return 0x15 << 26 | il | UInt64(imm)
        case .hypervisorCall(let imm): return 0x16 << 26 | il | UInt64(imm)
        case .undefined: return il                         // EC 0: unknown reason
        }
    }

    /// The fault recorded for it (herd's `fault(P0:L0)` holds for all).
    public func fault(thread: Int, instruction: Int) -> Fault {
        switch self {
        case let .fault(kind, address): return Fault(thread: thread, instruction: instruction, address: address, kind: kind)
        case .supervisorCall: return Fault(thread: thread, instruction: instruction, address: 0, kind: .supervisorCall)
        case .hypervisorCall: return Fault(thread: thread, instruction: instruction, address: 0, kind: .hypervisorCall)
        case .undefined: return Fault(thread: thread, instruction: instruction, address: 0, kind: .undefinedInstruction)
        }
    }

    /// Whether the architecture routes it to EL2 rather than EL1 (from a
    /// guest): HVC and stage-2 faults (Arm ARM D1.10.2).
    public var routesToEL2: Bool {
        switch self {
        case .hypervisorCall: return true
        case .fault(let kind, _): return kind == .stage2Translation || kind == .stage2Permission
        case .supervisorCall, .undefined: return false
        }
    }

    /// SVC and HVC return to the next instruction, faults to the faulting one.
    public var returnsPastInstruction: Bool {
        switch self {
        case .supervisorCall, .hypervisorCall: return true
        case .fault, .undefined: return false
        }
    }

    /// The cause an exception-generating instruction raises, if it is one.
    public init?(_ instruction: Instruction) {
        switch instruction {
        case .supervisorCall(let imm): self = .supervisorCall(imm)
        case .hypervisorCall(let imm): self = .hypervisorCall(imm)
        case .undefined: self = .undefined
        default: return nil
        }
    }
}

extension ExceptionHandler {
    /// Exception entry for the instruction at `pc`: the system-register
    /// writes (ELR, ESR, FAR for a fault, HPFAR_EL2 for a stage-2 fault) and
    /// the handler's entry index.
    /// `from` is the level the exception is taken from (CurrentEL; nil for
    /// a thread that never set it, which runs at EL1). A data abort of such
    /// a thread reports EC 0x24, "from a lower level", as herd's tests put
    /// the handler above the code it handles. `stackPointer` is PSTATE.SP
    /// where modelled (nil: not modelled), `faultLevel` the level of the
    /// walk read that found an MMU fault (ESR's DFSC, see `syndrome`).
    public func enter(_ cause: ExceptionCause, at pc: Int, in code: ThreadCode? = nil,
                      from knownEL: UInt64? = nil,
                      stackPointer: UInt64? = nil, faultLevel: Int? = nil) -> (pc: Int, writes: [(SystemRegister, UInt64)]) {
        let currentEL = knownEL ?? ExceptionLevel.el1.currentEL
        let back = cause.returnsPastInstruction ? pc + 1 : pc
        let spsel: UInt64 = stackPointer.map { $0 & 1 } ?? (currentEL & 0b1100 == 0 ? 0 : 1)
        let fromLowerLevel = knownEL.map { VectorOffset.isLower(currentEL: $0, than: level) } ?? true
        var writes: [(SystemRegister, UInt64)] = [
            (level.linkRegister, code?.codeAddress(ofInstruction: back) ?? ThreadCode.codeAddress(ofInstruction: back)),
            (level.syndromeRegister, cause.syndrome(faultLevel: faultLevel, fromLowerLevel: fromLowerLevel)),
            (level.savedStateRegister, currentEL & 0b1100 | spsel),
            (.currentEL, level.currentEL),
        ]
        // Exception entry selects SP_ELx (PSTATE.SP = 1), where it is modelled.
        if stackPointer != nil { writes.append((.spSel, 1)) }
        if case .fault(let kind, let address) = cause {
            writes.append((level.faultAddressRegister, address))
            if kind == .stage2Translation || kind == .stage2Permission {
                writes.append((.hpfarEl2, (address >> 12) << 4))
            }
        }
        return (entry, writes)
    }
}

extension ThreadCode {
    /// The register ERET at `pc` returns through: the level of the handler
    /// whose code holds `pc`. In the thread's own code (isla's EL1 or EL2
    /// thread returning to a lower level at a preset ELR), the level of the
    /// thread's first handler, which the isla tests place at the thread's
    /// own level; EL1 without a handler.
    /// A thread whose CurrentEL is known (EL1 or EL2) uses that level's ELR.
    public func returnLinkRegister(at pc: Int, _ registers: some SystemRegisterReading) -> SystemRegister {
        switch registers.value(of: .currentEL).map({ $0 >> 2 & 0b11 }) {
        case 2?: return .elrEl2
        case 1?: return .elrEl1
        default: return (handlers.last(where: { $0.entry <= pc }) ?? handlers.first)?.level.linkRegister ?? .elrEl1
        }
    }

    /// CurrentEL after ERET at `pc`: the level in M[3:2] of the SPSR that
    /// goes with the ELR it returns through.
    public func returnLevel(at pc: Int, _ registers: some SystemRegisterReading) -> UInt64 {
        returnSavedState(at: pc, registers) & 0b1100
    }

    /// PSTATE.SP after ERET at `pc`: M[0] of the same SPSR; nil where
    /// PSTATE.SP is not modelled (`spSel` absent).
    public func returnStackPointer(at pc: Int, _ registers: some SystemRegisterReading) -> UInt64? {
        guard registers.value(of: .spSel) != nil else { return nil }
        return returnSavedState(at: pc, registers) & 1
    }

    /// The SPSR an ERET at `pc` restores: the one of the level whose ELR it
    /// returns through (absent: 0).
    private func returnSavedState(at pc: Int, _ registers: some SystemRegisterReading) -> UInt64 {
        let spsr: SystemRegister = returnLinkRegister(at: pc, registers) == .elrEl2 ? .spsrEl2 : .spsrEl1
        return registers.value(of: spsr) ?? 0
    }

    /// ERET's target index for an ELR value, or an error naming the address.
    public func returnTarget(_ elr: UInt64, thread: Int) throws(MachineError) -> Int {
        guard let index = instructionIndex(atCodeAddress: elr) else {
            throw .unsupported("ERET of thread \(thread) to 0x\(String(elr, radix: 16)), which is no instruction of the thread")
        }
        return index
    }
}
