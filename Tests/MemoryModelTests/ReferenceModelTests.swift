import XCTest
@testable import MemoryModel

/// aarch64.cat orders a walk after its own thread's descriptor write it
/// reads from (TTD-obs `rf; [Imp & TTD]`, internal too); the ESOP 2022 model
/// observes only other threads' (trfe). isla's MP.RT.inv+dmb+ctrl-trfi.
final class ReferenceModelTests: XCTestCase {
    func testOwnDescriptorWriteOrdersTheWalkOnlyUnderAArch64Cat() throws {
        let x: UInt64 = 0x10_0000, w: UInt64 = 0x11_0000, y: UInt64 = 0x12_0000
        let pa: UInt64 = 0x20_0000, pteX: UInt64 = 0x8_0000, pteW: UInt64 = 0x8_0008
        var r0 = RegisterFile(), r1 = RegisterFile()
        r0.write(.x(1), x); r0.write(.x(3), y); r0.write(.x(0), 1)
        r1.write(.x(1), y); r1.write(.x(3), pteW); r1.write(.x(5), w); r1.write(.x(2), Descriptor.herd(outputAddress: pa))
        func store(_ s: UInt8, _ b: UInt8) -> Instruction {
            .store(.x(s), Address(base: .x(b)), width: .doubleword, release: false, exclusiveStatus: nil)
        }
        func load(_ d: UInt8, _ b: UInt8) -> Instruction {
            .load(.x(d), Address(base: .x(b)), width: .doubleword, ordering: .plain, exclusive: false)
        }
        func reachable(_ model: ReferenceModel) throws -> Bool {
            var program = ConcurrentProgram(
                threads: [
                    ThreadCode(instructions: [store(0, 1), .dmb(.fullSystem, .all), store(0, 3)]),
                    // LDR y; CBZ (ctrl); STR desc to pte(w); LDR w (through it).
                    ThreadCode(instructions: [load(0, 1), .compareBranchZero(.x(0), to: 2), store(2, 3), load(4, 5)]),
                ],
                initialRegisters: [r0, r1],
                initialMemory: [pteX: Descriptor.herd(outputAddress: pa), pteW: 0, y: 0],
                translation: .singleLevel(descriptorAddress: [x: pteX, w: pteW]))
            program.referenceModel = model
            return try ArmMachine().explore(program).finalStates.contains { s in
                s.registers[1][0] == 1 && s.registers[1][4] == 0 && s.faults.isEmpty
            }
        }
        XCTAssertFalse(try reachable(.aarch64Cat))
        XCTAssertTrue(try reachable(.esop2022))
    }

    /// The ESOP 2022 model's obETS orders a TLBI completed by a DSB before
    /// the walks its thread makes after that DSB, without an ISB
    /// (CoRpteT.EL1+dsb-tlbi-dsb, forbidden in isla's ESOP results);
    /// aarch64.cat without ETS2 lets such a walk be done early and use the
    /// old mapping.
    func testCompletedTLBIOrdersLaterWalksOnlyUnderESOP() throws {
        let x: UInt64 = 0x10_0000, pte: UInt64 = 0x8_0000, pa: UInt64 = 0x20_0000
        var r = RegisterFile()
        r.write(.x(0), 0); r.write(.x(1), pte); r.write(.x(3), x); r.write(.x(4), x >> 12)
        func staleReadReachable(_ model: ReferenceModel) throws -> Bool {
            var program = ConcurrentProgram(
                threads: [ThreadCode(instructions: [
                    .store(.x(0), Address(base: .x(1)), width: .doubleword, release: false, exclusiveStatus: nil),
                    .dsb(.fullSystem, .all), .tlbi(.vae1, .x(4)), .dsb(.fullSystem, .all),
                    .load(.x(2), Address(base: .x(3)), width: .doubleword, ordering: .plain, exclusive: false),
                ])],
                initialRegisters: [r], initialMemory: [pte: Descriptor.herd(outputAddress: pa)],
                translation: .singleLevel(descriptorAddress: [x: pte]))
            program.referenceModel = model
            return try ArmMachine().explore(program).finalStates.contains { $0.faults.isEmpty }
        }
        XCTAssertTrue(try staleReadReachable(.aarch64Cat))
        XCTAssertFalse(try staleReadReachable(.esop2022))
    }
}
