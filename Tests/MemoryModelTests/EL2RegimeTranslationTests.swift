import XCTest
@testable import MemoryModel

/// The EL2 translation regime in the shared translation function and the
/// exception-level bookkeeping of entry and return.
final class EL2RegimeTranslationTests: XCTestCase {
    let va: UInt64 = 0x0400_0000
    let el1Root: UInt64 = 0x10_0000, el2Root: UInt64 = 0x20_0000, s2Root: UInt64 = 0x30_0000

    /// Maps `input` to `pa` in the 4-level tree at `root` (page descriptor
    /// of stage 1 or 2), allocating missing tables from `next`.
    func map(_ memory: inout [UInt64: UInt64], _ next: inout UInt64, root: UInt64, _ input: UInt64, _ pa: UInt64,
             stage2: Bool = false) {
        let permissions: UInt64 = stage2 ? 0b11 << 6 : 0
        TableBuilding.map(&memory, &next, root: root, input,
                          leaf: pa | permissions | Descriptor.accessFlag | Descriptor.tableOrPage | Descriptor.valid)
    }

    func translate(_ registers: [SystemRegister: UInt64], _ memory: [UInt64: UInt64],
                   reads: inout [Translation.WalkRead]) -> Translation.Result {
        let setup = AddressTranslation.tables(TableTranslation(stage1: true, stage2: true, systemRegisters: [registers]))
        var seen: [Translation.WalkRead] = []
        let result = Translation.translate(va, .read, setup: setup, context: Translation.Context(registers)) {
            seen.append($0)
            return memory[$0.address] ?? 0
        }
        reads = seen
        return result
    }

    func testEL2WalksTTBR0EL2WithoutStage2() {
        // EL1 maps va through stage 1 and 2 to 0x9000_0000, EL2 to 0xA000_0000;
        // stage 2 maps the EL1 table pages to themselves.
        var memory: [UInt64: UInt64] = [:]
        var next1 = el1Root + 0x1000, next2 = el2Root + 0x1000, nextS2 = s2Root + 0x1000
        map(&memory, &next1, root: el1Root, va, 0x0800_0000)
        map(&memory, &next2, root: el2Root, va, 0xA000_0000)
        map(&memory, &nextS2, root: s2Root, 0x0800_0000, 0x9000_0000, stage2: true)
        for page in stride(from: el1Root, to: next1, by: 0x1000) {
            map(&memory, &nextS2, root: s2Root, page, page, stage2: true)
        }
        var registers: [SystemRegister: UInt64] = [.ttbr0El1: el1Root, .ttbr0El2: el2Root, .vttbrEl2: s2Root]
        var reads: [Translation.WalkRead] = []
        registers[.currentEL] = ExceptionLevel.el2.currentEL
        XCTAssertEqual(translate(registers, memory, reads: &reads), .physical(0xA000_0000))
        XCTAssertEqual(reads.count, 4)
        XCTAssertTrue(reads.allSatisfy { $0.el2Regime && $0.stage == 1 })
        // At EL1 (CurrentEL absent or 1) the same registers give the guest's
        // two-stage translation, none of whose reads is of the EL2 regime.
        registers[.currentEL] = ExceptionLevel.el1.currentEL
        XCTAssertEqual(translate(registers, memory, reads: &reads), .physical(0x9000_0000))
        XCTAssertTrue(reads.contains { $0.stage == 2 })
        XCTAssertFalse(reads.contains { $0.el2Regime })
    }

    func testEntrySavesTheLevelAndERETRestoresIt() {
        let handler = ExceptionHandler(entry: 2, level: .el2)
        let entry = handler.enter(.fault(.stage2Translation, address: va), at: 0, from: ExceptionLevel.el1.currentEL)
        var registers: [SystemRegister: UInt64] = [:]
        for (r, v) in entry.writes { registers[r] = v }
        XCTAssertEqual(registers[.currentEL], ExceptionLevel.el2.currentEL)
        XCTAssertEqual(registers[.spsrEl2], 0b0101)  // EL1h
        let code = ThreadCode(instructions: [.nop, .exceptionReturn, .exceptionReturn], handlers: [handler])
        XCTAssertEqual(code.returnLinkRegister(at: 2, registers), .elrEl2)
        XCTAssertEqual(code.returnLevel(at: 2, registers), ExceptionLevel.el1.currentEL)
        // An EL2 thread returning with no saved state lands in EL0, whose
        // accesses translate in the EL1&0 regime.
        let start: [SystemRegister: UInt64] = [.currentEL: ExceptionLevel.el2.currentEL]
        XCTAssertEqual(code.returnLevel(at: 1, start), 0)
        XCTAssertFalse(Translation.Context([.currentEL: 0]).el2Regime)
    }
}
