import XCTest
@testable import MemoryModel

/// TLB entries are tagged with the VMID, not the table base: after
/// VTTBR_EL2 moves to other tables under the same VMID, a translation may
/// still use the old tables' entries until a stage-2 TLBI of that VMID
/// completes (pKVM.vcpu_run.same_vm). Stage-2-only translation here: the
/// thread's load of `ipa` reads 1 through the old tables, 2 through the new.
final class CachedTableBaseTests: XCTestCase {
    let ipa: UInt64 = 0x0400_0000
    let oldRoot: UInt64 = 0x10_0000, newRoot: UInt64 = 0x20_0000
    let oldPA: UInt64 = 0x50_0000, newPA: UInt64 = 0x60_0000
    /// What a faulting load leaves in X4 (the fault ends the thread).
    let faulted: UInt64 = 0xF

    /// Maps `input` to `pa` with a stage-2 page descriptor in the tree at
    /// `root`, tables allocated from `next`.
    func map(_ memory: inout [UInt64: UInt64], _ next: inout UInt64, root: UInt64, _ input: UInt64, _ pa: UInt64,
             nonGlobal: Bool = false) {
        TableBuilding.map(&memory, &next, root: root, input,
                          leaf: pa | 0b11 << 6 | Descriptor.accessFlag | Descriptor.tableOrPage | Descriptor.valid
                              | (nonGlobal ? Descriptor.notGlobal : 0))
    }

    enum OldTables { case mapIPA, mapIPANonGlobal, mapNeighbourOnly, empty }

    /// MSR VTTBR_EL2 (new root, VMID `newTag`); ISB; `maintenance`; LDR X4,[ipa].
    /// With `stage1`, the same through TTBR0_EL1 (tag: the ASID) and
    /// stage 1 alone.
    func loads(newTag: UInt64, old: OldTables = .mapIPA, stage1: Bool = false,
               _ maintenance: [Instruction] = []) throws -> Set<UInt64> {
        var memory: [UInt64: UInt64] = [oldPA: 1, newPA: 2]
        var nextOld = oldRoot + 0x1000, nextNew = newRoot + 0x1000
        switch old {
        case .mapIPA: map(&memory, &nextOld, root: oldRoot, ipa, oldPA)
        case .mapIPANonGlobal: map(&memory, &nextOld, root: oldRoot, ipa, oldPA, nonGlobal: true)
        case .mapNeighbourOnly: map(&memory, &nextOld, root: oldRoot, ipa + 0x1000, oldPA)
        case .empty: break
        }
        map(&memory, &nextNew, root: newRoot, ipa, newPA)
        var registers = RegisterFile()
        registers.write(.x(1), ipa)
        registers.write(.x(4), faulted)
        registers.write(.x(6), newTag << 48 | newRoot)
        let base: SystemRegister = stage1 ? .ttbr0El1 : .vttbrEl2
        let code: [Instruction] = [.msr(base, .x(6)), .isb] + maintenance + [
            .load(.x(4), Address(base: .x(1)), width: .doubleword, ordering: .plain, exclusive: false),
        ]
        let program = ConcurrentProgram(
            threads: [ThreadCode(instructions: code)], initialRegisters: [registers], initialMemory: memory,
            translation: .tables(TableTranslation(stage1: stage1, stage2: !stage1,
                                                  systemRegisters: [[base: 1 << 48 | oldRoot]])))
        return Set(try ArmMachine().explore(program).finalStates.map { $0.registers[0][4] })
    }

    func testSameVMIDMayStillUseTheOldTables() throws {
        XCTAssertEqual(try loads(newTag: 1), [1, 2])
    }

    func testAnotherVMIDUsesOnlyTheNewTables() throws {
        XCTAssertEqual(try loads(newTag: 2), [2])
    }

    func testCompletedStage2TLBIOfTheVMIDRemovesTheOldEntries() throws {
        XCTAssertEqual(try loads(newTag: 1, [.tlbi(.vmalls12e1, nil), .dsb(.fullSystem, .all), .isb]), [2])
        XCTAssertEqual(try loads(newTag: 1, [.tlbi(.alle1, nil), .dsb(.fullSystem, .all), .isb]), [2])
    }

    func testStage1OnlyTLBILeavesTheStage2Entries() throws {
        XCTAssertEqual(try loads(newTag: 1, [.tlbi(.vmalle1, nil), .dsb(.fullSystem, .all), .isb]), [1, 2])
    }

    func testAnInvalidRootEntryOfTheOldTablesWasNeverCached() throws {
        XCTAssertEqual(try loads(newTag: 1, old: .empty), [2])
    }

    func testCachedUpperLevelsOfTheOldTablesCanLeadToAFault() throws {
        // The old tables map a neighbouring page: their table entries may be
        // cached, and the leaf read through them finds no entry for `ipa`.
        XCTAssertEqual(try loads(newTag: 1, old: .mapNeighbourOnly), [faulted, 2])
    }

    func testStage1SameASIDMayStillUseTheOldTablesUntilAStage1TLBI() throws {
        XCTAssertEqual(try loads(newTag: 1, old: .mapIPANonGlobal, stage1: true), [1, 2])
        XCTAssertEqual(try loads(newTag: 1, stage1: true, [.tlbi(.vmalle1, nil), .dsb(.fullSystem, .all), .isb]), [2])
    }

    func testStage1OtherASIDMatchesOnlyGlobalEntries() throws {
        XCTAssertEqual(try loads(newTag: 2, stage1: true), [1, 2])
        XCTAssertEqual(try loads(newTag: 2, old: .mapIPANonGlobal, stage1: true), [2])
    }
}
