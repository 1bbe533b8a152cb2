import XCTest
@testable import MemoryModel

/// The Arm machine against the SC machine over random straight-line
/// programs whose accesses have random sizes and aligned offsets inside one
/// doubleword: Arm allows every SC outcome, and with a full barrier between
/// every two instructions exactly the SC outcomes (po, rf, co and fr are
/// then all ordered, per byte and lifted to whole accesses, so only SC
/// executions remain). This checks the byte-level exploration and the
/// single-copy-atomic lifting against an independent reference.
final class ArmMixedSizePropertyTests: XCTestCase {
    typealias Random = SCPropertyTests.Random

    static let location: UInt64 = 0x1000

    /// Loads and stores of small constants of a random width at a random
    /// offset aligned to that width, and byte or halfword swaps (base X10).
    func randomThread(_ random: inout Random) -> [Instruction] {
        var code: [Instruction] = []
        for _ in 0..<(2 + random.below(2)) {
            let width = [AccessWidth.byte, .halfword, .word][random.below(3)]
            let offset = UInt64(random.below(8 / width.rawValue) * width.rawValue)
            let at = Address(base: .x(10), offset: .immediate(offset))
            let reg = Register.w(UInt8(random.below(3)))
            switch random.below(4) {
            case 0, 1: code.append(.load(reg, at, width: width, ordering: .plain, exclusive: false))
            case 2:
                code.append(.move(.w(5), .immediate(UInt64(0x0101 * (1 + random.below(3))))))
                code.append(.store(.w(5), at, width: width, release: false, exclusiveStatus: nil))
            default:
                // Swaps of at most a halfword: a split word swap is 8 byte
                // events, whose coherence positions multiply.
                let narrow = width == .word ? AccessWidth.halfword : width
                code.append(.move(.w(6), .immediate(UInt64(0x0404 + random.below(2)))))
                code.append(.swap(source: .w(6), destination: reg, at,
                                  width: narrow, acquire: false, release: false))
            }
        }
        return code
    }

    func program(_ threads: [[Instruction]]) -> ConcurrentProgram {
        var regs = RegisterFile()
        regs.write(.x(10), Self.location)
        return ConcurrentProgram(threads: threads.map { ThreadCode(instructions: $0) },
                                 initialRegisters: Array(repeating: regs, count: threads.count),
                                 initialMemory: [Self.location: 0x0807_0605_0403_0201])
    }

    func testMixedSizeArmContainsSCAndFullBarriersGiveSC() throws {
        var random = Random(state: 1729)
        for _ in 0..<40 {
            let threads = (0..<2).map { _ in randomThread(&random) }
            try assertArmContainsSCAndFullBarriersGiveSC(threads, program)
        }
    }
}
