/// TLB entries outlive a change of translation table base.
///
/// TLB entries of the EL1&0 regime are tagged with the VMID (stage 2, and
/// stage 1 when EL2 is enabled) and the ASID (non-global stage-1 entries),
/// not with the table base they were walked from (Arm ARM D8.14, "TLB
/// maintenance requirements": a change of TTBR0_EL1.BADDR that keeps the
/// ASID, or of VTTBR_EL2.BADDR that keeps the VMID, must be followed by TLB
/// maintenance before the new tables are relied on). So after the base
/// registers are switched, a translation may still use entries, leaf or
/// table (walk-cache) entries, cached from the old tables under the same
/// tags, until a TLBI that reaches them is completed. pKVM.vcpu_run.same_vm
/// switches between two guests' stage-2 tables with one VMID and only a
/// stage-1 TLBI (VMALLE1) between: the old guest's stage-2 entries survive.
///
/// Global stage-1 entries (nG = 0) match every ASID (Arm ARM D8.13), so a
/// stage-1 base cached under another ASID (same VMID) serves a translation
/// whose stage-1 leaf it reads is global.
///
/// A thread's TLB may hold entries of the bases it started with (walked
/// before the test) and of every base one of its EL1&0 translations used.
/// A translation may start its walk of a stage at such an earlier base with
/// the current tags instead of the current base; the root-level descriptor
/// it reads there must be valid (an invalid entry is never cached, so
/// nothing below it can come from the TLB). A completed TLBI of this thread
/// that reaches every entry of a stage for the VMID (VMALLE1, VMALLS12E1,
/// ALLE1, ASIDE1 for stage 1; VMALLS12E1, ALLE1 for stage 2) removes the
/// bases of that stage and VMID (ASIDE1 all of them: the TLBI's ASID is not
/// tracked, as in `TLBIOrdering`). Not modelled: TLBIs by address or IPA
/// (they leave the base, an over-approximation for their page), other
/// threads' broadcast TLBIs, the EL2 regime's TTBR0_EL2.
struct CachedTableBases: Sendable {
    /// TTBR0_EL1 values (ASID and base) with the VMID they were used under.
    private(set) var stage1: [Stage1Base] = []
    /// VTTBR_EL2 values (VMID and base).
    private(set) var stage2: [UInt64] = []

    struct Stage1Base: Hashable, Sendable {
        var ttbr0: UInt64
        var vmid: UInt64
    }

    /// The bases a translation in the EL1&0 regime uses now (and may cache).
    mutating func recordCurrent(_ registers: [SystemRegister: UInt64], stage2 enabled: Bool) {
        let ttbr0 = registers[.ttbr0El1] ?? 0, vttbr = registers[.vttbrEl2] ?? 0
        let s1 = Stage1Base(ttbr0: ttbr0, vmid: CachedTableBases.tag(vttbr))
        if !stage1.contains(s1) { stage1.append(s1) }
        if enabled && !stage2.contains(vttbr) { stage2.append(vttbr) }
    }

    /// A completed TLBI of this thread: the bases whose every entry it
    /// reaches are no longer cached.
    mutating func invalidate(by tlbi: Event) {
        guard !tlbi.el2Regime, tlbi.invalidatesAll else { return }
        func reaches(vmid: UInt64) -> Bool { tlbi.vmid.map { $0 == vmid } ?? true }
        if tlbi.invalidatesStage1 { stage1.removeAll { reaches(vmid: $0.vmid) } }
        if tlbi.invalidatesStage2 { stage2.removeAll { reaches(vmid: CachedTableBases.tag($0)) } }
    }

    /// Where a translation may walk from besides the current bases: cached
    /// earlier bases of the current VMID, for either stage or both, a
    /// stage-1 base of another ASID for its global entries only.
    struct Alternative {
        var ttbr0: UInt64
        var vttbr: UInt64
        var globalStage1LeafOnly: Bool
    }

    func alternatives(_ registers: [SystemRegister: UInt64], stage2 enabled: Bool) -> [Alternative] {
        let ttbr0 = registers[.ttbr0El1] ?? 0, vttbr = registers[.vttbrEl2] ?? 0
        let vmid = CachedTableBases.tag(vttbr)
        let mask = Descriptor.outputAddressMask
        let s1 = [ttbr0] + stage1.filter { $0.vmid == vmid && $0.ttbr0 & mask != ttbr0 & mask }.map(\.ttbr0)
        let s2 = [vttbr] + (enabled ? stage2.filter { CachedTableBases.tag($0) == vmid && $0 != vttbr } : [])
        var result: [Alternative] = []
        for a in s1 {
            for b in s2 where a != ttbr0 || b != vttbr {
                result.append(Alternative(ttbr0: a, vttbr: b,
                                          globalStage1LeafOnly: CachedTableBases.tag(a) != CachedTableBases.tag(ttbr0)))
            }
        }
        return result
    }

    /// The ASID or VMID field of a base register, bits [63:48].
    static func tag(_ register: UInt64) -> UInt64 { register >> 48 }
}
