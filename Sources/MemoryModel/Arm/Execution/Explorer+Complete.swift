extension Explorer {
    // MARK: Complete executions

    /// Resolves every promise to a later thread's write of the promised
    /// value, checks the complete execution, and records its final state.
    func complete(_ g: ExecutionGraph, _ registers: [[UInt64]]) throws(MachineError) {
        let promised = g.events.indices.filter { g.events[$0].isRead && g.events[$0].source == .promise }
        var consistent = 0
        func resolve(_ k: Int, _ g: ExecutionGraph) {
            if k == promised.count {
                if Consistency.holdsComplete(g) { consistent += 1 }
                return
            }
            let read = g.events[promised[k]]
            for w in g.coherence[read.location] ?? [] {
                let e = g.events[w]
                guard e.thread > read.thread, e.value == read.value & e.width.mask else { continue }
                var g2 = g
                g2.events[promised[k]].source = .write(w)
                // Partial checks prune as promises are kept.
                guard Consistency.holds(g2) else { continue }
                resolve(k + 1, g2)
            }
        }
        resolve(0, g)
        guard consistent > 0 else { return }
        executions += consistent
        let state = FinalState(registers: registers, memory: finalMemory(g), faults: g.faults)
        if seen.insert(state).inserted { finalStates.append(state) }
    }

    /// Initial memory updated with the coherence-last write of each location.
    func finalMemory(_ g: ExecutionGraph) -> [UInt64: UInt64] {
        var memory = program.initialMemory
        for (loc, order) in g.coherence.sorted(by: { $0.key < $1.key }) {
            guard let last = order.last else { continue }
            let e = g.events[last]
            let shift = (loc & 7) * 8
            let m = e.width.mask << shift
            memory[loc & ~7] = (memory[loc & ~7] ?? 0) & ~m | (e.value & e.width.mask) << shift
        }
        return memory
    }
}
