import XCTest
@testable import MemoryModel

/// aarch64.cat's `Warning-BBM-expected` on hand-written programs: herd's
/// single-level descriptors and real stage-2 tables (a level-2 block
/// replaced by a table). A flag is reported, not an inconsistency: the
/// executions and states stay as they are.
final class BreakBeforeMakeTests: XCTestCase {
    let arm = ArmMachine()

    // MARK: herd's single-level descriptors

    /// x is a virtual page whose descriptor at `pte` maps it to `pa`; `pb`
    /// and `pc` are other physical pages; z is untranslated.
    let x: UInt64 = 0x10_0000, pte: UInt64 = 0x8_0000, pa: UInt64 = 0x20_0000, pb: UInt64 = 0x30_0000
    let pc: UInt64 = 0x40_0000, z: UInt64 = 0x9_0000

    func store(_ value: UInt8, at address: UInt8) -> Instruction {
        .store(.x(value), Address(base: .x(address)), width: .doubleword, release: false, exclusiveStatus: nil)
    }
    let dsb: Instruction = .dsb(.innerShareable, .all)
    /// X6 invalid, X4 maps x to pb, X7 = pte, X9 = x's page, X8 another page.
    var breakWrite: Instruction { store(6, at: 7) }
    var makeWrite: Instruction { store(4, at: 7) }
    var readX: Instruction { .load(.w(2), Address(base: .x(3)), width: .word, ordering: .plain, exclusive: false) }

    /// P0 runs `writer` on x's descriptor; P1 reads x (a walker that may
    /// cache the old entry). `initial` is x's first descriptor, `make` the
    /// value in X4.
    func explore(_ writer: [Instruction], initial: UInt64? = nil, make: UInt64? = nil,
                 memory: [UInt64: UInt64] = [:], machine: any MemoryMachine = ArmMachine()) throws -> Exploration {
        var r0 = RegisterFile(), r1 = RegisterFile()
        r0.write(.x(6), 0); r0.write(.x(7), pte); r0.write(.x(9), x >> 12); r0.write(.x(8), (x >> 12) + 1)
        r0.write(.x(4), make ?? Descriptor.herd(outputAddress: pb)); r0.write(.x(1), z)
        r1.write(.x(3), x); r1.write(.x(1), z)
        var initialMemory = memory
        initialMemory[pte] = initial ?? Descriptor.herd(outputAddress: pa)
        let program = ConcurrentProgram(
            threads: [ThreadCode(instructions: writer),
                      ThreadCode(instructions: [readX])],
            initialRegisters: [r0, r1], initialMemory: initialMemory,
            translation: .singleLevel(descriptorAddress: [x: pte]))
        return try machine.explore(program)
    }

    func flagged(_ e: Exploration) -> Bool { e.flags.contains(.breakBeforeMakeExpected) }

    func testValidToValidWithoutBreakIsFlaggedInEveryState() throws {
        let e = try explore([makeWrite])
        XCTAssertTrue(flagged(e))
        XCTAssertFalse(e.finalStates.isEmpty)
        for state in e.finalStates { XCTAssertEqual(e.flags(of: state), [.breakBeforeMakeExpected]) }
    }

    func testBreakDsbTlbiDsbMakeIsNotFlagged() throws {
        let e = try explore([breakWrite, dsb, .tlbi(.vaae1is, .x(9)), dsb, makeWrite])
        XCTAssertFalse(flagged(e))
        XCTAssertTrue(e.finalStateFlags.allSatisfy(\.isEmpty))
        // pKVM's DSB ISHST before the TLBI orders the break before it too.
        XCTAssertFalse(flagged(try explore([breakWrite, .dsb(.innerShareable, .store), .tlbi(.vaae1is, .x(9)), dsb,
                                            makeWrite])))
        // Invalidating everything at stage 1 is in scope too.
        XCTAssertFalse(flagged(try explore([breakWrite, dsb, .tlbi(.vmalle1is, nil), dsb, makeWrite])))
    }

    func testEachStepOfTheSequenceIsNeeded() throws {
        // TLBI of another page: out of scope.
        XCTAssertTrue(flagged(try explore([breakWrite, dsb, .tlbi(.vaae1is, .x(8)), dsb, makeWrite])))
        // A stage-2 TLBI does not invalidate a stage-1 entry.
        XCTAssertTrue(flagged(try explore([breakWrite, dsb, .tlbi(.ipas2e1is, .x(9)), dsb, makeWrite])))
        // No invalid entry in between.
        XCTAssertTrue(flagged(try explore([dsb, .tlbi(.vaae1is, .x(9)), dsb, makeWrite])))
        // No DSB before the TLBI (the break is not ob-before it).
        XCTAssertTrue(flagged(try explore([breakWrite, .tlbi(.vaae1is, .x(9)), dsb, makeWrite])))
        // No DSB after the TLBI (the TLBI is not ob-before the make), or
        // only a DMB or a DSB ST (they do not complete the TLBI).
        XCTAssertTrue(flagged(try explore([breakWrite, dsb, .tlbi(.vaae1is, .x(9)), makeWrite])))
        XCTAssertTrue(flagged(try explore([breakWrite, dsb, .tlbi(.vaae1is, .x(9)), .dmb(.innerShareable, .all),
                                           makeWrite])))
        XCTAssertTrue(flagged(try explore([breakWrite, dsb, .tlbi(.vaae1is, .x(9)), .dsb(.innerShareable, .store),
                                           makeWrite])))
        // Make, then break: the wrong order.
        XCTAssertTrue(flagged(try explore([makeWrite, dsb, .tlbi(.vaae1is, .x(9)), dsb, breakWrite])))
    }

    /// herd's inv-scope (inv-domain) relates a TLBI to the descriptors of
    /// its address whatever its shareability: the flag checks the sequence,
    /// not that the TLBI reaches other PEs (the explorer's TLBI-after does).
    func testLocalTlbiCompletesTheSequenceAsInHerd() throws {
        XCTAssertFalse(flagged(try explore([breakWrite, dsb, .tlbi(.vaae1, .x(9)), dsb, makeWrite])))
    }

    func testChangesKeepingTheOutputAddressAreNotFlagged() throws {
        let old = Descriptor.herd(outputAddress: pa)
        // Access flag cleared, then a software bit (bit 55) set.
        XCTAssertFalse(flagged(try explore([makeWrite], make: old & ~Descriptor.accessFlag)))
        XCTAssertFalse(flagged(try explore([makeWrite], make: old | 1 << 55)))
        // Made read-only, or writable again: permissions alone need no BBM.
        XCTAssertFalse(flagged(try explore([makeWrite], make: old | Descriptor.readOnly)))
        XCTAssertFalse(flagged(try explore([makeWrite], initial: old | Descriptor.readOnly, make: old)))
    }

    func testEntriesTheTlbCannotCacheNeedNoBreak() throws {
        // From an invalid entry, or one with AF = 0, to a new address.
        XCTAssertFalse(flagged(try explore([makeWrite], initial: 0)))
        XCTAssertFalse(flagged(try explore([makeWrite], initial: Descriptor.herd(outputAddress: pa, af: false))))
        // To an entry with AF = 0.
        XCTAssertFalse(flagged(try explore([makeWrite], make: Descriptor.herd(outputAddress: pb, af: false))))
    }

    func testReadOnlyRemapNeedsBreakOnlyWhenTheContentsDiffer() throws {
        let readOnlyA = Descriptor.herd(outputAddress: pa, db: false)
        let readOnlyB = Descriptor.herd(outputAddress: pb, db: false)
        XCTAssertFalse(flagged(try explore([makeWrite], initial: readOnlyA, make: readOnlyB,
                                           memory: [pa: 7, pb: 7])))
        XCTAssertTrue(flagged(try explore([makeWrite], initial: readOnlyA, make: readOnlyB,
                                          memory: [pa: 7, pb: 8])))
        // One side writable: flagged whatever the contents.
        XCTAssertTrue(flagged(try explore([makeWrite], initial: readOnlyA, make: Descriptor.herd(outputAddress: pb),
                                          memory: [pa: 7, pb: 7])))
    }

    /// The flag is per execution: P1 remaps x without a break only if it
    /// saw P0's flag, so only the states where it read 1 are flagged.
    func testFlagsArePerFinalState() throws {
        var r0 = RegisterFile(), r1 = RegisterFile()
        r0.write(.x(6), 0); r0.write(.x(7), pte); r0.write(.x(9), x >> 12); r0.write(.x(1), z)
        r0.write(.x(4), Descriptor.herd(outputAddress: pb))
        r1.write(.x(1), z); r1.write(.x(7), pte); r1.write(.x(4), Descriptor.herd(outputAddress: pc))
        let writer: [Instruction] = [breakWrite, dsb, .tlbi(.vaae1is, .x(9)), dsb, makeWrite,
                                     .move(.w(0), .immediate(1)),
                                     .store(.w(0), Address(base: .x(1)), width: .word, release: true, exclusiveStatus: nil)]
        let reader: [Instruction] = [.load(.w(0), Address(base: .x(1)), width: .word, ordering: .acquire, exclusive: false),
                                     .compareBranchZero(.w(0), to: 3), store(4, at: 7)]
        let program = ConcurrentProgram(
            threads: [ThreadCode(instructions: writer), ThreadCode(instructions: reader)],
            initialRegisters: [r0, r1], initialMemory: [pte: Descriptor.herd(outputAddress: pa)],
            translation: .singleLevel(descriptorAddress: [x: pte]))
        let e = try arm.explore(program)
        XCTAssertEqual(Set(e.finalStates.map { $0.registers[1][0] }), [0, 1])
        for state in e.finalStates {
            XCTAssertEqual(e.flags(of: state).isEmpty, state.registers[1][0] == 0)
        }
    }

    /// The SC machine's TLB is always coherent: nothing to flag.
    func testSCMachineRaisesNoFlag() throws {
        XCTAssertTrue(try explore([makeWrite], machine: SCMachine()).flags.isEmpty)
    }

    // MARK: Multi-level stage-2 tables

    /// Stage 2 from level 2 (VTTBR = `root`, 2 MiB blocks). Entry 1 maps
    /// the tables' own 2 MiB identity (so the hypervisor's stores reach
    /// them); entry 2 maps the IPA `ipa` to `blockPA`, by a block or by a
    /// table at `level3` whose entry 0 is a page of the same memory. The
    /// writer (re)writes that page entry, then replaces the block by the
    /// table (a split) or, with `collapse`, the table by the block.
    let root: UInt64 = 0x20_0000, level3: UInt64 = 0x21_0000, ipa: UInt64 = 0x40_0000, blockPA: UInt64 = 0x80_0000
    let readWrite: UInt64 = 0b11 << 6

    func splitBlock(_ maintenance: [Instruction], collapse: Bool = false) throws -> Exploration {
        let block = { (oa: UInt64) in oa | self.readWrite | Descriptor.accessFlag | Descriptor.valid }
        let page = blockPA | readWrite | Descriptor.accessFlag | Descriptor.tableOrPage | Descriptor.valid
        let table = level3 | Descriptor.tableOrPage | Descriptor.valid
        var r0 = RegisterFile(), r1 = RegisterFile()
        r0.write(.x(5), level3); r0.write(.x(4), page)
        r0.write(.x(7), root + 2 * 8); r0.write(.x(6), 0)
        r0.write(.x(3), collapse ? block(blockPA) : table)
        r0.write(.x(9), ipa >> 12)
        r1.write(.x(1), ipa)
        let writer: [Instruction] = [store(4, at: 5), .dsb(.innerShareable, .store)] + maintenance + [store(3, at: 7)]
        let reader: [Instruction] = [.load(.w(0), Address(base: .x(1)), width: .word, ordering: .plain, exclusive: false)]
        let tables = TableTranslation(stage1: false, stage2: true, stage2Levels: 2,
                                      systemRegisters: [[.vttbrEl2: root], [.vttbrEl2: root]])
        var memory: [UInt64: UInt64] = [root + 1 * 8: block(root), root + 2 * 8: block(blockPA), blockPA: 5]
        if collapse {
            memory[root + 2 * 8] = table
            memory[level3] = page
        }
        let program = ConcurrentProgram(
            threads: [ThreadCode(instructions: writer), ThreadCode(instructions: reader)],
            initialRegisters: [r0, r1], initialMemory: memory, translation: .tables(tables))
        let e = try arm.explore(program)
        XCTAssertFalse(e.finalStates.isEmpty)
        // Block and page map the same memory: the reader reads 5 or faults.
        XCTAssertTrue(e.finalStates.allSatisfy { $0.registers[1][0] == 5 || !$0.faults.isEmpty })
        return e
    }

    func testBlockToTableWithoutBreakIsFlagged() throws {
        let e = try splitBlock([])
        XCTAssertTrue(flagged(e))
    }

    func testBlockToTableWithBreakAndStage2TlbiIsNotFlagged() throws {
        let breakBlock = store(6, at: 7)
        XCTAssertFalse(flagged(try splitBlock([breakBlock, dsb, .tlbi(.ipas2e1is, .x(9)), dsb])))
        XCTAssertFalse(flagged(try splitBlock([breakBlock, dsb, .tlbi(.vmalls12e1is, nil), dsb])))
        // A stage-1 TLBI leaves the stage-2 block in the TLB.
        XCTAssertTrue(flagged(try splitBlock([breakBlock, dsb, .tlbi(.vae1is, .x(9)), dsb])))
        // An IPA in another 2 MiB block.
        XCTAssertTrue(flagged(try splitBlock([breakBlock, dsb, .move(.x(9), .immediate((ipa >> 12) + 512)),
                                              .tlbi(.ipas2e1is, .x(9)), dsb])))
    }

    /// A last-level TLBI removes the old block (a leaf) but not an old
    /// table descriptor, which walks may keep in their caches.
    func testLastLevelTlbiBreaksABlockButNotATable() throws {
        let breakEntry = store(6, at: 7)
        XCTAssertFalse(flagged(try splitBlock([breakEntry, dsb, .tlbi(.ipas2le1is, .x(9)), dsb])))
        XCTAssertTrue(flagged(try splitBlock([], collapse: true)))
        XCTAssertFalse(flagged(try splitBlock([breakEntry, dsb, .tlbi(.ipas2e1is, .x(9)), dsb], collapse: true)))
        XCTAssertTrue(flagged(try splitBlock([breakEntry, dsb, .tlbi(.ipas2le1is, .x(9)), dsb], collapse: true)))
    }

    // MARK: The EL2 regime's own tables (TTBR0_EL2)

    /// Both threads run at EL2 with a one-level TTBR0_EL2 table at
    /// `hypRoot` whose entry for `hypVA` maps it to `hypPA` (holding 1);
    /// the writer changes that entry (X7, through the table's own mapping
    /// at `tableVA`) to map `hypOther` (holding 2, X4) after `maintenance`;
    /// the reader loads hypVA through its TLB.
    let hypRoot: UInt64 = 0x60_0000, hypVA: UInt64 = 0x5000, hypPA: UInt64 = 0x70_0000, hypOther: UInt64 = 0x71_0000
    let tableVA: UInt64 = 0x1000

    func remapAtEL2(_ maintenance: [Instruction]) throws -> Exploration {
        let page = { (oa: UInt64) in oa | Descriptor.accessFlag | Descriptor.tableOrPage | Descriptor.valid }
        let entry = hypRoot + Translation.index(hypVA, level: 3) * 8
        var r0 = RegisterFile(), r1 = RegisterFile()
        r0.write(.x(7), tableVA + (entry & 0xFFF)); r0.write(.x(6), 0); r0.write(.x(4), page(hypOther)); r0.write(.x(9), hypVA >> 12)
        r1.write(.x(1), hypVA)
        let el2: [SystemRegister: UInt64] = [.ttbr0El2: hypRoot, .currentEL: ExceptionLevel.el2.currentEL]
        let tables = TableTranslation(stage1: true, stage2: false, stage1Levels: 1, systemRegisters: [el2, el2])
        let reader: [Instruction] = [.load(.w(0), Address(base: .x(1)), width: .word, ordering: .plain, exclusive: false)]
        let program = ConcurrentProgram(
            threads: [ThreadCode(instructions: maintenance + [store(4, at: 7)]), ThreadCode(instructions: reader)],
            initialRegisters: [r0, r1], initialMemory: [entry: page(hypPA), hypRoot + Translation.index(tableVA, level: 3) * 8: page(hypRoot),
                                                 hypPA: 1, hypOther: 2],
            translation: .tables(tables))
        let e = try arm.explore(program)
        // The walks are of the EL2 table: the reader sees either mapping, or
        // faults on the break.
        XCTAssertTrue(Set(e.finalStates.map { $0.registers[1][0] }).isSuperset(of: [1, 2]))
        XCTAssertTrue(e.finalStates.allSatisfy { [1, 2].contains($0.registers[1][0]) || !$0.faults.isEmpty })
        return e
    }

    func testEL2RemapWithoutBreakIsFlagged() throws {
        XCTAssertTrue(flagged(try remapAtEL2([])))
    }

    func testEL2RemapWithBreakAndEL2TlbiIsNotFlagged() throws {
        let breakEntry = store(6, at: 7)
        XCTAssertFalse(flagged(try remapAtEL2([breakEntry, dsb, .tlbi(.vae2is, .x(9)), dsb])))
        XCTAssertFalse(flagged(try remapAtEL2([breakEntry, dsb, .tlbi(.alle2is, nil), dsb])))
        // Another page's TLBI leaves the old entry in the TLB.
        XCTAssertTrue(flagged(try remapAtEL2([breakEntry, dsb, .move(.x(9), .immediate((hypVA >> 12) + 1)),
                                              .tlbi(.vae2is, .x(9)), dsb])))
    }

    /// EL1 TLBIs do not reach the EL2 regime's entries, nor EL2 TLBIs the
    /// EL1&0 regime's (herd's single-level descriptors are EL1&0's).
    func testTlbiOfTheOtherRegimeDoesNotBreak() throws {
        let breakEntry = store(6, at: 7)
        XCTAssertTrue(flagged(try remapAtEL2([breakEntry, dsb, .tlbi(.vmalle1is, nil), dsb])))
        XCTAssertTrue(flagged(try remapAtEL2([breakEntry, dsb, .tlbi(.vae1is, .x(9)), dsb])))
        XCTAssertTrue(flagged(try explore([breakWrite, dsb, .tlbi(.vae2is, .x(9)), dsb, makeWrite])))
        XCTAssertTrue(flagged(try explore([breakWrite, dsb, .tlbi(.alle2is, nil), dsb, makeWrite])))
    }
}
