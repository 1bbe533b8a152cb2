import MemoryModel

/// The host's stage 2: identity mappings installed on demand, a 2 MiB
/// block where pKVM's `host_stage2_adjust_range` would choose one, and the
/// split of such a block (break-before-make) before any page inside it
/// changes.
///
/// Host tables come from the host's bump pool (`Layout.hostPoolStart`),
/// which pKVM sizes at boot (`host_s2_pgtable_pages`) to map all of memory
/// page by page: one table per level per span of memory. A block stands
/// for the level-3 table its 2 MiB range would otherwise have used, and a
/// range is split at most once (it then has that table for good), so no
/// sequence of events can empty the pool. pKVM treats the same
/// impossibility with a WARN_ON (`__pkvm_host_donate_hyp` and friends
/// wrap `host_stage2_set_owner_locked` in one); the handlers have no path
/// for an empty pool, and `HostBlockTests` checks the bump pointer stays
/// inside the pool.
extension AssemblyWriter {
    static let hostPageAttributes: UInt64 = Stage2Descriptor.hostPage(pfn: 0)
    /// The label (with a fresh suffix) where a split, its new table filled,
    /// starts to link it: where `BBMScenarios` enters the handler.
    static let linkTableLabel = "link_table"
    /// A level-2 block: a page's attributes without the page bit.
    static let hostBlockAttributes: UInt64 = Stage2Descriptor.hostPage(pfn: 0) & ~Descriptor.tableOrPage

    /// Walks the host's stage 2 for `pfn` down to `leafLevel`, creating
    /// missing tables from the host's pool; leaves the level's entry address
    /// in its entry register. Never called where a block covers `pfn`: a
    /// page inside a block is mapped already, and every change to one
    /// splits the block first (`splitHostBlock`).
    private mutating func hostWalkCreating(_ pfn: String, leafLevel: Int) {
        emit("LDR X13, [X27, #\(Layout.hostRootOffset)]", "host stage-2 root")
        for level in startLevel...leafLevel {
            readEntry(level: level, gfn: pfn)
            guard level < leafLevel else { break }
            let present = fresh("present")
            emit("AND X17, X16, #1")
            emit("CBNZ X17, \(present)")
            emit("LDR X17, [X27, #\(Layout.hostPoolNextOffset)]", "a fresh host table")
            emit("ADD X18, X17, #4096")
            emit("STR X18, [X27, #\(Layout.hostPoolNextOffset)]")
            emit("ORR X16, X17, #3")
            emit("STR X16, [\(Self.entry(level))]")
            label(present)
            emit("AND X13, X16, #0xfffffffff000")
        }
    }

    /// Maps the page `pfn` in the host's stage 2 (identity, RWX), creating
    /// tables from the host's bump pool. Writing an existing mapping again
    /// changes nothing.
    mutating func hostMap(_ pfn: String) { hostIdentityLeaf(pfn, block: false) }

    /// Maps the 2 MiB block whose first page is `first` (aligned) with one
    /// level-2 block descriptor (identity, RWX); its level-2 entry is empty.
    mutating func hostMapBlock(_ first: String) { hostIdentityLeaf(first, block: true) }

    /// The identity leaf for the page or block starting at `pfn`: a level-3
    /// page or a level-2 block descriptor.
    private mutating func hostIdentityLeaf(_ pfn: String, block: Bool) {
        let level = block ? 2 : 3
        hostWalkCreating(pfn, leafLevel: level)
        emit("LSL X16, \(pfn), #12")
        emit("MOV X17, #\(block ? Self.hostBlockAttributes : Self.hostPageAttributes)",
             block ? "valid block, AF, S2AP RW" : "valid page, AF, S2AP RW")
        emit("ORR X16, X16, X17")
        emit("STR X16, [\(Self.entry(level))]", block ? "host identity block mapping" : "host identity mapping")
    }

    /// Branches to `page` unless the aligned 2 MiB range around `pfn` can
    /// be mapped as one block (`host_stage2_adjust_range`): its level-2
    /// entry is empty (no page of it ever had an entry: host tables are
    /// never freed), the range lies in memory, and the host owns every page
    /// of it in state OWNED (the implementation keeps ownership in the
    /// vmemmap, so this stands for pKVM's annotations). Falls through with
    /// X11 the range's first page. Clobbers X12-X17, X19-X21.
    mutating func branchUnlessHostBlock(_ pfn: String, page: String) {
        let empty = fresh("l2empty")
        let scan = fresh("blockscan")
        emit("LDR X15, [X27, #\(Layout.hostRootOffset)]")
        walk(root: "X15", gfn: pfn, toLevel: 2, none: empty)
        emit("B \(page)", "a table covers the range already")
        label(empty)
        emit("LSR X11, \(pfn), #9")
        emit("LSL X11, X11, #9", "the block's first page")
        emit("LDR X12, [X27, #\(Layout.memoryPagesOffset)]")
        emit("ADD X13, X11, #\(MachineConfig.blockPages)")
        emit("CMP X13, X12")
        emit("B.HI \(page)", "the range leaves memory")
        emit("ADD X14, X26, X11, LSL #4", "vmemmap of the first page")
        emit("MOV X13, #\(MachineConfig.blockPages * Layout.PageField.size)")
        emit("ADD X13, X14, X13", "past the last page's vmemmap entry")
        label(scan)
        emit("LDRB W15, [X14, #\(Layout.PageField.hostState)]")
        emit("CBNZ W15, \(page)", "not host OWNED")
        emit("ADD X14, X14, #\(Layout.PageField.size)")
        emit("CMP X14, X13")
        emit("B.LO \(scan)")
    }

    /// If a level-2 block maps `pfn` in the host's stage 2, replaces it by
    /// a level-3 table with the same mappings (`kvm_pgtable_stage2_split`):
    /// a table page from the host's pool, 512 page descriptors with the
    /// block's attributes and consecutive output addresses, then the table
    /// descriptor installed over the block with break-before-make
    /// (`stage2_try_break_pte`: the entry invalid, DSB ISHST, TLBI
    /// IPAS2E1IS at the block's address, DSB ISH, ...; then the table).
    /// The block's address is in scope of every TLB entry the block made.
    ///
    /// pKVM's own split on this path (`stage2_map_walk_leaf`) installs an
    /// empty table and lets the rest of the block fault back in lazily;
    /// the eager split keeps the other 511 pages mapped, so Spec's per-page
    /// mapped state needs no split. Both replace a valid block by a valid
    /// table, which needs break-before-make.
    ///
    /// `no-break-before-make` writes the table descriptor directly over the
    /// valid block and invalidates afterwards. Clobbers X11-X18, X19-X21.
    mutating func splitHostBlock(_ pfn: String) {
        let done = fresh("notblock")
        let fill = fresh("fill")
        emit("LDR X15, [X27, #\(Layout.hostRootOffset)]", "host stage-2 root")
        walk(root: "X15", gfn: pfn, toLevel: 2, none: done)
        emit("AND X17, X16, #2")
        emit("CBNZ X17, \(done)", "a table: no block to split")
        emit("LDR X11, [X27, #\(Layout.hostPoolNextOffset)]", "split: a fresh host table")
        emit("ADD X12, X11, #4096")
        emit("STR X12, [X27, #\(Layout.hostPoolNextOffset)]")
        emit("ORR X12, X16, #\(Descriptor.tableOrPage)", "the block's attributes as a page")
        emit("MOV X13, #0")
        label(fill)
        emit("STR X12, [X11, X13, LSL #3]", "page descriptor")
        emit("ADD X12, X12, #4096", "next output page")
        emit("ADD X13, X13, #1")
        emit("CMP X13, #512")
        emit("B.LO \(fill)")
        label(fresh(Self.linkTableLabel))
        emit("DSB ISHST", "the table's entries are visible before it is linked")
        emit("LSR X14, \(pfn), #9")
        emit("LSL X14, X14, #9", "the block's first page")
        emit("ORR X11, X11, #3", "table descriptor")
        if variant == .noBreakBeforeMake {
            emit("STR X11, [X21]", "the table replaces the valid block directly")
            invalidate("X14")
        } else {
            breakEntry("X21", gfn: "X14")
            emit("STR X11, [X21]", "make: the table replaces the block")
        }
        label(done)
    }

    /// Unmaps the page `pfn` from the host's stage 2 if it is mapped,
    /// splitting a block that covers it first.
    mutating func hostUnmap(_ pfn: String) {
        let done = fresh("hostunmapped")
        splitHostBlock(pfn)
        emit("LDR X15, [X27, #\(Layout.hostRootOffset)]", "host stage-2 root")
        walk(root: "X15", gfn: pfn, none: done, block: nil)
        breakEntry("X22", gfn: pfn)
        label(done)
    }
}
