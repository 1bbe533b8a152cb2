import XCTest
@testable import MemoryModel

/// EL0 threads need the descriptor's EL0 permission (AP[1], herd's el0),
/// their EL1 handlers do not; and with HA but not HD a write to a
/// read-only page with AF = 0 takes a Permission fault on both machines.
final class PrivilegeAndUpdateFaultTests: XCTestCase {
    let x: UInt64 = 0x10_0000, pa: UInt64 = 0x20_0000, pte: UInt64 = 0x8_0000

    func program(_ code: ThreadCode, descriptor: UInt64, updates: HardwareUpdates = HardwareUpdates()) -> ConcurrentProgram {
        var r = RegisterFile()
        r.write(.x(0), x); r.write(.x(2), 7); r.write(.x(4), 42)
        return ConcurrentProgram(threads: [code], initialRegisters: [r], initialMemory: [pte: descriptor, pa: 1],
                                 translation: .singleLevel(descriptorAddress: [x: pte]), hardwareUpdates: [updates])
    }

    let readX: Instruction = .load(.w(1), Address(base: .x(0)), width: .word, ordering: .plain, exclusive: false)

    func testEL0AccessNeedsTheEL0PermissionAndItsHandlerDoesNot() throws {
        // 0 LDR W1,[X0]; 1 B end; handler: 2 LDR W3,[X0]; 3 ERET past the fault
        var code = ThreadCode(instructions: [
            readX, .branch(to: 7),
            .load(.w(3), Address(base: .x(0)), width: .word, ordering: .plain, exclusive: false),
            .mrs(.x(5), .elrEl1), .arithmetic(.add, destination: .x(5), .x(5), .immediate(4), setsFlags: false),
            .msr(.elrEl1, .x(5)), .exceptionReturn,
        ], handlers: [ExceptionHandler(entry: 2)])
        code.runsAtEL0 = true
        let noEL0 = Descriptor.herd(outputAddress: pa, el0: false)
        for machine in [SCMachine() as any MemoryMachine, ArmMachine()] {
            let states = try machine.explore(program(code, descriptor: noEL0)).finalStates
            XCTAssertEqual(states.count, 1)
            let s = try XCTUnwrap(states.first)
            XCTAssertEqual(s.faults.map(\.kind), [.permission])
            XCTAssertEqual(s.registers[0][1], 0, "the EL0 read faulted")
            XCTAssertEqual(s.registers[0][3], 1, "the EL1 handler read x")
            // With EL0 permission the thread reads x itself.
            let allowed = try machine.explore(program(code, descriptor: Descriptor.herd(outputAddress: pa))).finalStates
            XCTAssertEqual(allowed.first?.registers[0][1], 1)
        }
    }

    func testHAWithoutHDWriteToReadOnlyPageIsAPermissionFault() throws {
        // herd-regression P019: CAS to a read-only (DBM, not dirty) page with AF = 0.
        let cas = ThreadCode(instructions: [
            .compareAndSwap(compare: .w(4), new: .w(2), Address(base: .x(0)), width: .word, acquire: false, release: false),
        ])
        let d = Descriptor.herd(outputAddress: pa, af: false, db: false, dbm: true)
        let p = program(cas, descriptor: d, updates: HardwareUpdates(accessFlag: true))
        let sc = try SCMachine().explore(p).finalStates
        let arm = try ArmMachine().explore(p).finalStates
        XCTAssertEqual(Set(sc.flatMap(\.faults).map(\.kind)), [.permission])
        XCTAssertEqual(Set(arm.flatMap(\.faults).map(\.kind)), [.permission])
        XCTAssertTrue(Set(sc).isSubset(of: Set(arm)))
    }
}
