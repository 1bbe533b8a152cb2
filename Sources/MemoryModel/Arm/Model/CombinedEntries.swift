/// Combined stage 1+2 TLB entries (Arm ARM D8.14.3, "TLB maintenance of
/// stage 2"; the ESOP 2022 model's `obtlbi_translate`).
///
/// A TLB may cache a whole VA-to-PA translation of the EL1&0 regime as one
/// entry. TLBI IPAS2E1IS and its kin invalidate only stage-2-only entries:
/// such an entry survives them, and only a stage-1 invalidation of its VA
/// (VMALLE1IS, VAE1IS, ...) removes it. So a stage-2 walk read of a
/// translation that also walked stage 1 is ordered against a stage-2-only
/// TLBI X only when the stage-1 part cannot come from an entry cached
/// before X (ESOP: some stage-1 read reads a write coherence-after X);
/// otherwise it is ordered against the later stage-1 invalidations of the
/// same thread that reach that VA (ESOP: `tlb_barriered; [TLBI-S2]; wco?;
/// [TLBI-S1]` when the stage-1 read is `maybe_TLB_cached`).
///
/// A stage-1 value predates X when it is the initial one or a write of X's
/// thread po-before X (such a write is coherence-before X). Any other
/// stage-1 source keeps the pair, which over-approximates "after X": the
/// pair then orders as a stage-2-only entry would.
struct CombinedEntries {
    /// The stage-1 walks of each translation, by the access or fault it led to.
    private var stage1Walks: [Int: [Int]] = [:]

    init(_ g: ExecutionGraph) {
        for (id, e) in g.events.enumerated() where e.isWalk && e.stage == 1 {
            if let access = e.translatedAccess { stage1Walks[access, default: []].append(id) }
        }
    }

    /// For an in-scope pair of a stage-2-only TLBI and a stage-2 walk: nil
    /// if the pair stands (no stage 1, or the stage-1 part may be newer than
    /// the TLBI), else the stage-1 TLBIs the walk is ordered against instead.
    func replacement(tlbi: Int, walk: Int, _ g: ExecutionGraph) -> [Int]? {
        let x = g.events[tlbi], w = g.events[walk]
        guard w.stage == 2, !x.invalidatesStage1, let access = w.translatedAccess,
              let firstStage = stage1Walks[access], !firstStage.isEmpty else { return nil }
        for s in firstStage {
            switch g.events[s].source {
            case .initial: continue
            case .write(let source) where g.events[source].thread == x.thread && source < tlbi: continue
            default: return nil
            }
        }
        var later: [Int] = []
        for (y, e) in g.events.enumerated() where y > tlbi && e.thread == x.thread && e.category == .tlbi
            && e.completedAt != nil && e.invalidatesStage1 && (e.broadcast || w.thread == e.thread) {
            if firstStage.contains(where: { TLBIOrdering.inScope(e, g.events[$0]) }) { later.append(y) }
        }
        return later
    }
}
