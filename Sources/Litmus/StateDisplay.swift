import MemoryModel

extension CompiledTest {
    /// What herd shows of a final state: the `locations [...]` entries, then
    /// every location and fault the condition mentions, in order of mention.
    var shownItems: [Observed] {
        var items: [Observed] = []
        func add(_ o: Observed) { if !items.contains(o) { items.append(o) } }
        for o in test.observed { add(o) }
        func walk(_ p: Predicate) {
            switch p {
            case .constant: break
            case .equals(let l, _): add(.location(l))
            case .fault: add(.fault(p))
            case .not(let q): walk(q)
            case .and(let a, let b), .or(let a, let b): walk(a); walk(b)
            }
        }
        walk(test.condition.predicate)
        return items
    }

    /// One final state as herd prints it: `0:X0=1; [x]=2; ~fault(P0:L0,x);`.
    func show(_ state: FinalState) throws(LitmusError) -> String {
        var parts: [String] = []
        for item in shownItems {
            switch item {
            case .location(let l):
                let v = try value(of: l, in: state)
                let text = v > 0xFFFF ? "0x" + String(v, radix: 16) : String(v)
                parts.append("\(l)=\(text);")
            case .fault(let p):
                parts.append((try holds(p, in: state) ? "" : "~") + "\(p);")
            }
        }
        return parts.joined(separator: " ")
    }
}
