/// Address translation as a pure function of the descriptors it reads.
///
/// Both machines use this one definition of *what* a walk reads and decides:
/// the SC machine supplies the current memory for every read (its TLB is
/// always coherent), the Arm machine supplies the value each walk read was
/// chosen to read-from, and can run the walk again with one more read
/// decided when the walk answers `.needsRead` (so the walk's branching on
/// descriptor values becomes the machine's branching on read-from choices).
public enum Translation {
    /// Whether the access reads or writes (permission checks differ).
    public enum AccessKind: Hashable, Sendable { case read, write }

    /// Which table a walk read belongs to: stage 1 or 2, and the level.
    public struct WalkRead: Hashable, Sendable {
        public var address: UInt64
        public var stage: Int
        public var level: Int
        /// The address this walk translates (VA at stage 1, IPA at stage 2):
        /// what by-address TLB maintenance is matched against.
        public var input: UInt64 = 0
        /// The walk is of the EL2 translation regime (TTBR0_EL2), whose TLB
        /// entries only the EL2 TLBIs (VAE2, ALLE2) invalidate.
        public var el2Regime = false
    }

    public enum Result: Hashable, Sendable {
        /// The physical address of the access.
        case physical(UInt64)
        case fault(FaultKind, address: UInt64)
        /// The walk must read the descriptor at this address before going on.
        case needsRead(WalkRead)
    }

    /// Per-thread translation context: the base registers in force.
    public struct Context: Hashable, Sendable {
        public var ttbr0: UInt64
        public var vttbr: UInt64
        /// The access is made at EL0 (herd's `EL0=P0`): stage 1 then needs
        /// AP[1] (herd's `el0:1`) or it is a Permission fault.
        public var unprivileged = false
        /// The access is made at EL2 (CurrentEL = 2): the EL2 regime, one
        /// stage from TTBR0_EL2 (Arm ARM D8.1.3; no stage 2 applies to it).
        public var el2Regime = false
        public var ttbr0El2: UInt64 = 0
        /// Stage 1 alone gives the output (an AT S1* operation): with stage 2
        /// on, the table walks still go through it, the output IPA does not.
        public var stage1Only = false
        public init(ttbr0: UInt64 = 0, vttbr: UInt64 = 0) {
            self.ttbr0 = ttbr0
            self.vttbr = vttbr
        }
        /// The context the thread's base registers and CurrentEL give
        /// (a thread that never set CurrentEL runs at EL1).
        public init(_ registers: some SystemRegisterReading) {
            self.init(ttbr0: registers.value(of: .ttbr0El1) ?? 0, vttbr: registers.value(of: .vttbrEl2) ?? 0)
            ttbr0El2 = registers.value(of: .ttbr0El2) ?? 0
            el2Regime = (registers.value(of: .currentEL) ?? 1 << 2) >> 2 & 0b11 == 2
            // A program that models CurrentEL (isla's PSTATE.EL, ERET to
            // EL0) says where it runs; herd's EL0 threads are marked per
            // instruction by the caller instead.
            unprivileged = registers.value(of: .currentEL).map { $0 >> 2 & 0b11 == 0 } ?? false
        }
    }

    /// Translates `address` for an access of `kind`. `read` returns the value
    /// of a walk read, or nil if it is not decided yet.
    public static func translate(
        _ address: UInt64, _ kind: AccessKind, setup: AddressTranslation, context: Context,
        read: (WalkRead) -> UInt64?
    ) -> Result {
        switch setup {
        case .none:
            return .physical(address)
        case .singleLevel(let descriptorAddress):
            // Addresses outside the mapped virtual pages (herd's PTE(x) and
            // PA(x) locations) are physical: herd does not translate them.
            guard let at = descriptorAddress[address & ~0xFFF] else {
                // But herd maps its page-table pages without EL0 access
                // (AArch64PteVal.of_pte: el0 = 0): EL0 cannot touch them.
                if context.unprivileged, descriptorAddress.values.contains(where: { $0 & ~0xFFF == address & ~0xFFF }) {
                    return .fault(.permission, address: address)
                }
                return .physical(address)
            }
            let walkRead = WalkRead(address: at, stage: 1, level: 3, input: address)
            guard let descriptor = read(walkRead) else { return .needsRead(walkRead) }
            return leaf(descriptor, address: address, blockBits: 12, stage: 1, kind, unprivileged: context.unprivileged)
        case .tables(let tables):
            if context.el2Regime {
                return walk(address, kind, stage: 1, levels: tables.stage1Levels,
                            base: context.ttbr0El2 & Descriptor.outputAddressMask,
                            tableAddress: { .physical($0) }, el2Regime: true, read)
            }
            if tables.stage1 {
                return stage1(address, kind, tables, context, read)
            }
            if tables.stage2 && !context.stage1Only {
                return stage2(address, kind, levels: tables.stage2Levels, context.vttbr, read)
            }
            return .physical(address)
        }
    }

    /// The permission and access-flag checks on a leaf descriptor, and the
    /// output address with the untranslated low bits.
    static func leaf(_ d: UInt64, address: UInt64, blockBits: UInt64, stage: Int, _ kind: AccessKind,
                     unprivileged: Bool = false) -> Result {
        let translationFault: FaultKind = stage == 1 ? .translation : .stage2Translation
        guard Descriptor.isValid(d) else { return .fault(translationFault, address: address) }
        guard d & Descriptor.accessFlag != 0 else { return .fault(.accessFlag, address: address) }
        if stage == 1 {
            if kind == .write && d & Descriptor.readOnly != 0 { return .fault(.permission, address: address) }
            if unprivileged && d & Descriptor.el0 == 0 { return .fault(.permission, address: address) }
        } else {
            // Stage 2: S2AP[0] (bit 6) grants reads, S2AP[1] (bit 7) writes.
            let needed: UInt64 = kind == .read ? 1 << 6 : 1 << 7
            if d & needed == 0 { return .fault(.stage2Permission, address: address) }
        }
        let offsetMask: UInt64 = (1 << blockBits) - 1
        return .physical(Descriptor.outputAddress(d) & ~offsetMask | address & offsetMask)
    }

    /// Bits of the input address that index table `level` (4 KiB granule).
    static func index(_ address: UInt64, level: Int) -> UInt64 {
        (address >> UInt64(39 - 9 * level)) & 0x1FF
    }

    /// Stage-2 walk of an IPA from VTTBR_EL2 (its BADDR, bits [47:1]).
    static func stage2(_ ipa: UInt64, _ kind: AccessKind, levels: Int, _ vttbr: UInt64,
                       _ read: (WalkRead) -> UInt64?) -> Result {
        walk(ipa, kind, stage: 2, levels: levels, base: vttbr & Descriptor.outputAddressMask,
             tableAddress: { .physical($0) }, read)
    }

    /// Stage-1 walk from TTBR0_EL1; with stage 2 on, every table address and
    /// the output address are IPAs that stage 2 translates (a nested walk).
    static func stage1(_ va: UInt64, _ kind: AccessKind, _ tables: TableTranslation, _ context: Context,
                       _ read: (WalkRead) -> UInt64?) -> Result {
        let throughStage2: (UInt64) -> Result = { ipa in
            guard tables.stage2 else { return .physical(ipa) }
            // Table walks read descriptors: a stage-2 read permission check.
            return stage2(ipa, .read, levels: tables.stage2Levels, context.vttbr, read)
        }
        let output = walk(va, kind, stage: 1, levels: tables.stage1Levels,
                          base: context.ttbr0 & Descriptor.outputAddressMask,
                          tableAddress: throughStage2, unprivileged: context.unprivileged, read)
        guard case .physical(let ipa) = output, tables.stage2, !context.stage1Only else { return output }
        return stage2(ipa, kind, levels: tables.stage2Levels, context.vttbr, read)
    }

    /// One stage's walk, level by level: table descriptors lead on, a block or
    /// page descriptor ends it. `tableAddress` maps a table's address (an IPA
    /// under stage 2) to where the walk reads it.
    static func walk(_ input: UInt64, _ kind: AccessKind, stage: Int, levels: Int, base: UInt64,
                     tableAddress: (UInt64) -> Result, unprivileged: Bool = false, el2Regime: Bool = false,
                     _ read: (WalkRead) -> UInt64?) -> Result {
        var table = base
        for level in (4 - levels)...3 {
            let entry = table + index(input, level: level) * 8
            let at: UInt64
            switch tableAddress(entry) {
            case .physical(let pa): at = pa
            case let other: return other
            }
            let walkRead = WalkRead(address: at, stage: stage, level: level, input: input, el2Regime: el2Regime)
            guard let d = read(walkRead) else { return .needsRead(walkRead) }
            let blockBits = UInt64(39 - 9 * level)
            if level == 3 {
                guard d & Descriptor.tableOrPage != 0 else {
                    return .fault(stage == 1 ? .translation : .stage2Translation, address: input)
                }
                return leaf(d, address: input, blockBits: 12, stage: stage, kind, unprivileged: unprivileged)
            }
            guard Descriptor.isValid(d) else {
                return .fault(stage == 1 ? .translation : .stage2Translation, address: input)
            }
            if d & Descriptor.tableOrPage == 0 {
                // A block at level 0 is not allowed with a 4 KiB granule.
                if level == 0 { return .fault(stage == 1 ? .translation : .stage2Translation, address: input) }
                return leaf(d, address: input, blockBits: blockBits, stage: stage, kind, unprivileged: unprivileged)
            }
            table = Descriptor.outputAddress(d)
        }
        return .fault(stage == 1 ? .translation : .stage2Translation, address: input)
    }
}
