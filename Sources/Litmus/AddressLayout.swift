import MemoryModel

/// Where a compiled test put its names: the numbers that symbolic values
/// (`x`, `PA(x)`, `PTE(x)`, `pte3(x, t)`, `desc3(x, t)`, table names) stand
/// for. Built by the herd or isla compiler, then used both to build the
/// initial state and to evaluate final conditions.
public struct AddressLayout: Hashable, Sendable {
    /// Virtual (or, for plain tests, physical) address of each variable.
    public var virtualAddresses: [String: UInt64] = [:]
    /// Physical page of each name: herd's PA(x)/phy_x, isla's physical names.
    public var physicalAddresses: [String: UInt64] = [:]
    /// Where the value of `[x]` / `*x` lives in physical memory.
    public var dataAddresses: [String: UInt64] = [:]
    /// Address of the descriptor translating a name at a level (herd: level 3, no table).
    public var entryAddresses: [EntryKey: UInt64] = [:]
    /// Initial descriptor value translating a name at a level (isla `descN`).
    public var descriptors: [EntryKey: UInt64] = [:]
    /// Base addresses of named translation tables (isla).
    public var tableBases: [String: UInt64] = [:]
    /// Intermediate physical addresses (isla `intermediate` names).
    public var intermediateAddresses: [String: UInt64] = [:]
    /// Whether stage 2 is on: then a page descriptor made for a physical
    /// address (`mkdesc3(oa=pa1)`) is a stage-2 descriptor.
    public var stage2 = false
    /// Each thread's labels, for code addresses (`P0:L0`, isla `L0:`).
    public var threadLabels: [[String: Int]] = []
    /// herd's memory attribute sets (`attrs:(...)`), each with the AttrIndx
    /// (descriptor bits [4:2]) standing for it: as if the test's MAIR had one
    /// entry per set, index 0 being herd's default attributes.
    public var attributeIndices: [[String]: UInt64] = [:]

    public init() {}

    /// The output address of a herd descriptor literal that names none and
    /// initialises no `PTE(x)` (a register's `(valid:0)`): herd gives it
    /// `PHY ""`, a physical address no name has. Page 0 is one: herd
    /// compilers put every name's page higher up.
    public static let noOutputAddress: UInt64 = 0

    public struct EntryKey: Hashable, Sendable {
        public var name: String
        public var level: Int
        /// The table the entry belongs to; nil for herd's single table.
        public var table: String?
        public init(_ name: String, level: Int, table: String?) {
            self.name = name
            self.level = level
            self.table = table
        }
    }

    /// The number a value stands for. `defaultOutput` is the output address a
    /// herd descriptor literal without `oa:` takes (the page the descriptor it
    /// initialises maps by default).
    public func resolve(_ value: Value, defaultOutput: UInt64? = nil) throws(LayoutError) -> UInt64 {
        switch value {
        case .integer(let v): return v
        case .instructionWord(let w): return UInt64(w)
        case .virtualAddress(let n):
            if let a = virtualAddresses[n] ?? intermediateAddresses[n] ?? physicalAddresses[n] { return a }
            throw LayoutError("unknown name '\(n)'")
        case .element(let n, let offset):
            return try resolve(.virtualAddress(n)) &+ UInt64(offset)
        case .physicalAddress(let n):
            guard let a = physicalAddresses[n] else { throw LayoutError("no physical address for '\(n)'") }
            return a
        case .entryAddress(let n, let level, let table):
            guard let a = entryAddresses[EntryKey(n, level: level, table: table)] else {
                throw LayoutError("no level-\(level) descriptor for '\(n)'" + (table.map { " in table \($0)" } ?? ""))
            }
            return a
        case .tableDescriptor(let n, let level, let table):
            guard let d = descriptors[EntryKey(n, level: level, table: table)] else {
                throw LayoutError("no level-\(level) descriptor for '\(n)'" + (table.map { " in table \($0)" } ?? ""))
            }
            return d
        case .descriptor(let d):
            let output: UInt64
            if let oa = d.outputAddress { output = try resolve(oa) }
            else if let o = defaultOutput { output = o }
            else { output = Self.noOutputAddress }
            var bits = Descriptor.herd(outputAddress: output, valid: d.valid, af: d.accessFlag,
                                       db: d.dirty, dbm: d.dirtyBitModifier, el0: d.el0)
            if !d.executable { bits |= DescriptorLiteral.executeNever }
            if !d.attributes.isEmpty {
                guard let index = attributeIndices[d.attributes] else { throw LayoutError("no AttrIndx for \(d)") }
                bits |= index << 2
            }
            return bits
        case .label(let t, let l):
            guard t < threadLabels.count, let index = threadLabels[t][l] else { throw LayoutError("no label P\(t):\(l)") }
            return ThreadCode.codeOrigin(ofThread: t) &+ UInt64(index) &* 4
        case .translationTableBase(let table, let tag, _):
            guard let base = tableBases[table] else { throw LayoutError("unknown table '\(table)'") }
            return base | (tag & 0xFFFF) << 48
        case .pageNumber(let v):
            return try resolve(v) >> 12
        case .tagged(let v, let colour):
            guard let tag = MemoryTagging.tag(ofColour: colour) else {
                throw LayoutError("unknown tag colour '\(colour)' (known: \(MemoryTagging.colours.joined(separator: ", ")))")
            }
            return MemoryTagging.withLogicalTag(try resolve(v), tag)
        case .shiftRight(let v, let n):
            let amount = try resolve(n)
            return amount >= 64 ? 0 : try resolve(v) >> amount
        case .bitwise(let f, let a, let b):
            return f.apply(try resolve(a), try resolve(b))
        case .tableIndex(let v, let level, let bytes):
            // VMSAv8-64, 4 KiB granule: level N indexes with VA[47-9N:39-9N].
            let index = try resolve(v) >> UInt64(39 - 9 * level) & 0x1FF
            return bytes ? index * 8 : index
        case .asid(let n):
            return (n & 0xFFFF) << 48
        case .allocationTag:
            return try physicalAddress(of: value)
        case .physicalAddressRegister(let output):
            guard let output else { return PhysicalAddressRegister.fault }
            return PhysicalAddressRegister.success(try resolve(output))
        case .makeDescriptor(_, let output, let isTable, let permissions):
            let address = try resolve(output)
            if isTable { return IslaDescriptors.table(address) }
            if stage2, case .virtualAddress(let n) = output, physicalAddresses[n] != nil, virtualAddresses[n] == nil,
               intermediateAddresses[n] == nil {
                return IslaDescriptors.stage2Page(address)
            }
            return IslaDescriptors.stage1Page(address, permissions)
        }
    }

    /// The physical address of the word a memory location names.
    public func physicalAddress(of location: Value) throws(LayoutError) -> UInt64 {
        switch location {
        case .virtualAddress(let n):
            guard let a = dataAddresses[n] else { throw LayoutError("unknown location '\(n)'") }
            return a
        case .physicalAddress, .entryAddress:
            return try resolve(location)
        case .allocationTag(let n):
            guard let a = dataAddresses[n] else { throw LayoutError("unknown location '\(n)'") }
            return MemoryTagging.location(ofGranuleAt: a)
        default:
            throw LayoutError("'\(location)' is not a memory location")
        }
    }
}

/// A name or value the layout cannot resolve; the compiler adds file:line.
public struct LayoutError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
