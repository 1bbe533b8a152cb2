/// The sequentially consistent machine: every interleaving of the threads'
/// instructions over one always-current memory, with an always-coherent TLB.
///
/// Exploration is a depth-first search over global states (all threads and
/// memory) with a visited set, so each reachable state is expanded once.
/// Instructions that touch no shared state run without interleaving (a
/// partial-order reduction: they commute with every other thread's steps).
public struct SCMachine: MemoryMachine {
    public var name: String { "sc" }
    /// Most global states one exploration may visit before it stops.
    public var stateLimit: Int

    public init(stateLimit: Int = 2_000_000) { self.stateLimit = stateLimit }

    struct GlobalState: Hashable {
        var threads: [ThreadState]
        var memory: FlatMemory
        var faults: Set<Fault>
    }

    public func explore(_ program: ConcurrentProgram) throws(MachineError) -> Exploration {
        let interpreter = Interpreter(program)
        var stack = [initialState(program)]
        var visited: Set<GlobalState> = [stack[0]]
        var finalStates: [FinalState] = []
        var seenFinal: Set<FinalState> = []
        var terminal = 0
        var boundReached = false

        while let state = stack.popLast() {
            let running = state.threads.indices.filter { state.threads[$0].isRunning }
            if running.isEmpty {
                if state.threads.contains(where: { $0.status == .cut }) { boundReached = true; continue }
                terminal += 1
                let final = FinalState(registers: state.threads.map(\.registers.values),
                                       memory: state.memory.words, faults: state.faults,
                                       writtenRegisters: program.recordsWrittenRegisters
                                           ? state.threads.map(\.registers.written) : [])
                if seenFinal.insert(final).inserted { finalStates.append(final) }
                continue
            }
            // Push in reverse so that thread 0's successor is explored first.
            for thread in running.reversed() {
                var successor = state
                try run(thread, in: &successor, interpreter)
                if successor.threads[thread].status == .dropped { continue }
                if visited.insert(successor).inserted {
                    guard visited.count <= stateLimit else { throw .tooManyExecutions(limit: stateLimit) }
                    stack.append(successor)
                }
            }
        }
        // No model flags: the one aarch64.cat has (Warning-BBM-expected) is
        // about TLBs caching a descriptor while it changes, and this
        // machine's TLB is always coherent (every walk reads current memory).
        return Exploration(finalStates: finalStates, executions: terminal, boundReached: boundReached)
    }

    /// Runs one shared-state step of `thread`, then its local steps.
    func run(_ thread: Int, in state: inout GlobalState, _ interpreter: Interpreter) throws(MachineError) {
        let code = interpreter.program.threads[thread].instructions
        repeat {
            let effect = try interpreter.step(&state.threads[thread], thread: thread, memory: &state.memory)
            if let fault = effect.fault { state.faults.insert(fault) }
            // A write to either word an LDXP reserved clears the monitor.
            for wrote in [effect.wrote, effect.wroteSecond].compactMap({ $0 }) {
                for other in state.threads.indices where other != thread {
                    let reserved = [state.threads[other].monitor, state.threads[other].monitorSecond]
                    if reserved.contains(where: { $0.map { $0 & ~7 } == wrote & ~7 }) {
                        state.threads[other].monitor = nil
                        state.threads[other].monitorSecond = nil
                    }
                }
            }
            for updated in effect.hardwareUpdated {
                for t in state.threads.indices where state.threads[t].monitor.map({ $0 & ~7 }) == updated & ~7
                    || state.threads[t].monitorSecond.map({ $0 & ~7 }) == updated & ~7 {
                    state.threads[t].monitor = nil
                    state.threads[t].monitorSecond = nil
                }
            }
        } while state.threads[thread].isRunning && Interpreter.isLocal(code[state.threads[thread].pc])
    }

    func initialState(_ program: ConcurrentProgram) -> GlobalState {
        var threads: [ThreadState] = []
        for (index, code) in program.threads.enumerated() {
            var sysregs: [SystemRegister: UInt64] = [:]
            if case .tables(let tables) = program.translation, index < tables.systemRegisters.count {
                sysregs = tables.systemRegisters[index]
            }
            var t = ThreadState(registers: program.initialRegisters[index], systemRegisters: SystemRegisterFile(sysregs),
                                instructionCount: code.instructions.count)
            if code.instructions.isEmpty { t.status = .finished }
            threads.append(t)
        }
        return GlobalState(threads: threads, memory: FlatMemory(program.initialMemory), faults: [])
    }
}
