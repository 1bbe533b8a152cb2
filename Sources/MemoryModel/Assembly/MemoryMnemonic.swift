/// The memory-access mnemonics, decoded by family: plain/acquire/exclusive
/// loads, stores, pairs, CAS, SWP and the LSE LD<op>/ST<op> atomics, each with
/// its ordering letters (A, L, AL) and size suffix (B, H). The access width
/// comes from the suffix or, without one, from the data register (W: 4 bytes,
/// X: 8 bytes).
struct MemoryMnemonic {
    enum Family {
        case load(LoadOrdering, exclusive: Bool)
        case store(release: Bool, exclusive: Bool)
        case loadPair, storePair
        case loadExclusivePair, storeExclusivePair
        case compareAndSwap, compareAndSwapPair
        case swap
        case atomicLoad(AtomicOperation)
        case atomicStore(AtomicOperation)
        /// FEAT_MTE STG, STZG and LDG: allocation tag stores and load.
        case storeTag, storeZeroTag, loadTag
    }

    var family: Family
    var acquire = false
    var release = false
    /// From a B/H suffix; nil means "from the register".
    var suffixWidth: AccessWidth?

    init?(_ m: String) {
        let (stem, width) = MemoryMnemonic.splitSize(m)
        suffixWidth = width
        switch stem {
        // LDUR/STUR (unscaled offset) differ from LDR/STR only in encoding.
        case "LDR", "LDUR": family = .load(.plain, exclusive: false)
        case "LDAR": family = .load(.acquire, exclusive: false); acquire = true
        case "LDAPR": family = .load(.acquirePC, exclusive: false); acquire = true
        case "LDXR": family = .load(.plain, exclusive: true)
        case "LDAXR": family = .load(.acquire, exclusive: true); acquire = true
        case "STR", "STUR": family = .store(release: false, exclusive: false)
        case "STLR": family = .store(release: true, exclusive: false); release = true
        case "STXR": family = .store(release: false, exclusive: true)
        case "STLXR": family = .store(release: true, exclusive: true); release = true
        case "LDP", "LDNP": family = .loadPair; if width != nil { return nil }
        case "STP", "STNP": family = .storePair; if width != nil { return nil }
        case "LDXP": family = .loadExclusivePair; if width != nil { return nil }
        case "LDAXP": family = .loadExclusivePair; acquire = true; if width != nil { return nil }
        case "STXP": family = .storeExclusivePair; if width != nil { return nil }
        case "STLXP": family = .storeExclusivePair; release = true; if width != nil { return nil }
        // FEAT_LRCPC3 ordered pairs; herd also spells them LDAP/STLP.
        case "LDIAPP", "LDAP": family = .loadPair; acquire = true; if width != nil { return nil }
        case "STILP", "STLP": family = .storePair; release = true; if width != nil { return nil }
        case "STG": family = .storeTag; if width != nil { return nil }
        case "STZG": family = .storeZeroTag; if width != nil { return nil }
        case "LDG": family = .loadTag; if width != nil { return nil }
        default:
            guard let (family, acquire, release) = MemoryMnemonic.readModifyWrite(stem) else { return nil }
            self.family = family
            self.acquire = acquire
            self.release = release
        }
    }

    /// Strips a B/H size suffix where the rest is a known stem ("LDRB" → "LDR", byte).
    private static func splitSize(_ m: String) -> (String, AccessWidth?) {
        for (suffix, width) in [("B", AccessWidth.byte), ("H", .halfword)] where m.hasSuffix(suffix) {
            let stem = String(m.dropLast())
            if isStem(stem) { return (stem, width) }
        }
        return (m, nil)
    }

    private static func isStem(_ s: String) -> Bool {
        ["LDR", "LDUR", "LDAR", "LDAPR", "LDXR", "LDAXR", "STR", "STUR", "STLR", "STXR", "STLXR"].contains(s)
            || readModifyWrite(s) != nil
    }

    /// CAS{A}{L}, SWP{A}{L}, LD<op>{A}{L}, ST<op>{L}.
    private static func readModifyWrite(_ s: String) -> (Family, Bool, Bool)? {
        func ordering(_ rest: Substring, allowAcquire: Bool) -> (Bool, Bool)? {
            switch rest {
            case "": return (false, false)
            case "A" where allowAcquire: return (true, false)
            case "L": return (false, true)
            case "AL" where allowAcquire: return (true, true)
            default: return nil
            }
        }
        if s.hasPrefix("CASP"), let (a, l) = ordering(s.dropFirst(4), allowAcquire: true) {
            return (.compareAndSwapPair, a, l)
        }
        if s.hasPrefix("CAS"), let (a, l) = ordering(s.dropFirst(3), allowAcquire: true) {
            return (.compareAndSwap, a, l)
        }
        if s.hasPrefix("SWP"), let (a, l) = ordering(s.dropFirst(3), allowAcquire: true) {
            return (.swap, a, l)
        }
        for op in AtomicOperation.allCases {
            if s.hasPrefix("LD" + op.rawValue),
               let (a, l) = ordering(s.dropFirst(2 + op.rawValue.count), allowAcquire: true) {
                return (.atomicLoad(op), a, l)
            }
            if s.hasPrefix("ST" + op.rawValue),
               let (a, l) = ordering(s.dropFirst(2 + op.rawValue.count), allowAcquire: false) {
                return (.atomicStore(op), a, l)
            }
        }
        return nil
    }

    private func width(for r: Register, _ s: Statement) throws(AssemblyError) -> AccessWidth {
        if let w = suffixWidth {
            if r.is64Bit && !r.isZero { throw s.error("byte and halfword accesses take a W register") }
            return w
        }
        return r.is64Bit ? .doubleword : .word
    }

    func decode(_ s: inout Statement) throws(AssemblyError) -> Instruction {
        switch family {
        case .load(let ordering, let exclusive):
            let t = try s.register()
            let w = try width(for: t, s)
            return .load(t, try s.address(), width: w, ordering: ordering, exclusive: exclusive)
        case .store(let release, let exclusive):
            let status = exclusive ? try s.register() : nil
            if let st = status, st.is64Bit { throw s.error("the status register of a store-exclusive is a W register") }
            let t = try s.register()
            let w = try width(for: t, s)
            return .store(t, try s.address(), width: w, release: release, exclusiveStatus: status)
        case .loadPair, .storePair:
            let t1 = try s.register(), t2 = try s.register()
            guard t1.is64Bit == t2.is64Bit else { throw s.error("pair registers must have the same width") }
            let w = try width(for: t1, s)
            let a = try s.address()
            if case .loadPair = family { return .loadPair(t1, t2, a, width: w, acquirePC: acquire) }
            return .storePair(t1, t2, a, width: w, release: release)
        case .compareAndSwap:
            let compare = try s.register(), new = try s.register()
            let w = try width(for: compare, s)
            // Arm ARM (CASA, CASAL): "If the destination register is not one
            // of WZR or XZR, CASA and CASAL load from memory with acquire
            // semantics" -- with the zero register there is no acquire.
            return .compareAndSwap(compare: compare, new: new, try s.address(), width: w,
                                   acquire: acquire && !compare.isZero, release: release)
        case .loadExclusivePair, .storeExclusivePair:
            var status: Register?
            if case .storeExclusivePair = family {
                status = try s.register()
                if status!.is64Bit { throw s.error("the status register of a store-exclusive is a W register") }
            }
            let t1 = try s.register(), t2 = try s.register()
            guard t1.is64Bit == t2.is64Bit else { throw s.error("pair registers must have the same width") }
            let w = try width(for: t1, s)
            let a = try s.address()
            if let status { return .storeExclusivePair(status: status, t1, t2, a, width: w, release: release) }
            return .loadExclusivePair(t1, t2, a, width: w, acquire: acquire)
        case .compareAndSwapPair:
            if suffixWidth != nil { throw s.error("CASP has no byte or halfword form") }
            let c1 = try s.register(), c2 = try s.register(), n1 = try s.register(), n2 = try s.register()
            // Arm ARM (CASP): Rs and Rt are even, the second of each pair is
            // the next register, and all four are the same width.
            for (first, second) in [(c1, c2), (n1, n2)] {
                guard first.number % 2 == 0, second.number == first.number + 1,
                      first.is64Bit == c1.is64Bit, second.is64Bit == c1.is64Bit else {
                    throw s.error("CASP takes two consecutive even-odd register pairs of one width")
                }
            }
            return .compareAndSwapPair(compare: c1, c2, new: n1, n2, try s.address(), width: try width(for: c1, s),
                                       acquire: acquire, release: release)
        case .swap:
            let source = try s.register(), destination = try s.register()
            let w = try width(for: source, s)
            // Arm ARM (SWPA, SWPAL): acquire only if the destination is not
            // the zero register.
            return .swap(source: source, destination: destination, try s.address(), width: w,
                         acquire: acquire && !destination.isZero, release: release)
        case .atomicLoad(let op):
            let source = try s.register(), destination = try s.register()
            let w = try width(for: source, s)
            // Arm ARM (LD<op>A, LD<op>AL): acquire only if the destination is
            // not the zero register (those encodings are ST<op>).
            return .atomic(op, source: source, destination: destination,
                           try s.address(), width: w, acquire: acquire && !destination.isZero, release: release)
        case .atomicStore(let op):
            let source = try s.register()
            let w = try width(for: source, s)
            return .atomic(op, source: source, destination: nil, try s.address(), width: w, acquire: false, release: release)
        case .storeTag, .storeZeroTag, .loadTag:
            // STG, STZG and LDG Xt, [Xn{, #imm}]: Xt is a pointer.
            let t = try s.register()
            if !t.is64Bit { throw s.error("\(s.mnemonic) takes an X register") }
            let a = try s.address()
            switch family {
            case .storeTag: return .storeTag(t, a)
            case .storeZeroTag: return .storeZeroTag(t, a)
            default: return .loadTag(t, a)
            }
        }
    }
}
