/// Which physical words are translation-table descriptors (aarch64.cat's
/// TTD locations, herd's `PTE` set) and which input addresses each one
/// translates: what break-before-make needs to know about a write.
///
/// - herd's single-level VMSA: the `PTE(x)` words, one per virtual page.
/// - Multi-level tables: every entry of every table the walks can reach:
///   the root tables of the translation-table base registers (TTBR0_EL1,
///   VTTBR_EL2, and TTBR0_EL2 for threads that set it or start at EL2) and, level by level, the tables valid table descriptors
///   point to, in the initial memory or in any value the execution writes
///   to a table entry (a table linked in during the execution is a table
///   from then on). Stage-1 table addresses are IPAs under stage 2; they
///   are located through the initial stage-2 tables. The EL2 regime's
///   tables (TTBR0_EL2) are one stage at physical addresses and their
///   entries are tagged `el2Regime`: only EL2 TLBIs invalidate them. Roots are the
///   threads' initial base registers (an MSR to TTBR0_EL1 or VTTBR_EL2
///   during the program does not add tables).
///
/// Like herd's static PTE set, a page is a table for the whole execution:
/// writes to a table page before it is linked, or after it is unlinked
/// and reused as data, count as descriptor writes too (harmless while the
/// page holds invalid entries then, as a zeroed pool page does).
struct TranslationTableLayout: Sendable {
    /// One descriptor: its stage and level and the first input address (VA
    /// at stage 1, IPA at stage 2) of the range it translates.
    struct Entry: Hashable, Sendable {
        var stage: Int
        var level: Int
        var inputBase: UInt64
        /// herd's one-level tables, whose descriptors are always pages (herd
        /// encodes bit 1 set and checks only `valid`).
        var herdPage: Bool
        /// Of the EL2 translation regime (a TTBR0_EL2 table), not EL1&0.
        var el2Regime = false

        /// Bytes of input address space the entry translates.
        var inputSize: UInt64 { 1 << UInt64(39 - 9 * level) }
    }

    /// A table page: its stage and level and the input address of its entry 0.
    struct Table: Hashable, Sendable {
        var stage: Int
        var level: Int
        var inputBase: UInt64
        /// VTTBR_EL2 in force, to place the stage-1 tables it links (IPAs).
        var vttbr: UInt64
        /// A table of the EL2 regime (TTBR0_EL2): the tables it links are
        /// at physical addresses.
        var el2Regime = false
    }

    private var tables: [UInt64: Table] = [:]
    private var herdDescriptors: [UInt64: UInt64] = [:]
    private let translation: AddressTranslation
    private let initialMemory: [UInt64: UInt64]

    init(_ program: ConcurrentProgram) {
        translation = program.translation
        initialMemory = program.initialMemory
        switch program.translation {
        case .none:
            break
        case .singleLevel(let descriptorAddress):
            for (page, at) in descriptorAddress { herdDescriptors[at] = page }
        case .tables(let setup):
            // A thread without initial registers walks from address 0, as
            // the explorer's walks do.
            for t in program.threads.indices {
                let context = Translation.Context(t < setup.systemRegisters.count ? setup.systemRegisters[t] : [:])
                let vttbr = context.vttbr & Descriptor.outputAddressMask
                if setup.stage2 {
                    addTable(at: vttbr, Table(stage: 2, level: 4 - setup.stage2Levels, inputBase: 0, vttbr: vttbr))
                }
                if setup.stage1, let root = locate(context.ttbr0 & Descriptor.outputAddressMask, stage: 1, vttbr: vttbr) {
                    addTable(at: root, Table(stage: 1, level: 4 - setup.stage1Levels, inputBase: 0, vttbr: vttbr))
                }
                // The EL2 regime walks TTBR0_EL2 with the stage-1 level
                // count, whether or not the EL1&0 regime has a stage 1.
                let givesTTBR0EL2 = t < setup.systemRegisters.count && setup.systemRegisters[t][.ttbr0El2] != nil
                if givesTTBR0EL2 || context.el2Regime {
                    addTable(at: context.ttbr0El2 & Descriptor.outputAddressMask,
                             Table(stage: 1, level: 4 - setup.stage1Levels, inputBase: 0, vttbr: 0, el2Regime: true))
                }
            }
        }
    }

    /// Whether there are descriptors at all (no VMSA: nothing to check).
    var isEmpty: Bool { tables.isEmpty && herdDescriptors.isEmpty }

    /// The descriptor at `location`, if it is one (8-byte aligned words only).
    func entry(at location: UInt64) -> Entry? {
        if let page = herdDescriptors[location] {
            return Entry(stage: 1, level: 3, inputBase: page, herdPage: true)
        }
        guard location & 7 == 0, let table = tables[location & ~0xFFF] else { return nil }
        let index = (location & 0xFFF) >> 3
        let size: UInt64 = 1 << UInt64(39 - 9 * table.level)
        return Entry(stage: table.stage, level: table.level, inputBase: table.inputBase + index * size, herdPage: false,
                     el2Regime: table.el2Regime)
    }

    /// The layout with the tables that values written to table entries in
    /// `g` link in (repeated until no new table appears).
    func extended(by g: ExecutionGraph) -> TranslationTableLayout {
        guard !tables.isEmpty else { return self }
        var layout = self
        var grew = true
        while grew {
            grew = false
            for (location, order) in g.coherence {
                guard let table = layout.tables[location & ~0xFFF], table.level < 3,
                      let entry = layout.entry(at: location) else { continue }
                for w in order where layout.link(g.events[w].value, from: entry, vttbr: table.vttbr) { grew = true }
            }
        }
        return layout
    }

    // MARK: Building

    /// Records a table and, recursively, the tables its initial entries link.
    private mutating func addTable(at address: UInt64, _ table: Table) {
        guard tables[address] == nil, table.level >= 0, table.level <= 3 else { return }
        tables[address] = table
        guard table.level < 3 else { return }
        let size: UInt64 = 1 << UInt64(39 - 9 * table.level)
        for index in UInt64(0)..<512 {
            guard let d = initialMemory[address + index * 8] else { continue }
            let entry = Entry(stage: table.stage, level: table.level, inputBase: table.inputBase + index * size,
                              herdPage: false, el2Regime: table.el2Regime)
            link(d, from: entry, vttbr: table.vttbr)
        }
    }

    /// If `d`, held by `entry`, is a valid table descriptor, records the
    /// next-level table it points to; true if that table is new.
    @discardableResult
    private mutating func link(_ d: UInt64, from entry: Entry, vttbr: UInt64) -> Bool {
        guard entry.level < 3, Descriptor.isValid(d), d & Descriptor.tableOrPage != 0,
              let next = locate(Descriptor.outputAddress(d), stage: entry.stage, vttbr: vttbr, el2Regime: entry.el2Regime),
              tables[next] == nil else { return false }
        addTable(at: next, Table(stage: entry.stage, level: entry.level + 1, inputBase: entry.inputBase, vttbr: vttbr,
                                 el2Regime: entry.el2Regime))
        return true
    }

    /// The physical address of a table at `address`: stage-1 tables are at
    /// IPAs when stage 2 is on (translated on the initial stage-2 tables);
    /// the EL2 regime's are physical.
    private func locate(_ address: UInt64, stage: Int, vttbr: UInt64, el2Regime: Bool = false) -> UInt64? {
        guard stage == 1, !el2Regime, case .tables(let setup) = translation, setup.stage2 else { return address }
        let memory = initialMemory
        let result = Translation.stage2(address, .read, levels: setup.stage2Levels, vttbr) { memory[$0.address] ?? 0 }
        if case .physical(let pa) = result { return pa }
        return nil
    }
}
