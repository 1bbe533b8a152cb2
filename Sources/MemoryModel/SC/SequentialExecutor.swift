/// Runs one thread's code to completion on the SC machine's memory, with no
/// other thread: how the implementation of the hypervisor executes a handler
/// for one event of a sequential trace. Shares the interpreter with the SC
/// machine, so a handler means the same thing in both.
///
/// A final class rather than a struct: an executor never changes once built
/// and is shared by every run of its code, so handing it out (the
/// hypervisor fetches one per event) costs one retain instead of one per
/// array of its program.
public final class SequentialExecutor: Sendable {
    public let interpreter: Interpreter

    /// `code` runs as thread 0 of a one-thread program with `translation`.
    /// A run stops as `.cut` after `instructionBound` steps per instruction
    /// of the code on average (a total, so a long loop may run long).
    public init(_ code: ThreadCode, translation: AddressTranslation = .none,
                faultHandling: FaultHandling = .fatal, instructionBound: Int = 1 << 15) {
        interpreter = Interpreter(ConcurrentProgram(threads: [code], translation: translation,
                                                    faultHandling: faultHandling, instructionBound: instructionBound))
    }

    public struct Run: Sendable {
        public var registers: RegisterFile
        public var faults: [Fault]
        /// `.finished`, `.faulted`, `.dropped` (see `ThreadState.Status`),
        /// or `.cut` if the bound stopped it.
        public var status: ThreadState.Status
        public var instructions: Int
    }

    /// Runs from instruction 0 with `registers` until the code ends.
    @_specialize(exported: true, where Memory == PagedMemory)
    public func run<Memory: PhysicalMemory>(registers: RegisterFile, systemRegisters: SystemRegisterFile = SystemRegisterFile(),
                    memory: inout Memory) throws(MachineError) -> Run {
        let count = interpreter.program.threads[0].instructions.count
        var t = ThreadState(registers: registers, systemRegisters: systemRegisters, instructionCount: count,
                            countsInstructions: false)
        let limit = interpreter.program.instructionBound * max(count, 1)
        var faults: [Fault] = []
        if count == 0 { t.status = .finished }
        let steps = try interpreter.run(&t, thread: 0, memory: &memory, limit: limit, faults: &faults)
        if t.isRunning { t.status = .cut }
        return Run(registers: t.registers, faults: faults, status: t.status, instructions: steps)
    }
}
