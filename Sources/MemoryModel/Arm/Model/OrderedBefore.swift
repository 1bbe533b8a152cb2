/// aarch64.cat's ordered-before, `ob = (hw-reqs | obs)+`, as a generator
/// graph over the events of an execution:
///
/// - local-hw-reqs (lob and its parts): each event's `localPredecessors`,
///   fixed when the event was created (see `LocallyOrderedBefore`);
/// - Exp-obs: `rf & ext`, `ca & ext` with `ca = fr | co`;
/// - Exp-haz-ob: `[R]; po & same-loc; [R]; (ca & ext); [W]`.
///
/// For mixed-size accesses split into bytes (see Explorer+MixedSize), the
/// observed-by edges extend to every byte of their target (`sca-class`).
///
/// Internal rf/co/fr edges are added too where they coincide with lob: a
/// coi or fri pair is always po-ordered on one location (coWW/coWR), so
/// lmws already relates it and the extra edge changes nothing.
struct OrderedBefore {
    /// Generator edges as two parallel arrays (from, to): one allocation
    /// each, however many events (this is the explorer's hot path).
    private var from: [Int32] = []
    private var to: [Int32] = []
    private let count: Int

    init(_ g: ExecutionGraph) {
        count = g.events.count
        from.reserveCapacity(4 * count)
        to.reserveCapacity(4 * count)
        g.events.withUnsafeBufferPointer { events in
            for id in 0..<events.count {
                events[id].localPredecessors.forEach { add($0, id) }
                guard events[id].isRead else { continue }
                if case .write(let w) = events[id].source {
                    // TTD-obs `[Imp & TTD]; rf` (from a hardware update) and
                    // `rf; [Imp & TTD]` (into a walk), internal too unless
                    // the ESOP 2022 model is chosen; rfe.
                    if events[w].isUpdate || events[w].thread != events[id].thread
                        || events[id].isWalk && g.internalTranslationReadsOrdered {
                        add(w, observedBy: id, events[id].instance)
                    }
                }
                guard let later = g.fromReads(id) else { continue }
                if events[id].isWalk {
                    // TLBuncacheable-ca: a walk that faulted is coherence-before
                    // every write after the one it read.
                    if events[id].faulted { for w in later { add(id, w) } }
                    continue
                }
                // fre, and Exp-haz-ob through this read's fre targets;
                // HU-ca `[Exp & R]; ca; [HU]` holds internally too.
                for w in later where events[w].thread != events[id].thread || events[w].isUpdate {
                    add(id, observedBy: w, events[w].instance)
                    for earlier in events[id].previousLocalReads { add(earlier, observedBy: w, events[w].instance) }
                }
            }
            // coe (consecutive pairs suffice: co is a chain whose internal
            // links are lmws edges, see above); `[HU]; ca; [W] | [W]; ca; [HU]`
            // (TTD-obs) internal too.
            for order in g.coherence.values where order.count > 1 {
                for i in 1..<order.count {
                    let a = order[i - 1], b = order[i]
                    if events[a].thread != events[b].thread || events[a].isUpdate || events[b].isUpdate {
                        add(a, observedBy: b, events[b].instance)
                    }
                }
            }
        }
    }

    /// Adds one generator edge.
    mutating func add(_ a: Int, _ b: Int) {
        from.append(Int32(a))
        to.append(Int32(b))
    }

    /// Each event's generator successors (for ob reachability, see
    /// `BreakBeforeMake`).
    func successorLists() -> [[Int]] {
        var lists = Array(repeating: [Int](), count: count)
        for i in from.indices { lists[Int(from[i])].append(Int(to[i])) }
        return lists
    }

    /// Adds an observed-by edge a -> b and, if b is a byte of a split
    /// access, into every byte of that access already in the graph:
    /// `Exp-obs; sca-class?` and Exp-haz-ob's `[W]; sca-class?`.
    mutating func add(_ a: Int, observedBy b: Int, _ instance: Range<Int>?) {
        guard let instance else { return add(a, b) }
        for x in instance where x < count { add(a, x) }
    }

    /// Depth-first search for a cycle (iterative, three colours) over the
    /// edges in compressed form.
    func isAcyclic() -> Bool {
        var start = [Int32](repeating: 0, count: count + 1)
        for a in from { start[Int(a) + 1] += 1 }
        for i in 0..<count { start[i + 1] += start[i] }
        var fill = start
        var successors = [Int32](repeating: 0, count: from.count)
        for i in from.indices {
            let a = Int(from[i])
            successors[Int(fill[a])] = to[i]
            fill[a] += 1
        }
        var colour = [UInt8](repeating: 0, count: count)  // 0 new, 1 on stack, 2 done
        var stack: [(node: Int32, next: Int32)] = []
        for root in 0..<count where colour[root] == 0 {
            colour[root] = 1
            stack.append((Int32(root), start[root]))
            while let top = stack.last {
                let node = Int(top.node)
                if top.next < start[node + 1] {
                    stack[stack.count - 1].next += 1
                    let s = Int(successors[Int(top.next)])
                    if colour[s] == 1 { return false }
                    if colour[s] == 0 { colour[s] = 1; stack.append((Int32(s), start[s])) }
                } else {
                    colour[node] = 2
                    stack.removeLast()
                }
            }
        }
        return true
    }
}
