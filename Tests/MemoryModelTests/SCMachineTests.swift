import XCTest
@testable import MemoryModel

/// The SC machine against outcomes every textbook states for sequential
/// consistency, plus its translation, exclusives and loop bound.
final class SCMachineTests: XCTestCase {
    let x: UInt64 = 0x1000, y: UInt64 = 0x2000

    /// Thread with X1 = x and X3 = y (the litmus convention).
    func registers(_ pairs: [UInt8: UInt64]) -> RegisterFile {
        var r = RegisterFile()
        for (n, v) in pairs { r.write(.x(n), v) }
        return r
    }

    func outcomes(_ program: ConcurrentProgram, _ registersOf: [(thread: Int, reg: Int)]) throws -> Set<[UInt64]> {
        let result = try SCMachine().explore(program)
        XCTAssertFalse(result.boundReached)
        return Set(result.finalStates.map { s in registersOf.map { s.registers[$0.thread][$0.reg] } })
    }

    func testMessagePassingNeverSeesFlagWithoutData() throws {
        let writer = ThreadCode(instructions: [
            .move(.w(0), .immediate(1)),
            .store(.w(0), Address(base: .x(1)), width: .word, release: false, exclusiveStatus: nil),
            .store(.w(0), Address(base: .x(3)), width: .word, release: false, exclusiveStatus: nil),
        ])
        let reader = ThreadCode(instructions: [
            .load(.w(0), Address(base: .x(3)), width: .word, ordering: .plain, exclusive: false),
            .load(.w(2), Address(base: .x(1)), width: .word, ordering: .plain, exclusive: false),
        ])
        let regs = registers([1: x, 3: y])
        let program = ConcurrentProgram(threads: [writer, reader], initialRegisters: [regs, regs])
        let seen = try outcomes(program, [(1, 0), (1, 2)])
        XCTAssertEqual(seen, [[0, 0], [0, 1], [1, 1]])
    }

    func testStoreBufferingNeverSeesBothZero() throws {
        func thread(store: UInt8, load: UInt8) -> ThreadCode {
            ThreadCode(instructions: [
                .move(.w(0), .immediate(1)),
                .store(.w(0), Address(base: .x(store)), width: .word, release: false, exclusiveStatus: nil),
                .load(.w(2), Address(base: .x(load)), width: .word, ordering: .plain, exclusive: false),
            ])
        }
        let regs = registers([1: x, 3: y])
        let program = ConcurrentProgram(threads: [thread(store: 1, load: 3), thread(store: 3, load: 1)],
                                        initialRegisters: [regs, regs])
        let seen = try outcomes(program, [(0, 2), (1, 2)])
        XCTAssertEqual(seen, [[0, 1], [1, 0], [1, 1]])
    }

    /// A pair is one step on SC, ordered or not: an LDIAPP never sees half of
    /// an STILP, and it reads its registers in the order named.
    func testOrderedPairsAreSingleSteps() throws {
        let writer = ThreadCode(instructions: [
            .move(.w(0), .immediate(1)), .move(.w(2), .immediate(2)),
            .storePair(.w(0), .w(2), Address(base: .x(1)), width: .word, release: true),
        ])
        let reader = ThreadCode(instructions: [
            .loadPair(.w(0), .w(2), Address(base: .x(1)), width: .word, acquirePC: true),
        ])
        let regs = registers([1: x])
        let program = ConcurrentProgram(threads: [writer, reader], initialRegisters: [regs, regs])
        XCTAssertEqual(try outcomes(program, [(1, 0), (1, 2)]), [[0, 0], [1, 2]])
    }

    /// CASP succeeds only when both words match, and returns the old pair.
    func testCompareAndSwapPairNeedsBothWordsEqual() throws {
        let casp = ThreadCode(instructions: [
            .move(.w(2), .immediate(5)), .move(.w(3), .immediate(6)),
            .compareAndSwapPair(compare: .w(6), .w(7), new: .w(2), .w(3), Address(base: .x(1)), width: .word,
                                acquire: false, release: false),
        ])
        let writer = ThreadCode(instructions: [
            .move(.w(0), .immediate(1)),
            .store(.w(0), Address(base: .x(1), offset: .immediate(4)), width: .word, release: false, exclusiveStatus: nil),
        ])
        let regs = registers([1: x])
        let program = ConcurrentProgram(threads: [casp, writer], initialRegisters: [regs, regs])
        let result = try SCMachine().explore(program)
        // Final memory is by doubleword: x[1] is the high half. CASP first:
        // writes (5, 6), then the store; store first: CASP fails, returns 1.
        let seen = Set(result.finalStates.map { [$0.memory[x] ?? 0, $0.registers[0][7]] })
        XCTAssertEqual(seen, [[1 << 32 | 5, 0], [1 << 32 | 0, 1]])
    }

    /// Two LDXR/STXR increments retried until they succeed: the counter ends
    /// at 2 in every execution, so the monitor is cleared by the other store.
    func testExclusiveIncrementsNeverLoseAnUpdate() throws {
        let increment = ThreadCode(instructions: [
            .load(.w(0), Address(base: .x(1)), width: .word, ordering: .plain, exclusive: true),
            .arithmetic(.add, destination: .w(0), .w(0), .immediate(1), setsFlags: false),
            .store(.w(0), Address(base: .x(1)), width: .word, release: false, exclusiveStatus: .w(4)),
            .compareBranchNonZero(.w(4), to: 0),
        ])
        let regs = registers([1: x])
        let program = ConcurrentProgram(threads: [increment, increment], initialRegisters: [regs, regs])
        let result = try SCMachine().explore(program)
        XCTAssertEqual(Set(result.finalStates.map { $0.memory[x] }), [2])
    }

    /// LDXP/STXP increments of both words, retried until they succeed: a
    /// store to either word clears the other thread's monitor, so both words
    /// end at 2 in every execution.
    func testExclusivePairIncrementsNeverLoseAnUpdate() throws {
        let increment = ThreadCode(instructions: [
            .loadExclusivePair(.w(0), .w(2), Address(base: .x(1)), width: .word, acquire: false),
            .arithmetic(.add, destination: .w(0), .w(0), .immediate(1), setsFlags: false),
            .arithmetic(.add, destination: .w(2), .w(2), .immediate(1), setsFlags: false),
            .storeExclusivePair(status: .w(4), .w(0), .w(2), Address(base: .x(1)), width: .word, release: false),
            .compareBranchNonZero(.w(4), to: 0),
        ])
        let regs = registers([1: x])
        let program = ConcurrentProgram(threads: [increment, increment], initialRegisters: [regs, regs])
        let result = try SCMachine().explore(program)
        XCTAssertEqual(Set(result.finalStates.map { $0.memory[x] }), [2 << 32 | 2])
    }

    /// A loop that never ends is cut at the bound and said so.
    func testSpinningForeverReachesTheBound() throws {
        let spin = ThreadCode(instructions: [
            .load(.w(0), Address(base: .x(1)), width: .word, ordering: .plain, exclusive: false),
            .compareBranchZero(.w(0), to: 0),
        ])
        let program = ConcurrentProgram(threads: [spin], initialRegisters: [registers([1: x])], instructionBound: 4)
        let result = try SCMachine().explore(program)
        XCTAssertTrue(result.boundReached)
        XCTAssertTrue(result.finalStates.isEmpty)
    }

    /// herd-style single-level translation: clearing the valid bit makes the
    /// other thread's access fault, or see the old mapping, never anything else.
    func testSingleLevelTranslationSeesCurrentDescriptor() throws {
        let pte: UInt64 = 0x9000, phys: UInt64 = 0x5_0000
        let unmap = ThreadCode(instructions: [
            .store(.xzr, Address(base: .x(2)), width: .doubleword, release: false, exclusiveStatus: nil),
        ])
        let access = ThreadCode(instructions: [
            .load(.w(0), Address(base: .x(1)), width: .word, ordering: .plain, exclusive: false),
        ])
        let regs = registers([1: x, 2: pte])
        let program = ConcurrentProgram(
            threads: [unmap, access], initialRegisters: [regs, regs],
            initialMemory: [pte: Descriptor.herd(outputAddress: phys), phys: 7],
            translation: .singleLevel(descriptorAddress: [x: pte]))
        let result = try SCMachine().explore(program)
        let faulted = result.finalStates.filter { !$0.faults.isEmpty }
        let read = result.finalStates.filter { $0.faults.isEmpty }
        XCTAssertEqual(faulted.count, 1)
        XCTAssertEqual(faulted.first?.faults.first?.kind, .translation)
        XCTAssertEqual(read.map { $0.registers[1][0] }, [7])
    }

    /// Three-level stage-2 tables walked from VTTBR: the access reaches the
    /// page the leaf names, with the page offset kept.
    func testStage2WalkReachesTheLeafPage() throws {
        let root: UInt64 = 0x10_0000, level2: UInt64 = 0x10_1000, level3: UInt64 = 0x10_2000
        let page: UInt64 = 0x40_0000, ipa: UInt64 = 0x8_0000_1008
        let s2rw: UInt64 = 3 << 6
        var memory: [UInt64: UInt64] = [:]
        memory[root + Translation.index(ipa, level: 1) * 8] = level2 | 3
        memory[level2 + Translation.index(ipa, level: 2) * 8] = level3 | 3
        memory[level3 + Translation.index(ipa, level: 3) * 8] = page | 3 | Descriptor.accessFlag | s2rw
        memory[page + 8] = 42
        let load = ThreadCode(instructions: [
            .load(.x(0), Address(base: .x(1)), width: .doubleword, ordering: .plain, exclusive: false),
        ])
        let program = ConcurrentProgram(
            threads: [load], initialRegisters: [registers([1: ipa])], initialMemory: memory,
            translation: .tables(TableTranslation(stage1: false, stage2: true, stage2Levels: 3,
                                                  systemRegisters: [[.vttbrEl2: root | 1 << 48]])))
        let result = try SCMachine().explore(program)
        XCTAssertEqual(result.finalStates.map { $0.registers[0][0] }, [42])
    }

    func testSequentialExecutorRunsAHandlerToCompletion() throws {
        // sum = 1 + 2 + ... + 5 in a loop, stored to [X1].
        let code = ThreadCode(instructions: [
            .move(.x(0), .immediate(0)),
            .move(.x(2), .immediate(5)),
            .arithmetic(.add, destination: .x(0), .x(0), .reg(.x(2)), setsFlags: false),
            .arithmetic(.subtract, destination: .x(2), .x(2), .immediate(1), setsFlags: true),
            .branchConditional(.ne, to: 2),
            .store(.x(0), Address(base: .x(1)), width: .doubleword, release: false, exclusiveStatus: nil),
        ])
        var memory = FlatMemory()
        let run = try SequentialExecutor(code).run(registers: registers([1: x]), memory: &memory)
        XCTAssertEqual(run.status, .finished)
        XCTAssertEqual(try memory.read(x, .doubleword), 15)
    }

    /// FEAT_HAFDBS on SC: with HA a walk that finds AF = 0 sets it and the
    /// access goes on; with HD a write through a read-only, DBM descriptor
    /// makes it writable; without them, or when the access faults anyway,
    /// the descriptor is untouched and the fault taken.
    func testHardwareUpdatesReplaceAccessFlagAndDirtyFaults() throws {
        let pte: UInt64 = 0x9000, phys: UInt64 = 0x5_0000
        let store = ThreadCode(instructions: [
            .store(.x(3), Address(base: .x(1)), width: .doubleword, release: false, exclusiveStatus: nil),
        ])
        let old = Descriptor.herd(outputAddress: phys, af: false, db: false, dbm: true)
        func run(_ updates: HardwareUpdates, descriptor: UInt64 = old) throws -> FinalState {
            let program = ConcurrentProgram(
                threads: [store], initialRegisters: [registers([1: x, 3: 9])],
                initialMemory: [pte: descriptor],
                translation: .singleLevel(descriptorAddress: [x: pte]), hardwareUpdates: [updates])
            let states = try SCMachine().explore(program).finalStates
            XCTAssertEqual(states.count, 1)
            return states[0]
        }
        let both = try run(HardwareUpdates(accessFlag: true, dirtyState: true))
        XCTAssertEqual(both.faults, [])
        XCTAssertEqual(both.memory[phys], 9)
        XCTAssertEqual(both.memory[pte], (old | Descriptor.accessFlag) & ~Descriptor.readOnly)

        let accessFlagOnly = try run(HardwareUpdates(accessFlag: true))
        XCTAssertEqual(accessFlagOnly.faults.map(\.kind), [.permission])
        XCTAssertEqual(accessFlagOnly.memory[pte], old, "an access that faults anyway updates nothing")

        let none = try run(HardwareUpdates())
        XCTAssertEqual(none.faults.map(\.kind), [.accessFlag])
        XCTAssertEqual(none.memory[pte], old)
    }

    func testAccessCrossingAWordIsAnErrorNotACrash() {
        var memory = FlatMemory()
        XCTAssertThrowsError(try memory.write(0x1006, .word, 1))
    }
}
