import XCTest
@testable import MemoryModel

/// The Arm machine against the SC machine over random straight-line
/// programs: Arm allows every SC outcome, and with a full barrier between
/// every two instructions it allows nothing more (a check of the explorer's
/// completeness, promises included, as much as of the model).
final class ArmPropertyTests: XCTestCase {
    /// SplitMix64, so that failures reproduce (shared with the SC properties).
    typealias Random = SCPropertyTests.Random

    static let locations: [UInt64] = [0x1000, 0x2000]

    /// Loads (some feeding the next address or value), stores of small
    /// constants, swaps and atomic adds over two locations (X10, X11).
    func randomThread(_ random: inout Random) -> [Instruction] {
        var code: [Instruction] = []
        for _ in 0..<(2 + random.below(2)) {
            let at = Address(base: .x(UInt8(10 + random.below(2))))
            let reg = Register.x(UInt8(random.below(3)))
            switch random.below(5) {
            case 0, 1: code.append(.load(reg, at, width: .doubleword, ordering: .plain, exclusive: false))
            case 2:
                code.append(.move(.x(5), .immediate(UInt64(1 + random.below(3)))))
                code.append(.store(.x(5), at, width: .doubleword, release: false, exclusiveStatus: nil))
            case 3:
                code.append(.move(.x(6), .immediate(UInt64(1 + random.below(3)))))
                code.append(.swap(source: .x(6), destination: reg, at, width: .doubleword, acquire: false, release: false))
            default:
                // A value computed from an earlier load: data dependency.
                code.append(.arithmetic(.add, destination: .x(7), .x(0), .immediate(1), setsFlags: false))
                code.append(.store(.x(7), at, width: .doubleword, release: false, exclusiveStatus: nil))
            }
        }
        return code
    }

    func program(_ threads: [[Instruction]]) -> ConcurrentProgram {
        var regs = RegisterFile()
        regs.write(.x(10), Self.locations[0]); regs.write(.x(11), Self.locations[1])
        return ConcurrentProgram(threads: threads.map { ThreadCode(instructions: $0) },
                                 initialRegisters: Array(repeating: regs, count: threads.count))
    }

    func testArmContainsSCAndFullBarriersGiveSC() throws {
        var random = Random(state: 2026)
        for _ in 0..<60 {
            let threads = (0..<(2 + random.below(2))).map { _ in randomThread(&random) }
            try assertArmContainsSCAndFullBarriersGiveSC(threads, program)
        }
    }
}
