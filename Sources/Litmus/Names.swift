import MemoryModel

/// The variable names a test mentions, in order of first mention: the
/// compiler gives each its own page.
struct NameCollector {
    private(set) var names: [String] = []
    private var seen: Set<String> = []
    /// The distinct non-default memory attribute sets of descriptor literals.
    private(set) var attributeSets: [[String]] = []

    mutating func add(_ name: String) {
        if seen.insert(name).inserted { names.append(name) }
    }

    mutating func add(_ value: Value) {
        switch value {
        case .integer, .label, .translationTableBase, .instructionWord: break
        case .virtualAddress(let n), .physicalAddress(let n), .element(let n, _), .allocationTag(let n): add(n)
        case .entryAddress(let n, _, _), .tableDescriptor(let n, _, _): add(n)
        case .descriptor(let d):
            if let oa = d.outputAddress { add(oa) }
            if !d.attributes.isEmpty, !attributeSets.contains(d.attributes) { attributeSets.append(d.attributes) }
        case .pageNumber(let v), .tagged(let v, _): add(v)
        case .shiftRight(let v, let n), .bitwise(_, let v, let n): add(v); add(n)
        case .tableIndex(let v, _, _): add(v)
        case .asid: break
        case .physicalAddressRegister(let output): if let o = output { add(o) }
        case .makeDescriptor(_, let output, _, _): add(output)
        }
    }

    mutating func add(_ location: Location) {
        if case .memory(let v, _) = location { add(v) }
    }

    mutating func add(_ predicate: Predicate) {
        switch predicate {
        case .constant: break
        case .equals(let l, let v): add(l); add(v)
        case .fault(_, _, let variable, _): if let v = variable { add(v) }
        case .not(let p): add(p)
        case .and(let a, let b), .or(let a, let b): add(a); add(b)
        }
    }

    mutating func add(_ test: LitmusTest) {
        for a in test.initialState { add(a.location); add(a.value) }
        for o in test.observed {
            switch o {
            case .location(let l): add(l)
            case .fault(let p): add(p)
            }
        }
        add(test.condition.predicate)
        if let f = test.filter { add(f) }
    }
}

/// Initial memory built word by word: sub-word values (bytes, halfwords,
/// 32-bit ints, array elements) are merged into their aligned 8-byte word,
/// little-endian, as the machines store memory.
struct MemoryImage {
    private(set) var words: [UInt64: UInt64] = [:]

    func read(_ address: UInt64) -> UInt64? { words[address & ~7] }

    mutating func declare(_ address: UInt64) {
        if words[address & ~7] == nil { words[address & ~7] = 0 }
    }

    mutating func write(_ address: UInt64, bytes: Int, _ value: UInt64) {
        let word = address & ~7
        let shift = (address & 7) * 8
        let mask: UInt64 = bytes >= 8 ? ~0 : (1 << UInt64(bytes * 8)) - 1
        let old = words[word] ?? 0
        words[word] = old & ~(mask << shift) | (value & mask) << shift
    }
}
