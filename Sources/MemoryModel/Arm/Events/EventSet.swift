/// A set of event identifiers (indices into an execution graph's event
/// array) as a growable bit vector: the unit in which the Arm machine keeps
/// dependency sources and locally-ordered-before predecessors, so that
/// "every read this register depends on" is one union, not a walk.
struct EventSet: Hashable, Sendable {
    private(set) var words: [UInt64] = []

    static let empty = EventSet()

    init() {}
    init(_ event: Int) { insert(event) }

    var isEmpty: Bool { words.allSatisfy { $0 == 0 } }

    func contains(_ event: Int) -> Bool {
        let w = event >> 6
        return w < words.count && words[w] & (1 << UInt64(event & 63)) != 0
    }

    mutating func insert(_ event: Int) {
        let w = event >> 6
        if w >= words.count { words.append(contentsOf: repeatElement(0, count: w - words.count + 1)) }
        words[w] |= 1 << UInt64(event & 63)
    }

    mutating func formUnion(_ other: EventSet) {
        if other.words.count > words.count {
            words.append(contentsOf: repeatElement(0, count: other.words.count - words.count))
        }
        for i in other.words.indices { words[i] |= other.words[i] }
    }

    func union(_ other: EventSet) -> EventSet {
        var result = self
        result.formUnion(other)
        return result
    }

    func intersection(_ other: EventSet) -> EventSet {
        var result = EventSet()
        result.words = zip(words, other.words).map { $0 & $1 }
        return result
    }

    /// Calls `body` on every member, in increasing order.
    func forEach(_ body: (Int) -> Void) {
        for (i, word) in words.enumerated() {
            var w = word
            while w != 0 {
                let bit = w.trailingZeroBitCount
                body(i << 6 | bit)
                w &= w - 1
            }
        }
    }
}
