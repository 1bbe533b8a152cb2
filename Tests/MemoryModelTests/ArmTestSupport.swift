import XCTest
@testable import MemoryModel

/// Small builders for Arm litmus programs written in Swift: locations x, y,
/// z at fixed addresses and the usual X1 = x, X3 = y, X5 = z registers.
enum ArmLitmus {
    static let x: UInt64 = 0x1000, y: UInt64 = 0x2000, z: UInt64 = 0x3000

    static func ldr(_ dst: UInt8, _ base: UInt8, offset: UInt8? = nil, _ ordering: LoadOrdering = .plain,
                    exclusive: Bool = false) -> Instruction {
        .load(.w(dst), address(base, offset), width: .word, ordering: ordering, exclusive: exclusive)
    }
    static func str(_ src: UInt8, _ base: UInt8, offset: UInt8? = nil, release: Bool = false,
                    status: UInt8? = nil) -> Instruction {
        .store(.w(src), address(base, offset), width: .word, release: release, exclusiveStatus: status.map { .w($0) })
    }
    static func mov(_ dst: UInt8, _ value: UInt64) -> Instruction { .move(.w(dst), .immediate(value)) }
    static func eor(_ dst: UInt8, _ a: UInt8, _ b: UInt8) -> Instruction {
        .arithmetic(.exclusiveOr, destination: .w(dst), .w(a), .reg(.w(b)), setsFlags: false)
    }
    static func address(_ base: UInt8, _ offset: UInt8?) -> Address {
        Address(base: .x(base), offset: offset.map { .register(.w($0), .sxtw(0)) } ?? .immediate(0))
    }

    /// A program whose every thread starts with X1 = x, X3 = y, X5 = z.
    static func program(_ threads: [[Instruction]], memory: [UInt64: UInt64] = [:], bound: Int = 8) -> ConcurrentProgram {
        var regs = RegisterFile()
        regs.write(.x(1), x); regs.write(.x(3), y); regs.write(.x(5), z)
        return ConcurrentProgram(threads: threads.map { ThreadCode(instructions: $0) },
                                 initialRegisters: Array(repeating: regs, count: threads.count),
                                 initialMemory: memory, instructionBound: bound)
    }

    /// The projections of every final state onto registers (thread, number)
    /// and memory words.
    static func outcomes(_ machine: any MemoryMachine, _ program: ConcurrentProgram,
                         registers: [(Int, Int)], memory: [UInt64] = []) throws -> Set<[UInt64]> {
        let result = try machine.explore(program)
        return Set(result.finalStates.map { s in
            registers.map { s.registers[$0.0][$0.1] } + memory.map { s.memory[$0] ?? 0 }
        })
    }
}

/// The SC/Arm property both random-program tests check: every SC final
/// state is one Arm allows, and with a full DMB after every instruction Arm
/// allows exactly SC's.
func assertArmContainsSCAndFullBarriersGiveSC(_ threads: [[Instruction]],
                                               _ program: ([[Instruction]]) -> ConcurrentProgram,
                                               file: StaticString = #filePath, line: UInt = #line) throws {
    let sc = Set(try SCMachine().explore(program(threads)).finalStates)
    let arm = Set(try ArmMachine().explore(program(threads)).finalStates)
    XCTAssertTrue(sc.isSubset(of: arm), "SC outcome missing on Arm: \(threads)", file: file, line: line)
    let fenced = threads.map { code in code.flatMap { [$0, Instruction.dmb(.fullSystem, .all)] } }
    let armFenced = Set(try ArmMachine().explore(program(fenced)).finalStates)
    XCTAssertEqual(armFenced, sc, "fenced Arm differs from SC: \(threads)", file: file, line: line)
}
