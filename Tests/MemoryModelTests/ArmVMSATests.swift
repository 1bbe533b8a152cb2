import XCTest
@testable import MemoryModel

/// The Arm machine with herd's single-level translation (`-variant vmsa`):
/// walks that may read stale descriptors, TLBI completed by DSB, ISB, and
/// translation faults.
final class ArmVMSATests: XCTestCase {
    /// x is a virtual page mapped by the descriptor at `pte` to `pa`; z is a
    /// flag in untranslated memory.
    let x: UInt64 = 0x10_0000, pa: UInt64 = 0x20_0000, pte: UInt64 = 0x8_0000, z: UInt64 = 0x9_0000
    let arm = ArmMachine()

    /// P0 invalidates x's descriptor, then (optionally) invalidates the TLBs,
    /// then sets the flag; P1 reads the flag, then x. Returns whether P1 can
    /// see the flag and still read x without a fault.
    func staleTranslationAfterFlag(writer: [Instruction], reader: [Instruction]) throws -> Bool {
        var r0 = RegisterFile(), r1 = RegisterFile()
        r0.write(.x(6), 0)  // an invalid descriptor
        r0.write(.x(7), pte); r0.write(.x(3), x); r0.write(.x(1), z); r0.write(.x(9), x >> 12)
        r1.write(.x(1), z); r1.write(.x(3), x)
        let program = ConcurrentProgram(
            threads: [ThreadCode(instructions: writer), ThreadCode(instructions: reader)],
            initialRegisters: [r0, r1],
            initialMemory: [pte: Descriptor.herd(outputAddress: pa)],
            translation: .singleLevel(descriptorAddress: [x: pte]))
        let result = try arm.explore(program)
        return result.finalStates.contains { s in
            s.registers[1][0] == 1 && !s.faults.contains { $0.thread == 1 }
        }
    }

    let invalidate: Instruction = .store(.x(6), Address(base: .x(7)), width: .doubleword, release: false, exclusiveStatus: nil)
    let setFlag: [Instruction] = [.move(.w(0), .immediate(1)),
                                  .store(.w(0), Address(base: .x(1)), width: .word, release: false, exclusiveStatus: nil)]
    let readFlag: Instruction = .load(.w(0), Address(base: .x(1)), width: .word, ordering: .plain, exclusive: false)
    let readX: Instruction = .load(.w(2), Address(base: .x(3)), width: .word, ordering: .plain, exclusive: false)

    func testBreakWithTlbiAndDsbIsSeenAfterDsbIsb() throws {
        let writer = [invalidate, .dsb(.innerShareable, .all), .tlbi(.vaae1is, .x(9)), .dsb(.innerShareable, .all)] + setFlag
        let reader: [Instruction] = [readFlag, .dsb(.fullSystem, .all), .isb, readX]
        XCTAssertFalse(try staleTranslationAfterFlag(writer: writer, reader: reader))
    }

    func testWithoutTlbiAStaleTranslationMayBeUsed() throws {
        let writer = [invalidate, .dsb(.innerShareable, .all)] + setFlag
        let reader: [Instruction] = [readFlag, .dsb(.fullSystem, .all), .isb, readX]
        XCTAssertTrue(try staleTranslationAfterFlag(writer: writer, reader: reader))
    }

    func testLocalTlbiDoesNotReachOtherThreads() throws {
        let writer = [invalidate, .dsb(.innerShareable, .all), .tlbi(.vaae1, .x(9)), .dsb(.innerShareable, .all)] + setFlag
        let reader: [Instruction] = [readFlag, .dsb(.fullSystem, .all), .isb, readX]
        XCTAssertTrue(try staleTranslationAfterFlag(writer: writer, reader: reader))
    }

    func testTlbiWithoutCompletingDsbDoesNotOrder() throws {
        let writer = [invalidate, .dsb(.innerShareable, .all), .tlbi(.vaae1is, .x(9))] + setFlag
        let reader: [Instruction] = [readFlag, .dsb(.fullSystem, .all), .isb, readX]
        XCTAssertTrue(try staleTranslationAfterFlag(writer: writer, reader: reader))
    }

    func testInvalidDescriptorFaultsAndStopsTheThread() throws {
        var r = RegisterFile()
        r.write(.x(3), x)
        let program = ConcurrentProgram(
            threads: [ThreadCode(instructions: [readX, .move(.w(5), .immediate(7))])],
            initialRegisters: [r],
            initialMemory: [pte: 0],
            translation: .singleLevel(descriptorAddress: [x: pte]))
        let states = try arm.explore(program).finalStates
        XCTAssertEqual(states.count, 1)
        XCTAssertEqual(states[0].faults, [Fault(thread: 0, instruction: 0, address: x, kind: .translation)])
        XCTAssertEqual(states[0].registers[0][5], 0)
    }

    /// AF = 0: without hardware management the access faults; with HA the
    /// walk's hardware update sets AF and the access goes ahead.
    func testAccessFlagIsSetByHardwareWithHA() throws {
        var r = RegisterFile()
        r.write(.x(3), x)
        func run(_ updates: [HardwareUpdates]) throws -> [FinalState] {
            let program = ConcurrentProgram(
                threads: [ThreadCode(instructions: [readX])], initialRegisters: [r],
                initialMemory: [pte: Descriptor.herd(outputAddress: pa, af: false), pa: 5],
                translation: .singleLevel(descriptorAddress: [x: pte]), hardwareUpdates: updates)
            return try arm.explore(program).finalStates
        }
        let without = try run([])
        XCTAssertEqual(without.map { $0.faults.map(\.kind) }, [[.accessFlag]])
        let with = try run([HardwareUpdates(accessFlag: true)])
        XCTAssertTrue(with.allSatisfy { $0.faults.isEmpty && $0.registers[0][2] == 5 })
        XCTAssertTrue(with.allSatisfy { ($0.memory[pte] ?? 0) & Descriptor.accessFlag != 0 })
    }
}
