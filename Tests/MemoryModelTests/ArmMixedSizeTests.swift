import XCTest
@testable import MemoryModel

/// Mixed-size accesses on the Arm machine (herd's `-variant mixed`, Flur et
/// al. POPL 2017): a read may combine bytes of several writes, but never
/// part of one aligned write with part of a write of the same or a larger
/// size; coherence is per byte yet lifted to whole accesses by the axioms.
final class ArmMixedSizeTests: XCTestCase {
    typealias L = ArmLitmus
    let arm = ArmMachine()

    static let x = Address(base: .x(1))
    static func at(_ offset: UInt64) -> Address { Address(base: .x(1), offset: .immediate(offset)) }

    static func load(_ dst: UInt8, _ a: Address, _ width: AccessWidth, _ ordering: LoadOrdering = .plain) -> Instruction {
        .load(width == .doubleword ? .x(dst) : .w(dst), a, width: width, ordering: ordering, exclusive: false)
    }
    static func store(_ src: UInt8, _ a: Address, _ width: AccessWidth, release: Bool = false) -> Instruction {
        .store(width == .doubleword ? .x(src) : .w(src), a, width: width, release: release, exclusiveStatus: nil)
    }

    /// Every final state's projection on the Arm machine, checked to
    /// include every SC final state's (SC within Arm).
    func armOutcomes(_ threads: [[Instruction]], registers: [(Int, Int)], memory: [UInt64] = [],
                     file: StaticString = #filePath, line: UInt = #line) throws -> Set<[UInt64]> {
        let program = L.program(threads)
        let arm = try L.outcomes(arm, program, registers: registers, memory: memory)
        let sc = try L.outcomes(SCMachine(), program, registers: registers, memory: memory)
        XCTAssertTrue(sc.isSubset(of: arm), "SC outcomes \(sc.subtracting(arm)) not reached on Arm", file: file, line: line)
        return arm
    }

    // MARK: Reads of several writes

    /// Two byte writes from two threads, one halfword read: it may take
    /// each byte from a different write.
    func testHalfwordReadCombinesBytesOfTwoWrites() throws {
        let outcomes = try armOutcomes([[L.mov(0, 1), Self.store(0, Self.x, .byte)],
                                        [L.mov(0, 2), Self.store(0, Self.at(1), .byte)],
                                        [Self.load(2, Self.x, .halfword)]],
                                       registers: [(2, 2)])
        XCTAssertEqual(outcomes, [[0x0000], [0x0001], [0x0200], [0x0201]])
    }

    /// Single-copy atomicity: two halfword writes racing, a halfword read
    /// (on a word also read by byte, so it is split) sees one of them
    /// whole, never a byte of each, and the final value is one of them.
    func testAlignedHalfwordsStaySingleCopyAtomic() throws {
        let outcomes = try armOutcomes([[L.mov(0, 0x0101), Self.store(0, Self.x, .halfword)],
                                        [L.mov(0, 0x0202), Self.store(0, Self.x, .halfword)],
                                        [Self.load(2, Self.x, .halfword), Self.load(4, Self.at(1), .byte)]],
                                       registers: [(2, 2)], memory: [L.x])
        XCTAssertEqual(Set(outcomes.map { $0[0] }), [0, 0x0101, 0x0202])
        XCTAssertEqual(Set(outcomes.map { $0[1] }), [0x0101, 0x0202])
    }

    /// A byte write inside a halfword write may be seen with the other
    /// byte of the halfword (it is smaller), but a halfword read may not
    /// see a byte of a halfword write and the other byte of the initial
    /// value when that write is coherence-before its own byte write
    /// (herd's CoRW2+posb1b0+h0, Forbidden).
    func testPartlyOverwrittenHalfwordIsSeenCoherently() throws {
        let outcomes = try armOutcomes([[L.mov(0, 0x0101), Self.store(0, Self.x, .halfword)],
                                        [Self.load(0, Self.at(1), .byte), L.mov(2, 2), Self.store(2, Self.x, .byte),
                                         Self.load(3, Self.x, .halfword)]],
                                       registers: [(1, 0), (1, 3)], memory: [L.x])
        // The byte write read its own byte and the halfword's upper byte.
        XCTAssertTrue(outcomes.contains([1, 0x0102, 0x0102]))
        // Forbidden: x = 0x0101 makes the halfword write coherence-last on
        // byte 0, so the read saw its own byte 2 before it and the
        // halfword's byte 1 after it.
        XCTAssertFalse(outcomes.contains([0, 0x0102, 0x0101]))
        XCTAssertFalse(outcomes.contains([1, 0x0102, 0x0101]))
    }

    /// Coherence lifted to whole accesses: a byte write and a halfword
    /// write to the same halfword, then a read of it by the byte's writer
    /// (herd's CO-MIXED-20cc+H, Forbidden): the final value and the
    /// read cannot disagree on which write came last on byte 0.
    func testCoherenceIsOneOrderPerAccessPair() throws {
        let outcomes = try armOutcomes([[L.mov(0, 1), Self.store(0, Self.x, .byte), Self.load(2, Self.x, .halfword)],
                                        [L.mov(0, 0x0202), Self.store(0, Self.x, .halfword)]],
                                       registers: [(0, 2)], memory: [L.x])
        XCTAssertFalse(outcomes.contains([0x0201, 0x0202]))
        // The read may see its own byte with the initial upper byte while
        // the halfword write ends coherence-last on byte 1 only.
        XCTAssertTrue(outcomes.contains([0x0001, 0x0201]))
    }

    // MARK: Ordering through single-copy-atomic classes

    /// Message passing where the flag's release write and the write read
    /// by the acquire only share a word, not bytes (herd's MP-Koeln):
    /// `lmws; sca-class` orders the release before every byte of the later
    /// halfword write, so the reader cannot miss x.
    func testLocalWriteSuccessionCoversEveryByteOfTheLaterWrite() throws {
        let y = Address(base: .x(3)), yPlus1 = Address(base: .x(3), offset: .immediate(1))
        let writer: [Instruction] = [L.mov(0, 0x0101), Self.store(0, Self.x, .halfword),
                                     L.mov(2, 1), Self.store(2, y, .byte, release: true),
                                     L.mov(4, 0x0202), Self.store(4, y, .halfword)]
        let reader: [Instruction] = [Self.load(0, yPlus1, .byte, .acquire), Self.load(3, Self.x, .halfword)]
        let outcomes = try armOutcomes([writer, reader], registers: [(1, 0), (1, 3)])
        XCTAssertFalse(outcomes.contains([2, 0]))
        XCTAssertTrue(outcomes.contains([2, 0x0101]))
        // Without the release the halfword write may overtake the x write.
        let plain: [Instruction] = [L.mov(0, 0x0101), Self.store(0, Self.x, .halfword),
                                    L.mov(2, 1), Self.store(2, y, .byte),
                                    L.mov(4, 0x0202), Self.store(4, y, .halfword)]
        XCTAssertTrue(try armOutcomes([plain, reader], registers: [(1, 0), (1, 3)]).contains([2, 0]))
    }

    /// An exclusive halfword pair on a word another thread writes whole
    /// (herd's CoRR+rmwh0h0-posh0a.w0+w0): after a successful STXRH that
    /// read part of the word write, an acquire read of the word cannot
    /// see the STXRH's bytes with the initial upper bytes.
    func testExclusiveHalfwordIsAtomicWithinAWordWrite() throws {
        let exclusive: [Instruction] = [L.mov(2, 42),
                                        .load(.w(6), Self.x, width: .halfword, ordering: .plain, exclusive: true),
                                        .store(.w(2), Self.x, width: .halfword, release: false, exclusiveStatus: .w(4)),
                                        Self.load(3, Self.x, .word, .acquire)]
        let word: [Instruction] = [L.mov(6, 0xCCDD_EEFF), Self.store(6, Self.x, .word)]
        let outcomes = try armOutcomes([exclusive, word], registers: [(0, 6), (0, 4), (0, 3)])
        XCTAssertFalse(outcomes.contains([0xEEFF, 0, 42]))
        XCTAssertTrue(outcomes.contains([0xEEFF, 0, 0xCCDD_002A]))
    }

    // MARK: Which words are split

    /// Same-size programs are explored with whole-access events; a word
    /// accessed with two shapes is reported for splitting, and once split
    /// every access to it is byte events.
    func testOnlyWordsWithSeveralShapesAreSplit() throws {
        let sameSize = L.program([[L.mov(0, 1), L.str(0, 1)], [L.ldr(2, 1), L.ldr(4, 3)]])
        let whole = Explorer(sameSize, candidates: [[:], [:]], lastWriters: [:], budget: 10_000)
        try whole.run()
        XCTAssertTrue(whole.mixedWords.isEmpty)
        XCTAssertFalse(whole.finalStates.isEmpty)

        let mixed = L.program([[L.mov(0, 1), Self.store(0, Self.x, .byte)], [Self.load(2, Self.x, .halfword), L.ldr(4, 3)]])
        let first = Explorer(mixed, candidates: [[:], [:]], lastWriters: [:], budget: 10_000)
        try first.run()
        XCTAssertEqual(first.mixedWords, [L.x])
        XCTAssertTrue(first.finalStates.isEmpty)

        let split = Explorer(mixed, candidates: [[:], [:]], lastWriters: [:], splitWords: [L.x], budget: 10_000)
        try split.run()
        XCTAssertTrue(split.mixedWords.isEmpty)
        XCTAssertEqual(Set(split.finalStates.map { $0.registers[1][2] }), [0, 1])
    }

    /// A halfword write inside a doubleword all threads otherwise access
    /// whole: the doubleword reads see the halfword's two bytes together.
    func testDoublewordReadSeesHalfwordWriteWhole() throws {
        let outcomes = try armOutcomes([[L.mov(0, 0xABCD), Self.store(0, Self.at(2), .halfword)],
                                        [Self.load(2, Self.x, .doubleword)]],
                                       registers: [(1, 2)])
        XCTAssertEqual(outcomes, [[0], [0xABCD_0000]])
    }
}
