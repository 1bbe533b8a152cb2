/// TLBI-after (aarch64.cat's `with TLBI-after from (all-TLBI-Imp_TTD_R-enums
/// local-hw-reqs)`, enumerations.cat): every completed TLBI (C_TLBI: a full
/// DSB follows it in po) and every walk in its scope are ordered one way or
/// the other; the execution is allowed if some such ordering, consistent
/// with local-hw-reqs, leaves ob acyclic.
///
/// - walk before TLBI: TTD-read-ordered-before, `TLBI-after; [TLBI];
///   (DSB-ob | IFB-ob)`: the walk (and, for a walk of another thread, the
///   access it translated: `tr-ib^-1; ... & ext`) is ordered before what
///   the completing DSB orders after the TLBI;
/// - TLBI before walk: TLBI-ca, `[TLBI]; TLBI-after; [Imp & TTD & R]; ca; [W]`:
///   the TLBI is ordered before every write coherence-after the value the
///   walk read, so a walk after the TLBI cannot read a value the TLBI's
///   thread had already overwritten.
///
/// Pairs of a local (non-IS) TLBI and another thread's walk are not ordered
/// (the TLBI does not reach that thread's TLB), nor are pairs of different
/// translation regimes (EL2 TLBIs reach EL2 walks only). A stage-2-only
/// TLBI and a stage-2 walk of a two-stage translation pair as
/// `CombinedEntries` says.
enum TLBIOrdering {
    struct Pair: Equatable { var tlbi: Int; var walk: Int }

    /// Whether some TLBI-after enumeration makes ob acyclic.
    static func someOrderIsAcyclic(_ g: ExecutionGraph) -> Bool {
        let base = OrderedBefore(g)
        var free: [Pair] = []
        var forced: [(Pair, walkFirst: Bool)] = []
        var combined: CombinedEntries?
        func enumerate(_ pair: Pair) {
            if g.events[pair.walk].thread == g.events[pair.tlbi].thread, let order = localOrder(g, pair) {
                forced.append((pair, order))
            } else {
                free.append(pair)
            }
        }
        for (t, tlbi) in g.events.enumerated() where tlbi.category == .tlbi && tlbi.completedAt != nil {
            for (w, walk) in g.events.enumerated() where walk.isWalk && inScope(tlbi, walk) {
                guard tlbi.broadcast || walk.thread == tlbi.thread else { continue }
                if walk.stage == 2 && !tlbi.invalidatesStage1 {
                    if combined == nil { combined = CombinedEntries(g) }
                    if let instead = combined!.replacement(tlbi: t, walk: w, g) {
                        for y in instead where !free.contains(Pair(tlbi: y, walk: w)) { enumerate(Pair(tlbi: y, walk: w)) }
                        continue
                    }
                }
                enumerate(Pair(tlbi: t, walk: w))
            }
        }
        if free.isEmpty && forced.isEmpty { return base.isAcyclic() }
        var withForced = base
        for (pair, walkFirst) in forced { addEdges(&withForced, g, pair, walkFirst: walkFirst) }
        // Each free pair either way: 2^n choices (n is small in practice).
        let n = free.count
        for choice in 0..<(1 << min(n, 20)) {
            var ob = withForced
            for (i, pair) in free.enumerated() {
                addEdges(&ob, g, pair, walkFirst: choice & (1 << i) != 0)
            }
            if ob.isAcyclic() { return true }
        }
        return false
    }

    static func inScope(_ tlbi: Event, _ walk: Event) -> Bool {
        guard tlbi.el2Regime == walk.el2Regime else { return false }
        guard walk.stage == 1 ? tlbi.invalidatesStage1 : tlbi.invalidatesStage2 else { return false }
        if tlbi.invalidatesOnlyNonGlobal && walk.value & Descriptor.notGlobal == 0 { return false }
        if let vmid = tlbi.vmid, walk.vmid != vmid { return false }
        return tlbi.invalidatesAll || tlbi.page == walk.page
    }

    /// For a TLBI and a walk of the same thread, the direction local-hw-reqs
    /// already imposes (true: walk first), if any.
    static func localOrder(_ g: ExecutionGraph, _ pair: Pair) -> Bool? {
        if reaches(g, from: pair.walk, to: pair.tlbi) { return true }
        if reaches(g, from: pair.tlbi, to: pair.walk) { return false }
        return nil
    }

    /// Whether `from` lob+ `to` within one thread (search back along
    /// localPredecessors from `to`).
    static func reaches(_ g: ExecutionGraph, from: Int, to: Int) -> Bool {
        guard from < to else { return false }
        var seen = Set<Int>()
        var stack = [to]
        while let e = stack.popLast() {
            var found = false
            g.events[e].localPredecessors.forEach { p in
                if p == from { found = true }
                if p > from && seen.insert(p).inserted { stack.append(p) }
            }
            if found { return true }
        }
        return false
    }

    static func earlierWalksOfSameOffset(_ g: ExecutionGraph, _ walk: Int) -> [Int] {
        guard let access = g.events[walk].translatedAccess, g.events[access].category == .explicit else { return [] }
        let offset = g.events[access].location & 0xFFF
        var result: [Int] = []
        var e = walk - 1
        while e >= 0 && g.events[e].thread == g.events[walk].thread {
            if g.events[e].isWalk, let a = g.events[e].translatedAccess, a < access,
               g.events[a].category == .explicit, g.events[a].location & 0xFFF == offset {
                result.append(e)
            }
            e -= 1
        }
        return result
    }

    static func addEdges(_ ob: inout OrderedBefore, _ g: ExecutionGraph, _ pair: Pair, walkFirst: Bool) {
        let tlbi = g.events[pair.tlbi]
        let walk = g.events[pair.walk]
        if walkFirst {
            var sources = [pair.walk]
            if walk.thread != tlbi.thread {
                // `tr-ib^-1; TTD-read-ordered-before & ext`
                if let access = walk.translatedAccess { sources.append(access) }
                // `([TTD & R]; tr-ib; same-low-order-bits & po; tr-ib^-1; [TTD & R]);
                // TTD-read-ordered-before & ext`: earlier walks of the thread
                // whose accesses have the same low-order address bits.
                sources += earlierWalksOfSameOffset(g, pair.walk)
            }
            var e = tlbi.completedAt!
            while e < g.events.count && g.events[e].thread == tlbi.thread {
                // DSB-ob reaches every later non-walk event; IFB-ob (after the
                // next ISB) reaches walks too.
                let afterIsb = tlbi.synchronisedAt.map { e >= $0 } ?? false
                if !g.events[e].isWalk || afterIsb {
                    for s in sources { ob.add(s, e) }
                }
                e += 1
            }
        } else if let later = g.fromReads(pair.walk) {
            for w in later { ob.add(pair.tlbi, w) }
        }
    }
}
