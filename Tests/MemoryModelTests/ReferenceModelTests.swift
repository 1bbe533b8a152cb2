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
}
