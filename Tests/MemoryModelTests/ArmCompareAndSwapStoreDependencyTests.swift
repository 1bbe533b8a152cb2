import XCTest
@testable import MemoryModel

/// The Rs a successful CAS writes back, as the address of a later store:
/// herd's `DataFromRx` alternative takes it from the value read alone (no
/// iico_ctrl from the comparison into the register), so a register source
/// that the read does not share orders nothing (LB+rel+CAS-ok-RsRs-addr is
/// allowed); a read source ordered after the other thread orders the store
/// in both alternatives (LB+rel+CAS-ok-MRs-addr is forbidden).
final class ArmCompareAndSwapStoreDependencyTests: XCTestCase {
    private typealias L = ArmLitmus
    private let arm = ArmMachine()

    private func cas(compare: UInt8, new: UInt8, at base: UInt8) -> Instruction {
        .compareAndSwap(compare: .w(compare), new: .w(new), Address(base: .x(base)), width: .word,
                        acquire: false, release: false)
    }
    /// Reads x, then releases y = 1.
    private let releaser = [L.ldr(0, 1), L.mov(2, 1), L.str(2, 3, release: true)]
    /// Stores x = 1 at an address that depends on W2.
    private let storeXThroughW2: [Instruction] = [L.eor(4, 2, 2), L.mov(8, 1), L.str(8, 1, offset: 4)]

    func testRegisterSourceDoesNotOrderTheStore() throws {
        // Rs comes from the read of y; the CAS succeeds on z's initial 1.
        let other = [L.ldr(2, 3), .move(.w(9), .reg(.w(2))), L.mov(6, 0), cas(compare: 2, new: 6, at: 5)] + storeXThroughW2
        let seen = try L.outcomes(arm, L.program([releaser, other], memory: [L.z: 1]), registers: [(0, 0), (1, 9)])
        XCTAssertTrue(seen.contains([1, 1]))
    }

    func testReadSourceOrdersTheStore() throws {
        // Rs is a constant; the CAS succeeds on the release of y.
        let other = [L.mov(2, 1), L.mov(6, 0), cas(compare: 2, new: 6, at: 3)] + storeXThroughW2
        let seen = try L.outcomes(arm, L.program([releaser, other]), registers: [(0, 0), (1, 2)])
        XCTAssertTrue(seen.contains([0, 1]))
        XCTAssertFalse(seen.contains([1, 1]))
    }
}
