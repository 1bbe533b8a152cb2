/// aarch64.cat's ordered-before, `ob = (hw-reqs | obs)+`, as a generator
/// graph over the events of an execution:
///
/// - local-hw-reqs (lob and its parts): each event's `localPredecessors`,
///   fixed when the event was created (see `LocallyOrderedBefore`);
/// - Exp-obs: `rf & ext`, `ca & ext` with `ca = fr | co`;
/// - Exp-haz-ob: `[R]; po & same-loc; [R]; (ca & ext); [W]`.
///
/// Internal rf/co/fr edges are added too where they coincide with lob: a
/// coi or fri pair is always po-ordered on one location (coWW/coWR), so
/// lmws already relates it and the extra edge changes nothing.
struct OrderedBefore {
    private var successors: [[Int32]]

    init(_ g: ExecutionGraph) {
        successors = Array(repeating: [], count: g.events.count)
        for (id, e) in g.events.enumerated() {
            e.localPredecessors.forEach { successors[$0].append(Int32(id)) }
            guard e.isRead else { continue }
            // rfe; and TTD-obs `rf; [Imp & TTD]`, internal too.
            if case .write(let w) = e.source, g.events[w].thread != e.thread || e.isWalk {
                successors[w].append(Int32(id))
            }
            if e.isWalk {
                // TLBuncacheable-ca: a walk that faulted is coherence-before
                // every write after the one it read.
                if e.faulted, let later = g.fromReads(id) {
                    for w in later { successors[id].append(Int32(w)) }
                }
                continue
            }
            // fre, and Exp-haz-ob through this read's fre targets.
            if let later = g.fromReads(id) {
                for w in later where g.events[w].thread != e.thread {
                    successors[id].append(Int32(w))
                    for earlier in e.previousLocalReads { successors[earlier].append(Int32(w)) }
                }
            }
        }
        // coe (consecutive pairs suffice: co is a chain whose internal links
        // are lmws edges, see above).
        for order in g.coherence.values where order.count > 1 {
            for i in 1..<order.count where g.events[order[i - 1]].thread != g.events[order[i]].thread {
                successors[order[i - 1]].append(Int32(order[i]))
            }
        }
    }

    /// Adds one generator edge.
    mutating func add(_ from: Int, _ to: Int) { successors[from].append(Int32(to)) }

    /// Depth-first search for a cycle (iterative, three colours).
    func isAcyclic() -> Bool {
        let n = successors.count
        var colour = [UInt8](repeating: 0, count: n)  // 0 new, 1 on stack, 2 done
        var stack: [(node: Int, next: Int)] = []
        for root in 0..<n where colour[root] == 0 {
            colour[root] = 1
            stack.append((root, 0))
            while let top = stack.last {
                let succ = successors[top.node]
                if top.next < succ.count {
                    stack[stack.count - 1].next += 1
                    let s = Int(succ[top.next])
                    if colour[s] == 1 { return false }
                    if colour[s] == 0 { colour[s] = 1; stack.append((s, 0)) }
                } else {
                    colour[top.node] = 2
                    stack.removeLast()
                }
            }
        }
        return true
    }
}
