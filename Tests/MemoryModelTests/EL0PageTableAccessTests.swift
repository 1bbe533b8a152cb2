import XCTest
@testable import MemoryModel

/// herd maps its page-table pages without EL0 access (AArch64PteVal.of_pte:
/// el0 = 0), so an EL0 thread reading or writing `PTE(x)` takes a Permission
/// fault; EL1 threads access them untranslated, as every thread does other
/// addresses outside the mapped pages.
final class EL0PageTableAccessTests: XCTestCase {
    let x: UInt64 = 0x10_0000, pa: UInt64 = 0x20_0000, pte: UInt64 = 0x8_0008, other: UInt64 = 0x30_0000

    func program(atEL0: Bool) -> ConcurrentProgram {
        // 0 LDR X1,[X0] (the descriptor); 1 LDR X3,[X2] (an unmapped, non-table address)
        var code = ThreadCode(instructions: [
            .load(.x(3), Address(base: .x(2)), width: .doubleword, ordering: .plain, exclusive: false),
            .load(.x(1), Address(base: .x(0)), width: .doubleword, ordering: .plain, exclusive: false),
        ])
        code.runsAtEL0 = atEL0
        var r = RegisterFile()
        r.write(.x(0), pte); r.write(.x(2), other)
        return ConcurrentProgram(threads: [code], initialRegisters: [r],
                                 initialMemory: [pte: Descriptor.herd(outputAddress: pa), pa: 1, other: 5],
                                 translation: .singleLevel(descriptorAddress: [x: pte]), faultHandling: .fatal)
    }

    func testEL0CannotReadTheDescriptorPage() throws {
        for machine in [SCMachine() as any MemoryMachine, ArmMachine()] {
            let states = try machine.explore(program(atEL0: true)).finalStates
            XCTAssertEqual(states.count, 1, machine.name)
            let s = try XCTUnwrap(states.first)
            XCTAssertEqual(s.faults.map(\.kind), [.permission], machine.name)
            XCTAssertEqual(s.faults.first?.address, pte, machine.name)
            XCTAssertEqual(s.registers[0][3], 5, "other untranslated addresses stay readable (\(machine.name))")
            XCTAssertEqual(s.registers[0][1], 0, machine.name)
        }
    }

    func testEL1ReadsTheDescriptor() throws {
        for machine in [SCMachine() as any MemoryMachine, ArmMachine()] {
            let s = try XCTUnwrap(try machine.explore(program(atEL0: false)).finalStates.first)
            XCTAssertTrue(s.faults.isEmpty, machine.name)
            XCTAssertEqual(s.registers[0][1], Descriptor.herd(outputAddress: pa), machine.name)
        }
    }
}
