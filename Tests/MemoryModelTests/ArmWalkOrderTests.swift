import XCTest
@testable import MemoryModel

/// A multi-level walk reads each level at the address the level before gave
/// it, so its reads are ordered one after the other (the ESOP 2022 model's
/// `iio` in ob): a walk that read a freshly linked table cannot then read
/// that table's entry from before the writes that filled it, if those writes
/// were ordered before the link. Linux relies on this when it populates a
/// table and links it after a barrier (the walker needs no barrier).
final class ArmWalkOrderTests: XCTestCase {
    /// The level-2 table (TTBR or VTTBR), the table it links first, the new
    /// table CPU1 fills and links, and the pages each maps `va` to.
    let level2: UInt64 = 0x10_0000, oldLevel3: UInt64 = 0x12_0000, newLevel3: UInt64 = 0x11_0000
    let oldPage: UInt64 = 0x13_0000, newPage: UInt64 = 0x14_0000
    /// Level-2 index 3, level-3 index 3.
    let va: UInt64 = 0x60_3000

    enum Outcome: Hashable { case read(UInt64), fault }

    /// CPU1 writes the new table's entry for `va`, runs `barrier`, then
    /// links the new table at level 2 in place of the old one; CPU0 loads
    /// through `va`. A fault means CPU0's walk read the new link (the old
    /// table maps `va`) and then the new table's entry as it was before
    /// CPU1 wrote it.
    /// With `hardwareAccessFlag`, the new entry has AF = 0 and CPU0's MMU
    /// sets it (FEAT_HAFDBS HA) instead of faulting.
    func outcomes(_ barrier: [Instruction], stage: Int, model: ReferenceModel = .aarch64Cat,
                  hardwareAccessFlag: Bool = false) throws -> Set<Outcome> {
        // Stage 2 grants reads and writes with S2AP; stage 1 by default.
        let access: UInt64 = stage == 2 ? 0b11 << 6 : 0
        let table: (UInt64) -> UInt64 = { $0 | Descriptor.tableOrPage | Descriptor.valid }
        let page: (UInt64) -> UInt64 = { $0 | access | Descriptor.accessFlag | Descriptor.tableOrPage | Descriptor.valid }
        let entry = ((va >> 12) & 0x1FF) * 8
        let link = level2 + ((va >> 21) & 0x1FF) * 8
        let memory: [UInt64: UInt64] = [
            // The tables themselves: an identity block of the first 2 MiB,
            // so that CPU1's writes to them translate too.
            level2: access | Descriptor.accessFlag | Descriptor.valid,
            link: table(oldLevel3),
            oldLevel3 + entry: page(oldPage),
            oldPage: 1, newPage: 2,
        ]
        var cpu0 = RegisterFile(), cpu1 = RegisterFile()
        cpu0.write(.x(3), va)
        let newEntry = hardwareAccessFlag ? page(newPage) & ~Descriptor.accessFlag : page(newPage)
        cpu1.write(.x(7), newLevel3 + entry); cpu1.write(.x(2), newEntry)
        cpu1.write(.x(8), link); cpu1.write(.x(4), table(newLevel3))
        let reader: [Instruction] = [
            .load(.w(0), Address(base: .x(3)), width: .word, ordering: .plain, exclusive: false),
        ]
        let writer: [Instruction] = [
            .store(.x(2), Address(base: .x(7)), width: .doubleword, release: false, exclusiveStatus: nil),
        ] + barrier + [
            .store(.x(4), Address(base: .x(8)), width: .doubleword, release: false, exclusiveStatus: nil),
        ]
        let base: SystemRegister = stage == 2 ? .vttbrEl2 : .ttbr0El1
        let tables = TableTranslation(stage1: stage == 1, stage2: stage == 2, stage1Levels: 2, stage2Levels: 2,
                                      systemRegisters: [[base: level2], [base: level2]])
        var program = ConcurrentProgram(threads: [ThreadCode(instructions: reader), ThreadCode(instructions: writer)],
                                        initialRegisters: [cpu0, cpu1], initialMemory: memory,
                                        translation: .tables(tables))
        program.referenceModel = model
        if hardwareAccessFlag { program.hardwareUpdates = [HardwareUpdates(accessFlag: true), HardwareUpdates()] }
        let result = try ArmMachine().explore(program)
        XCTAssertFalse(result.finalStates.contains { s in s.faults.contains { $0.thread == 1 } })
        return Set(result.finalStates.map { s in
            s.faults.contains { $0.thread == 0 } ? .fault : .read(s.registers[0][0])
        })
    }

    func testStaleEntryOfLinkedTableForbiddenAfterStoreBarrier() throws {
        for stage in [1, 2] {
            for model in [ReferenceModel.aarch64Cat, .esop2022] {
                for barrier: Instruction in [.dsb(.innerShareable, .store), .dmb(.innerShareable, .store),
                                             .dsb(.innerShareable, .all)] {
                    XCTAssertEqual(try outcomes([barrier], stage: stage, model: model), [.read(1), .read(2)],
                                   "stage \(stage), \(model), \(barrier)")
                }
            }
        }
    }

    /// The walk that reads the new link and then the new entry with AF = 0
    /// sets AF and reads the new page; reading the entry stale stays
    /// forbidden.
    func testHardwareAccessFlagUpdateInFreshlyLinkedTable() throws {
        for stage in [1, 2] {
            XCTAssertEqual(try outcomes([.dmb(.innerShareable, .store)], stage: stage, hardwareAccessFlag: true),
                           [.read(1), .read(2)], "stage \(stage)")
            XCTAssertEqual(try outcomes([], stage: stage, hardwareAccessFlag: true),
                           [.read(1), .read(2), .fault], "stage \(stage)")
        }
    }

    func testStaleEntryOfLinkedTableAllowedWithoutBarrier() throws {
        for stage in [1, 2] {
            XCTAssertEqual(try outcomes([], stage: stage), [.read(1), .read(2), .fault], "stage \(stage)")
        }
    }
}
