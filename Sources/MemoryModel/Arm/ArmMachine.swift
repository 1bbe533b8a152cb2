/// The Armv8-A machine: every execution aarch64.cat (herdtools7 5feffe4e8f98)
/// allows, explored incrementally (see `Explorer`).
///
/// Promised read values are drawn from the values later threads were seen
/// to write; since a write's value depends only on values its thread read,
/// and those come from ob-earlier writes (ob is acyclic and contains data,
/// ctrl and rfe), repeating the exploration with the values found so far
/// until no new value appears reaches every consistent execution. A value
/// becomes a candidate when a write that depends on no promise makes it, or
/// when its thread ends in a graph whose promises can all still be kept
/// (values computed from promises that can never be kept are not
/// candidates: they would only feed each other). Values
/// that grow from pass to pass (a counter incremented in a loop) would never
/// settle, so passes are bounded by `valuePasses`; a run that stops there
/// reports `boundReached`, like one cut at the loop bound.
///
/// Mixed-size programs (herd's `-variant mixed`) are explored with the
/// words that several access shapes touch split into byte events; such a
/// word is found when the exploration first meets it, and the exploration
/// then starts again (see Explorer+MixedSize).
public struct ArmMachine: MemoryMachine {
    public var name: String { "arm" }
    /// Most exploration steps one pass may take before giving up.
    public var budget: Int

    /// Most exploration passes spent discovering promise values.
    public var valuePasses: Int

    public init(budget: Int = 2_000_000, valuePasses: Int = 6) {
        self.budget = budget
        self.valuePasses = valuePasses
    }

    public func explore(_ program: ConcurrentProgram) throws(MachineError) -> Exploration {
        // Words accessed with different shapes are split into byte events;
        // they are found as the exploration meets them, and each discovery
        // starts the exploration afresh (values are then per byte).
        var splitWords: Set<UInt64> = []
        explorations: while true {
            var candidates = Array(repeating: [UInt64: [UInt64]](), count: program.threads.count)
            var lastWriters: [UInt64: [UInt64: Int]] = [:]
            for pass in 1... {
                let explorer = Explorer(program, candidates: candidates, lastWriters: lastWriters,
                                        splitWords: splitWords, budget: budget)
                try explorer.run()
                if !explorer.mixedWords.isEmpty {
                    splitWords.formUnion(explorer.mixedWords)
                    continue explorations
                }
                let next = Self.candidates(from: explorer.written, threads: program.threads.count)
                if next == candidates || pass == valuePasses {
                    return Exploration(finalStates: explorer.finalStates, executions: explorer.executions,
                                       boundReached: explorer.boundReached || next != candidates,
                                       finalStateFlags: explorer.finalStateFlags)
                }
                candidates = next
                lastWriters = Self.lastWriters(from: explorer.written)
            }
        }
    }

    /// lastWriters[loc][value]: the last thread seen to write `value` to `loc`.
    static func lastWriters(from written: Set<Explorer.WrittenValue>) -> [UInt64: [UInt64: Int]] {
        var result: [UInt64: [UInt64: Int]] = [:]
        for w in written { result[w.location, default: [:]][w.value] = max(result[w.location]?[w.value] ?? -1, w.thread) }
        return result
    }

    /// candidates[t][loc]: the values threads after `t` (and the hardware
    /// updates of `t` itself) wrote to `loc`, sorted
    /// (so that exploration order, and hence the result order, is fixed).
    static func candidates(from written: Set<Explorer.WrittenValue>, threads: Int) -> [[UInt64: [UInt64]]] {
        var sets = Array(repeating: [UInt64: Set<UInt64>](), count: threads)
        for w in written {
            for t in 0..<min(w.byHardware ? w.thread + 1 : w.thread, threads) { sets[t][w.location, default: []].insert(w.value) }
        }
        return sets.map { $0.mapValues { $0.sorted() } }
    }
}
