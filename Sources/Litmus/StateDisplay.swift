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
    public func show(_ state: FinalState) throws(LitmusError) -> String {
        var parts: [String] = []
        for item in shownItems {
            switch item {
            case .location(let l):
                if case .register(let t, let r) = l, !r.isZero, t < state.writtenRegisters.count,
                   state.writtenRegisters[t] & (1 << UInt32(r.number)) == 0 {
                    // isla: never written, so no final value (see `holds`).
                    parts.append("\(l)=?;")
                    continue
                }
                let v = try value(of: l, in: state)
                var text = v > 0xFFFF ? "0x" + String(v, radix: 16) : String(v)
                if case .memory(.entryAddress, _) = l, let d = layout.describeDescriptor(v) { text = d }
                if program.memoryTagging, case .register = l, let p = layout.describeTaggedPointer(v) { text = p }
                parts.append("\(l)=\(text);")
            case .fault(let p):
                parts.append((try holds(p, in: state) ? "" : "~") + "\(p);")
            }
        }
        return parts.joined(separator: " ")
    }
}

extension AddressLayout {
    /// A register holding a variable's address with a logical tag, as herd
    /// writes it (`x:red`); nil for any other value.
    func describeTaggedPointer(_ v: UInt64) -> String? {
        let address = MemoryTagging.untagged(v)
        guard v >> 60 == 0, let name = virtualAddresses.first(where: { $0.value == address })?.key else { return nil }
        return "\(name):\(MemoryTagging.colours[Int(MemoryTagging.logicalTag(of: v))])"
    }

    /// A descriptor word as herd writes it, `(oa:PA(x), valid:0, ...)`, when its
    /// output address is a named physical page; nil otherwise.
    func describeDescriptor(_ d: UInt64) -> String? {
        let oa = Descriptor.outputAddress(d)
        guard let name = physicalAddresses.first(where: { $0.value == oa })?.key else { return nil }
        var literal = DescriptorLiteral(outputAddress: .physicalAddress(name))
        literal.valid = Descriptor.isValid(d)
        literal.accessFlag = d & Descriptor.accessFlag != 0
        literal.dirty = d & Descriptor.readOnly == 0
        literal.dirtyBitModifier = d & Descriptor.dirtyBitModifier != 0
        literal.el0 = d & Descriptor.el0 != 0
        literal.executable = d & DescriptorLiteral.executeNever == 0
        let index = d >> 2 & 0b111
        if index != 0 { literal.attributes = attributeIndices.first(where: { $0.value == index })?.key ?? [] }
        // Only when the word is exactly what the literal encodes (no stray bits).
        guard (try? resolve(.descriptor(literal))) == d else { return nil }
        return literal.description
    }
}
