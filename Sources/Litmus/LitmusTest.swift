import MemoryModel

/// A litmus test as written, in either source format (herd `.litmus` or isla
/// `.litmus.toml`), after parsing and assembly but before addresses are
/// chosen. `compile()` (see TestCompiler) lays it out in memory and turns it
/// into a `ConcurrentProgram`; the final condition is evaluated on the
/// resulting `FinalState`s.
public struct LitmusTest: Sendable {
    public var name: String
    /// The file it was read from (as given to the parser).
    public var file: String
    public var threads: [ThreadCode]
    /// Exception-handler code (herd `P1.F` columns, isla `[section.*]`) as
    /// written; each is also assembled into its thread's `ThreadCode` (after
    /// the thread's own code, see `ExceptionHandler`).
    public var handlers: [HandlerSource]
    /// Initial registers and memory, symbolic (names not yet addresses).
    public var initialState: [InitialAssignment]
    /// Locations herd lists under `locations [...]`: shown, not tested.
    public var observed: [Observed]
    public var condition: FinalCondition
    /// herd's `filter P`: only final states satisfying P are kept (shown,
    /// counted and checked against the condition).
    public var filter: Predicate? = nil
    /// herd `Variant=` flags (lower-cased), e.g. "vmsa", "fatal", followed
    /// by those applied from outside (`apply(variants:)`).
    public var variants: [String]
    /// The test's own `Variant=` flags alone: herd lets them override the
    /// command line's fault handling (see `faultHandling`).
    public var ownVariants: [String]
    /// How addresses are translated when the test runs.
    public var memory: MemorySetup
    /// herd's `TTHM=HA HD` / `TTHM=P0:HA`: hardware access-flag and dirty-state
    /// updates, per thread.
    public var hardwareUpdates: [HardwareUpdates] = []
    /// Line of the code section's first row (herd) or code block (isla).
    public var codeLine: Int = 1
    /// Line of the final condition.
    public var conditionLine: Int = 1
    /// Declared C types of locations (`int x`, `uint64_t 0:X0`): their widths.
    public var types: [Location: TypeWidth]
    /// Threads whose herd code names SP (see RegisterSpellings).
    public var stackPointerThreads: [Int] = []

    public init(name: String, file: String, threads: [ThreadCode], handlers: [HandlerSource] = [], initialState: [InitialAssignment],
                observed: [Observed], condition: FinalCondition, variants: [String],
                memory: MemorySetup, types: [Location: TypeWidth]) {
        self.name = name
        self.file = file
        self.threads = threads
        self.handlers = handlers
        self.initialState = initialState
        self.observed = observed
        self.condition = condition
        self.variants = variants
        self.ownVariants = variants
        self.memory = memory
        self.types = types
    }
}

/// The source of an exception handler, unassembled.
public struct HandlerSource: Hashable, Sendable {
    /// `P1.F` or the isla section name.
    public var name: String
    public var lines: [SourceLine]
    public init(name: String, lines: [SourceLine]) {
        self.name = name
        self.lines = lines
    }
}

/// How a test's addresses are translated.
public enum MemorySetup: Sendable {
    /// Plain herd tests: addresses are physical.
    case physical
    /// herd `-variant vmsa`: one descriptor per virtual page (PTE(x)),
    /// mapping x to PA(x) unless the test says otherwise.
    case herdVMSA
    /// isla: page tables described by `page_table_setup`, built as real
    /// multi-level tables in memory.
    case isla(PageTableSetup)
}

/// Width, in bytes, of a declared location (C type in the test's init block).
public struct TypeWidth: Hashable, Sendable {
    public var bytes: Int
    public init(bytes: Int) { self.bytes = bytes }
    public var mask: UInt64 { bytes >= 8 ? ~0 : (1 << UInt64(bytes * 8)) - 1 }
    public static let int64 = TypeWidth(bytes: 8)
}

/// One entry of the initial state: `0:X1=x`, `x=1`, `[PTE(x)]=(oa:PA(y))`.
public struct InitialAssignment: Hashable, Sendable {
    public var location: Location
    public var value: Value
    /// Source line of the item (for errors found when compiling).
    public var line: Int
    public init(_ location: Location, _ value: Value, line: Int = 1) {
        self.location = location
        self.value = value
        self.line = line
    }
}

/// Something whose final value a condition can test.
public enum Location: Hashable, Sendable, CustomStringConvertible {
    /// A thread's register (always named by its 64-bit view).
    case register(thread: Int, Register)
    /// The memory word at an address (`[x]`, `x`, `[PTE(x)]`, `pte_x`, `*pa1`),
    /// plus a byte offset for array elements.
    case memory(Value, offset: Int)
    /// A system register's initial value (isla `TTBR0_EL1 = ...`, herd `0:VNCR_EL2=`).
    case systemRegister(thread: Int, String)

    public var description: String {
        switch self {
        case .register(let t, let r): return "\(t):\(r)"
        case .memory(let v, let offset):
            let base: String
            switch v {
            case .virtualAddress(let name): base = name
            default: base = "[\(v)]"
            }
            return offset == 0 ? base : "\(base)[+\(offset)]"
        case .systemRegister(let t, let name): return "\(t):\(name)"
        }
    }
}

/// A value before layout: integers, or names that become addresses,
/// descriptors or labels once the test is placed in memory.
public indirect enum Value: Hashable, Sendable, CustomStringConvertible {
    case integer(UInt64)
    /// The (virtual) address of a variable: `x`.
    case virtualAddress(String)
    /// The address of an array element, `offset` bytes into a variable: herd's
    /// `v[1]` (index times the declared element width) or `&v[1]`.
    case element(String, offset: Int)
    /// The physical page a variable initially maps to: `PA(x)`, `phy_x`, isla `pa1`.
    case physicalAddress(String)
    /// The address of the last-level descriptor translating `x`: herd
    /// `PTE(x)`, `pte_x`, `TTD(x)`; isla `pte3(x, table)` (with level and table).
    case entryAddress(String, level: Int, table: String?)
    /// herd's descriptor literal `(oa:PA(x), valid:0, ...)`.
    case descriptor(DescriptorLiteral)
    /// isla `desc3(x, table)`: the descriptor word currently mapping x at `level`.
    case tableDescriptor(String, level: Int, table: String?)
    /// A code address: `P1:L0`, `label:"P1:L0"`.
    case label(thread: Int, String)
    /// herd's `instr:"B .+4"`: the A64 encoding of an instruction
    /// (InstructionEncoder), for tests that read code as data.
    case instructionWord(UInt32)
    /// isla `ttbr(asid=.., base=table)` / `ttbr(vmid=.., base=table)`.
    case translationTableBase(table: String, tag: UInt64, isVMID: Bool)
    /// isla `page(x)`: the page number (address >> 12).
    case pageNumber(Value)
    /// isla `bvlshr(v, n)`: logical shift right.
    case shiftRight(Value, by: Value)
    /// isla `asid(n)`: the ASID field of a TLBI operand (bits 63:48).
    case asid(UInt64)
    /// isla `mkdesc3(oa=pa1, AP=0b11)` (a page) and `mkdesc2(table=...)` (a table).
    case makeDescriptor(level: Int, output: Value, isTable: Bool, permissions: AccessPermissions)
    /// herd's tagged pointer `x:red` (`Variant=memtag`): the address with a
    /// colour as its logical tag (see `MemoryTagging.colours`).
    case tagged(Value, colour: String)
    /// herd's `parel1_t:(oa:PA(x))`: PAR_EL1 after an AT that translated to
    /// that output address; `parel1_t:(f:1)` (output nil): after one that
    /// faulted (see `PhysicalAddressRegister`).
    case physicalAddressRegister(output: Value?)
    /// herd's `tag(x)` (memtag): the location of the allocation tag of x's
    /// granule, as in `[tag(x)]=:green`.
    case allocationTag(String)
    /// isla `bvand(a, b)`, `bvor`, `bvxor`, `bvshl`: 64-bit operations.
    case bitwise(BitwiseFunction, Value, Value)
    /// isla `index(level=N, va=x)` (the level-N table index of the address)
    /// and `offset(level=N, va=x)` (that index times 8, the byte offset of
    /// its entry in a table); `ipa=` as `va=`.
    case tableIndex(Value, level: Int, bytes: Bool)

    public enum BitwiseFunction: String, Hashable, Sendable {
        case and = "bvand", or = "bvor", xor = "bvxor", shiftLeft = "bvshl"

        func apply(_ a: UInt64, _ b: UInt64) -> UInt64 {
            switch self {
            case .and: return a & b
            case .or: return a | b
            case .xor: return a ^ b
            case .shiftLeft: return b >= 64 ? 0 : a << b
            }
        }
    }

    public var description: String {
        switch self {
        case .integer(let v): return v > 0xFFFF_FFFF_0000_0000 ? String(Int64(bitPattern: v)) : String(v)
        case .virtualAddress(let n): return n
        case .element(let n, let offset): return offset == 0 ? n : "\(n)[+\(offset)]"
        case .physicalAddress(let n): return "PA(\(n))"
        case .entryAddress(let n, let level, let table):
            if let t = table { return "pte\(level)(\(n), \(t))" }
            return "PTE(\(n))"
        case .descriptor(let d): return d.description
        case .tableDescriptor(let n, let level, let table): return "desc\(level)(\(n), \(table ?? "page_table_base"))"
        case .label(let t, let l): return "label:\"P\(t):\(l)\""
        case .instructionWord(let w): return "instr:0x" + String(w, radix: 16)
        case .translationTableBase(let table, let tag, let isVMID):
            return "ttbr(\(isVMID ? "vmid" : "asid")=\(tag), base=\(table))"
        case .pageNumber(let v): return "page(\(v))"
        case .shiftRight(let v, let n): return "bvlshr(\(v), \(n))"
        case .asid(let n): return "asid(\(n))"
        case .makeDescriptor(let level, let output, let isTable, let permissions):
            return "mkdesc\(level)(\(isTable ? "table" : "oa")=\(output)\(permissions == .readWriteAll ? "" : ", \(permissions)"))"
        case .tagged(let v, let colour): return "\(v):\(colour)"
        case .physicalAddressRegister(let output): return output.map { "parel1_t:(oa:\($0))" } ?? "parel1_t:(f:1)"
        case .allocationTag(let n): return "tag(\(n))"
        case .bitwise(let f, let a, let b): return "\(f.rawValue)(\(a), \(b))"
        case .tableIndex(let v, let level, let bytes): return "\(bytes ? "offset" : "index")(level=\(level), va=\(v))"
        }
    }
}

/// herd's `(oa:PA(x), valid:0, af:1, db:1, dbm:0, el0:1)`; fields left out
/// take herd's defaults (see `Descriptor.herd`). `oa` nil means "the page the
/// location it initialises would map by default" (herd's `pte_x=(valid:0)`).
public struct DescriptorLiteral: Hashable, Sendable, CustomStringConvertible {
    public var outputAddress: Value?
    public var valid = true
    public var accessFlag = true
    public var dirty = true
    public var dirtyBitModifier = false
    public var el0 = true
    /// herd's `x` field (executable); `x:0` sets XN (bit 54).
    public var executable = true
    /// herd's `attrs:(Normal,iNC,oNC)`: memory attribute names, sorted and
    /// without repeats (herd compares them as a set); empty is herd's default.
    public var attributes: [String] = []

    public init(outputAddress: Value? = nil) { self.outputAddress = outputAddress }

    public static let executeNever: UInt64 = 1 << 54

    /// Every field, so that a literal left with only defaults still reads as
    /// what it means (`(valid:1, af:1, db:1, dbm:0, el0:1)`).
    public var description: String {
        var fields: [String] = []
        if let oa = outputAddress { fields.append("oa:\(oa)") }
        func bit(_ b: Bool) -> Int { b ? 1 : 0 }
        fields.append("valid:\(bit(valid))")
        fields.append("af:\(bit(accessFlag))")
        fields.append("db:\(bit(dirty))")
        fields.append("dbm:\(bit(dirtyBitModifier))")
        fields.append("el0:\(bit(el0))")
        if !executable { fields.append("x:0") }
        if !attributes.isEmpty { fields.append("attrs:(" + attributes.joined(separator: ", ") + ")") }
        return "(" + fields.joined(separator: ", ") + ")"
    }
}

/// An entry of herd's `locations [...]`: a location's value or a fault.
public enum Observed: Hashable, Sendable {
    case location(Location)
    case fault(Predicate)
}

/// `exists P`, `~exists P`, `forall P`.
public struct FinalCondition: Hashable, Sendable, CustomStringConvertible {
    public enum Quantifier: String, Hashable, Sendable {
        case exists = "exists", notExists = "~exists", forall = "forall"
    }
    public var quantifier: Quantifier
    public var predicate: Predicate
    public init(_ quantifier: Quantifier, _ predicate: Predicate) {
        self.quantifier = quantifier
        self.predicate = predicate
    }
    public var description: String { "\(quantifier.rawValue) (\(predicate))" }
}

/// A proposition over one final state.
public indirect enum Predicate: Hashable, Sendable, CustomStringConvertible {
    case constant(Bool)
    case equals(Location, Value)
    /// herd `fault(P0:L0,x,MMU:Translation)`: a fault taken by `thread`, at the
    /// labelled instruction if given, on the page of `variable` if given, of
    /// `kind` if given.
    case fault(thread: Int, label: String?, variable: String?, kind: FaultKind?)
    case not(Predicate)
    case and(Predicate, Predicate)
    case or(Predicate, Predicate)

    public var description: String {
        switch self {
        case .constant(let b): return b ? "true" : "false"
        case .equals(let l, let v): return "\(l)=\(v)"
        case .fault(let t, let label, let variable, let kind):
            var args = ["P\(t)" + (label.map { ":\($0)" } ?? "")]
            if let v = variable { args.append(v) }
            if let k = kind { args.append(Predicate.herdName(k)) }
            return "fault(" + args.joined(separator: ",") + ")"
        case .not(let p): return "~\(p.parenthesised)"
        case .and(let a, let b):
            // Left-nested chains of the same connective print flat, as herd writes them.
            let left: String
            if case .and = a { left = a.description } else { left = a.parenthesised }
            return "\(left) /\\ \(b.parenthesised)"
        case .or(let a, let b):
            let left: String
            if case .or = a { left = a.description } else { left = a.parenthesised }
            return "\(left) \\/ \(b.parenthesised)"
        }
    }

    /// herd's spelling of a fault kind: MMU faults `MMU:Translation`, the
    /// other exceptions their bare names (`SupervisorCall`, `TagCheck`).
    static func herdName(_ k: FaultKind) -> String {
        switch k {
        case .translation, .stage2Translation: return "MMU:Translation"
        case .permission, .stage2Permission: return "MMU:Permission"
        case .accessFlag: return "MMU:AccessFlag"
        case .undefinedInstruction: return "UndefinedInstruction"
        case .supervisorCall: return "SupervisorCall"
        case .hypervisorCall: return "HypervisorCall"
        case .tagCheck: return "TagCheck"
        }
    }

    private var parenthesised: String {
        switch self {
        case .and, .or: return "(\(self))"
        default: return description
        }
    }
}
