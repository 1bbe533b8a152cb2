/// The axioms of aarch64.cat (plain, non-VMSA part) on an execution graph:
/// `internal` (coRW1/coWW/coWR), `atomic` and `external` (ob irreflexive).
///
/// All three are monotone in the graph: adding events or rf/co edges can only
/// add violations. The explorer therefore checks partial graphs (unresolved
/// promises simply contribute no rf/fr edges) and prunes a branch as soon as
/// one fails, and checks again once every promise is resolved.
enum Consistency {
    static func holds(_ g: ExecutionGraph) -> Bool {
        internalVisibility(g) && atomic(g) && external(g)
    }

    /// The full check of a complete execution: as `holds`, with ob extended
    /// by some TLBI-after enumeration (see `TLBIOrdering`).
    static func holdsComplete(_ g: ExecutionGraph) -> Bool {
        internalVisibility(g) && atomic(g) && TLBIOrdering.someOrderIsAcyclic(g)
    }

    // MARK: internal

    /// coWR-Exp: a read may not read from a write coherence-before its own
    /// thread's po-earlier write to the location. coWW-Exp (co agrees with po
    /// per thread) and coRW1-Exp (no read from a po-later write) hold by
    /// construction: writes are never inserted before their thread's earlier
    /// writes, and reads only read writes that already exist or, by promise,
    /// writes of later threads.
    ///
    /// coWR-MTE is the same rule for the tag read of a Tag Checked access
    /// after the thread's own STG of the granule (`[Exp & Tag & W]; (po &
    /// same-loc); [Imp & Tag & R]; (ca & int)`); coRW1-MTE holds by
    /// construction as coRW1-Exp does.
    static func internalVisibility(_ g: ExecutionGraph) -> Bool {
        for id in g.events.indices where g.events[id].isExplicitRead || g.events[id].isTagCheck {
            guard let local = g.events[id].previousLocalWrite, let s = g.sourceIndex(id) else { continue }
            if s < g.coherenceIndex(local) { return false }
        }
        return true
    }

    // MARK: atomic

    /// `empty (rmw & (fr; co)) \ (([Exp]; rmw; [Exp]) & (fri; [Exp & W]; coi))`:
    /// no write may come between an rmw's read source and its write in
    /// coherence, unless one such intervening write is the thread's own.
    static func atomic(_ g: ExecutionGraph) -> Bool {
        for id in g.events.indices where g.events[id].isRead && g.events[id].rmwPartner != nil {
            let e = g.events[id]
            guard let w = e.rmwPartner, w < g.events.count, let s = g.sourceIndex(id) else { continue }
            let order = g.coherence[e.location]!
            let target = order.firstIndex(of: w)!
            if target <= s { return false }  // the write would be co-before what the read read
            let between = order[(s + 1)..<target]
            // The exception needs an explicit rmw and an explicit intervening write.
            let excused = e.category == .explicit && between.contains {
                g.events[$0].thread == e.thread && g.events[$0].category == .explicit
            }
            if !between.isEmpty && !excused { return false }
        }
        return true
    }

    // MARK: external

    /// `irreflexive ob as external`: ob is the transitive closure of its
    /// generators, so it is irreflexive exactly when the generator graph is
    /// acyclic.
    static func external(_ g: ExecutionGraph) -> Bool {
        OrderedBefore(g).isAcyclic()
    }
}
