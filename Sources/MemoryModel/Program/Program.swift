/// The code of one thread (hardware thread / CPU) after assembly.
public struct ThreadCode: Hashable, Sendable {
    public var instructions: [Instruction]
    /// Source labels and the index of the instruction they label, kept so
    /// that final conditions can name instructions (`fault(P0:L0,x)`).
    public var labels: [String: Int]
    /// The thread's exception handlers, by increasing entry (at most one per
    /// exception level): their code follows the thread's in `instructions`
    /// (see Exceptions.swift).
    public var handlers: [ExceptionHandler]
    /// Code address of the first instruction (see CodeAddresses.swift).
    public var codeOrigin: UInt64
    /// Other threads' code appended after this thread's, so that it can call
    /// into it (herd's `BLR X8` with `0:X8=P1:Ldec`).
    public var importedCode: [ImportedCode]
    /// The thread's own code runs at EL0 (herd's `EL0=P0`), its handlers at
    /// their EL: its accesses need EL0 permission (`el0:1`).
    public var runsAtEL0 = false

    public init(instructions: [Instruction], labels: [String: Int] = [:], handlers: [ExceptionHandler] = [],
                codeOrigin: UInt64 = ThreadCode.codeBase, importedCode: [ImportedCode] = []) {
        self.instructions = instructions
        self.labels = labels
        self.handlers = handlers
        self.codeOrigin = codeOrigin
        self.importedCode = importedCode
    }
}

/// A complete input to a memory machine: threads, the initial state, and how
/// addresses are translated. Litmus tests and hypervisor scenarios both become
/// one of these; the machines know nothing of either.
public struct ConcurrentProgram: Hashable, Sendable {
    public var threads: [ThreadCode]
    /// Initial registers, one file per thread (missing registers are 0).
    public var initialRegisters: [RegisterFile]
    /// Initial memory by physical address of an aligned 8-byte word; absent
    /// words are zero. Page-table descriptors live here too.
    public var initialMemory: [UInt64: UInt64]
    public var translation: AddressTranslation
    public var faultHandling: FaultHandling
    /// Loop bound: how many times any one instruction may execute in one
    /// execution before the machine reports "bound reached" for it.
    public var instructionBound: Int
    /// Hardware management of descriptor flags, per thread (herd's `TTHM`,
    /// FEAT_HAFDBS); empty means none for every thread.
    public var hardwareUpdates: [HardwareUpdates]
    /// FEAT_ETS2/ETS3 (herd's `ets2`/`ets3` variants): how far a faulting
    /// translation is ordered after earlier accesses.
    public var translationSynchronization: TranslationSynchronization = .none
    /// FEAT_ExS (herd's `ExS`/`EIS`/`EOS`): which exception entries and
    /// returns are context synchronising.
    public var exceptionSynchronization: ExceptionSynchronization = .withoutExS
    /// Which published relaxed-VM model the Arm machine follows where the
    /// two differ (herd's tests were checked against aarch64.cat, isla's
    /// against the ESOP 2022 model).
    public var referenceModel: ReferenceModel = .aarch64Cat
    /// Whether final states record which registers each thread wrote
    /// (isla: a condition on a register with no initial value that the
    /// thread never wrote is false, since isla takes final register values
    /// from the thread's writes and has none to compare).
    public var recordsWrittenRegisters = false
    /// FEAT_MTE (herd's `memtag` variant): loads and stores are Tag
    /// Checked, STG/LDG access allocation tags (see MemoryTagging.swift).
    public var memoryTagging = false

    public init(
        threads: [ThreadCode],
        initialRegisters: [RegisterFile]? = nil,
        initialMemory: [UInt64: UInt64] = [:],
        translation: AddressTranslation = .none,
        faultHandling: FaultHandling = .fatal,
        instructionBound: Int = 8,
        hardwareUpdates: [HardwareUpdates] = []
    ) {
        self.threads = threads
        self.initialRegisters = initialRegisters ?? Array(repeating: RegisterFile(), count: threads.count)
        self.initialMemory = initialMemory
        self.translation = translation
        self.faultHandling = faultHandling
        self.instructionBound = instructionBound
        self.hardwareUpdates = hardwareUpdates
    }
}

/// The Arm model variant. `esop2022` (Simner et al., "Relaxed virtual
/// memory in Armv8-A", ESOP 2022, the model isla-axiomatic checked the
/// shared `.litmus.toml` tests against) observes translation reads from
/// other threads' writes only (trfe): a walk reading its own thread's
/// po-earlier descriptor write is not thereby ordered after it
/// (MP.RT.inv+dmb+ctrl-trfi is allowed), where aarch64.cat's TTD-obs
/// `rf; [Imp & TTD]` orders internal ones too; and its exception entry and
/// return carry a DSB's ordering to later walks only as its obfault does
/// (see `ThreadRun.synchroniseAtException`).
public enum ReferenceModel: Hashable, Sendable {
    case aarch64Cat, esop2022
}

/// Enhanced Translation Synchronization (Arm ARM D8.16, FEAT_ETS2/ETS3;
/// aarch64hwreqs.cat `ets-ob`): with ETS2 every explicit access po-before
/// an access whose translation faults for Translation or Access Flag
/// (TLBUncacheable) is ordered before the walks of that translation
/// (`[Exp & M]; po; [TLBUncacheable & FAULT]; tr-ib^-1; [Imp & TTD & R]`);
/// ETS3 does so for every MMU fault, permission faults included.
public enum TranslationSynchronization: Int, Hashable, Sendable, Comparable {
    case none, ets2, ets3

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    /// Whether the walks of a translation that faulted with `kind` are
    /// ordered after the thread's earlier explicit accesses.
    public func ordersWalks(faulting kind: FaultKind) -> Bool {
        switch kind {
        case .translation, .accessFlag, .stage2Translation: return self >= .ets2
        case .permission, .stage2Permission: return self >= .ets3
        case .undefinedInstruction, .supervisorCall, .hypervisorCall, .tagCheck: return false
        }
    }

    /// ETS3's `[Exp & M]; po; [TagCheck & EXC-ENTRY]; tc-ib^-1; [Imp & Tag & R]`:
    /// whether the tag read of a failed tag check is ordered after the
    /// thread's earlier explicit accesses. herd makes a synchronous TagCheck
    /// fault (the default precision) an exception entry, handler or not.
    public var ordersFailedTagChecks: Bool { self >= .ets3 }
}

/// Whether a thread's MMU updates descriptors itself instead of faulting
/// (Arm ARM D8.4.6, FEAT_HAFDBS): with `accessFlag` (HA) a walk that finds
/// AF = 0 sets it; with `dirtyState` (HD) a write through a descriptor with
/// DBM = 1 and AP[2] = 1 clears AP[2].
public struct HardwareUpdates: Hashable, Sendable {
    public var accessFlag: Bool
    public var dirtyState: Bool
    public init(accessFlag: Bool = false, dirtyState: Bool = false) {
        self.accessFlag = accessFlag
        self.dirtyState = dirtyState
    }
}

/// How virtual addresses become physical ones.
public enum AddressTranslation: Hashable, Sendable {
    /// Addresses are physical; no walks, no TLBs (plain litmus tests).
    case none
    /// herd's `-variant vmsa`: every virtual page has a single descriptor at a
    /// fixed physical address (herd's `PTE(x)`); a translation is one read of
    /// that descriptor (a translation-table walk of one level).
    case singleLevel(descriptorAddress: [UInt64: UInt64])
    /// Real VMSAv8-64 4 KiB-granule tables rooted at the translation-table base
    /// registers (stage 1 from TTBR0_EL1 for EL1 threads, stage 2 from
    /// VTTBR_EL2 when `stage2` is on; at EL2, CurrentEL = 2, stage 1 alone
    /// from TTBR0_EL2), walked level by level.
    case tables(TableTranslation)
}

public struct TableTranslation: Hashable, Sendable {
    /// Threads whose accesses go through stage 1 (EL1 with TTBR0_EL1).
    public var stage1: Bool
    /// Whether stage 2 (VTTBR_EL2) translates stage-1 outputs / table addresses.
    public var stage2: Bool
    /// Levels walked: 4 walks from level 0, 3 from level 1, 2 from level 2.
    public var stage1Levels: Int
    public var stage2Levels: Int
    /// Initial system registers per thread.
    public var systemRegisters: [[SystemRegister: UInt64]]

    public init(stage1: Bool, stage2: Bool, stage1Levels: Int = 4, stage2Levels: Int = 4,
                systemRegisters: [[SystemRegister: UInt64]]) {
        self.stage1 = stage1
        self.stage2 = stage2
        self.stage1Levels = stage1Levels
        self.stage2Levels = stage2Levels
        self.systemRegisters = systemRegisters
    }
}

/// What a fault does to a thread without an exception handler (herd's
/// `fatal`, `skip`, `handled` variants); a thread with one takes it instead.
public enum FaultHandling: Hashable, Sendable {
    /// The faulting thread stops at the fault.
    case fatal
    /// The fault is recorded and the faulting instruction is skipped.
    case skip
    /// The fault is recorded and the instruction executed again (a handler
    /// that fixes nothing; the retry may see the descriptor updated). As in
    /// herd, whose re-execution runs "in the handler" to the thread's end,
    /// a thread takes at most one such fault: an execution in which it
    /// faults again (or calls SVC/HVC after it) is dropped, not a final
    /// state. SVC/HVC before that return past themselves.
    case handledRetryOnce
}
