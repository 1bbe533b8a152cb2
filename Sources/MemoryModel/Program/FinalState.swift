/// What one execution leaves behind: the thing final conditions are
/// evaluated on and the unit in which machines report their results.
public struct FinalState: Hashable, Sendable {
    /// Full 64-bit registers, one array of 31 per thread.
    public var registers: [[UInt64]]
    /// Final memory: every 8-byte word that was initialised or written.
    public var memory: [UInt64: UInt64]
    /// Faults taken, in no particular order.
    public var faults: Set<Fault>
    /// Per thread, which registers hold a value (`RegisterFile.written`);
    /// empty unless the program asks for it (`recordsWrittenRegisters`).
    public var writtenRegisters: [UInt32]

    public init(registers: [[UInt64]], memory: [UInt64: UInt64], faults: Set<Fault> = [],
                writtenRegisters: [UInt32] = []) {
        self.registers = registers
        self.memory = memory
        self.faults = faults
        self.writtenRegisters = writtenRegisters
    }
}

/// A fault taken by an instruction.
public struct Fault: Hashable, Sendable {
    public var thread: Int
    /// Index of the faulting instruction in its thread.
    public var instruction: Int
    /// The virtual (or intermediate physical) address that faulted.
    public var address: UInt64
    public var kind: FaultKind
    public init(thread: Int, instruction: Int, address: UInt64, kind: FaultKind) {
        self.thread = thread
        self.instruction = instruction
        self.address = address
        self.kind = kind
    }
}

public enum FaultKind: String, Hashable, Sendable {
    case translation, permission, accessFlag
    /// A stage-2 fault on a stage-1 output or table address.
    case stage2Translation, stage2Permission
    /// UDF (herd's `UndefinedInstruction`), SVC and HVC: exceptions that are
    /// not memory faults (their `address` is 0).
    case undefinedInstruction, supervisorCall, hypervisorCall
    /// FEAT_MTE: a Tag Checked access whose pointer's logical tag differs
    /// from its granule's allocation tag (herd's `TagCheck`).
    case tagCheck
}
