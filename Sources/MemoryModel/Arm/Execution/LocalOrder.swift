/// The part of aarch64hwreqs.cat that one thread decides on its own: the
/// locally-ordered-before (lob) predecessors of each new event, accumulated
/// as the thread runs so that a barrier, an acquire or a release costs one
/// set union instead of a scan of po.
struct LocalOrder: Sendable {
    /// Every explicit access so far (Exp & M).
    var memory = EventSet()
    /// Reads so far that return a value: `(Exp & R) \ NoRet`.
    var returningReads = EventSet()
    /// Explicit writes so far.
    var writes = EventSet()
    /// TLBIs and walks so far: DSB-ob sources (`[M | TLBI]; po; [dsb.full]`)
    /// besides the explicit accesses.
    var maintenance = EventSet()
    /// Ordered before every later explicit access (and fault): bob's
    /// `po; [dmb.full]; po`, `po; [dmb.ld]; po` for reads, `[A | Q]; po`,
    /// `range([A]; amo; [L]); po`, and the DSB-ob cases.
    var beforeEverything = EventSet()
    /// DSB-ob sources alone: ordered before every later non-walk event,
    /// TLBIs included, and (through an ISB) before later walks.
    var beforeSynchronised = EventSet()
    /// `[W]; po; [dmb.st]; po; [W]`: ordered before later writes only.
    var beforeWrites = EventSet()
    /// `[W & L]`: ordered before later acquire (A, not Q) reads.
    var releases = EventSet()
    /// The ESOP 2022 model's obfault sources for a load's fault,
    /// `[dmbld]; po; [Fault & IsFromR]` with bob before the barrier: what a
    /// DMB or DSB of kind SY or LD ordered (everything for SY, reads for
    /// LD; a DSB SY its TLBIs too, `[F | C]; po; [dsbsy]`). Not what a DMB
    /// or DSB ST alone ordered: that reaches store faults only.
    var beforeLoadFaults = EventSet()
    /// Walks that translated an explicit access so far:
    /// `[Imp & TTD & R]; tr-ib; [Exp & M]; po; [Exp & W]` and `...; po; [IFB]; po`.
    var translatingWalks = EventSet()
    /// Tag reads of Tag Checked accesses so far (Imp & Tag & R, FEAT_MTE):
    /// sources of bob's dmb.full, dmb.ld and release rows and of DSB-ob.
    var tagChecks = EventSet()
    /// Tag reads whose check passed and let their access happen:
    /// `[Imp & Tag & R]; tc-before; [Exp & M]; po; [Exp & W | HU]` (dob) and
    /// `...; po; [IFB]; po` (IFB-ob).
    var checkingTagReads = EventSet()
    /// po & same-loc predecessors for lmws (explicit accesses, walks and
    /// tag reads).
    var accessesByLocation: [UInt64: EventSet] = [:]
    /// Walks per location: `[Imp & TTD & R]; po & same-loc; [HU]` (lmws).
    var walksByLocation: [UInt64: EventSet] = [:]
    /// lmrs: the po-latest write per location and the dependencies of its
    /// address and data (`addr; [M]; lmrs`, `data; [M]; lmrs`, and dtrm
    /// through memory).
    var lastWrite: [UInt64: Int] = [:]
    var lastWriteTaint: [UInt64: Taint] = [:]
    /// Explicit reads per location (Exp-haz-ob).
    var readsByLocation: [UInt64: [Int]] = [:]
    /// TLBIs not yet completed by a full DSB, and completed ones waiting for
    /// an ISB.
    var pendingTLBIs: [Int] = []
    var completedTLBIs: [Int] = []
    /// FEAT_ETS2/ETS3: DSB-ob also reaches walks and hardware updates
    /// (`...; po; [dsb]; po; [Imp & TTD & M]`).
    var dsbOrdersTranslation = false

    /// What a new event brings to its lob predecessors.
    struct Access {
        var direction: Event.Direction
        var category: Event.Category = .explicit
        var location: UInt64
        var address: Taint
        /// data: the taint of the value written (writes only).
        var data = Taint.none
        var acquire = false, acquirePC = false, release = false
        var rmwRead: Int?
        var isAtomicOperation = false
        /// The first write of the single-copy-atomic pair this write completes.
        var pairFirst: Int?
        /// The walk reads of this access's translation (tr-ib).
        var walks: [Int] = []
        /// The tag read that checked this access (tc-before), if any.
        var tagCheck: Int?
    }

    /// lob predecessors of `a`, given the thread's dependency state and the
    /// graph (for rmw partners of lmrs sources).
    func predecessors(_ a: Access, _ d: Dependencies, _ g: ExecutionGraph) -> EventSet {
        var p = d.instructionBarrier  // IFB-ob: `...; [IFB]; po` reaches everything
        switch a.category {
        case .walk:
            // addr reaches Imp & TTD & R; bob does not, DSB-ob only with ETS2.
            p.formUnion(a.address.plain)
            if dsbOrdersTranslation { p.formUnion(beforeSynchronised) }
            return p
        case .update:
            // HU: lmws from walks of the location, dob's ctrl; [HU],
            // addr; [M]; po; [HU], `[TTD & R]; tr-ib; [M]; po; [HU]`, their
            // pick forms, and aob `[Imp & TTD & R]; rmw; [HU]`.
            p.formUnion(d.control.pick)
            p.formUnion(d.earlierAddresses.pick)
            p.formUnion(translatingWalks)
            p.formUnion(checkingTagReads)  // `...; tc-before; [Exp & M]; po; [HU]`
            if let same = walksByLocation[a.location] { p.formUnion(same) }
            if let r = a.rmwRead { p.insert(r) }
            if dsbOrdersTranslation { p.formUnion(beforeSynchronised) }
            return p
        case .tlbi:
            // DSB-ob; dob's addr and ctrl into TLBI, and pob's pick forms.
            p.formUnion(beforeSynchronised)
            p.formUnion(a.address.pick)
            p.formUnion(d.control.pick)
            return p
        case .fault:
            // bob's `[MMU & FAULT]` targets (dmb.full, dmb.ld, dmb.st,
            // acquire, A;amo;L), DSB-ob, and tr-ib from its walks.
            p.formUnion(beforeEverything)
            p.formUnion(beforeWrites)
            for w in a.walks { p.insert(w) }
            return p
        case .tagCheck:
            // Imp & Tag & R: bob's dmb.full, dmb.ld, acquire and
            // A;amo;L rows and DSB-ob (all in beforeEverything, dmb.st's
            // rows excepted: they do not reach tag reads), addr, and
            // `addr; [Exp & M]; lmrs` / `data; [Exp & M]; lmrs` from an STG
            // of the same granule.
            p.formUnion(beforeEverything)
            p.formUnion(a.address.plain)
            if lastWrite[a.location] != nil { p.formUnion(lastWriteTaint[a.location]!.plain) }
            return p
        case .explicit:
            break
        }
        p.formUnion(beforeEverything)
        for w in a.walks { p.insert(w) }  // tr-ib (intr-ob)
        switch a.direction {
        case .read:
            p.formUnion(a.address.plain)  // addr
            if a.acquire { p.formUnion(releases) }  // [W & L]; po; [R & A]
            if let w = lastWrite[a.location] {
                // addr; [M]; lmrs; [R] and data; [M]; lmrs; [R]
                p.formUnion(lastWriteTaint[a.location]!.plain)
                // aob: [M]; rmw; lmrs; [A | Q]
                if a.acquire || a.acquirePC, let r = g.events[w].rmwPartner { p.insert(r) }
            }
        case .write:
            // dob (addr, data, ctrl; [W], addr; [M]; po; [W]) and their pick
            // forms (pob); pick includes plain.
            p.formUnion(a.address.pick)
            p.formUnion(a.data.pick)
            p.formUnion(d.control.pick)
            p.formUnion(d.earlierAddresses.pick)
            p.formUnion(translatingWalks)
            // `[Imp & Tag & R]; tc-before; [Exp & M]; po; [Exp & W]` (dob),
            // and tc-ib from this write's own tag read (intr-ob).
            p.formUnion(checkingTagReads)
            if let check = a.tagCheck { p.insert(check) }
            if let same = accessesByLocation[a.location] { p.formUnion(same) }  // lmws
            p.formUnion(beforeWrites)  // dmb.st
            if a.release { p.formUnion(memory); p.formUnion(tagChecks) }  // [Exp & M | Imp & Tag & R]; po; [W & L]
            if let r = a.rmwRead { p.insert(r) }  // aob: rmw
        case .maintenance:
            break
        }
        return p
    }

    /// Records a new event once it has an identifier.
    mutating func record(_ id: Int, _ a: Access, noReturn: Bool, readAcquire: Bool) {
        switch a.category {
        case .walk:
            accessesByLocation[a.location, default: EventSet()].insert(id)
            walksByLocation[a.location, default: EventSet()].insert(id)
            maintenance.insert(id)
            return
        case .update:
            maintenance.insert(id)
            return
        case .tlbi:
            maintenance.insert(id)
            pendingTLBIs.append(id)
            return
        case .fault:
            return
        case .tagCheck:
            tagChecks.insert(id)
            accessesByLocation[a.location, default: EventSet()].insert(id)  // lmws
            return
        case .explicit:
            break
        }
        memory.insert(id)
        for w in a.walks { translatingWalks.insert(w) }
        if let check = a.tagCheck { checkingTagReads.insert(check) }
        accessesByLocation[a.location, default: EventSet()].insert(id)
        switch a.direction {
        case .read:
            if !noReturn { returningReads.insert(id) }
            if a.acquire || a.acquirePC { beforeEverything.insert(id) }
            readsByLocation[a.location, default: []].append(id)
        case .write:
            writes.insert(id)
            lastWrite[a.location] = id
            lastWriteTaint[a.location] = a.address.union(a.data)
            if a.release { releases.insert(id) }
            // range([A]; amo; [L]); po
            if a.release && a.isAtomicOperation && readAcquire { beforeEverything.insert(id) }
        case .maintenance:
            break
        }
    }

    /// DMB and DSB (bob, DSB-ob). A DSB orders at least what the DMB of the
    /// same kind orders, dsb.st orders writes before everything, and a full
    /// DSB also orders the TLBIs before it (and completes them).
    mutating func barrier(_ kind: BarrierKind, synchronisation: Bool) {
        var sources = EventSet()
        switch kind {
        case .all:
            sources = memory.union(tagChecks)
            if synchronisation { sources.formUnion(maintenance) }
        case .load: sources = returningReads.union(tagChecks)
        case .store:
            guard synchronisation else { beforeWrites.formUnion(writes); return }
            sources = writes
        }
        beforeEverything.formUnion(sources)
        if synchronisation { beforeSynchronised.formUnion(sources) }
        if kind != .store { beforeLoadFaults.formUnion(sources) }
    }
}
