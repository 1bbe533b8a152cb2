import XCTest
@testable import MemoryModel

/// TLBI ASIDE1IS removes non-global entries only: after a break, a DSB, the
/// TLBI and a DSB; ISB, a stale global translation may still be used, a
/// stale non-global one may not (isla's CoWinvTa1.1+dsb-tlbiasidis-dsb-eret).
final class ASIDInvalidationTests: XCTestCase {
    func staleTranslationUsed(nonGlobal: Bool, _ op: TLBIOperation) throws -> Bool {
        let x: UInt64 = 0x10_0000, pa: UInt64 = 0x20_0000, pte: UInt64 = 0x8_0000
        var descriptor = Descriptor.herd(outputAddress: pa)
        if nonGlobal { descriptor |= Descriptor.notGlobal }
        var r = RegisterFile()
        r.write(.x(0), 0); r.write(.x(1), pte); r.write(.x(3), x); r.write(.x(4), 1 << 48)
        let code = ThreadCode(instructions: [
            .store(.x(0), Address(base: .x(1)), width: .doubleword, release: false, exclusiveStatus: nil),
            .dsb(.fullSystem, .all), .tlbi(op, .x(4)), .dsb(.fullSystem, .all), .isb,
            .load(.x(2), Address(base: .x(3)), width: .doubleword, ordering: .plain, exclusive: false),
        ])
        let program = ConcurrentProgram(threads: [code], initialRegisters: [r], initialMemory: [pte: descriptor],
                                        translation: .singleLevel(descriptorAddress: [x: pte]))
        return try ArmMachine().explore(program).finalStates.contains { $0.faults.isEmpty }
    }

    func testByASIDInvalidationLeavesGlobalEntries() throws {
        XCTAssertTrue(try staleTranslationUsed(nonGlobal: false, .aside1is))
        XCTAssertFalse(try staleTranslationUsed(nonGlobal: true, .aside1is))
        XCTAssertFalse(try staleTranslationUsed(nonGlobal: false, .vmalle1is))
    }
}
