import XCTest
@testable import MemoryModel

/// Properties of the SC machine over random straight-line programs.
final class SCPropertyTests: XCTestCase {
    /// A small deterministic generator (SplitMix64), so failures reproduce.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    static let locations: [UInt64] = [0x1000, 0x2000, 0x3000]

    /// Loads, stores, swaps and adds over three locations through X10-X12.
    func randomThread(_ random: inout Random) -> ThreadCode {
        var code: [Instruction] = []
        for _ in 0..<(2 + random.below(3)) {
            let at = Address(base: .x(UInt8(10 + random.below(3))))
            let reg = Register.x(UInt8(random.below(4)))
            switch random.below(4) {
            case 0: code.append(.load(reg, at, width: .doubleword, ordering: .plain, exclusive: false))
            case 1:
                code.append(.move(.x(5), .immediate(UInt64(1 + random.below(3)))))
                code.append(.store(.x(5), at, width: .doubleword, release: false, exclusiveStatus: nil))
            case 2: code.append(.store(reg, at, width: .doubleword, release: false, exclusiveStatus: nil))
            default:
                code.append(.atomic(.add, source: .x(6), destination: reg, at, width: .doubleword,
                                    acquire: false, release: false))
            }
        }
        return ThreadCode(instructions: code)
    }

    func initialRegisters() -> RegisterFile {
        var r = RegisterFile()
        for (i, l) in Self.locations.enumerated() { r.write(.x(UInt8(10 + i)), l) }
        r.write(.x(6), 1)
        return r
    }

    /// Running the threads one after another, in any order, is one SC
    /// execution: its final state must be among those the machine reports.
    /// And every reported state is distinct.
    func testEverySerialisationIsAnSCFinalState() throws {
        var random = Random(state: 2026_12_03)
        for _ in 0..<60 {
            let threads = (0..<(2 + random.below(2))).map { _ in randomThread(&random) }
            let program = ConcurrentProgram(threads: threads,
                                            initialRegisters: Array(repeating: initialRegisters(), count: threads.count))
            let result = try SCMachine().explore(program)
            XCTAssertEqual(Set(result.finalStates).count, result.finalStates.count)
            for order in permutations(Array(threads.indices)) {
                let serial = try runSerially(program, order: order)
                XCTAssertTrue(result.finalStates.contains(serial), "serial order \(order) missing")
            }
        }
    }

    /// The machine is deterministic: the same program, the same result in the same order.
    func testExplorationIsDeterministic() throws {
        var random = Random(state: 7)
        let threads = (0..<3).map { _ in randomThread(&random) }
        let program = ConcurrentProgram(threads: threads,
                                        initialRegisters: Array(repeating: initialRegisters(), count: 3))
        let first = try SCMachine().explore(program)
        let second = try SCMachine().explore(program)
        XCTAssertEqual(first.finalStates, second.finalStates)
        XCTAssertEqual(first.executions, second.executions)
    }

    func runSerially(_ program: ConcurrentProgram, order: [Int]) throws -> FinalState {
        let interpreter = Interpreter(program)
        var memory = FlatMemory(program.initialMemory)
        var registers = program.initialRegisters.map(\.values)
        for thread in order {
            var t = ThreadState(registers: program.initialRegisters[thread], systemRegisters: [:],
                                instructionCount: program.threads[thread].instructions.count)
            while t.isRunning { _ = try interpreter.step(&t, thread: thread, memory: &memory) }
            registers[thread] = t.registers.values
        }
        return FinalState(registers: registers, memory: memory.words)
    }

    func permutations(_ items: [Int]) -> [[Int]] {
        if items.count <= 1 { return [items] }
        return items.indices.flatMap { i -> [[Int]] in
            var rest = items
            let head = rest.remove(at: i)
            return permutations(rest).map { [head] + $0 }
        }
    }
}
