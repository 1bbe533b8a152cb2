/// One AArch64 instruction, as the memory machines execute it. The subset is
/// what the shared litmus tests and the hypervisor's handlers use; the
/// assembler rejects anything else with an error naming the instruction.
///
/// Branch targets are instruction indices within the thread (labels are
/// resolved by the assembler), so control flow needs no symbol lookups.
public enum Instruction: Hashable, Sendable {
    // MARK: Memory accesses

    /// LDR/LDRB/LDRH, LDAR*, LDAPR*, LDXR*, LDAXR*.
    case load(Register, Address, width: AccessWidth, ordering: LoadOrdering, exclusive: Bool)
    /// STR/STRB/STRH, STLR*. `status` is set for STXR/STLXR: it receives 0 on
    /// success and 1 on failure.
    case store(Register, Address, width: AccessWidth, release: Bool, exclusiveStatus: Register?)
    /// LDP/STP are two single-copy-atomic accesses of `width` each (the second
    /// at address + width bytes), the first before the second in program
    /// order. FEAT_LRCPC3 LDIAPP (and herd's LDAP pair) make both reads
    /// Acquire-PC; STILP (and STLP) make both writes Release.
    case loadPair(Register, Register, Address, width: AccessWidth, acquirePC: Bool = false)
    case storePair(Register, Register, Address, width: AccessWidth, release: Bool = false)
    /// CAS{A}{L}{B,H} Rs, Rt, [Xn]: compares memory with Rs, writes Rt if equal,
    /// and always returns the old value in Rs.
    case compareAndSwap(compare: Register, new: Register, Address, width: AccessWidth, acquire: Bool, release: Bool)
    /// LDXP/LDAXP Rt, Rt2, [Xn]: a load-exclusive of two words (both Acquire
    /// for LDAXP); the monitor covers both.
    case loadExclusivePair(Register, Register, Address, width: AccessWidth, acquire: Bool)
    /// STXP/STLXP Ws, Rt, Rt2, [Xn]: writes both words (both Release for
    /// STLXP) only paired with the thread's LDXP of the same pair, each write
    /// an rmw with the read of its word; Ws := 0 on success, 1 on failure.
    case storeExclusivePair(status: Register, Register, Register, Address, width: AccessWidth, release: Bool)
    /// CASP{A}{L} Rs, Rs+1, Rt, Rt+1, [Xn]: compares the pair at [Xn] with
    /// (Rs, Rs+1), writes (Rt, Rt+1) if both words are equal, and always
    /// returns the old pair in Rs, Rs+1. Each word is one read-modify-write
    /// (rmw), so the pair is single-copy atomic as a whole.
    case compareAndSwapPair(compare: Register, Register, new: Register, Register, Address, width: AccessWidth,
                            acquire: Bool, release: Bool)
    /// SWP{A}{L} Rs, Rt, [Xn]: stores Rs, returns the old value in Rt.
    case swap(source: Register, destination: Register, Address, width: AccessWidth, acquire: Bool, release: Bool)
    /// LD<op>{A}{L} Rs, Rt, [Xn] and ST<op>{L} Rs, [Xn] (destination nil, or
    /// the zero register): memory := memory <op> Rs, old value to Rt.
    case atomic(AtomicOperation, source: Register, destination: Register?, Address, width: AccessWidth, acquire: Bool, release: Bool)
    /// STG Xt, [Xn{, #imm}] (FEAT_MTE): writes the logical tag of Xt as the
    /// allocation tag of the granule at Xn (an Exp & Tag & W event). Not Tag
    /// Checked itself.
    case storeTag(Register, Address)
    /// LDG Xt, [Xn{, #imm}] (FEAT_MTE): reads the allocation tag of the
    /// granule at Xn (an Exp & Tag & R event) into Xt's logical tag.
    case loadTag(Register, Address)
    /// STZG Xt, [Xn{, #imm}] (FEAT_MTE): STG, and the granule's 16 data
    /// bytes set to zero (two doubleword writes, unordered with the tag
    /// write, as herd makes them). Not Tag Checked.
    case storeZeroTag(Register, Address)

    // MARK: Barriers

    case dmb(BarrierDomain, BarrierKind)
    case dsb(BarrierDomain, BarrierKind)
    case isb

    // MARK: Translation and system registers

    /// TLBI <op>{, Xt}: Xt carries the page number (VA >> 12, or IPA >> 12 for
    /// IPAS2*) for the by-address operations.
    case tlbi(TLBIOperation, Register?)
    case msr(SystemRegister, Register)
    case mrs(Register, SystemRegister)
    /// AT <op>, Xt: translates Xt as `op` says, into PAR_EL1 (see
    /// `AddressTranslationOperation`).
    case addressTranslate(AddressTranslationOperation, Register)

    // MARK: Data processing

    /// MOV/MOVZ: `destination := operand`.
    case move(Register, Operand)
    /// ADD, SUB, EOR, AND, ORR, LSL, LSR (and their register/immediate forms).
    case arithmetic(ArithmeticOperation, destination: Register, Register, Operand, setsFlags: Bool)
    /// CMP Rn, op (SUBS to the zero register).
    case compare(Register, Operand)
    /// CSEL Rd, Rn, Rm, cond. CSET Rd, cond is CSEL Rd, 1, 0 (CSINC XZR form).
    case conditionalSelect(destination: Register, Register, Register, Condition)
    case conditionalSet(destination: Register, Condition)
    /// CSINC/CSINV/CSNEG Rd, Rn, Rm, cond: Rn if cond holds, else Rm
    /// incremented, inverted or negated.
    case conditionalSelectElse(destination: Register, Register, Register, Condition, ConditionalSelectElse)

    // MARK: Control flow

    case branch(to: Int)
    case branchConditional(Condition, to: Int)
    case compareBranchZero(Register, to: Int)
    case compareBranchNonZero(Register, to: Int)
    /// BL label: X30 := the code address of the next instruction, then on at
    /// the label (a subroutine call).
    case branchAndLink(to: Int)
    /// BR Xn, BLR Xn (`link`: X30 := the next instruction's code address
    /// first), RET {Xn} (BR to X30 by default): on at the instruction whose
    /// code address Xn holds (see CodeAddresses.swift). The target depends on
    /// the register's value, so it is a control dependency of what follows,
    /// as a conditional branch's flags are.
    case branchToRegister(Register, link: Bool)
    case nop

    // MARK: Exceptions (see Exceptions.swift for entry and return)

    /// SVC #imm: a supervisor call; the handler's ELR is the next instruction.
    case supervisorCall(UInt16)
    /// HVC #imm: a hypervisor call; the handler's ELR is the next instruction.
    case hypervisorCall(UInt16)
    /// UDF #imm: always undefined; the handler's ELR is this instruction.
    case undefined(UInt16)
    /// ERET: return to the instruction at ELR_ELx.
    case exceptionReturn
}

/// Access size in bytes.
public enum AccessWidth: Int, Hashable, Sendable, CaseIterable {
    case byte = 1, halfword = 2, word = 4, doubleword = 8
    /// Mask for the bits an access of this width carries.
    @inlinable public var mask: UInt64 { self == .doubleword ? ~0 : (1 << UInt64(rawValue * 8)) - 1 }
}

/// The ordering annotation of a load (Arm ARM B2.3.7 "Acquire", "AcquirePC").
public enum LoadOrdering: Hashable, Sendable {
    case plain
    /// LDAR, LDAXR: Acquire (A in aarch64.cat).
    case acquire
    /// LDAPR: Acquire-PC (Q in aarch64.cat).
    case acquirePC
}

public enum AtomicOperation: String, Hashable, Sendable, CaseIterable {
    case add = "ADD", clear = "CLR", exclusiveOr = "EOR", set = "SET"
    case signedMax = "SMAX", signedMin = "SMIN", unsignedMax = "UMAX", unsignedMin = "UMIN"
}

public enum ArithmeticOperation: String, Hashable, Sendable, CaseIterable {
    case add = "ADD", subtract = "SUB", exclusiveOr = "EOR", and = "AND", or = "ORR"
    /// The logical operations on the complement of the second operand:
    /// BIC (a AND NOT b), ORN (a OR NOT b), EON (a EOR NOT b).
    case bitClear = "BIC", orNot = "ORN", exclusiveOrNot = "EON"
    case shiftLeft = "LSL", shiftRight = "LSR", arithmeticShiftRight = "ASR"
}

/// Shareability domain of DMB/DSB: full system, inner/outer shareable, non-shareable.
public enum BarrierDomain: String, Hashable, Sendable, CaseIterable {
    case fullSystem = "SY", innerShareable = "ISH", outerShareable = "OSH", nonShareable = "NSH"
}

/// Which accesses a barrier orders: all, loads-to-all (LD), stores-to-stores (ST).
public enum BarrierKind: Hashable, Sendable, CaseIterable {
    case all, load, store
}

/// The condition codes CMP sets and B.cond/CSEL read (Arm ARM C1.2.4).
public enum Condition: String, Hashable, Sendable, CaseIterable {
    case eq = "EQ", ne = "NE", hs = "HS", lo = "LO", mi = "MI", pl = "PL"
    case hi = "HI", ls = "LS", ge = "GE", lt = "LT", gt = "GT", le = "LE"
    /// Overflow set / clear (V).
    case vs = "VS", vc = "VC"
}

/// TLB maintenance operations: the scope (by VA, by IPA, by VMID, all) and
/// whether it is broadcast to the inner-shareable domain (IS suffix).
public enum TLBIOperation: String, Hashable, Sendable, CaseIterable {
    case vae1 = "VAE1", vae1is = "VAE1IS", vaae1 = "VAAE1", vaae1is = "VAAE1IS"
    case vale1 = "VALE1", vale1is = "VALE1IS", vaale1 = "VAALE1", vaale1is = "VAALE1IS"
    case vmalle1 = "VMALLE1", vmalle1is = "VMALLE1IS"
    case ipas2e1 = "IPAS2E1", ipas2e1is = "IPAS2E1IS", ipas2le1 = "IPAS2LE1", ipas2le1is = "IPAS2LE1IS"
    case vmalls12e1 = "VMALLS12E1", vmalls12e1is = "VMALLS12E1IS"
    case alle1 = "ALLE1", alle1is = "ALLE1IS", alle2 = "ALLE2", alle2is = "ALLE2IS"
    case vae2 = "VAE2", vae2is = "VAE2IS"
    /// By ASID (the register's bits [63:48]): the non-global stage-1
    /// entries of that ASID; global entries (nG = 0) stay (Arm ARM D8.13).
    case aside1 = "ASIDE1", aside1is = "ASIDE1IS"

    /// True for the inner-shareable broadcast forms.
    public var isBroadcast: Bool { rawValue.hasSuffix("IS") }
    /// True for the operations that take an address register.
    public var takesAddress: Bool {
        switch self {
        case .vmalle1, .vmalle1is, .vmalls12e1, .vmalls12e1is, .alle1, .alle1is, .alle2, .alle2is,
             .aside1, .aside1is: return false
        default: return true
        }
    }
}

/// System registers the machines model: translation-table bases and the
/// stage-2 VMID register (writes take effect for later walks after an ISB,
/// context synchronisation), and the exception registers a handler reads and
/// writes: ELR (return address), ESR (syndrome), FAR (faulting address).
public enum SystemRegister: String, Hashable, Sendable, CaseIterable {
    case ttbr0El1 = "TTBR0_EL1", ttbr0El2 = "TTBR0_EL2", vttbrEl2 = "VTTBR_EL2"
    case elrEl1 = "ELR_EL1", esrEl1 = "ESR_EL1", farEl1 = "FAR_EL1"
    case elrEl2 = "ELR_EL2", esrEl2 = "ESR_EL2", farEl2 = "FAR_EL2"
    /// The faulting IPA of a stage-2 fault (FIPA, IPA[51:12] in bits [43:4]).
    case hpfarEl2 = "HPFAR_EL2"
    /// The current exception level, EL in bits [3:2] (absent: EL1). At EL2
    /// accesses translate in the EL2 regime (TTBR0_EL2, stage 1 only).
    case currentEL = "CURRENTEL"
    /// The saved PSTATE an ERET restores; its M[3:2] is the level returned to.
    case spsrEl1 = "SPSR_EL1", spsrEl2 = "SPSR_EL2"
    /// The result of the last AT (`PhysicalAddressRegister`).
    case parEl1 = "PAR_EL1"
    /// PSTATE.SP (SPSel): 0 selects SP_EL0, 1 SP_ELx. It picks the vector
    /// entry of an exception taken from the current level (VBAR + 0x000 or
    /// + 0x200, Arm ARM D1.10.2). Absent when the program does not model
    /// it (then exception entry saves SPSR.M[0] = 1 above EL0).
    case spSel = "SPSEL"
}
