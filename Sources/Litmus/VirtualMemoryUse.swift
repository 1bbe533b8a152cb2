import MemoryModel

extension LitmusTest {
    /// Applies herd `-variant` flags given from outside the file (the command
    /// line, or the index the verdict was computed with): `vmsa`/`kvm` turn
    /// virtual memory on for a herd test that does not say so itself.
    public mutating func apply(variants extra: [String]) {
        for v in extra.map({ $0.lowercased() }) where !variants.contains(v) { variants.append(v) }
        if case .physical = memory, usesVirtualMemory { memory = .herdVMSA }
    }

    /// Whether the test needs herd's `-variant vmsa`: it says so (`Variant=vmsa`
    /// or `kvm`), or it names page-table entries, physical addresses,
    /// descriptors or faults, or invalidates TLBs. herd's catalogue runs such
    /// tests with vmsa on; plain tests keep physical addresses.
    var usesVirtualMemory: Bool {
        if variants.contains(where: { $0 == "vmsa" || $0 == "kvm" }) { return true }
        if initialState.contains(where: { $0.location.isVirtualMemory || $0.value.isVirtualMemory }) { return true }
        for o in observed {
            switch o {
            case .location(let l): if l.isVirtualMemory { return true }
            case .fault: return true
            }
        }
        if condition.predicate.isVirtualMemory { return true }
        return threads.contains { code in
            code.instructions.contains { if case .tlbi = $0 { return true } else { return false } }
        } || !handlers.isEmpty
    }
}

extension Value {
    var isVirtualMemory: Bool {
        switch self {
        case .physicalAddress, .entryAddress, .descriptor, .tableDescriptor: return true
        case .pageNumber(let v), .shiftRight(let v, _), .tagged(let v, _): return v.isVirtualMemory
        case .bitwise(_, let a, let b): return a.isVirtualMemory || b.isVirtualMemory
        case .tableIndex: return true
        case .makeDescriptor: return true
        case .physicalAddressRegister(let output): return output?.isVirtualMemory ?? false
        default: return false
        }
    }
}

extension Location {
    var isVirtualMemory: Bool {
        if case .memory(let v, _) = self { return v.isVirtualMemory }
        return false
    }
}

extension Predicate {
    var isVirtualMemory: Bool {
        switch self {
        case .constant: return false
        case .equals(let l, let v): return l.isVirtualMemory || v.isVirtualMemory
        case .fault: return true
        case .not(let p): return p.isVirtualMemory
        case .and(let a, let b), .or(let a, let b): return a.isVirtualMemory || b.isVirtualMemory
        }
    }
}
