extension Explorer {
    // MARK: Complete executions

    /// Adds the spontaneous hardware updates the model allows, resolves
    /// every promise to a later thread's write of the promised value, checks
    /// the complete execution, and records its final state.
    func complete(_ g: ExecutionGraph, _ registers: [RegisterFile]) throws(MachineError) {
        guard !g.dropped else { return }
        for variant in spontaneousUpdates(g) {
            var flags = Set<ModelFlag>()
            let consistent = resolvePromises(variant) { flags.formUnion(self.modelFlags($0)) }
            guard consistent > 0 else { continue }
            executions += consistent
            let state = FinalState(registers: registers.map(\.values), memory: finalMemory(variant),
                                   faults: variant.faults,
                                   writtenRegisters: program.recordsWrittenRegisters ? registers.map(\.written) : [])
            if seen.insert(state).inserted {
                finalStates.append(state)
                finalStateFlags.append(flags)
            } else if !flags.isEmpty, let index = finalStates.firstIndex(of: state) {
                finalStateFlags[index].formUnion(flags)
            }
        }
    }

    /// The flags aarch64.cat raises on a complete consistent execution.
    func modelFlags(_ g: ExecutionGraph) -> Set<ModelFlag> {
        BreakBeforeMake.expected(g, layout: tableLayout, initialMemory: program.initialMemory)
            ? [.breakBeforeMakeExpected] : []
    }

    /// The number of ways to keep every promise that give a consistent
    /// execution; `consistent` sees each such execution.
    func resolvePromises(_ g: ExecutionGraph, consistent seeConsistent: (ExecutionGraph) -> Void = { _ in }) -> Int {
        let promised = g.events.indices.filter { g.events[$0].isRead && g.events[$0].source == .promise }
        var consistent = 0
        func resolve(_ k: Int, _ g: ExecutionGraph) {
            if k == promised.count {
                if Consistency.holdsComplete(g) {
                    consistent += 1
                    seeConsistent(g)
                }
                return
            }
            let read = g.events[promised[k]]
            for w in g.coherence[read.location] ?? [] {
                let e = g.events[w]
                // A later thread's write, or a hardware update of the same
                // thread made after the read (HU is not Exp: no coRW1).
                let later = e.thread > read.thread || (e.isUpdate && e.thread == read.thread && w > promised[k])
                guard later, e.value == read.value & e.width.mask else { continue }
                var g2 = g
                g2.events[promised[k]].source = .write(w)
                // Partial checks prune as promises are kept.
                guard Consistency.holds(g2) else { continue }
                resolve(k + 1, g2)
            }
        }
        resolve(0, g)
        return consistent
    }

    /// herd's spontaneous (speculative) hardware updates: with HA (or HD)
    /// on some thread, the MMU may set AF on any valid descriptor whose
    /// value has AF = 0 (dirty state is only set by a write). Each is
    /// an HU write coherence-immediately after the write it updates, by a
    /// pseudo-thread after all others (so promises may read it).
    func spontaneousUpdates(_ g: ExecutionGraph) -> [ExecutionGraph] {
        let ha = program.hardwareUpdates.contains { $0.accessFlag || $0.dirtyState }
        guard ha, case .singleLevel(let descriptors) = program.translation else { return [g] }
        var variants = [g]
        for loc in Set(descriptors.values).sorted() {
            var next: [ExecutionGraph] = []
            for v in variants {
                next.append(v)
                // One optional update after each write (and the initial value).
                var sources: [Int?] = [nil]
                sources += (v.coherence[loc] ?? []).map { Optional($0) }
                var partial = [v]
                for source in sources {
                    let value = source.map { v.events[$0].value } ?? initialValue(loc, .doubleword)
                    var updates: [UInt64] = []
                    if Descriptor.isValid(value) && value & Descriptor.accessFlag == 0 {
                        updates.append(value | Descriptor.accessFlag)
                    }
                    var grown: [ExecutionGraph] = []
                    for p in partial {
                        for u in updates {
                            var g2 = p
                            var e = Event(direction: .write, thread: program.threads.count, instruction: 0,
                                          location: loc, width: .doubleword, value: u)
                            e.category = .update
                            let id = g2.append(e)
                            let order = g2.coherence[loc] ?? []
                            let position = source.map { s in order.firstIndex(of: s)! + 1 } ?? 0
                            g2.coherence[loc, default: []].insert(id, at: position)
                            written.insert(WrittenValue(thread: program.threads.count, location: loc, value: u))
                            grown.append(g2)
                        }
                    }
                    partial += grown
                }
                next += partial.dropFirst()
            }
            variants = next
        }
        return variants
    }

    /// Initial memory updated with the coherence-last write of each location.
    func finalMemory(_ g: ExecutionGraph) -> [UInt64: UInt64] {
        var memory = program.initialMemory
        for (loc, order) in g.coherence.sorted(by: { $0.key < $1.key }) {
            guard let last = order.last else { continue }
            let e = g.events[last]
            let shift = (loc & 7) * 8
            let m = e.width.mask << shift
            memory[loc & ~7] = (memory[loc & ~7] ?? 0) & ~m | (e.value & e.width.mask) << shift
        }
        return memory
    }
}
