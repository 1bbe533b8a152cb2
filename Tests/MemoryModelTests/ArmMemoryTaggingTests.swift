import XCTest
@testable import MemoryModel

/// FEAT_MTE (herd's `memtag`): Tag Checked accesses on both machines and
/// the aarch64.cat rows that order tag reads. Each expected outcome is
/// derived from the model in the test's comment.
final class ArmMemoryTaggingTests: XCTestCase {
    let x: UInt64 = 0x1000, y: UInt64 = 0x2000
    let green: UInt64 = 0, red: UInt64 = 1, blue: UInt64 = 2

    func pointer(_ address: UInt64, _ tag: UInt64) -> UInt64 { MemoryTagging.withLogicalTag(address, tag) }

    func program(_ threads: [[Instruction]], _ registers: [[UInt8: UInt64]],
                 _ level: TranslationSynchronization = .none) -> ConcurrentProgram {
        let files = registers.map { values -> RegisterFile in
            var r = RegisterFile()
            for (n, v) in values { r.write(.x(n), v) }
            return r
        }
        var p = ConcurrentProgram(threads: threads.map { ThreadCode(instructions: $0) }, initialRegisters: files,
                                  initialMemory: [x: 0, y: 0])
        p.memoryTagging = true
        p.translationSynchronization = level
        return p
    }

    func stg(_ t: UInt8, _ n: UInt8) -> Instruction { .storeTag(.x(t), Address(base: .x(n))) }
    func ldg(_ t: UInt8, _ n: UInt8) -> Instruction { .loadTag(.x(t), Address(base: .x(n))) }
    func ldr(_ t: UInt8, _ n: UInt8) -> Instruction {
        .load(.w(t), Address(base: .x(n)), width: .word, ordering: .plain, exclusive: false)
    }
    func str(_ t: UInt8, _ n: UInt8) -> Instruction {
        .store(.w(t), Address(base: .x(n)), width: .word, release: false, exclusiveStatus: nil)
    }

    func states(_ p: ConcurrentProgram) throws -> (sc: Set<FinalState>, arm: Set<FinalState>) {
        (Set(try SCMachine().explore(p).finalStates), Set(try ArmMachine().explore(p).finalStates))
    }

    /// Granules start with tag 0 (green): a load through x:red faults
    /// (TagCheck, at the untagged address, its register unwritten), one
    /// through x:green does not, on both machines.
    func testALoadThroughAPointerOfAnotherColourFaults() throws {
        let code = [ldr(2, 1)]
        for (tag, faults) in [(red, true), (green, false)] {
            let (sc, arm) = try states(program([code], [[1: pointer(x, tag)]]))
            XCTAssertEqual(sc, arm)
            XCTAssertEqual(sc.count, 1)
            let faultsTaken = sc.first!.faults
            XCTAssertEqual(faultsTaken, faults ? [Fault(thread: 0, instruction: 0, address: x, kind: .tagCheck)] : [])
        }
    }

    /// A store through a mismatching pointer faults before writing.
    func testAStoreThroughAPointerOfAnotherColourDoesNotWrite() throws {
        let p = program([[.move(.w(2), .immediate(1)), str(2, 1)]], [[1: pointer(x, red)]])
        let (sc, arm) = try states(p)
        XCTAssertEqual(sc, arm)
        XCTAssertEqual(sc.map { $0.memory[x] }, [0])
        XCTAssertEqual(sc.map { $0.faults.first?.kind }, [.tagCheck])
    }

    /// coWR-MTE (catalogue coWR-mte, Forbidden): after its own STG of red,
    /// the thread's tag read cannot read the older (initial) tag.
    func testATagReadSeesItsThreadsEarlierSTG() throws {
        let p = program([[stg(0, 1), ldr(2, 0)]], [[0: pointer(x, red), 1: pointer(x, green)]])
        let (sc, arm) = try states(p)
        XCTAssertEqual(sc, arm)
        XCTAssertTrue(arm.allSatisfy { $0.faults.isEmpty })
        XCTAssertEqual(arm.map { $0.memory[MemoryTagging.location(ofGranuleAt: x)] }, [red])
    }

    /// Tags are coherent (catalogue Wt+RtWtRt, Forbidden): P1 reads red
    /// with LDG, stores blue, then cannot read red again, since P0's STG
    /// is then coherence-before P1's (coRR/coWR on the tag location).
    func testTagsAreCoherent() throws {
        let p = program([[stg(1, 0)], [ldg(1, 0), stg(3, 0), ldg(2, 0)]],
                        [[0: x, 1: pointer(x, red)], [0: x, 3: pointer(x, blue)]])
        let (sc, arm) = try states(p)
        XCTAssertTrue(sc.isSubset(of: arm))
        XCTAssertFalse(arm.contains { $0.registers[1][1] == pointer(x, red) && $0.registers[1][2] == pointer(x, red) })
        XCTAssertTrue(arm.contains { $0.registers[1][1] == pointer(x, red) && $0.registers[1][2] == pointer(x, blue) })
    }

    /// ETS3.MP+dmb.sttp: P0 colours x red, DMB ST, writes y = 1; P1 reads
    /// y, then loads through x:red. Seeing y = 1 yet failing the tag check
    /// needs P1's tag read before its read of y. Without ETS3 nothing
    /// orders them (tc-ib, dob and bob do not reach a tag read from an
    /// earlier plain read): allowed. With ETS3, `[Exp & M]; po; [TagCheck &
    /// EXC-ENTRY]; tc-ib^-1; [Imp & Tag & R]` orders it after the read of
    /// y, closing the cycle with bob (dmb.st), rfe and Tag-obs (fre):
    /// forbidden. Without the DMB ST the STG and the write of y may be
    /// seen in either order, ETS3 or not.
    func testMessagePassingToATagCheckNeedsDMBSTAndETS3() throws {
        func witnessed(dmb: Bool, _ level: TranslationSynchronization) throws -> Bool {
            let p0: [Instruction] = [stg(0, 1)] + (dmb ? [.dmb(.fullSystem, .store)] : [])
                + [.move(.w(2), .immediate(1)), str(2, 3)]
            let p = program([p0, [ldr(2, 3), ldr(4, 1)]],
                            [[0: pointer(x, red), 1: pointer(x, green), 3: y], [1: pointer(x, red), 3: y]], level)
            let (sc, arm) = try states(p)
            XCTAssertTrue(sc.isSubset(of: arm))
            XCTAssertFalse(sc.contains { $0.registers[1][2] == 1 && !$0.faults.isEmpty }, "SC: tag memory is current")
            return arm.contains { $0.registers[1][2] == 1 && $0.faults.contains { $0.kind == .tagCheck } }
        }
        XCTAssertTrue(try witnessed(dmb: true, .none))
        XCTAssertFalse(try witnessed(dmb: true, .ets3))
        XCTAssertTrue(try witnessed(dmb: false, .ets3))
        XCTAssertTrue(try witnessed(dmb: true, .ets2), "ETS2 does not order tag reads")
    }

    /// bob's `[Exp & M | Imp & Tag & R]; po; [dmb.full]; po; [... Imp & Tag &
    /// R]` and addr into Imp & Tag & R: with a DMB SY or an address
    /// dependency between P1's read of y and its Tag Checked load, the
    /// message-passing shape is forbidden even without ETS3.
    func testDMBAndAddressDependencyOrderATagRead() throws {
        let p0: [Instruction] = [stg(0, 1), .dmb(.fullSystem, .store), .move(.w(2), .immediate(1)), str(2, 3)]
        let dependent: [Instruction] = [ldr(2, 3), .arithmetic(.exclusiveOr, destination: .w(5), .w(2), .reg(.w(2)), setsFlags: false),
                                        .load(.w(4), Address(base: .x(1), offset: .register(.w(5), .sxtw(0))), width: .word,
                                              ordering: .plain, exclusive: false)]
        for p1 in [[ldr(2, 3), .dmb(.fullSystem, .all), ldr(4, 1)], [ldr(2, 3), .dmb(.fullSystem, .load), ldr(4, 1)], dependent] {
            let p = program([p0, p1], [[0: pointer(x, red), 1: pointer(x, green), 3: y], [1: pointer(x, red), 3: y]])
            let arm = try ArmMachine().explore(p).finalStates
            XCTAssertFalse(arm.contains { $0.registers[1][2] == 1 && !$0.faults.isEmpty }, "\(p1)")
        }
    }

    /// tc-ib (intr-ob) orders a Tag Checked store after its tag read. LB
    /// shape: P0 reads x, DMB SY, colours x red; P1 stores 1 through x:red.
    /// P0 reading 1 needs P1's store to pass, i.e. its tag read to read P0's
    /// STG: rfe; bob; rfe (Tag-obs); tc-ib is a cycle: forbidden.
    func testATagCheckedStoreIsOrderedAfterItsTagRead() throws {
        let p0: [Instruction] = [ldr(2, 1), .dmb(.fullSystem, .all), stg(0, 1)]
        let p1: [Instruction] = [.move(.w(2), .immediate(1)), str(2, 1)]
        let p = program([p0, p1], [[0: pointer(x, red), 1: x], [1: pointer(x, red)]])
        let arm = try ArmMachine().explore(p).finalStates
        XCTAssertFalse(arm.contains { $0.registers[0][2] == 1 && $0.faults.isEmpty })
        XCTAssertTrue(arm.contains { $0.registers[0][2] == 0 && $0.faults.isEmpty })
    }
}
