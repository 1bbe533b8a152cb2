/// The part of aarch64hwreqs.cat that one thread decides on its own: the
/// locally-ordered-before (lob) predecessors of each new event, accumulated
/// as the thread runs so that a barrier, an acquire or a release costs one
/// set union instead of a scan of po.
struct LocalOrder: Sendable {
    /// Every explicit access so far (M).
    var memory = EventSet()
    /// Reads so far that return a value: `(Exp & R) \ NoRet`.
    var returningReads = EventSet()
    /// Writes so far.
    var writes = EventSet()
    /// Ordered before every later access: `po; [dmb.full]; po`,
    /// `po; [dmb.ld]; po` for reads, the DSB-ob cases, `[A | Q]; po` and
    /// `range([A]; amo; [L]); po`.
    var beforeEverything = EventSet()
    /// `[W]; po; [dmb.st]; po; [W]`: ordered before later writes only.
    var beforeWrites = EventSet()
    /// `[W & L]`: ordered before later acquire (A, not Q) reads.
    var releases = EventSet()
    /// po & same-loc predecessors for lmws.
    var accessesByLocation: [UInt64: EventSet] = [:]
    /// lmrs: the po-latest write per location and the dependencies of its
    /// address and data (`addr; [M]; lmrs`, `data; [M]; lmrs`, and dtrm
    /// through memory).
    var lastWrite: [UInt64: Int] = [:]
    var lastWriteTaint: [UInt64: Taint] = [:]
    var readsByLocation: [UInt64: [Int]] = [:]

    /// What a new access brings to its lob predecessors.
    struct Access {
        var direction: Event.Direction
        var location: UInt64
        var address: Taint
        /// data: the taint of the value written (writes only).
        var data = Taint.none
        var acquire = false, acquirePC = false, release = false
        var rmwRead: Int?
        var isAtomicOperation = false
    }

    /// lob predecessors of `access`, given the thread's dependency state
    /// and the graph (for rmw partners of lmrs sources).
    func predecessors(_ a: Access, _ d: Dependencies, _ g: ExecutionGraph) -> EventSet {
        var p = beforeEverything
        p.formUnion(d.instructionBarrier)  // IFB-ob
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
            if let same = accessesByLocation[a.location] { p.formUnion(same) }  // lmws
            p.formUnion(beforeWrites)  // dmb.st
            if a.release { p.formUnion(memory) }  // [M]; po; [W & L]
            if let r = a.rmwRead { p.insert(r) }  // aob: rmw
        }
        return p
    }

    /// Records a new access once it has an identifier.
    mutating func record(_ id: Int, _ a: Access, noReturn: Bool, readAcquire: Bool) {
        memory.insert(id)
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
        }
    }

    /// DMB and DSB (bob, DSB-ob). A DSB orders at least what the DMB of the
    /// same kind orders, and dsb.st orders writes before everything.
    mutating func barrier(_ kind: BarrierKind, synchronisation: Bool) {
        switch kind {
        case .all: beforeEverything.formUnion(memory)
        case .load: beforeEverything.formUnion(returningReads)
        case .store:
            if synchronisation { beforeEverything.formUnion(writes) } else { beforeWrites.formUnion(writes) }
        }
    }
}
