import MemoryModel

/// The guest stage 2 as the handlers walk and change it: entry registers
/// per level, walks that stop at an invalid entry or a block, walks that
/// create missing tables from the VM's pool and the vCPU's memcache.
extension AssemblyWriter {
    /// Entry register for `level`.
    static func entry(_ level: Int) -> String { "X\(19 + level)" }

    /// The level's entry register := address of the entry for `gfn` in the
    /// table at X13; X16 := the descriptor.
    mutating func readEntry(level: Int, gfn: String) {
        let shift = 9 * (3 - level)
        if shift == 0 {
            emit("AND X14, \(gfn), #511")
        } else {
            emit("LSR X14, \(gfn), #\(shift)")
            emit("AND X14, X14, #511")
        }
        emit("ADD \(Self.entry(level)), X13, X14, LSL #3", "level-\(level) entry")
        emit("LDR X16, [\(Self.entry(level))]")
    }

    /// Walks the stage 2 rooted at `root` for the IPA page `gfn`: branches
    /// to `none` if nothing maps it, to `block` (if given) for a level-2
    /// block with X21/X16 its entry and descriptor; falls through with
    /// X22/X16 the level-3 page entry and descriptor.
    mutating func walk(root: String, gfn: String, none: String, block: String?) {
        emit("MOV X13, \(root)", "walk from the root")
        for level in startLevel...3 {
            readEntry(level: level, gfn: gfn)
            emit("AND X17, X16, #1")
            emit("CBZ X17, \(none)", "invalid: not mapped")
            if level < 3 {
                emit("AND X17, X16, #2")
                emit("CBZ X17, \(block ?? none)", "a block")
                emit("AND X13, X16, #0xfffffffff000", "next-level table")
            }
        }
    }

    /// Walks down to the entry at `toLevel` for `gfn`: branches to `none`
    /// if it (or a table above it) is invalid; falls through with the
    /// level's entry register and X16 set if it is valid.
    mutating func walk(root: String, gfn: String, toLevel: Int, none: String) {
        emit("MOV X13, \(root)", "walk from the root")
        for level in startLevel...toLevel {
            readEntry(level: level, gfn: gfn)
            emit("AND X17, X16, #1")
            emit("CBZ X17, \(none)", "invalid")
            if level < toLevel { emit("AND X13, X16, #0xfffffffff000", "next-level table") }
        }
    }

    /// Walks the VM's stage 2 (root `root`) down to `leafLevel` for `gfn`,
    /// creating missing tables from the VM's pool (X23), then the vCPU's
    /// memcache (X24). Leaves the leaf entry's address in its register.
    mutating func walkCreating(root: String, gfn: String, leafLevel: Int) {
        emit("MOV X13, \(root)", "walk from the root, creating tables")
        for level in startLevel...leafLevel {
            readEntry(level: level, gfn: gfn)
            guard level < leafLevel else { break }
            let present = fresh("present")
            emit("AND X17, X16, #1")
            emit("CBNZ X17, \(present)")
            allocateGuestTable()
            emit("ORR X16, X17, #3", "table descriptor")
            emit("DSB ISHST", "the zeroed table is visible before it is linked")
            emit("STR X16, [\(Self.entry(level))]")
            if level > startLevel { adjustValidEntries(Self.entry(level), by: 1) }
            label(present)
            emit("AND X13, X16, #0xfffffffff000")
        }
    }

    /// Writes the new leaf `descriptor` at `leafLevel` and counts it.
    mutating func mapGuestLeaf(_ descriptor: String, leafLevel: Int) {
        emit("DSB ISHST", "metadata visible before the mapping")
        emit("STR \(descriptor), [\(Self.entry(leafLevel))]", "the new leaf")
        if leafLevel > startLevel { adjustValidEntries(Self.entry(leafLevel), by: 1) }
    }

    /// X17 := a zeroed page for a guest table: from the VM's pool (X23) if
    /// it has one, else from the memcache of the vCPU (X24).
    private mutating func allocateGuestTable() {
        let fromMemcache = fresh("memcache")
        let got = fresh("got")
        emit("LDR X17, [X23, #\(Layout.VMField.poolHead)]", "pool first")
        emit("CBZ X17, \(fromMemcache)")
        emit("LDR X18, [X17]")
        emit("STR X18, [X23, #\(Layout.VMField.poolHead)]")
        emit("LDR X18, [X23, #\(Layout.VMField.poolPages)]")
        emit("SUB X18, X18, #1")
        emit("STR X18, [X23, #\(Layout.VMField.poolPages)]")
        emit("B \(got)")
        label(fromMemcache)
        emit("LDR X17, [X24, #\(Layout.VCPUField.memcacheHead)]", "then the memcache")
        emit("LDR X18, [X17]")
        emit("STR X18, [X24, #\(Layout.VCPUField.memcacheHead)]")
        emit("LDR X18, [X24, #\(Layout.VCPUField.memcachePages)]")
        emit("SUB X18, X18, #1")
        emit("STR X18, [X24, #\(Layout.VCPUField.memcachePages)]")
        label(got)
        emit("MOV X15, X17")
        zeroPage("X15")
        emit("MOV X17, X15")
        emit("LSR X18, X17, #12")
        emit("ADD X18, X26, X18, LSL #4")
        emit("MOV W15, #\(HypRole.pageTable.rawValue)")
        emit("STRB W15, [X18, #\(Layout.PageField.role)]", "role: stage-2 table")
        emit("STR WZR, [X18, #\(Layout.PageField.validEntries)]")
    }

    /// Adds `delta` (+1 or -1) to the valid-entry count of the table page
    /// holding `entry`; leaves the new count in W18 (clobbers X15).
    mutating func adjustValidEntries(_ entry: String, by delta: Int) {
        emit("LSR X15, \(entry), #12")
        emit("ADD X15, X26, X15, LSL #4")
        emit("LDR W18, [X15, #\(Layout.PageField.validEntries)]")
        emit(delta > 0 ? "ADD W18, W18, #1" : "SUB W18, W18, #1")
        emit("STR W18, [X15, #\(Layout.PageField.validEntries)]", "valid entries in the table")
    }

    /// Removes the guest leaf at `leafLevel` (its entry register set by a
    /// walk) for `gfn`, then frees every non-root table that became empty,
    /// bottom up, into the VM's pool (X23).
    mutating func unmapGuestLeaf(leafLevel: Int, gfn: String) {
        let done = fresh("unmapped")
        breakEntry(Self.entry(leafLevel), gfn: gfn)
        var level = leafLevel
        while level > startLevel {
            adjustValidEntries(Self.entry(level), by: -1)
            emit("CBNZ W18, \(done)", "the table still maps something")
            emit("AND X17, \(Self.entry(level)), #0xfffffffff000", "the empty table")
            breakEntry(Self.entry(level - 1), gfn: gfn)
            emit("LDR X18, [X23, #\(Layout.VMField.poolHead)]", "into the pool")
            emit("STR X18, [X17]")
            emit("STR X17, [X23, #\(Layout.VMField.poolHead)]")
            emit("LDR X18, [X23, #\(Layout.VMField.poolPages)]")
            emit("ADD X18, X18, #1")
            emit("STR X18, [X23, #\(Layout.VMField.poolPages)]")
            emit("LSR X18, X17, #12")
            emit("ADD X18, X26, X18, LSL #4")
            emit("MOV W15, #\(HypRole.tablePool.rawValue)")
            emit("STRB W15, [X18, #\(Layout.PageField.role)]")
            level -= 1
        }
        label(done)
    }
}
