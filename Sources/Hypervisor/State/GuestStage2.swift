/// A guest's stage-2 mappings and the shape of the page table holding them.
///
/// Page mappings are stored per last-level table: one chunk of 512 entries
/// in a flat array per table, found through an open-addressing directory, so
/// a lookup on the access hot path is a multiply, a probe and an index.
/// Chunks exist exactly while the real last-level table would (pKVM frees a
/// stage-2 table when its last entry goes), and intermediate tables are
/// counted the same way, so the number of table pages Spec charges to the
/// VM is the number the real walker would hold, and memory use is bounded
/// by the memory the host donated for tables.
///
/// 2 MiB block mappings (host shares of 512 pages) live in their own
/// dictionary; they are rare and only consulted when the VM has any.
struct GuestStage2: Sendable {
    static let entriesPerTable: UInt64 = 512
    static let emptySlot: UInt64 = 0

    /// Root level (0-2) for 4, 3 or 2 levels.
    let startLevel: Int
    /// Shifts from gfn to the index of the intermediate (non-root,
    /// non-last-level) tables on a walk, outermost first.
    let intermediateShifts: [UInt64]

    // Directory: key = (gfn >> 9) + 1, 0 = empty; capacity a power of two.
    private var slotKey: [UInt64]
    private var slotChunk: [Int32]
    private var slotMask: Int
    private var slotsUsed: Int = 0

    // Chunks: entries[chunk * 512 + (gfn & 511)].
    private var entries: [UInt64] = []
    private var chunkLive: [UInt16] = []
    private var chunkIndex: [UInt64] = []
    private var freeChunks: [Int32] = []

    private var blocks: [UInt64: UInt64] = [:]
    private var intermediate: [UInt64: UInt32] = [:]

    /// Page leaves plus block leaves.
    private(set) var leafCount: Int = 0

    init(levels: Int) {
        startLevel = 4 - levels
        var shifts: [UInt64] = []
        var level = startLevel + 1
        while level <= 2 {
            shifts.append(UInt64(9 * (4 - level)))
            level += 1
        }
        intermediateShifts = shifts
        slotKey = Array(repeating: GuestStage2.emptySlot, count: 16)
        slotChunk = Array(repeating: -1, count: 16)
        slotMask = 15
    }

    /// Non-root table pages the mappings need right now.
    var tableCount: Int { slotsUsed + intermediate.count }

    var hasBlocks: Bool { !blocks.isEmpty }

    // MARK: Lookup

    @inline(__always)
    private func home(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 32) & slotMask
    }

    @inline(__always)
    private func chunk(forTable table: UInt64) -> Int {
        let key = table &+ 1
        var slot = home(key)
        while true {
            let found = slotKey[slot]
            if found == key { return Int(slotChunk[slot]) }
            if found == GuestStage2.emptySlot { return -1 }
            slot = (slot &+ 1) & slotMask
        }
    }

    /// The page leaf at `gfn`, or an invalid leaf.
    @inline(__always)
    func pageLeaf(_ gfn: UInt64) -> GuestLeaf {
        let chunk = chunk(forTable: gfn >> 9)
        if chunk < 0 { return GuestLeaf(raw: 0) }
        return GuestLeaf(raw: entries[chunk &* 512 &+ Int(gfn & 511)])
    }

    /// The leaf (page or block) translating `gfn`, if any.
    @inline(__always)
    func lookup(_ gfn: UInt64) -> GuestLeafLookup? {
        let page = pageLeaf(gfn)
        if page.isValid { return GuestLeafLookup(leaf: page, isBlock: false, pfn: page.pfn) }
        if blocks.isEmpty { return nil }
        guard let raw = blocks[gfn >> 9] else { return nil }
        let block = GuestLeaf(raw: raw)
        return GuestLeafLookup(leaf: block, isBlock: true, pfn: block.pfn &+ (gfn & 511))
    }

    /// Whether no leaf translates any page of [gfn, gfn + pages), for pages
    /// 1 or an aligned 512 (the only sizes pKVM's transitions use).
    func isEmpty(gfn: UInt64, pages: UInt64) -> Bool {
        if pages == 1 { return lookup(gfn) == nil }
        return blocks[gfn >> 9] == nil && chunk(forTable: gfn >> 9) < 0
    }

    /// Table pages a new leaf at `gfn` would allocate.
    func tablesNeeded(gfn: UInt64, block: Bool) -> Int {
        var needed = 0
        for (level, shift) in intermediateShifts.enumerated()
        where intermediate[Self.intermediateKey(level: level, gfn: gfn, shift: shift)] == nil {
            needed += 1
        }
        if !block && chunk(forTable: gfn >> 9) < 0 { needed += 1 }
        return needed
    }

    private static func intermediateKey(level: Int, gfn: UInt64, shift: UInt64) -> UInt64 {
        UInt64(level) << 60 | gfn >> shift
    }

    // MARK: Changes

    /// Installs a leaf where none is; returns the table pages it allocated.
    @discardableResult
    mutating func map(gfn: UInt64, leaf: GuestLeaf, block: Bool) -> Int {
        var created = 0
        for (level, shift) in intermediateShifts.enumerated() {
            let key = Self.intermediateKey(level: level, gfn: gfn, shift: shift)
            if let count = intermediate[key] {
                intermediate[key] = count + 1
            } else {
                intermediate[key] = 1
                created += 1
            }
        }
        if block {
            blocks[gfn >> 9] = leaf.raw
        } else {
            var chunk = chunk(forTable: gfn >> 9)
            if chunk < 0 {
                chunk = allocateChunk(table: gfn >> 9)
                created += 1
            }
            entries[chunk * 512 + Int(gfn & 511)] = leaf.raw
            chunkLive[chunk] += 1
        }
        leafCount += 1
        return created
    }

    /// Changes the state of an existing page leaf in place (no table change).
    mutating func update(gfn: UInt64, leaf: GuestLeaf) {
        let chunk = chunk(forTable: gfn >> 9)
        precondition(chunk >= 0 && GuestLeaf(raw: entries[chunk * 512 + Int(gfn & 511)]).isValid,
                     "update of a guest page that is not mapped")
        entries[chunk * 512 + Int(gfn & 511)] = leaf.raw
    }

    /// Removes the leaf translating `gfn` (a block: its base); returns the
    /// table pages freed because they became empty.
    @discardableResult
    mutating func unmap(gfn: UInt64, block: Bool) -> Int {
        var freed = 0
        if block {
            precondition(blocks.removeValue(forKey: gfn >> 9) != nil, "unmap of a block that is not mapped")
        } else {
            let chunk = chunk(forTable: gfn >> 9)
            precondition(chunk >= 0, "unmap of a guest page that is not mapped")
            entries[chunk * 512 + Int(gfn & 511)] = 0
            chunkLive[chunk] -= 1
            if chunkLive[chunk] == 0 {
                releaseChunk(chunk)
                freed += 1
            }
        }
        for (level, shift) in intermediateShifts.enumerated() {
            let key = Self.intermediateKey(level: level, gfn: gfn, shift: shift)
            let count = intermediate[key] ?? 0
            precondition(count > 0, "intermediate table count underflow")
            if count == 1 {
                intermediate.removeValue(forKey: key)
                freed += 1
            } else {
                intermediate[key] = count - 1
            }
        }
        leafCount -= 1
        return freed
    }

    // MARK: Enumeration

    /// Every mapping, sorted by gfn (blocks once, at their base).
    func mappings() -> [GuestMapping] {
        var result: [GuestMapping] = []
        result.reserveCapacity(leafCount)
        for (chunk, table) in chunkIndex.enumerated() where chunkLive[chunk] > 0 {
            for offset in 0..<512 {
                let leaf = GuestLeaf(raw: entries[chunk * 512 + offset])
                if leaf.isValid {
                    result.append(GuestMapping(
                        gfn: table << 9 | UInt64(offset), pfn: leaf.pfn, pages: 1, state: leaf.state, prot: leaf.prot))
                }
            }
        }
        for (table, raw) in blocks {
            let leaf = GuestLeaf(raw: raw)
            result.append(GuestMapping(
                gfn: table << 9, pfn: leaf.pfn, pages: UInt32(GuestStage2.entriesPerTable),
                state: leaf.state, prot: leaf.prot))
        }
        result.sort { $0.gfn < $1.gfn }
        return result
    }

    // MARK: Directory maintenance

    private mutating func allocateChunk(table: UInt64) -> Int {
        let chunk: Int
        if let reused = freeChunks.popLast() {
            chunk = Int(reused)
            chunkIndex[chunk] = table
        } else {
            chunk = chunkIndex.count
            chunkIndex.append(table)
            chunkLive.append(0)
            entries.append(contentsOf: repeatElement(0, count: 512))
        }
        if (slotsUsed + 1) * 2 > slotKey.count { growDirectory() }
        insertSlot(key: table &+ 1, chunk: Int32(chunk))
        slotsUsed += 1
        return chunk
    }

    private mutating func insertSlot(key: UInt64, chunk: Int32) {
        var slot = home(key)
        while slotKey[slot] != GuestStage2.emptySlot { slot = (slot + 1) & slotMask }
        slotKey[slot] = key
        slotChunk[slot] = chunk
    }

    private mutating func growDirectory() {
        let oldKeys = slotKey
        let oldChunks = slotChunk
        slotKey = Array(repeating: GuestStage2.emptySlot, count: oldKeys.count * 2)
        slotChunk = Array(repeating: -1, count: oldKeys.count * 2)
        slotMask = slotKey.count - 1
        for (key, chunk) in zip(oldKeys, oldChunks) where key != GuestStage2.emptySlot {
            insertSlot(key: key, chunk: chunk)
        }
    }

    /// Frees an empty chunk; linear probing with backward-shift deletion
    /// keeps every remaining key reachable without tombstones.
    private mutating func releaseChunk(_ chunk: Int) {
        let key = chunkIndex[chunk] &+ 1
        var hole = home(key)
        while slotKey[hole] != key { hole = (hole + 1) & slotMask }
        var next = hole
        while true {
            next = (next + 1) & slotMask
            let moving = slotKey[next]
            if moving == GuestStage2.emptySlot { break }
            let want = home(moving)
            // Leave it if its home lies cyclically in (hole, next].
            let stays = hole <= next ? (hole < want && want <= next) : (hole < want || want <= next)
            if stays { continue }
            slotKey[hole] = moving
            slotChunk[hole] = slotChunk[next]
            hole = next
        }
        slotKey[hole] = GuestStage2.emptySlot
        slotChunk[hole] = -1
        slotsUsed -= 1
        chunkIndex[chunk] = UInt64.max
        freeChunks.append(Int32(chunk))
    }
}
