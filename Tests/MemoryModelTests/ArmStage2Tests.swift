import XCTest
@testable import MemoryModel

/// The Arm machine on real stage-2 tables (VTTBR_EL2, two levels): walks are
/// chains of reads, and IPAS2E1IS (not a stage-1 TLBI) removes a stale
/// stage-2 translation.
final class ArmStage2Tests: XCTestCase {
    let ipa: UInt64 = 0x4020_3000, pa: UInt64 = 0x9000_0000
    let level2: UInt64 = 0x10_0000, level3: UInt64 = 0x11_0000, flag: UInt64 = 0x7000_0000
    let arm = ArmMachine()

    /// Level-3 entry of `ipa` and the stage-2 page descriptor mapping it
    /// read/write (S2AP = 0b11).
    var leafEntry: UInt64 { level3 + ((ipa >> 12) & 0x1FF) * 8 }
    var page: UInt64 { pa | 0b11 << 6 | Descriptor.accessFlag | Descriptor.tableOrPage | Descriptor.valid }

    func staleAfterFlag(_ maintenance: [Instruction]) throws -> Bool {
        var r0 = RegisterFile(), r1 = RegisterFile()
        r0.write(.x(7), leafEntry); r0.write(.x(1), flag); r0.write(.x(9), ipa >> 12)
        r1.write(.x(1), flag); r1.write(.x(3), ipa)
        // Stage 2 maps the IPA, the flag's page and the leaf table's page
        // (both threads translate every access, the table write included).
        var memory: [UInt64: UInt64] = [
            level2 + ((ipa >> 21) & 0x1FF) * 8: level3 | Descriptor.tableOrPage | Descriptor.valid,
            leafEntry: page,
            level2 + ((flag >> 21) & 0x1FF) * 8: (level3 + 0x1000) | Descriptor.tableOrPage | Descriptor.valid,
            level3 + 0x1000 + ((flag >> 12) & 0x1FF) * 8: flag | 0b11 << 6 | Descriptor.accessFlag | Descriptor.tableOrPage | Descriptor.valid,
        ]
        let writer: [Instruction] = [
            .store(.xzr, Address(base: .x(7)), width: .doubleword, release: false, exclusiveStatus: nil),
            .dsb(.innerShareable, .all),
        ] + maintenance + [
            .move(.w(0), .immediate(1)),
            .store(.w(0), Address(base: .x(1)), width: .word, release: false, exclusiveStatus: nil),
        ]
        let reader: [Instruction] = [
            .load(.w(0), Address(base: .x(1)), width: .word, ordering: .plain, exclusive: false),
            .dsb(.fullSystem, .all), .isb,
            .load(.w(2), Address(base: .x(3)), width: .word, ordering: .plain, exclusive: false),
        ]
        let tables = TableTranslation(stage1: false, stage2: true, stage2Levels: 2,
                                      systemRegisters: [[.vttbrEl2: level2], [.vttbrEl2: level2]])
        memory[level2 + ((leafEntry >> 21) & 0x1FF) * 8] = (level3 + 0x2000) | Descriptor.tableOrPage | Descriptor.valid
        memory[level3 + 0x2000 + ((leafEntry >> 12) & 0x1FF) * 8] =
            (leafEntry & ~0xFFF) | 0b11 << 6 | Descriptor.accessFlag | Descriptor.tableOrPage | Descriptor.valid
        let program = ConcurrentProgram(threads: [ThreadCode(instructions: writer), ThreadCode(instructions: reader)],
                                        initialRegisters: [r0, r1], initialMemory: memory, translation: .tables(tables))
        let result = try arm.explore(program)
        XCTAssertFalse(result.finalStates.isEmpty)
        return result.finalStates.contains { s in s.registers[1][0] == 1 && !s.faults.contains { $0.thread == 1 } }
    }

    func testStage2BreakNeedsIpaTlbi() throws {
        XCTAssertFalse(try staleAfterFlag([.tlbi(.ipas2e1is, .x(9)), .dsb(.innerShareable, .all)]))
        XCTAssertFalse(try staleAfterFlag([.tlbi(.vmalls12e1is, nil), .dsb(.innerShareable, .all)]))
        // A stage-1 TLBI leaves the stage-2 entry cached.
        XCTAssertTrue(try staleAfterFlag([.tlbi(.vae1is, .x(9)), .dsb(.innerShareable, .all)]))
        XCTAssertTrue(try staleAfterFlag([]))
    }
}
