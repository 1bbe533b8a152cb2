import XCTest
@testable import MemoryModel

/// What a TLBI's scope leaves in the TLB: TLBI ASIDE1IS removes non-global
/// entries only (isla's CoWinvTa1.1+dsb-tlbiasidis-dsb-eret), an EL1 TLBI
/// only the current VMID's entries (CoWinvTv2.2+dsb-tlbivmidis-msrvttbr).
/// After a break, a DSB, the TLBI and a DSB; ISB, a stale translation out
/// of the TLBI's scope may still be used.
final class TLBIScopeTests: XCTestCase {
    func staleTranslationUsed(nonGlobal: Bool, _ op: TLBIOperation, vmidAfter: UInt64? = nil) throws -> Bool {
        let x: UInt64 = 0x10_0000, pa: UInt64 = 0x20_0000, pte: UInt64 = 0x8_0000
        var descriptor = Descriptor.herd(outputAddress: pa)
        if nonGlobal { descriptor |= Descriptor.notGlobal }
        var r = RegisterFile()
        r.write(.x(0), 0); r.write(.x(1), pte); r.write(.x(3), x); r.write(.x(4), 1 << 48)
        r.write(.x(5), (vmidAfter ?? 0) << 48)
        var instructions: [Instruction] = [
            .store(.x(0), Address(base: .x(1)), width: .doubleword, release: false, exclusiveStatus: nil),
            .dsb(.fullSystem, .all), .tlbi(op, op.takesAddress ? .x(6) : .x(4)), .dsb(.fullSystem, .all),
        ]
        if vmidAfter != nil { instructions.append(.msr(.vttbrEl2, .x(5))) }
        instructions += [.isb, .load(.x(2), Address(base: .x(3)), width: .doubleword, ordering: .plain, exclusive: false)]
        r.write(.x(6), x >> 12)
        let code = ThreadCode(instructions: instructions)
        let program = ConcurrentProgram(threads: [code], initialRegisters: [r], initialMemory: [pte: descriptor],
                                        translation: .singleLevel(descriptorAddress: [x: pte]))
        return try ArmMachine().explore(program).finalStates.contains { $0.faults.isEmpty }
    }

    func testByASIDInvalidationLeavesGlobalEntries() throws {
        XCTAssertTrue(try staleTranslationUsed(nonGlobal: false, .aside1is))
        XCTAssertFalse(try staleTranslationUsed(nonGlobal: true, .aside1is))
        XCTAssertFalse(try staleTranslationUsed(nonGlobal: false, .vmalle1is))
    }

    func testEL1InvalidationIsScopedToTheCurrentVMID() throws {
        // The walk after switching to VMID 1 may hit an entry the TLBI (of VMID 0) left.
        XCTAssertTrue(try staleTranslationUsed(nonGlobal: false, .vmalle1is, vmidAfter: 1))
        XCTAssertTrue(try staleTranslationUsed(nonGlobal: false, .vae1is, vmidAfter: 1))
        XCTAssertFalse(try staleTranslationUsed(nonGlobal: false, .vae1is, vmidAfter: 0))
        XCTAssertFalse(try staleTranslationUsed(nonGlobal: false, .alle1is, vmidAfter: 1))
    }
}
