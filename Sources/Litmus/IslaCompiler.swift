import MemoryModel

/// Compiles an isla test: real VMSAv8-64 4 KiB-granule tables (4 levels, for
/// stage 1 and, when the test has intermediate addresses or stage-2 tables,
/// stage 2) built in memory, TTBR0_EL1/VTTBR_EL2 pointing at them, and
/// TTBR0_EL2 (the default stage-1 table unless the test names one) for
/// threads at EL2 (`PSTATE.EL = 0b10`, compiled to CurrentEL).
///
/// Address layout (name k of its kind, in order of declaration):
/// - virtual x: 0x0400_0000 + k·0x1000; intermediate ipa: 0x0800_0000 +
///   k·0x1000; physical pa: 0x0C00_0000 + k·0x1000 (`assert pa == ipa` makes
///   the intermediate address equal the physical one);
/// - default stage-1 table `page_table_base` at 0x10_0000, default stage-2
///   table `s2_page_table_base` at 0x30_0000; named tables at the address the
///   test gives. A table's lower levels are allocated in the pages after its
///   root, in order of need.
/// - Every table page is identity-mapped (read/write) by every stage-1 table
///   and every stage-2 table, so threads can write descriptors at their
///   physical addresses (as isla's tests do) and stage-1 walks through
///   stage 2 reach their tables. With stage 2 on, physical pages a stage-1
///   mapping targets directly are identity-mapped in stage 2 too.
enum IslaCompiler {
    static let virtualBase: UInt64 = 0x0400_0000
    static let intermediateBase: UInt64 = 0x0800_0000
    static let physicalBase: UInt64 = 0x0C00_0000
    static let defaultStage1 = "page_table_base"
    static let defaultStage2 = "s2_page_table_base"
    static let defaultStage1Base: UInt64 = 0x10_0000
    static let defaultStage2Base: UInt64 = 0x30_0000

    /// Reset values that place exception handling, which the machines take
    /// from the handler sections instead: VBAR_ELx (the parser places the
    /// sections at its vector entries, see IslaHandlerPlacement; the
    /// machines do not fetch code).
    static let exceptionPlacement: Set<String> = ["VBAR_EL1", "VBAR_EL2"]

    static func compile(_ test: LitmusTest, _ setup: PageTableSetup) throws(LitmusError) -> CompiledTest {
        var layout = AddressLayout()
        layout.threadLabels = test.threads.map(\.labels)

        // Names. Mapping sources not declared are virtual (isla's `symbolic`).
        var virtualNames = setup.virtualNames
        let declared = Set(setup.physicalNames + setup.intermediateNames)
        for m in setup.mappings + setup.tables.flatMap(\.mappings)
        where !declared.contains(m.source) && !virtualNames.contains(m.source) {
            virtualNames.append(m.source)
        }
        for (k, n) in virtualNames.enumerated() { layout.virtualAddresses[n] = virtualBase + UInt64(k) * 0x1000 }
        for (k, n) in setup.physicalNames.enumerated() { layout.physicalAddresses[n] = physicalBase + UInt64(k) * 0x1000 }
        for (k, n) in setup.intermediateNames.enumerated() {
            layout.intermediateAddresses[n] = intermediateBase + UInt64(k) * 0x1000
        }
        for (a, b) in setup.sameAddress {
            if let pa = layout.physicalAddresses[b], layout.intermediateAddresses[a] != nil { layout.intermediateAddresses[a] = pa }
            else if let pa = layout.physicalAddresses[a], layout.intermediateAddresses[b] != nil { layout.intermediateAddresses[b] = pa }
            else { throw test.error("assert \(a) == \(b): needs one intermediate and one physical name", line: 1) }
        }
        func address(_ name: String, line: Int) throws(LitmusError) -> UInt64 {
            guard let a = layout.virtualAddresses[name] ?? layout.intermediateAddresses[name] ?? layout.physicalAddresses[name] else {
                throw test.error("unknown name '\(name)' in page_table_setup", line: line)
            }
            return a
        }

        let usesStage2Register = test.initialState.contains {
            if case .systemRegister(_, "VTTBR_EL2") = $0.location { return true } else { return false }
        }
        let stage2 = !setup.intermediateNames.isEmpty || setup.tables.contains { $0.stage == 2 } || usesStage2Register
        layout.stage2 = stage2

        // Tables: the defaults, then the named ones.
        struct TableInfo { var name: String; var stage: Int; var base: UInt64 }
        var tables: [TableInfo] = [TableInfo(name: defaultStage1, stage: 1, base: defaultStage1Base)]
        if stage2 { tables.append(TableInfo(name: defaultStage2, stage: 2, base: defaultStage2Base)) }
        for t in setup.tables { tables.append(TableInfo(name: t.name, stage: t.stage, base: t.base)) }
        for t in tables { layout.tableBases[t.name] = t.base }

        var builder = TableBuilder()
        for t in tables { builder.addRoot(t.base) }

        func install(_ m: PageTableSetup.Mapping, in table: TableInfo) throws(LitmusError) {
            let input = try address(m.source, line: m.line)
            let entries: [UInt64]
            switch builder.path(root: table.base, input: input, level: m.level) {
            case .success(let e): entries = e
            case .failure(let e): throw test.error("\(m.source): \(e.message)", line: m.line)
            }
            for (level, entry) in entries.enumerated() {
                layout.entryAddresses[.init(m.source, level: level, table: table.name)] = entry
            }
            let value: UInt64
            switch m.target {
            case .invalid: value = 0
            case .table(let a): value = IslaDescriptors.table(a)
            case .raw(let bits): value = bits
            case .name(let n):
                let output = try address(n, line: m.line)
                var d = table.stage == 1 ? IslaDescriptors.stage1Page(output, m.permissions)
                                         : IslaDescriptors.stage2Page(output)
                if m.level < 3 { d &= ~Descriptor.tableOrPage }  // a block
                value = d
            }
            let key = AddressLayout.EntryKey(m.source, level: m.level, table: table.name)
            if !m.alternative {
                builder.setLeaf(entries[m.level], value)
                layout.descriptors[key] = value
            } else if layout.descriptors[key] == nil {
                layout.descriptors[key] = value
            }
        }

        for m in setup.mappings {
            let isStage2 = setup.intermediateNames.contains(m.source)
            guard let t = tables.first(where: { $0.name == (isStage2 ? defaultStage2 : defaultStage1) }) else {
                throw test.error("stage-2 mapping without stage 2", line: m.line)
            }
            try install(m, in: t)
        }
        for t in setup.tables {
            guard let info = tables.first(where: { $0.name == t.name }) else { continue }
            for m in t.mappings { try install(m, in: info) }
        }

        // Identity maps of the table pages (to a fixed point: mapping a page
        // may allocate new table pages) and, under stage 2, of physical pages
        // stage 1 targets directly.
        var directPhysical: [UInt64] = []
        if stage2 {
            for m in setup.mappings + setup.tables.flatMap(\.mappings) {
                if case .name(let n) = m.target, !setup.intermediateNames.contains(m.source),
                   let pa = layout.physicalAddresses[n] {
                    directPhysical.append(pa)
                }
            }
        }
        var mapped = Set<UInt64>()
        while true {
            let pending = (builder.tablePages + directPhysical).filter { !mapped.contains($0) }
            if pending.isEmpty { break }
            for page in pending {
                mapped.insert(page)
                for t in tables {
                    switch builder.path(root: t.base, input: page, level: 3) {
                    case .success(let path):
                        if builder.memory.read(path[3]) ?? 0 == 0 {
                            builder.setLeaf(path[3], t.stage == 1 ? IslaDescriptors.stage1Page(page)
                                                                  : IslaDescriptors.stage2Page(page))
                        }
                    case .failure(let e):
                        throw test.error("identity map of table page 0x\(String(page, radix: 16)): \(e.message)", line: 1)
                    }
                }
            }
        }

        // Where each name's data lives: follow the installed mappings.
        func translate(_ input: UInt64, table: String) -> UInt64? {
            guard let root = layout.tableBases[table] else { return nil }
            return builder.lookup(root: root, input: input)
        }
        for (n, va) in layout.virtualAddresses {
            var target = translate(va, table: defaultStage1)
            if stage2, let ipa = target { target = translate(ipa, table: defaultStage2) ?? ipa }
            layout.dataAddresses[n] = target ?? va
        }
        for (n, ipa) in layout.intermediateAddresses { layout.dataAddresses[n] = translate(ipa, table: defaultStage2) ?? ipa }
        for (n, pa) in layout.physicalAddresses { layout.dataAddresses[n] = pa; builder.memory.declare(pa) }

        for (name, value, line) in setup.memory {
            guard let a = layout.dataAddresses[name] else { throw test.error("unknown name '\(name)'", line: line) }
            builder.memory.write(a, bytes: 8, value)
        }

        // Registers and translation-table bases.
        var registers = Array(repeating: RegisterFile(), count: test.threads.count)
        var systemRegisters: [[SystemRegister: UInt64]] = Array(repeating: [:], count: test.threads.count)
        for a in test.initialState {
            let v: UInt64
            do { v = try layout.resolve(a.value) }
            catch { throw test.error(error.message, line: a.line) }
            switch a.location {
            case .register(let t, let r): registers[t].write(r, v)
            case .systemRegister(_, let name) where IslaCompiler.exceptionPlacement.contains(name):
                continue
            case .systemRegister(let t, "PSTATE.EL"):
                // The level the thread starts at (see ExceptionHandler).
                systemRegisters[t][.currentEL] = (v & 0b11) << 2
            case .systemRegister(let t, "PSTATE.SP"):
                // The stack pointer selected (SPSel): which vector entry an
                // exception taken at the thread's own level uses.
                guard v <= 1 else { throw test.error("PSTATE.SP must be 0 or 1", line: a.line) }
                systemRegisters[t][.spSel] = v
            case .systemRegister(let t, let name):
                guard let r = SystemRegister(rawValue: name) else {
                    throw test.error("system register \(name) is not modelled", line: a.line)
                }
                systemRegisters[t][r] = v
            case .memory:
                throw test.error("memory is initialised in page_table_setup", line: a.line)
            }
        }
        for t in systemRegisters.indices {
            // isla starts a thread in PSTATE.EL = 0, PSTATE.SP = 0 unless its
            // reset says otherwise (its handlers at VBAR_EL1 + 0x400, the
            // entry for exceptions from a lower level, rely on it).
            if systemRegisters[t][.currentEL] == nil { systemRegisters[t][.currentEL] = 0 }
            if systemRegisters[t][.spSel] == nil { systemRegisters[t][.spSel] = 0 }
            if systemRegisters[t][.ttbr0El1] == nil { systemRegisters[t][.ttbr0El1] = defaultStage1Base }
            // EL2 code without its own table walks the default stage-1 table
            // (isla's default setup maps the test's names for every level).
            if systemRegisters[t][.ttbr0El2] == nil { systemRegisters[t][.ttbr0El2] = defaultStage1Base }
            if stage2, systemRegisters[t][.vttbrEl2] == nil { systemRegisters[t][.vttbrEl2] = defaultStage2Base }
        }

        var program = ConcurrentProgram(
            threads: test.threads, initialRegisters: registers, initialMemory: builder.memory.words,
            translation: .tables(TableTranslation(stage1: true, stage2: stage2, systemRegisters: systemRegisters)),
            faultHandling: .fatal)
        program.referenceModel = .esop2022
        program.recordsWrittenRegisters = true
        return CompiledTest(test: test, program: program, layout: layout)
    }
}

/// Builds multi-level translation tables in a memory image.
struct TableBuilder {
    var memory = MemoryImage()
    /// Every table page, roots first, then lower levels in order of allocation.
    private(set) var tablePages: [UInt64] = []
    private var nextFree: [UInt64: UInt64] = [:]
    /// Entries the test set explicitly (leaves and invalid entries): a walk
    /// path may not turn them into table descriptors.
    private var leaves = Set<UInt64>()

    struct BuildError: Error { var message: String }

    mutating func addRoot(_ base: UInt64) {
        guard nextFree[base] == nil else { return }
        tablePages.append(base)
        nextFree[base] = base + 0x1000
        for i in 0..<512 { memory.declare(base + UInt64(i) * 8) }
    }

    /// The entry addresses at levels 0...level for `input`, allocating the
    /// tables above `level` that do not exist yet.
    mutating func path(root: UInt64, input: UInt64, level: Int) -> Result<[UInt64], BuildError> {
        var table = root
        var entries: [UInt64] = []
        for l in 0...level {
            let entry = table + ((input >> UInt64(39 - 9 * l)) & 0x1FF) * 8
            entries.append(entry)
            if l == level { break }
            let d = memory.read(entry) ?? 0
            if d & 0b11 == 0b11 {
                table = Descriptor.outputAddress(d)
            } else if leaves.contains(entry) || d != 0 {
                return .failure(BuildError(message: "level-\(l) entry is not a table, cannot map below it"))
            } else {
                let page = nextFree[root]!
                nextFree[root] = page + 0x1000
                tablePages.append(page)
                for i in 0..<512 { memory.declare(page + UInt64(i) * 8) }
                memory.write(entry, bytes: 8, IslaDescriptors.table(page))
                table = page
            }
        }
        return .success(entries)
    }

    mutating func setLeaf(_ entry: UInt64, _ value: UInt64) {
        leaves.insert(entry)
        memory.write(entry, bytes: 8, value)
    }

    /// The output address `input` maps to in the installed tables, or nil.
    func lookup(root: UInt64, input: UInt64) -> UInt64? {
        var table = root
        for l in 0...3 {
            let d = memory.read(table + ((input >> UInt64(39 - 9 * l)) & 0x1FF) * 8) ?? 0
            guard d & 1 == 1 else { return nil }
            if l == 3 || d & 0b10 == 0 {
                let bits = UInt64(39 - 9 * l)
                return Descriptor.outputAddress(d) & ~((1 << bits) - 1) | input & ((1 << bits) - 1)
            }
            table = Descriptor.outputAddress(d)
        }
        return nil
    }
}
