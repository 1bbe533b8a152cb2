/// Mixed-size accesses, as herd's `-variant mixed` models them (Flur et al.,
/// "Mixed-size concurrency: ARM, POWER, C/C++11, and SC", POPL 2017):
///
/// - an access to a word that is also accessed with another size or offset
///   becomes one event per byte, `loc` being the byte; rf and co are per
///   byte, so a read of n bytes may read each byte from a different write;
/// - the bytes of one access form its single-copy-atomic class (herd's
///   `sm`, aarch64.cat's `sca-class`), which the axioms use to lift
///   per-byte edges to the whole access: `Exp-obs; sca-class?` (rfe, coe,
///   fre extended to every byte of their target, see `OrderedBefore`),
///   `lmws; sca-class` and Exp-haz-ob's `[R]; sca-class?; [R]` (here);
/// - the bytes of one access are not po-related to one another: each gets
///   the lob predecessors of the access as it stands before the access, and
///   is recorded in the thread's local order only after all are created;
/// - `amo` relates the read and write bytes of the same location
///   (`same-instance & loc`), `lxsx` every read byte to every write byte.
///
/// A read may not see part of an aligned write and part of a larger or
/// equal one (herd builds rf that way): the lifted axioms forbid exactly
/// those combinations, so rf is chosen byte by byte and checked like any
/// other. Words accessed with one shape only stay whole events and pay
/// nothing for this.
extension Explorer {
    // MARK: Which accesses are split

    /// Whether an access is split into byte events: its words were found
    /// mixed by an earlier exploration. An access that overlaps an earlier
    /// access of another shape on a word not split yet records the words of
    /// both in `mixedWords`, which ends this exploration (see `ArmMachine`).
    /// (No allocation unless a new shape is seen: this runs for every access.)
    func splits(_ address: UInt64, _ width: AccessWidth) -> Bool {
        let end = address + UInt64(width.rawValue)
        let firstWord = address & ~7, lastWord = (end - 1) & ~7
        if !splitWords.isEmpty && (splitWords.contains(firstWord) || splitWords.contains(lastWord)) { return true }
        var word = firstWord
        while true {
            var known = false
            for seen in accessShapes[word] ?? [] {
                if seen.address == address && seen.width == width { known = true; break }
                if address < seen.address + UInt64(seen.width.rawValue) && seen.address < end {
                    insertWords(address, end)
                    insertWords(seen.address, seen.address + UInt64(seen.width.rawValue))
                }
            }
            if !known { accessShapes[word, default: []].append((address, width)) }
            if word == lastWord { return false }
            word += 8
        }
    }

    /// Adds the words of the bytes address..<end to `mixedWords`.
    private func insertWords(_ address: UInt64, _ end: UInt64) {
        var word = address & ~7
        while word < end { mixedWords.insert(word); word += 8 }
    }

    /// The two writes of a single-copy-atomic pair (STXP, CASP) are kept
    /// pairwise ordered alike byte by byte (see `pairsOrderedAlike`), which
    /// needs both split or neither: a pair whose words differ gets both
    /// split (false: this exploration stops).
    func pairSplitAlike(_ spec: LocalOrder.Access, split: Bool, _ g: ExecutionGraph) -> Bool {
        guard let first = spec.pairFirst, (g.events[first].instance != nil) != split else { return true }
        mixedWords.insert(g.events[first].location & ~7)
        mixedWords.insert(spec.location & ~7)
        return false
    }

    /// The first event of the access whose last event is `last` (the
    /// first write of a pair, just appended): its first byte if split.
    func firstEvent(ofAccessEndingAt last: Int, _ g: ExecutionGraph) -> Int {
        g.events[last].instance?.lowerBound ?? last
    }

    // MARK: Split accesses

    /// A read of `width` bytes at `spec.location` as one read event per byte,
    /// each taking its value (rf) from any admissible write of its byte in
    /// turn; `then` gets the first byte's identifier and the assembled
    /// (little-endian) value.
    func readBytes(_ t: Int, _ spec: LocalOrder.Access, _ width: AccessWidth, _ r: ThreadRun, _ g: ExecutionGraph,
                   noReturn: Bool,
                   _ then: (ThreadRun, ExecutionGraph, Int, UInt64, Taint) throws(MachineError) -> Void) throws(MachineError) {
        let n = width.rawValue
        let first = g.events.count
        let locations = (0..<n).map { spec.location + UInt64($0) }
        // Exp-haz-ob's `(po & same-loc); [R]; sca-class?`: the earlier reads
        // of any byte of this access.
        let earlierReads = locations.flatMap { r.order.readsByLocation[$0] ?? [] }
        var events: [Event] = []
        var taint = spec.address
        var after = r
        for (i, loc) in locations.enumerated() {
            var byte = spec
            byte.location = loc
            var e = Event(direction: .read, thread: t, instruction: r.pc, location: loc, width: .byte, value: 0)
            e.instance = first..<(first + n)
            e.acquire = spec.acquire
            e.acquirePC = spec.acquirePC
            e.noReturn = noReturn
            e.localPredecessors = r.order.predecessors(byte, r.dependencies, g)
            // aob `[M]; rmw; lmrs; [A | Q]`: lxsx relates every byte of an
            // exclusive pair, amo only the bytes of one location.
            if spec.acquire || spec.acquirePC, let w = r.order.lastWrite[loc], !g.events[w].isAtomicOperation,
               let read = g.events[w].rmwPartner, let bytes = g.events[read].instance {
                for b in bytes { e.localPredecessors.insert(b) }
            }
            e.pickSources = spec.address.pick.union(r.order.lastWriteTaint[loc]?.pick ?? EventSet())
            e.pickReach = pickReach(e.localPredecessors, g)
            e.previousLocalWrite = r.order.lastWrite[loc]
            e.previousLocalReads = earlierReads
            events.append(e)
            // The register depends on every byte and (lmrs) on what fed each
            // byte's po-previous write.
            taint.formUnion(Taint(read: first + i))
            if let fed = r.order.lastWriteTaint[loc] { taint.formUnion(fed) }
            after.order.record(first + i, byte, noReturn: noReturn, readAcquire: false)
        }
        after.dependencies.earlierAddresses.formUnion(spec.address)

        /// Chooses the rf source of byte `i` onwards; `value` holds the bytes so far.
        func choose(_ i: Int, _ g: ExecutionGraph, _ value: UInt64) throws(MachineError) {
            guard i < n else { return try then(after, g, first, value, taint) }
            let loc = locations[i]
            func attempt(_ source: Event.Source, _ byteValue: UInt64) throws(MachineError) {
                var g2 = g
                var e = events[i]
                e.source = source
                e.value = byteValue & 0xFF
                e.speculative = Explorer.readsSpeculatively(from: source, g)
                _ = g2.append(e)
                if i == 0 { for w in spec.walks { g2.events[w].translatedAccess = first } }
                guard Consistency.holds(g2) else { return }
                try choose(i + 1, g2, value | e.value << UInt64(8 * i))
            }
            try forEachSource(t, loc, .byte, after: events[i].previousLocalWrite, g, attempt)
        }
        try choose(0, g, 0)
    }

    /// A write of `width` bytes at `spec.location` as one write event per
    /// byte, each inserted at every admissible position of its byte's
    /// coherence order in turn.
    func writeBytes(_ t: Int, _ spec: LocalOrder.Access, _ width: AccessWidth, _ value: UInt64, _ r: ThreadRun,
                    _ g: ExecutionGraph,
                    _ then: (ThreadRun, ExecutionGraph) throws(MachineError) -> Void) throws(MachineError) {
        guard pairSplitAlike(spec, split: true, g), mixedWords.isEmpty else { return }
        let n = width.rawValue
        let first = g.events.count
        let locations = (0..<n).map { spec.location + UInt64($0) }
        let readBytes: Range<Int>? = spec.rmwRead.map { g.events[$0].instance ?? $0..<($0 + 1) }
        // lmws; sca-class: whatever is po & same-loc before some byte is
        // ordered before every byte.
        var sameLocation = EventSet()
        for loc in locations { if let s = r.order.accessesByLocation[loc] { sameLocation.formUnion(s) } }
        var sources = spec.data.pick.union(r.dependencies.control.pick).union(spec.address.pick)
        for b in readBytes ?? 0..<0 { sources.insert(b) }
        let speculative = isSpeculative(sources, g)
        let readAcquire = spec.rmwRead.map { g.events[$0].acquire } ?? false
        var events: [Event] = []
        var after = r
        for (i, loc) in locations.enumerated() {
            var byte = spec
            byte.location = loc
            // amo is `same-instance & loc`: the read byte of this location.
            byte.rmwRead = readBytes?.first { g.events[$0].location == loc }
            byte.pairFirst = spec.pairFirst.map { $0 + i }
            var e = Event(direction: .write, thread: t, instruction: r.pc, location: loc, width: .byte,
                          value: (value >> UInt64(8 * i)) & 0xFF)
            e.instance = first..<(first + n)
            e.release = spec.release
            e.rmwPartner = byte.rmwRead
            e.isAtomicOperation = spec.isAtomicOperation
            e.pairFirst = byte.pairFirst
            e.localPredecessors = r.order.predecessors(byte, r.dependencies, g)
            e.localPredecessors.formUnion(sameLocation)
            // aob `[M]; rmw; [M]` with lxsx relating every byte of the pair.
            if !spec.isAtomicOperation { for b in readBytes ?? 0..<0 { e.localPredecessors.insert(b) } }
            e.pickSources = spec.address.pick.union(spec.data.pick)
            e.pickReach = pickReach(e.localPredecessors, g)
            e.localPredecessors.formUnion(e.pickReach)  // pick-lob
            e.previousLocalWrite = r.order.lastWrite[loc]
            e.speculative = speculative
            events.append(e)
            let written = WrittenValue(thread: t, location: loc, value: e.value)
            after.written.append(written)
            if !speculative { self.written.insert(written) }
            after.order.record(first + i, byte, noReturn: false, readAcquire: readAcquire)
        }
        after.dependencies.earlierAddresses.formUnion(spec.address)

        /// Places byte `i` onwards in coherence.
        func place(_ i: Int, _ g: ExecutionGraph) throws(MachineError) {
            guard i < n else { return try then(after, g) }
            var base = g
            let id = base.append(events[i])
            if let read = events[i].rmwPartner { base.events[read].rmwPartner = id }
            if i == 0 { for w in spec.walks where base.events[w].translatedAccess == nil { base.events[w].translatedAccess = id } }
            let loc = locations[i]
            let order = g.coherence[loc] ?? []
            // coWW: after the thread's own earlier writes.
            let lowest = events[i].previousLocalWrite.map { order.firstIndex(of: $0)! + 1 } ?? 0
            for position in lowest...order.count {
                var g2 = base
                g2.coherence[loc, default: []].insert(id, at: position)
                guard pairsOrderedAlike(g2, id), Consistency.holds(g2) else { continue }
                try place(i + 1, g2)
            }
        }
        try place(0, g)
    }
}
