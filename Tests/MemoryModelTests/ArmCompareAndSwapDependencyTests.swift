import XCTest
@testable import MemoryModel

/// Dependencies through the Rs register a successful CAS writes back: herd
/// takes its data either from the old Rs or from the value read (its
/// `DataFromRRs | DataFromRx` alternatives), so an address dependency from
/// that register orders a later read only when both sources are ordered
/// (herd's MP+rel+CAS-ok-{MRs,RsRs,bothRs}-addr).
final class ArmCompareAndSwapDependencyTests: XCTestCase {
    private typealias L = ArmLitmus
    private let arm = ArmMachine()

    private func cas(compare: UInt8, new: UInt8, at base: UInt8) -> Instruction {
        .compareAndSwap(compare: .w(compare), new: .w(new), Address(base: .x(base)), width: .word,
                        acquire: false, release: false)
    }
    /// W2's dependencies as the address of a read of x into W7.
    private let readXThroughW2: [Instruction] = [L.eor(4, 2, 2), L.ldr(7, 1, offset: 4)]

    func testMemorySourceAloneDoesNotOrder() throws {
        // CAS-ok-MRs: Rs is a constant, the CAS reads y from the release.
        let writer = [L.mov(0, 1), L.str(0, 1), L.str(0, 3, release: true)]
        let reader = [L.mov(2, 1), L.mov(6, 0), cas(compare: 2, new: 6, at: 3)] + readXThroughW2
        let seen = try L.outcomes(arm, L.program([writer, reader]), registers: [(1, 2), (1, 7)])
        XCTAssertTrue(seen.contains([1, 0]))
    }

    func testRegisterSourceAloneDoesNotOrder() throws {
        // CAS-ok-RsRs: Rs comes from the read of y, the CAS reads z's
        // initial value.
        let writer = [L.mov(0, 1), L.str(0, 1), L.str(0, 3, release: true)]
        let reader = [L.ldr(2, 3), .move(.w(9), .reg(.w(2))), L.mov(6, 0),
                      cas(compare: 2, new: 6, at: 5)] + readXThroughW2
        let seen = try L.outcomes(arm, L.program([writer, reader], memory: [L.z: 1]), registers: [(1, 9), (1, 7)])
        XCTAssertTrue(seen.contains([1, 0]))
    }

    func testBothSourcesOrderedOrders() throws {
        // CAS-ok-bothRs: Rs comes from the read of y and the CAS succeeds on
        // the release of z, so whichever source herd picks is ordered after
        // the write of x.
        let writer = [L.mov(0, 1), L.str(0, 1), L.str(0, 5, release: true), L.str(0, 3, release: true)]
        let reader = [L.ldr(2, 3), .move(.w(9), .reg(.w(2))), L.mov(6, 5),
                      cas(compare: 2, new: 6, at: 5)] + readXThroughW2
        let seen = try L.outcomes(arm, L.program([writer, reader], memory: [L.z: 3]),
                                  registers: [(1, 9), (1, 7)], memory: [L.z])
        XCTAssertTrue(seen.contains([1, 1, 5]))
        XCTAssertFalse(seen.contains([1, 0, 5]))
    }
}
