import MemoryModel

/// Concurrent events as one program for a memory machine: each event that
/// reaches a handler becomes a thread running that handler on its CPU over
/// this machine's current memory; the machine's final states map back to
/// outcomes and abstract states. This is how `correct` is checked against
/// Spec under concurrency: every final state must be one Spec reaches by
/// some serial order of the same events.
extension Implementation {
    public struct Window: Sendable {
        public var program: ConcurrentProgram
        /// Per event: the outcome decided without a handler, or the index
        /// of its thread and how to read its result.
        let slots: [Slot]

        enum Slot: Sendable {
            case decided(Outcome)
            case thread(Int, HandlerCall.Kind)
        }

        /// The outcome of every event in a final state of `program`.
        public func outcomes(_ state: FinalState) -> [Outcome] {
            slots.map { slot in
                switch slot {
                case .decided(let outcome): return outcome
                case let .thread(index, kind):
                    let call = HandlerCall(handler: .vcpuRun, arguments: [], x7: 0, x8: 0, kind: kind)
                    return call.outcome((state.registers[index][0], state.registers[index][1]))
                }
            }
        }
    }

    /// The window of `events`, each on its own CPU, or nil if one is a
    /// memory access (run sequentially only), names a CPU twice, or a CPU
    /// outside the machine.
    public func window(_ events: [(event: MachineEvent, cpu: UInt32)], instructionBound: Int = 64) -> Window? {
        guard Set(events.map(\.cpu)).count == events.count else { return nil }
        var slots: [Window.Slot] = []
        var threads: [ConcurrentScenario.Thread] = []
        for (event, cpu) in events {
            guard Int(cpu) < config.cpus else { return nil }
            switch event {
            case .guestAccess, .hostAccess: return nil
            default: break
            }
            switch dispatch(event, cpu: Int(cpu)) {
            case .done(let outcome):
                slots.append(.decided(outcome))
            case .call(let call):
                slots.append(.thread(threads.count, call.kind))
                threads.append(.init(
                    code: handlerCode(call.handler),
                    registers: handlerRegisters(call.arguments, cpu: Int(cpu), x7: call.x7, x8: call.x8)))
            }
        }
        return Window(program: concurrentProgram(threads, instructionBound: instructionBound), slots: slots)
    }

    /// The abstract state of this machine with memory as a final state of
    /// one of its windows left it.
    public func abstractState(after state: FinalState) -> AbstractState {
        var copy = self
        copy.memory = PagedMemory(state.memory)
        return copy.abstractState
    }
}
