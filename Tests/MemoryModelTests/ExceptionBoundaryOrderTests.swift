import XCTest
@testable import MemoryModel

/// A store of a valid descriptor for x (invalid before), a DSB, an ERET,
/// then an access to x: may the access's walk still read the invalid entry
/// and fault?
///
/// aarch64.cat: no, the DSB's ordering reaches every walk after the ERET
/// (DSB-ob; [IFB]; po). The ESOP 2022 model orders the store before the
/// faulting walk only through obfault; obETS: a DSB SY (dmbld) before any
/// fault, a DSB ST (dmbst) before the faults of stores only. isla's ESOP run
/// allows pKVM.host_handle_trap.stage2_idmap.l3 (STLR, DSB ISHST, ERET, then
/// a load faults again on the entry the handler wrote).
final class ExceptionBoundaryOrderTests: XCTestCase {
    let x: UInt64 = 0x10_0000, pteX: UInt64 = 0x8_0000, pa: UInt64 = 0x20_0000
    /// What the handler writes to X4: the access faulted.
    let faulted: UInt64 = 7

    /// STR desc,[pte(x)]; DSB kind; MSR ELR_EL1 (the next instruction's
    /// address); ERET; then LDR X4,[x] (or STR X0,[x], X4 = 0 after it);
    /// the EL1 handler sets X4 = 7 and ends the thread.
    func faultReachable(barrier: BarrierKind, store: Bool, _ model: ReferenceModel) throws -> Bool {
        let access: Instruction = store
            ? .store(.x(0), Address(base: .x(1)), width: .doubleword, release: false, exclusiveStatus: nil)
            : .load(.x(4), Address(base: .x(1)), width: .doubleword, ordering: .plain, exclusive: false)
        let instructions: [Instruction] = [
            .store(.x(2), Address(base: .x(3)), width: .doubleword, release: false, exclusiveStatus: nil),
            .dsb(.innerShareable, barrier),
            .msr(.elrEl1, .x(5)),
            .exceptionReturn,
            access,
            .branch(to: 7),
            // EL1 handler (entered from EL0 after the ERET).
            .move(.x(4), .immediate(faulted)),
        ]
        let code = ThreadCode(instructions: instructions, handlers: [ExceptionHandler(entry: 6)])
        var registers = RegisterFile()
        registers.write(.x(1), x)
        registers.write(.x(2), Descriptor.herd(outputAddress: pa))
        registers.write(.x(3), pteX)
        registers.write(.x(5), code.codeAddress(ofInstruction: 4))
        var program = ConcurrentProgram(
            threads: [code], initialRegisters: [registers], initialMemory: [pteX: 0, pa: 0],
            translation: .singleLevel(descriptorAddress: [x: pteX]))
        program.referenceModel = model
        let states = try ArmMachine().explore(program).finalStates
        XCTAssertTrue(states.contains { $0.registers[0][4] != faulted }, "the access can always succeed")
        return states.contains { $0.registers[0][4] == faulted }
    }

    func testAArch64CatOrdersTheStoreBeforeEveryWalkAfterTheERET() throws {
        for barrier in [BarrierKind.store, .all] {
            for store in [false, true] {
                XCTAssertFalse(try faultReachable(barrier: barrier, store: store, .aarch64Cat), "\(barrier) store: \(store)")
            }
        }
    }

    func testESOPDSBSTBeforeERETDoesNotOrderALoadsFaultingWalk() throws {
        XCTAssertTrue(try faultReachable(barrier: .store, store: false, .esop2022))
    }

    func testESOPDSBSTBeforeERETOrdersAStoresFaultingWalk() throws {
        XCTAssertFalse(try faultReachable(barrier: .store, store: true, .esop2022))
    }

    func testESOPFullDSBBeforeERETOrdersEveryFaultingWalk() throws {
        XCTAssertFalse(try faultReachable(barrier: .all, store: false, .esop2022))
        XCTAssertFalse(try faultReachable(barrier: .all, store: true, .esop2022))
    }
}
