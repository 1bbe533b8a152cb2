import MemoryModel

/// Compiles a herd test to a program.
///
/// Address layout (every name gets its own 4 KiB page, in order of first
/// mention, k = 0, 1, ...):
/// - virtual address of x: 0x10_0000 + k·0x1000 (plain tests: also physical);
/// - with vmsa, PA(x) = phy_x: 0x40_0000 + k·0x1000, and PTE(x) = pte_x, the
///   single descriptor translating x's page: 0x80_0000 + 8k. Every PTE(x)
///   initially maps x to PA(x), valid, with herd's default fields, unless the
///   init block says otherwise. These ranges are not themselves translated
///   (herd's PTE and PA locations are physical).
enum HerdCompiler {
    static let virtualBase: UInt64 = 0x10_0000
    static let physicalBase: UInt64 = 0x40_0000
    static let tableBase: UInt64 = 0x80_0000

    static func compile(_ test: LitmusTest) throws(LitmusError) -> CompiledTest {
        // An access based on SP with an immediate offset is Unchecked under
        // FEAT_MTE (Arm ARM C6.2, herd's AArch64.MTE *-SP tests); SP here is
        // a general-purpose register (RegisterSpellings), whose accesses
        // would be Tag Checked.
        if test.memoryTagging, let t = test.stackPointerThreads.first {
            throw test.error("SP with memtag is not supported (P\(t) uses SP; SP-based accesses are Unchecked)",
                             line: test.codeLine)
        }
        // hvdiff checks tags synchronously, on loads and stores (herd's
        // default, `sync`); a test asking for another mode would get
        // sync's verdict, so it is refused instead.
        if test.memoryTagging, let mode = test.variants.first(where: { MemoryTaggingModes.unmodelled.contains($0) }) {
            throw test.error("memtag mode '\(mode)' is not modelled (tag checks are synchronous, on loads and stores)",
                             line: test.codeLine)
        }
        var collector = NameCollector()
        collector.add(test)
        let vmsa: Bool
        switch test.memory {
        case .herdVMSA: vmsa = true
        default: vmsa = false
        }

        var layout = AddressLayout()
        layout.threadLabels = test.threads.map(\.labels)
        // AttrIndx is 3 bits: index 0 is the default, 7 sets fit beside it.
        guard collector.attributeSets.count <= 7 else {
            throw test.error("more than 7 memory attribute sets (attrs:) in one test", line: eighthAttributeSetLine(test))
        }
        for (k, set) in collector.attributeSets.enumerated() { layout.attributeIndices[set] = UInt64(k + 1) }
        var memory = MemoryImage()
        var descriptorAddress: [UInt64: UInt64] = [:]
        for (k, name) in collector.names.enumerated() {
            let va = virtualBase + UInt64(k) * 0x1000
            layout.virtualAddresses[name] = va
            if vmsa {
                let pa = physicalBase + UInt64(k) * 0x1000
                let pte = tableBase + UInt64(k) * 8
                layout.physicalAddresses[name] = pa
                layout.dataAddresses[name] = pa
                layout.entryAddresses[.init(name, level: 3, table: nil)] = pte
                descriptorAddress[va] = pte
                memory.write(pte, bytes: 8, Descriptor.herd(outputAddress: pa))
                memory.declare(pa)
            } else {
                layout.physicalAddresses[name] = va
                layout.dataAddresses[name] = va
                memory.declare(va)
            }
        }

        var registers = Array(repeating: RegisterFile(), count: test.threads.count)
        var threads = test.threads
        for a in test.initialState {
            switch a.location {
            case .register(let t, let r):
                guard t < test.threads.count else { throw test.error("no thread P\(t)", line: a.line) }
                if case .tagged = a.value, !test.memoryTagging {
                    throw test.error("tagged value '\(a.value)' needs -variant memtag", line: a.line)
                }
                registers[t].write(r, try resolve(a.value, layout, test, line: a.line))
            case .memory(let place, let offset):
                let address: UInt64
                do { address = try layout.physicalAddress(of: place) + UInt64(offset) }
                catch { throw test.error(error.message, line: a.line) }
                // A descriptor literal without oa: keeps the page the entry maps by default.
                var defaultOutput: UInt64? = nil
                if case .entryAddress(let n, _, _) = place { defaultOutput = layout.physicalAddresses[n] }
                let value = try resolve(a.value, layout, test, line: a.line, defaultOutput: defaultOutput)
                memory.write(address, bytes: test.width(of: a.location), value)
            case .systemRegister(let t, "VNCR_EL2") where test.variants.contains("nv2") && t < threads.count:
                threads[t] = NestedVirtualisation.redirect(threads[t], base: try resolve(a.value, layout, test, line: a.line) & ~0xFFF)
            case .systemRegister(_, let name):
                throw test.error("system register \(name) is not modelled", line: a.line)
            }
        }

        if test.readsCodeAsData { try test.layOutCode(in: &memory) }
        var program = ConcurrentProgram(
            threads: ThreadCode.linkedForCalls(threads),
            initialRegisters: registers,
            initialMemory: memory.words,
            translation: vmsa ? .singleLevel(descriptorAddress: descriptorAddress) : .none,
            faultHandling: test.faultHandling,
            hardwareUpdates: test.hardwareUpdates)
        program.exceptionSynchronization = test.exceptionSynchronization
        program.translationSynchronization = test.translationSynchronization
        program.memoryTagging = test.memoryTagging
        return CompiledTest(test: test, program: program, layout: layout)
    }

    static func resolve(_ v: Value, _ layout: AddressLayout, _ test: LitmusTest, line: Int,
                        defaultOutput: UInt64? = nil) throws(LitmusError) -> UInt64 {
        do { return try layout.resolve(v, defaultOutput: defaultOutput) }
        catch { throw test.error(error.message, line: line) }
    }

    /// The line of the initial-state item that names an eighth distinct
    /// attribute set (the collector meets the init's descriptors first);
    /// the condition's line when the init names fewer.
    static func eighthAttributeSetLine(_ test: LitmusTest) -> Int {
        var sets: [[String]] = []
        for a in test.initialState {
            guard case .descriptor(let d) = a.value, !d.attributes.isEmpty, !sets.contains(d.attributes) else { continue }
            sets.append(d.attributes)
            if sets.count == 8 { return a.line }
        }
        return test.conditionLine
    }
}

extension LitmusTest {
    /// herd's `ets2` / `ets3` variants (FEAT_ETS2, FEAT_ETS3).
    var translationSynchronization: TranslationSynchronization {
        if variants.contains("ets3") { return .ets3 }
        if variants.contains("ets2") { return .ets2 }
        return .none
    }

    /// herd's `memtag` variant (FEAT_MTE; herd also accepts `mte`).
    var memoryTagging: Bool { variants.contains("memtag") || variants.contains("mte") }

    /// herd's fault handling: the last fault-handling flag of the test's own
    /// `Variant=` line, else the last one applied from outside, else fatal.
    var faultHandling: FaultHandling {
        FaultHandlingFlag.last(in: ownVariants) ?? FaultHandlingFlag.last(in: variants) ?? .fatal
    }

    /// Bytes a location holds: its declared type, else 8 for whole words and
    /// descriptors, 4 (herd's default `int`) for array elements.
    func width(of location: Location) -> Int {
        if let t = types[location] { return t.bytes }
        if case .memory(let v, let offset) = location {
            if let t = types[.memory(v, offset: 0)] { return t.bytes }
            if offset != 0 { return 4 }
        }
        return 8
    }
}
