/// Memory as 4 KiB pages of words, found through a small open-addressing
/// table keyed by page number: a lookup is a multiply and, almost always, one
/// probe, and zeroing a page writes in place instead of growing a
/// dictionary. Absent pages read as zero. This is the sequential executor's
/// memory; `FlatMemory` stays the SC explorer's (it must be hashable).
public struct PagedMemory: PhysicalMemory, Sendable {
    /// Page number + 1 per table slot (0: empty).
    private var keys: [UInt64]
    /// Index of the page's first word in `storage`, per table slot.
    private var slots: [Int32]
    private var storage: [UInt64] = []
    private var shift: UInt64

    public init(_ words: [UInt64: UInt64] = [:]) {
        keys = Array(repeating: 0, count: 64)
        slots = Array(repeating: 0, count: 64)
        shift = 64 - 6
        for (address, value) in words.sorted(by: { $0.key < $1.key }) { setWord(address, value) }
    }

    @inline(__always) private func probe(_ page: UInt64) -> Int {
        Int(truncatingIfNeeded: (page &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// The storage index of `page`'s first word, if the page exists.
    @inline(__always) private func base(_ page: UInt64) -> Int? {
        var i = probe(page)
        let key = page &+ 1
        while true {
            let k = keys[i]
            if k == key { return Int(slots[i]) }
            if k == 0 { return nil }
            i = (i + 1) & (keys.count - 1)
        }
    }

    /// Adds a zeroed page for `page` (which must be absent); returns its base.
    private mutating func createPage(_ page: UInt64) -> Int {
        if (storage.count / 512 + 1) * 2 > keys.count { grow() }
        var i = probe(page)
        while keys[i] != 0 { i = (i + 1) & (keys.count - 1) }
        keys[i] = page &+ 1
        slots[i] = Int32(storage.count)
        storage.append(contentsOf: repeatElement(0, count: 512))
        return Int(slots[i])
    }

    private mutating func grow() {
        let old = zip(keys, slots).filter { $0.0 != 0 }
        keys = Array(repeating: 0, count: keys.count * 2)
        slots = Array(repeating: 0, count: keys.count)
        shift -= 1
        for (key, slot) in old {
            var i = probe(key - 1)
            while keys[i] != 0 { i = (i + 1) & (keys.count - 1) }
            keys[i] = key
            slots[i] = slot
        }
    }

    @inline(__always) public func read(_ address: UInt64, _ width: AccessWidth) throws(MachineError) -> UInt64 {
        let (_, shift) = try FlatMemory.lane(address, width)
        return (word(address) >> shift) & width.mask
    }

    @inline(__always) public mutating func write(_ address: UInt64, _ width: AccessWidth, _ value: UInt64) throws(MachineError) {
        let (_, shift) = try FlatMemory.lane(address, width)
        if width == .doubleword { setWord(address, value); return }
        let m = width.mask << shift
        setWord(address, word(address) & ~m | (value & width.mask) << shift)
    }

    @inline(__always) public func word(_ address: UInt64) -> UInt64 {
        guard let b = base(address >> 12) else { return 0 }
        return storage[b + Int((address >> 3) & 511)]
    }

    @inline(__always) public mutating func setWord(_ address: UInt64, _ value: UInt64) {
        let index = Int((address >> 3) & 511)
        if let b = base(address >> 12) {
            storage[b + index] = value
        } else if value != 0 {
            // An absent page reads as zero, so zeroing it (a handler
            // scrubbing a page nothing ever wrote) needs no page.
            storage[createPage(address >> 12) + index] = value
        }
    }

    /// Every non-zero word, by address (for abstraction and final states).
    public var words: [UInt64: UInt64] {
        var result: [UInt64: UInt64] = [:]
        for (key, slot) in zip(keys, slots) where key != 0 {
            let page = (key - 1) << 12
            for i in 0..<512 where storage[Int(slot) + i] != 0 { result[page + UInt64(i) * 8] = storage[Int(slot) + i] }
        }
        return result
    }
}
