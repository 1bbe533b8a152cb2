import XCTest
@testable import MemoryModel

/// An MMU's hardware update of a descriptor (HA setting AF) between another
/// thread's LDXR and STXR of that descriptor makes the STXR fail, on SC as
/// on Arm (aarch64.cat `atomic`): herd-vmsa NT-12-dmb-allha-variant1-LLSC.
final class HardwareUpdateMonitorTests: XCTestCase {
    func testAccessFlagUpdateClearsTheExclusiveMonitor() throws {
        let x: UInt64 = 0x10_0000, pa: UInt64 = 0x20_0000, pte: UInt64 = 0x8_0000
        let old = Descriptor.herd(outputAddress: pa, af: false)
        var r0 = RegisterFile(), r1 = RegisterFile()
        r0.write(.x(0), x)
        r1.write(.x(2), pte); r1.write(.x(17), 0)
        let program = ConcurrentProgram(
            threads: [
                ThreadCode(instructions: [.load(.w(1), Address(base: .x(0)), width: .word, ordering: .plain, exclusive: false)]),
                ThreadCode(instructions: [
                    .load(.x(3), Address(base: .x(2)), width: .doubleword, ordering: .plain, exclusive: true),
                    .store(.x(17), Address(base: .x(2)), width: .doubleword, release: false, exclusiveStatus: .w(9)),
                ]),
            ],
            initialRegisters: [r0, r1], initialMemory: [pte: old],
            translation: .singleLevel(descriptorAddress: [x: pte]),
            hardwareUpdates: [HardwareUpdates(accessFlag: true), HardwareUpdates()])
        for machine in [SCMachine() as any MemoryMachine, ArmMachine()] {
            let states = try machine.explore(program).finalStates
            // P1 read AF = 0 and its STXR succeeded: then P0's walk did not
            // update in between, so P0 saw the invalid descriptor and faulted.
            let stxrAfterUpdate = states.contains { s in
                s.registers[1][3] == old && s.registers[1][9] == 0 && s.faults.isEmpty
            }
            XCTAssertFalse(stxrAfterUpdate, "\(machine)")
            XCTAssertTrue(Set(try SCMachine().explore(program).finalStates).isSubset(of: Set(try ArmMachine().explore(program).finalStates)))
        }
    }
}
