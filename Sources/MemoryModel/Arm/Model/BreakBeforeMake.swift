/// aarch64.cat's break-before-make flag, relation by relation:
///
///     let BBM = [TLBCacheableTTD]; ca; [TLBUncacheableTTD]; ob; [TLBI];
///               ob & inv-scope; [TLBCacheableTTD]
///     flag ~empty (TTD-update-needsBBM \ BBM) as Warning-BBM-expected
///
/// with, from aarch64bbm.cat,
///
///     TLBUncacheableTTD = TTDINV | TTDAF0
///     TLBCacheableTTD = TTD & M \ TLBUncacheableTTD
///     TTD-OA-update = [TTD & M]; ca \ same-oa; [TTD & W]
///     TTD-update-BBM-cand = ... | TTD-OA-update &
///         (TTD-at-least-one-writable | TTD-memory-contents-mismatch)
///     TTD-update-needsBBM = [TLBCacheableTTD]; TTD-update-BBM-cand; [TLBCacheableTTD]
///
/// and `ca = fr | co`, `inv-scope = inv-domain` (herd relates a TLBI by
/// address to the descriptors of that address, a TLBI of everything to
/// every descriptor; shareability plays no part).
///
/// Only pairs of writes (the initial write included) need checking: a read
/// r of a descriptor has its source's value, and `r; ca` (fr) is
/// `source(r); co`, so a pair starting at r is flagged exactly when the
/// pair starting at its source is.
///
/// Not modelled: the memory-type, shareability and cacheability updates
/// (TTD-MT/SH/ICH/OCH/DT-update): hvdiff's descriptors carry no attribute
/// fields (herd's `(oa, valid, af, db, dbm, el0)` encoding and the
/// hypervisor's stage-2 descriptors). Descriptor writes narrower than 8
/// bytes are not descriptor values and are skipped.
///
/// Multi-level tables: a change between a table and a block descriptor (a
/// new block size) or of a table descriptor's address is an output-address
/// update that always needs BBM (the Arm ARM requires BBM for a
/// change of output address or block size; a table's "memory contents" are
/// descriptors, so herd's writable / contents-mismatch exemption applies to
/// leaves only). The TLBI must also invalidate the descriptor's stage, and
/// be of the descriptor's translation regime (EL2 or EL1&0).
enum BreakBeforeMake {
    /// Whether the complete, consistent execution `g` raises
    /// Warning-BBM-expected. `ob` is the execution's ordered-before without
    /// the TLBI-after choices (`TLBIOrdering`); those add edges only between
    /// walks, TLBIs and what follows a completing DSB, and a flag raised
    /// with fewer ob edges is raised by herd for the choice that adds none
    /// of them to the BBM path.
    static func expected(_ g: ExecutionGraph, layout: TranslationTableLayout,
                         initialMemory: [UInt64: UInt64]) -> Bool {
        guard !layout.isEmpty else { return false }
        let layout = layout.extended(by: g)
        var order: Reachability?
        for (location, writes) in g.coherence.sorted(by: { $0.key < $1.key }) {
            guard let entry = layout.entry(at: location),
                  writes.allSatisfy({ g.events[$0].width == .doubleword }) else { continue }
            // co for this location, the initial write (nil) first.
            let sequence: [Int?] = [nil] + writes.map { Optional($0) }
            let values = sequence.map { w in w.map { g.events[$0].value } ?? initialMemory[location] ?? 0 }
            for j in 1..<sequence.count where cacheable(values[j], entry) {
                for i in 0..<j where cacheable(values[i], entry)
                    && needsBreak(from: values[i], to: values[j], entry, initialMemory) {
                    if order == nil { order = Reachability(OrderedBefore(g)) }
                    if !broken(between: i, and: j, sequence, values, entry, g, &order!) { return true }
                }
            }
        }
        return false
    }

    /// BBM for the pair (co position i, co position j): some uncacheable
    /// write co-after i, ob-before a TLBI of the descriptor, which is
    /// ob-before write j.
    static func broken(between i: Int, and j: Int, _ sequence: [Int?], _ values: [UInt64],
                       _ entry: TranslationTableLayout.Entry, _ g: ExecutionGraph,
                       _ order: inout Reachability) -> Bool {
        let make = sequence[j]!
        for k in (i + 1)..<sequence.count where !cacheable(values[k], entry) {
            let breakWrite = sequence[k]!
            let tlbis = order.successors(of: breakWrite).filter {
                g.events[$0].category == .tlbi && inScope(g.events[$0], entry, old: values[i])
            }
            for t in tlbis where order.successors(of: t).contains(make) { return true }
        }
        return false
    }

    /// TLBCacheableTTD: neither TTDINV (invalid) nor TTDAF0 (access flag
    /// clear: not cached). Table descriptors have no access flag; a
    /// level-3 entry without bit 1 is invalid (reserved).
    static func cacheable(_ d: UInt64, _ entry: TranslationTableLayout.Entry) -> Bool {
        guard Descriptor.isValid(d) else { return false }
        switch kind(d, entry) {
        case .table: return true
        case .block, .page: return d & Descriptor.accessFlag != 0
        case .invalid: return false
        }
    }

    enum Kind { case invalid, table, block, page }

    static func kind(_ d: UInt64, _ entry: TranslationTableLayout.Entry) -> Kind {
        guard Descriptor.isValid(d) else { return .invalid }
        if entry.herdPage { return .page }
        let bit1 = d & Descriptor.tableOrPage != 0
        if entry.level == 3 { return bit1 ? .page : .invalid }
        return bit1 ? .table : .block
    }

    /// TTD-update-BBM-cand on two cacheable values of one descriptor:
    /// TTD-OA-update & (at-least-one-writable | memory-contents-mismatch).
    static func needsBreak(from old: UInt64, to new: UInt64, _ entry: TranslationTableLayout.Entry,
                           _ initialMemory: [UInt64: UInt64]) -> Bool {
        let oldKind = kind(old, entry), newKind = kind(new, entry)
        if oldKind != newKind { return true }  // a new block size
        guard Descriptor.outputAddress(old) != Descriptor.outputAddress(new) else { return false }
        if newKind == .table { return true }
        return writable(old, entry) || writable(new, entry)
            || contentsDiffer(Descriptor.outputAddress(old), Descriptor.outputAddress(new),
                              size: entry.herdPage ? 0x1000 : entry.inputSize, initialMemory)
    }

    /// herd's `writable`: stage 1 AP[2] clear (herd's db:1) or DBM set (the
    /// MMU may make it writable); stage 2 S2AP[1] (bit 7) or DBM.
    static func writable(_ d: UInt64, _ entry: TranslationTableLayout.Entry) -> Bool {
        if d & Descriptor.dirtyBitModifier != 0 { return true }
        return entry.stage == 1 ? d & Descriptor.readOnly == 0 : d & (1 << 7) != 0
    }

    /// TTD-memory-contents-mismatch: the initial contents of the two output
    /// ranges differ somewhere (absent words are zero).
    static func contentsDiffer(_ a: UInt64, _ b: UInt64, size: UInt64, _ memory: [UInt64: UInt64]) -> Bool {
        for (address, value) in memory {
            if address >= a && address - a < size, (memory[b + (address - a)] ?? 0) != value { return true }
            if address >= b && address - b < size, (memory[a + (address - b)] ?? 0) != value { return true }
        }
        return false
    }

    /// inv-scope with the TLBI's stage and regime: a TLBI of everything at
    /// the descriptor's stage, or of a page the descriptor translates. A
    /// last-level-only TLBI does not remove a table descriptor `old` from
    /// the walk caches. EL2 TLBIs (VAE2, ALLE2) reach only the EL2 regime's
    /// descriptors and the EL1 ones only EL1&0's (Arm ARM D8.13), as for
    /// walks in `TLBIOrdering.inScope`.
    static func inScope(_ tlbi: Event, _ entry: TranslationTableLayout.Entry, old: UInt64) -> Bool {
        guard tlbi.el2Regime == entry.el2Regime else { return false }
        guard entry.stage == 1 ? tlbi.invalidatesStage1 : tlbi.invalidatesStage2 else { return false }
        if tlbi.lastLevelOnly && kind(old, entry) == .table { return false }
        if tlbi.invalidatesAll { return true }
        let first = entry.inputBase >> 12
        return tlbi.page >= first && tlbi.page - first < max(entry.inputSize >> 12, 1)
    }
}

extension TLBIOperation {
    /// The last-level forms (VALE1, VAALE1, IPAS2LE1): they invalidate
    /// leaf entries only, not table descriptors cached by walks.
    var invalidatesLastLevelOnly: Bool {
        switch self {
        case .vale1, .vale1is, .vaale1, .vaale1is, .ipas2le1, .ipas2le1is: return true
        default: return false
        }
    }
}

/// ob = (generators)+ as reachability from one event at a time, memoised.
struct Reachability {
    private var adjacency: [[Int]]
    private var memo: [Int: Set<Int>] = [:]

    init(_ ob: OrderedBefore) {
        adjacency = ob.successorLists()
    }

    /// Every event ob-after `event`.
    mutating func successors(of event: Int) -> Set<Int> {
        if let known = memo[event] { return known }
        var seen = Set<Int>()
        var stack = adjacency[event]
        while let e = stack.popLast() {
            guard seen.insert(e).inserted else { continue }
            stack += adjacency[e]
        }
        memo[event] = seen
        return seen
    }
}
