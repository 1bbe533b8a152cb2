import MemoryModel

/// Tests that read code as data (herd's `instr:"..."` values: a load from a
/// code address such as `P1:L0` sees the instruction's A64 encoding) get
/// every thread's own code in memory, one 32-bit word per instruction at
/// its code address. Only such tests: elsewhere code addresses are labels
/// that are branched to, never loaded from, and the memory stays as small.
/// The words are the initial memory only; a store to code (self-modifying
/// code) is not fetched again, so the machines refuse nothing but run the
/// original instructions.
extension LitmusTest {
    var readsCodeAsData: Bool {
        func word(_ v: Value) -> Bool { if case .instructionWord = v { true } else { false } }
        func mentions(_ p: Predicate) -> Bool {
            switch p {
            case .equals(_, let v): return word(v)
            case .not(let q): return mentions(q)
            case .and(let a, let b), .or(let a, let b): return mentions(a) || mentions(b)
            default: return false
            }
        }
        return initialState.contains { word($0.value) } || mentions(condition.predicate)
    }

    /// Writes each thread's code words into `memory`, or fails naming the
    /// first instruction whose encoding is not modelled.
    func layOutCode(in memory: inout MemoryImage) throws(LitmusError) {
        for (t, code) in threads.enumerated() {
            let origin = ThreadCode.codeOrigin(ofThread: t)
            for (i, instruction) in code.instructions.enumerated() {
                guard let word = InstructionEncoder.encode(instruction, at: i, origin: origin) else {
                    throw error("the encoding of P\(t)'s instruction \(i + 1) (\(instruction)) is not modelled", line: 1)
                }
                memory.write(origin &+ UInt64(i) &* 4, bytes: 4, UInt64(word))
            }
        }
    }
}
