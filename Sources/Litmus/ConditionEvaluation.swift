import MemoryModel

extension CompiledTest {
    /// Whether `predicate` holds in a final state. Registers and memory are
    /// compared at the location's declared width (herd's types); memory is
    /// read at the location's physical address, absent words being zero.
    public func holds(_ predicate: Predicate, in state: FinalState) throws(LitmusError) -> Bool {
        switch predicate {
        case .constant(let b): return b
        case .not(let p): return try !holds(p, in: state)
        case .and(let a, let b):
            guard try holds(a, in: state) else { return false }
            return try holds(b, in: state)
        case .or(let a, let b):
            if try holds(a, in: state) { return true }
            return try holds(b, in: state)
        case .equals(let location, let value):
            // isla compares a register with its final write; a thread that
            // never wrote it (and gave it no initial value) has none.
            if case .register(let t, let r) = location, !r.isZero, t < state.writtenRegisters.count,
               state.writtenRegisters[t] & (1 << UInt32(r.number)) == 0 {
                return false
            }
            let mask = TypeWidth(bytes: test.width(of: location)).mask
            let expected: UInt64
            do { expected = try layout.resolve(value, defaultOutput: defaultOutput(for: location)) }
            catch { throw test.error(error.message, line: test.conditionLine) }
            return try self.value(of: location, in: state) & mask == expected & mask
        case .fault(let thread, let label, let variable, let kind):
            return try faultMatches(thread: thread, label: label, variable: variable, kind: kind, in: state)
        }
    }

    /// The final value of a location, at its declared width.
    public func value(of location: Location, in state: FinalState) throws(LitmusError) -> UInt64 {
        let width = test.width(of: location)
        switch location {
        case .register(let t, let r):
            guard t < state.registers.count else { throw test.error("no thread P\(t)", line: test.conditionLine) }
            if r.isZero { return 0 }
            return state.registers[t][Int(r.number)] & TypeWidth(bytes: width).mask
        case .memory(let place, let offset):
            let address: UInt64
            do { address = try layout.physicalAddress(of: place) + UInt64(offset) }
            catch { throw test.error(error.message, line: test.conditionLine) }
            let word = state.memory[address & ~7] ?? 0
            return (word >> ((address & 7) * 8)) & TypeWidth(bytes: width).mask
        case .systemRegister(_, let name):
            throw test.error("system register \(name) is not modelled", line: test.conditionLine)
        }
    }

    /// A descriptor literal compared with `pte_x` without `oa:` means x's own page.
    func defaultOutput(for location: Location) -> UInt64? {
        if case .memory(.entryAddress(let n, _, _), _) = location { return layout.physicalAddresses[n] }
        return nil
    }

    func faultMatches(thread: Int, label: String?, variable: String?, kind: FaultKind?,
                      in state: FinalState) throws(LitmusError) -> Bool {
        var index: Int? = nil
        if let l = label {
            guard thread < test.threads.count, let i = test.threads[thread].labels[l] else {
                throw test.error("no label P\(thread):\(l)", line: test.conditionLine)
            }
            index = i
        }
        var page: UInt64? = nil
        if let v = variable {
            guard let a = layout.virtualAddresses[v] ?? layout.intermediateAddresses[v] else {
                throw test.error("unknown variable '\(v)' in fault(...)", line: test.conditionLine)
            }
            page = a & ~0xFFF
        }
        return state.faults.contains { f in
            f.thread == thread
                && (index == nil || f.instruction == index)
                && (page == nil || f.address & ~0xFFF == page)
                && (kind == nil || f.kind == kind || (kind == .translation && f.kind == .stage2Translation)
                    || (kind == .permission && f.kind == .stage2Permission))
        }
    }
}
