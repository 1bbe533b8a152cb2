import XCTest
@testable import MemoryModel

/// FEAT_ETS2 (`ets-ob` and DSB-ob into walks, aarch64hwreqs.cat): a thread
/// that makes x's descriptor valid and then accesses x may still fault on
/// the old, invalid descriptor without ETS2; with ETS2 it may not.
final class ArmETSTests: XCTestCase {
    let x: UInt64 = 0x10_0000, pa: UInt64 = 0x20_0000, pte: UInt64 = 0x8_0000, y: UInt64 = 0x9_0000

    func faults(_ code: [Instruction], _ level: TranslationSynchronization) throws -> Bool {
        var r = RegisterFile()
        r.write(.x(1), Descriptor.herd(outputAddress: pa)); r.write(.x(0), pte); r.write(.x(2), x)
        r.write(.x(4), x >> 12)
        var program = ConcurrentProgram(threads: [ThreadCode(instructions: code)], initialRegisters: [r],
                                        initialMemory: [pte: 0], translation: .singleLevel(descriptorAddress: [x: pte]))
        program.translationSynchronization = level
        return try ArmMachine().explore(program).finalStates.contains { !$0.faults.isEmpty }
    }

    let makeValid: Instruction = .store(.x(1), Address(base: .x(0)), width: .doubleword, release: false, exclusiveStatus: nil)
    let readX: Instruction = .load(.w(3), Address(base: .x(2)), width: .word, ordering: .plain, exclusive: false)

    /// ETS2.CoWR0+posptev1p-fripptev1: the faulting walk is ordered after
    /// the po-earlier descriptor write, so it cannot read the older value.
    func testAFaultingWalkIsOrderedAfterEarlierAccesses() throws {
        XCTAssertTrue(try faults([makeValid, readX], .none))
        XCTAssertFalse(try faults([makeValid, readX], .ets2))
    }

    /// A permission fault is not TLBUncacheable: only ETS3 orders its walk.
    func testPermissionFaultsNeedETS3() {
        XCTAssertFalse(TranslationSynchronization.ets2.ordersWalks(faulting: .permission))
        XCTAssertTrue(TranslationSynchronization.ets3.ordersWalks(faulting: .permission))
        XCTAssertTrue(TranslationSynchronization.ets2.ordersWalks(faulting: .accessFlag))
    }

    /// ETS2.CoWR0+tlbi-sync: with ETS2 a DSB orders the earlier descriptor
    /// write and the completed TLBI before the later walk, without an ISB;
    /// without ETS2 the walk may be done early and use the old mapping.
    func testDSBOrdersLaterWalksWithETS2() throws {
        var r = RegisterFile()
        r.write(.x(0), 0); r.write(.x(1), pte); r.write(.x(2), x); r.write(.x(4), x >> 12)
        func succeeds(_ level: TranslationSynchronization) throws -> Bool {
            var program = ConcurrentProgram(
                threads: [ThreadCode(instructions: [
                    .store(.x(0), Address(base: .x(1)), width: .doubleword, release: false, exclusiveStatus: nil),
                    .dsb(.innerShareable, .all), .tlbi(.vaae1is, .x(4)), .dsb(.innerShareable, .all), readX,
                ])],
                initialRegisters: [r], initialMemory: [pte: Descriptor.herd(outputAddress: pa)],
                translation: .singleLevel(descriptorAddress: [x: pte]))
            program.translationSynchronization = level
            return try ArmMachine().explore(program).finalStates.contains { $0.faults.isEmpty }
        }
        XCTAssertTrue(try succeeds(.none))
        XCTAssertFalse(try succeeds(.ets2))
    }
}
