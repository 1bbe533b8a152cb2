/// One memory event of an Arm execution: an explicit (Exp) read or write,
/// with the annotations aarch64.cat's sets name (A, Q, L, NoRet) and the
/// relations that are fixed the moment the event is created: its
/// same-thread ordered-before predecessors (lob's generators) and the
/// register/memory dependencies that feed it.
struct Event: Sendable {
    enum Direction: Sendable { case read, write, maintenance }

    /// Explicit access (Exp), translation-table walk read (Imp & TTD & R),
    /// hardware update of a descriptor's AF or DB (HU = Imp & TTD & W),
    /// TLB maintenance (TLBI), an MMU fault (MMU & FAULT), or the read of
    /// an allocation tag that a Tag Checked access makes (Imp & Tag & R,
    /// FEAT_MTE; STG and LDG are explicit accesses of tag locations).
    enum Category: Sendable { case explicit, walk, update, tlbi, fault, tagCheck }

    /// Where a read takes its value from (rf).
    enum Source: Hashable, Sendable {
        /// The initial write of the location (herd's IW).
        case initial
        /// A write already in the graph.
        case write(Int)
        /// A value some write not yet created must supply (resolved when the
        /// execution is complete).
        case promise
    }

    var direction: Direction
    var category: Category = .explicit
    var thread: Int
    /// Index of the instruction in its thread (for faults and diagnostics).
    var instruction: Int
    /// Physical address: aarch64.cat's `loc` (a byte's address for the byte
    /// events of a split mixed-size access, whose `width` is then a byte).
    var location: UInt64
    var width: AccessWidth
    /// The value read or written.
    var value: UInt64

    // The sets of aarch64fences.cat.
    /// A: acquire (LDAR, LDAXR, the read of an LSE atomic with A).
    var acquire = false
    /// Q: acquire-PC (LDAPR).
    var acquirePC = false
    /// L: release (STLR, STLXR, the write of an LSE atomic with L).
    var release = false
    /// NoRet: the read of an atomic whose result goes to the zero register.
    var noReturn = false

    /// sm (herd's same-memory-access classes, `sca-class` in aarch64.cat):
    /// for the byte events of an access split by the mixed-size model, the
    /// identifiers of all its bytes (consecutive); nil for an access that
    /// is one event (then its class is itself).
    var instance: Range<Int>?

    /// rmw: the other half of an LDXR/STXR pair or of an atomic instruction.
    var rmwPartner: Int?
    /// amo: the pair is one LSE atomic instruction (not an exclusive pair).
    var isAtomicOperation = false
    /// For the second write of a single-copy-atomic pair (STXP, CASP): the
    /// pair's first write.
    var pairFirst: Int?

    /// rf, for reads.
    var source: Source = .initial
    /// The event's value or existence hangs on a promise: a read that took
    /// a promised value or read a speculative write, or a write fed (by
    /// data, address, control or rmw) by such a read.
    var speculative = false

    /// lob generators from earlier events of the same thread (dob, aob,
    /// bob, lmws, DSB-ob, IFB-ob, pob), fixed at creation.
    var localPredecessors = EventSet()
    /// The po-latest earlier write of the same thread to this location: the
    /// source of lmrs for reads, and the bound coWR/coWW put on coherence.
    var previousLocalWrite: Int?
    /// Earlier reads of the same thread to this location (po & same-loc), for
    /// Exp-haz-ob.
    var previousLocalReads: [Int] = []
    /// pick-dep sources: reads reaching this event through pick-dtrm (its
    /// address, its data, or lmrs into it).
    var pickSources = EventSet()
    /// Reads with `pick-dep; lob` into this event: for a write, those pairs
    /// are `pick-lob` and join its predecessors.
    var pickReach = EventSet()

    // MARK: Translation (VMSA)

    /// Walks: the page (VA >> 12, or IPA >> 12 at stage 2) being translated
    /// and the stage. TLBIs: the page operand, unless `invalidatesAll`.
    var page: UInt64 = 0
    var stage = 1
    /// TLBI: invalidates every page (VMALL*, ALL*), and whether it is
    /// broadcast (IS) or local.
    var invalidatesAll = false
    var broadcast = false
    /// TLBI by ASID: only walks that read a non-global (nG = 1) entry are in
    /// its scope. The machines keep one ASID per thread's stage-1 regime,
    /// so every non-global entry is taken to be of the ASID named.
    var invalidatesOnlyNonGlobal = false
    /// Walks: the VMID (VTTBR_EL2[63:48]) their EL1&0 translation is cached
    /// under. TLBIs: the VMID an EL1 operation is scoped to (the current
    /// one, Arm ARM D8.13), nil for ALLE1 and the EL2 operations.
    var vmid: UInt64? = 0
    /// Walks: of the EL2 translation regime (TTBR0_EL2). TLBIs: an EL2
    /// operation (VAE2, ALLE2), which reaches only that regime's entries,
    /// as the EL1 operations reach only the EL1&0 regime's (Arm ARM D8.13).
    var el2Regime = false
    /// TLBI: which translations it invalidates (stage 1, stage 2 or both).
    var invalidatesStage1 = true, invalidatesStage2 = false
    /// TLBI: only last-level (leaf) entries, not cached table descriptors
    /// (the VALE1, VAALE1 and IPAS2LE1 forms).
    var lastLevelOnly = false
    /// TLBI: the first event identifier after the DSB that completes it
    /// (C_TLBI), and after the ISB following that DSB.
    var completedAt: Int?
    var synchronisedAt: Int?
    /// Walk: its translation ended in a Translation or AccessFlag fault
    /// (TLBUncacheable & FAULT).
    var faulted = false
    /// Walk: the explicit access or fault it led to (tr-ib), if any.
    var translatedAccess: Int?

    var isRead: Bool { direction == .read }
    var isExplicitRead: Bool { direction == .read && category == .explicit }
    /// Imp & Tag & R: the tag read of a Tag Checked access.
    var isTagCheck: Bool { category == .tagCheck }
    var isWalk: Bool { category == .walk }
    var isUpdate: Bool { category == .update }
    /// Imp & TTD: walks and hardware updates.
    var isTranslationTable: Bool { category == .walk || category == .update }
    var isWrite: Bool { direction == .write }
}
