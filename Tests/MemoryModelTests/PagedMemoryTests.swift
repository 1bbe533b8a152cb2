import XCTest
@testable import MemoryModel

/// PagedMemory is an optimisation of FlatMemory: the same reads after the
/// same writes, over random mixed-width traffic spread across many pages
/// (enough to make its page table grow several times).
final class PagedMemoryTests: XCTestCase {
    func testPagedMemoryAgreesWithFlatMemory() throws {
        var random = SCPropertyTests.Random(state: 42)
        let regions: [UInt64] = [0, 0x4000_0000, 1 << 40]
        var flat = FlatMemory([0x10: 5, (1 << 40) + 0x2000: 7])
        var paged = PagedMemory([0x10: 5, (1 << 40) + 0x2000: 7])
        for _ in 0..<20_000 {
            let width = AccessWidth.allCases[random.below(4)]
            let page = UInt64(random.below(300))
            let offset = UInt64(random.below(4096 / width.rawValue)) * UInt64(width.rawValue)
            let address = regions[random.below(3)] + page << 12 + offset
            if random.below(2) == 0 {
                let value = random.next()
                try flat.write(address, width, value)
                try paged.write(address, width, value)
            } else {
                XCTAssertEqual(try paged.read(address, width), try flat.read(address, width))
            }
        }
        XCTAssertEqual(paged.words, flat.words.filter { $0.value != 0 })
        XCTAssertThrowsError(try paged.write(0x1006, .word, 1))
    }

    /// The interpreter means the same on both memories.
    func testSequentialExecutorGivesTheSameResultOnBothMemories() throws {
        let code = ThreadCode(instructions: [
            .move(.x(2), .immediate(64)),
            .store(.x(2), Address(base: .x(1), offset: .register(.x(2), .lsl(3))), width: .doubleword, release: false, exclusiveStatus: nil),
            .arithmetic(.subtract, destination: .x(2), .x(2), .immediate(1), setsFlags: true),
            .branchConditional(.ne, to: 1),
            .load(.x(0), Address(base: .x(1), offset: .immediate(8 * 7)), width: .doubleword, ordering: .plain, exclusive: false),
        ])
        var registers = RegisterFile()
        registers.write(.x(1), 0x7000)
        var flat = FlatMemory(), paged = PagedMemory()
        let executor = SequentialExecutor(code)
        let a = try executor.run(registers: registers, memory: &flat)
        let b = try executor.run(registers: registers, memory: &paged)
        XCTAssertEqual(a.registers, b.registers)
        XCTAssertEqual(a.registers.read(.x(0)), 7)
        XCTAssertEqual(flat.words, paged.words)
    }
}
