/// A (possibly partial) candidate execution: its events, coherence order per
/// location (co), and each read's rf source (inside the events). Threads
/// are added one after another, so event identifiers increase along po
/// within a thread and later threads' events have larger identifiers.
struct ExecutionGraph: Sendable {
    var events: [Event] = []
    /// co: per location, its writes in coherence order (the initial write is
    /// implicitly first).
    var coherence: [UInt64: [Int]] = [:]
    /// Faults taken so far (they end or skip an access; nothing is ordered
    /// after a fault event without ETS, so they need no node).
    var faults: Set<Fault> = []
    /// Whether a walk's read from its own thread's write is in ob
    /// (`rf; [Imp & TTD]` of aarch64.cat's TTD-obs, internal too); false for
    /// the ESOP 2022 model (see `ReferenceModel`).
    var internalTranslationReadsOrdered = true
    /// The reference tool keeps no execution of this candidate (herd: a
    /// second fault under `handledRetryOnce`; isla: an exception taken to
    /// an empty vector entry, see `ThreadCode.vectorIsEmpty`); later threads
    /// still run in it, so that the values they write become promise
    /// candidates, but it has no final state.
    var dropped = false

    /// Position of `write` in its location's coherence order (0-based, the
    /// initial write being -1).
    func coherenceIndex(_ write: Int) -> Int {
        coherence[events[write].location]!.firstIndex(of: write)!
    }

    /// Position of a read's rf source in coherence order: -1 for the
    /// initial write, nil for an unresolved promise.
    func sourceIndex(_ read: Int) -> Int? {
        switch events[read].source {
        case .initial: return -1
        case .write(let w): return coherenceIndex(w)
        case .promise: return nil
        }
    }

    /// fr: the writes coherence-after a read's source (nil if unresolved).
    func fromReads(_ read: Int) -> ArraySlice<Int>? {
        guard let s = sourceIndex(read) else { return nil }
        let order = coherence[events[read].location] ?? []
        return order[(s + 1)...]
    }

    mutating func append(_ event: Event) -> Int {
        events.append(event)
        return events.count - 1
    }
}
