/// Everything one hardware thread carries between instructions on the SC
/// machine: program counter, registers, flags, the exclusive monitor and the
/// translation registers in force.
public struct ThreadState: Hashable, Sendable {
    public var pc: Int = 0
    public var registers: RegisterFile
    public var flags = ValueSemantics.Flags()
    /// Physical address an LDXR reserved, cleared by another thread's store
    /// to it and by the thread's own STXR.
    public var monitor: UInt64?
    /// The second word an LDXP reserved along with `monitor`.
    public var monitorSecond: UInt64?
    public var context: Translation.Context
    public var systemRegisters: SystemRegisterFile
    public var status: Status = .running
    /// Times each instruction has executed (the loop bound). Empty when the
    /// caller bounds the run itself (the sequential executor), which saves
    /// an allocation per handler run.
    public var executed: [UInt16]
    /// The thread has taken its one `handledRetryOnce` fault: a later fault
    /// drops the run (status `dropped`).
    public var reexecuting = false

    public enum Status: Hashable, Sendable {
        case running
        /// Ran past its last instruction.
        case finished
        /// Stopped by a fatal fault.
        case faulted
        /// Cut at the loop bound: not a real final state.
        case cut
        /// Faulted again after its one `handledRetryOnce` fault (herd), or
        /// took an exception to an empty vector entry (isla, see
        /// `ThreadCode.vectorIsEmpty`): the reference tool keeps no
        /// execution of this interleaving, so neither does the machine.
        case dropped
    }

    public init(registers: RegisterFile, systemRegisters: SystemRegisterFile, instructionCount: Int,
                countsInstructions: Bool = true) {
        self.registers = registers
        self.systemRegisters = systemRegisters
        self.context = Translation.Context(systemRegisters)
        self.executed = countsInstructions ? Array(repeating: 0, count: instructionCount) : []
    }

    public var isRunning: Bool { status == .running }
}
