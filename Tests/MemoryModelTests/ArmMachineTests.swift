import XCTest
@testable import MemoryModel

/// The Arm machine on the classic shapes, with the verdicts the Arm ARM
/// (B2.3) and herd7 with aarch64.cat give them.
final class ArmMachineTests: XCTestCase {
    typealias L = ArmLitmus
    let arm = ArmMachine()

    func verdict(_ threads: [[Instruction]], _ registers: [(Int, Int)], memory: [UInt64] = [],
                 initial: [UInt64: UInt64] = [:], reaches outcome: [UInt64]) throws -> Bool {
        try L.outcomes(arm, L.program(threads, memory: initial), registers: registers, memory: memory).contains(outcome)
    }

    // MARK: Message passing

    func mp(_ writer: [Instruction], _ reader: [Instruction]) throws -> Bool {
        try verdict([writer, reader], [(1, 0), (1, 2)], reaches: [1, 0])
    }
    let writeXthenY: [Instruction] = [L.mov(0, 1), L.str(0, 1), L.str(0, 3)]

    func testMessagePassingIsAllowedWithoutOrdering() throws {
        XCTAssertTrue(try mp(writeXthenY, [L.ldr(0, 3), L.ldr(2, 1)]))
    }

    func testMessagePassingWithDmbAndAddressDependencyIsForbidden() throws {
        let writer = [L.mov(0, 1), L.str(0, 1), .dmb(.fullSystem, .all), L.str(0, 3)]
        XCTAssertFalse(try mp(writer, [L.ldr(0, 3), L.eor(4, 0, 0), L.ldr(2, 1, offset: 4)]))
        // Without the barrier the writes may be seen out of order.
        XCTAssertTrue(try mp(writeXthenY, [L.ldr(0, 3), L.eor(4, 0, 0), L.ldr(2, 1, offset: 4)]))
    }

    func testControlDependencyToReadNeedsIsb() throws {
        let writer = [L.mov(0, 1), L.str(0, 1), .dmb(.fullSystem, .all), L.str(0, 3)]
        let ctrl: [Instruction] = [L.ldr(0, 3), .compareBranchNonZero(.w(0), to: 2), L.ldr(2, 1)]
        XCTAssertTrue(try mp(writer, ctrl))
        let ctrlIsb: [Instruction] = [L.ldr(0, 3), .compareBranchNonZero(.w(0), to: 2), .isb, L.ldr(2, 1)]
        XCTAssertFalse(try mp(writer, ctrlIsb))
    }

    func testReleaseAcquireForbidsMessagePassing() throws {
        let writer = [L.mov(0, 1), L.str(0, 1), L.str(0, 3, release: true)]
        XCTAssertFalse(try mp(writer, [L.ldr(0, 3, .acquire), L.ldr(2, 1)]))
        XCTAssertFalse(try mp(writer, [L.ldr(0, 3, .acquirePC), L.ldr(2, 1)]))
        XCTAssertTrue(try mp(writer, [L.ldr(0, 3), L.ldr(2, 1)]))
    }

    /// STILP orders its first write before its second (both Release), and
    /// LDIAPP its first read before its second (both Acquire-PC); plain
    /// STP/LDP order neither (herd's MP+STILP+dmb.ld, MP+dmb.st+LDIAPP).
    func testOrderedPairsOrderTheirTwoAccesses() throws {
        let x = Address(base: .x(1)), xPlus4 = Address(base: .x(1), offset: .immediate(4))
        let readers: [Instruction] = [.load(.w(0), xPlus4, width: .word, ordering: .plain, exclusive: false),
                                      .dmb(.fullSystem, .load),
                                      .load(.w(2), x, width: .word, ordering: .plain, exclusive: false)]
        func stp(release: Bool) -> [Instruction] {
            [L.mov(0, 1), .storePair(.w(0), .w(0), x, width: .word, release: release)]
        }
        XCTAssertFalse(try verdict([stp(release: true), readers], [(1, 0), (1, 2)], reaches: [1, 0]))
        XCTAssertTrue(try verdict([stp(release: false), readers], [(1, 0), (1, 2)], reaches: [1, 0]))

        let writer: [Instruction] = [L.mov(0, 1), .store(.w(0), xPlus4, width: .word, release: false, exclusiveStatus: nil),
                                     .dmb(.fullSystem, .store), L.str(0, 1)]
        func ldp(acquirePC: Bool) -> [Instruction] { [.loadPair(.w(0), .w(2), x, width: .word, acquirePC: acquirePC)] }
        XCTAssertFalse(try verdict([writer, ldp(acquirePC: true)], [(1, 0), (1, 2)], reaches: [1, 0]))
        XCTAssertTrue(try verdict([writer, ldp(acquirePC: false)], [(1, 0), (1, 2)], reaches: [1, 0]))
    }

    /// A CASP racing a store to its second word (herd's L057): either the
    /// CASP fails, or the store is coherence-after its write; the store can
    /// never fall between the CASP's read and write of that word.
    func testCompareAndSwapPairIsAtomicOnEachWord() throws {
        let casp: [Instruction] = [L.mov(2, 2), L.mov(3, 2),
                                   .compareAndSwapPair(compare: .w(6), .w(7), new: .w(2), .w(3), Address(base: .x(1)),
                                                       width: .word, acquire: false, release: false)]
        let store: [Instruction] = [L.mov(0, 1), .store(.w(0), Address(base: .x(1), offset: .immediate(4)),
                                                        width: .word, release: false, exclusiveStatus: nil)]
        // Final memory is by doubleword: x[1] is the high half.
        let finals = try L.outcomes(arm, L.program([casp, store]), registers: [], memory: [L.x])
        XCTAssertEqual(finals, [[1 << 32 | 0], [1 << 32 | 2]])
    }

    /// Two LDXP/STXP pair writes (herd's L031): when both succeed, one
    /// thread read the initial pair and the other the first thread's pair;
    /// a successful STXP never lets the other write fall between its reads
    /// and writes on either word.
    func testExclusivePairsAreAtomicOnEachWord() throws {
        func thread(_ a: UInt64, _ b: UInt64) -> [Instruction] {
            [L.mov(0, a), L.mov(2, b),
             .loadExclusivePair(.w(6), .w(7), Address(base: .x(1)), width: .word, acquire: false),
             .storeExclusivePair(status: .w(9), .w(0), .w(2), Address(base: .x(1)), width: .word, release: false)]
        }
        let finals = try L.outcomes(arm, L.program([thread(1, 2), thread(3, 4)]),
                                    registers: [(0, 9), (1, 9), (0, 6), (0, 7), (1, 6), (1, 7)], memory: [L.x])
        let bothSucceeded = finals.filter { $0[0] == 0 && $0[1] == 0 }.map { Array($0[2...]) }
        XCTAssertEqual(Set(bothSucceeded), [[0, 0, 1, 2, 4 << 32 | 3], [3, 4, 0, 0, 2 << 32 | 1]])
    }

    // MARK: Store buffering, load buffering

    func testStoreBufferingNeedsFullBarriers() throws {
        let sb: [[Instruction]] = [[L.mov(0, 1), L.str(0, 1), L.ldr(2, 3)], [L.mov(0, 1), L.str(0, 3), L.ldr(2, 1)]]
        XCTAssertTrue(try verdict(sb, [(0, 2), (1, 2)], reaches: [0, 0]))
        let fenced = sb.map { [$0[0], $0[1], .dmb(.fullSystem, .all), $0[2]] }
        XCTAssertFalse(try verdict(fenced, [(0, 2), (1, 2)], reaches: [0, 0]))
        // Release then acquire does not order a write before a later read...
        let relAcqPC: [[Instruction]] = [[L.mov(0, 1), L.str(0, 1, release: true), L.ldr(2, 3, .acquirePC)],
                                         [L.mov(0, 1), L.str(0, 3, release: true), L.ldr(2, 1, .acquirePC)]]
        XCTAssertTrue(try verdict(relAcqPC, [(0, 2), (1, 2)], reaches: [0, 0]))
        // ...except for LDAR after STLR (RCsc).
        let relAcq: [[Instruction]] = [[L.mov(0, 1), L.str(0, 1, release: true), L.ldr(2, 3, .acquire)],
                                       [L.mov(0, 1), L.str(0, 3, release: true), L.ldr(2, 1, .acquire)]]
        XCTAssertFalse(try verdict(relAcq, [(0, 2), (1, 2)], reaches: [0, 0]))
    }

    func testLoadBufferingAllowedButNotWithDataDependencies() throws {
        let lb: [[Instruction]] = [[L.ldr(0, 1), L.mov(2, 1), L.str(2, 3)], [L.ldr(0, 3), L.mov(2, 1), L.str(2, 1)]]
        XCTAssertTrue(try verdict(lb, [(0, 0), (1, 0)], reaches: [1, 1]))
        // LB+datas: the stored value comes through EOR from the read (still
        // a dependency, whatever the value).
        let datas: [[Instruction]] = [[L.ldr(0, 1), L.eor(2, 0, 0), .arithmetic(.add, destination: .w(2), .w(2), .immediate(1), setsFlags: false), L.str(2, 3)],
                                      [L.ldr(0, 3), L.eor(2, 0, 0), .arithmetic(.add, destination: .w(2), .w(2), .immediate(1), setsFlags: false), L.str(2, 1)]]
        XCTAssertFalse(try verdict(datas, [(0, 0), (1, 0)], reaches: [1, 1]))
        XCTAssertTrue(try verdict(datas, [(0, 0), (1, 0)], reaches: [0, 1]))
    }

    // MARK: Multi-copy atomicity and coherence

    func testIndependentReadsOfIndependentWritesIsForbiddenWithAddressDependencies() throws {
        let readers: [Instruction] = [L.ldr(0, 1), L.eor(4, 0, 0), L.ldr(2, 3, offset: 4)]
        let readers2: [Instruction] = [L.ldr(0, 3), L.eor(4, 0, 0), L.ldr(2, 1, offset: 4)]
        let iriw: [[Instruction]] = [[L.mov(0, 1), L.str(0, 1)], readers, [L.mov(0, 1), L.str(0, 3)], readers2]
        // Other-multi-copy atomic: the two readers agree on the order.
        XCTAssertFalse(try verdict(iriw, [(1, 0), (1, 2), (3, 0), (3, 2)], reaches: [1, 0, 1, 0]))
        XCTAssertTrue(try verdict(iriw, [(1, 0), (1, 2), (3, 0), (3, 2)], reaches: [1, 1, 1, 0]))
    }

    func testCoherenceOfReadReadPairs() throws {
        let corr: [[Instruction]] = [[L.mov(0, 1), L.str(0, 1)], [L.ldr(0, 1), L.ldr(2, 1)]]
        XCTAssertFalse(try verdict(corr, [(1, 0), (1, 2)], reaches: [1, 0]))
        XCTAssertTrue(try verdict(corr, [(1, 0), (1, 2)], reaches: [0, 1]))
    }

    func testTwoPlusTwoWritesAllowedWithoutBarriers() throws {
        let w: [[Instruction]] = [[L.mov(0, 1), L.str(0, 1), L.mov(2, 2), L.str(2, 3)],
                                  [L.mov(0, 1), L.str(0, 3), L.mov(2, 2), L.str(2, 1)]]
        XCTAssertTrue(try verdict(w, [], memory: [L.x, L.y], reaches: [1, 1]))
        let fenced = w.map { [$0[0], $0[1], .dmb(.fullSystem, .store), $0[2], $0[3]] }
        XCTAssertFalse(try verdict(fenced, [], memory: [L.x, L.y], reaches: [1, 1]))
    }

    // MARK: Atomics

    func testExclusiveIncrementsNeverLoseAnUpdate() throws {
        // Each thread: LDXR; ADD; STXR until it succeeds.
        let increment: [Instruction] = [
            L.ldr(0, 1, exclusive: true),
            .arithmetic(.add, destination: .w(0), .w(0), .immediate(1), setsFlags: false),
            L.str(0, 1, status: 2),
            .compareBranchNonZero(.w(2), to: 0),
        ]
        let result = try arm.explore(L.program([increment, increment], bound: 3))
        XCTAssertTrue(result.boundReached)  // a thread may fail forever
        XCTAssertEqual(Set(result.finalStates.map { $0.memory[L.x] ?? 0 }), [2])
    }

    func testSwapAndCasAreAtomic() throws {
        let swap: Instruction = .swap(source: .w(6), destination: .w(0), Address(base: .x(1)), width: .word, acquire: false, release: false)
        let twoSwaps: [[Instruction]] = [[L.mov(6, 1), swap], [L.mov(6, 2), swap]]
        // Both swaps cannot read the initial value.
        XCTAssertFalse(try verdict(twoSwaps, [(0, 0), (1, 0)], reaches: [0, 0]))
        XCTAssertTrue(try verdict(twoSwaps, [(0, 0), (1, 0)], reaches: [0, 1]))
        let cas: Instruction = .compareAndSwap(compare: .w(0), new: .w(6), Address(base: .x(1)), width: .word, acquire: false, release: false)
        let twoCas: [[Instruction]] = [[L.mov(0, 0), L.mov(6, 1), cas], [L.mov(0, 0), L.mov(6, 2), cas]]
        // Exactly one CAS succeeds: the loser reads the winner's value.
        let seen = try L.outcomes(arm, L.program(twoCas), registers: [(0, 0), (1, 0)], memory: [L.x])
        XCTAssertEqual(seen, [[0, 1, 1], [2, 0, 2]])
    }

    func testStoreAddOrdersNothingForDmbLd() throws {
        // MP+rel+LDADD-dmb.ld forbids, because LDADD returns a value;
        // ST<op> (NoRet) is not ordered by DMB LD.
        let writer = [L.mov(0, 1), L.str(0, 1), L.str(0, 3, release: true)]
        let ldadd: Instruction = .atomic(.add, source: .w(6), destination: .w(0), Address(base: .x(3)), width: .word, acquire: false, release: false)
        XCTAssertFalse(try mp(writer, [L.mov(6, 0), ldadd, .dmb(.fullSystem, .load), L.ldr(2, 1)]))
    }
}
