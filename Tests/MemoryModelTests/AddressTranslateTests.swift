import XCTest
@testable import MemoryModel

/// AT S1E{0,1}{R,W}: the translation an access would make lands in PAR_EL1
/// (the output address, or the F bit), on both machines, and is never a
/// fault taken.
final class AddressTranslateTests: XCTestCase {
    let x: UInt64 = 0x10_0000, pa: UInt64 = 0x20_0000, pte: UInt64 = 0x8_0008

    /// P0: AT op, X0 (X0 = x); MRS X3, PAR_EL1; MOV X4, #1 (the thread goes on).
    func program(_ op: AddressTranslationOperation, descriptor: UInt64, writer: UInt64? = nil) -> ConcurrentProgram {
        var threads = [ThreadCode(instructions: [
            .addressTranslate(op, .x(0)), .isb, .mrs(.x(3), .parEl1), .move(.x(4), .immediate(1)),
        ])]
        var r = RegisterFile()
        r.write(.x(0), x)
        var registers = [r]
        if let writer {
            // P1: STR X1,[X2] (X2 = PTE(x)): a concurrent descriptor change.
            threads.append(ThreadCode(instructions: [
                .store(.x(1), Address(base: .x(2)), width: .doubleword, release: false, exclusiveStatus: nil),
            ]))
            var w = RegisterFile()
            w.write(.x(1), writer); w.write(.x(2), pte)
            registers.append(w)
        }
        return ConcurrentProgram(threads: threads, initialRegisters: registers, initialMemory: [pte: descriptor],
                                 translation: .singleLevel(descriptorAddress: [x: pte]), faultHandling: .fatal)
    }

    func results(_ program: ConcurrentProgram) throws -> [String: Set<UInt64>] {
        var out: [String: Set<UInt64>] = [:]
        for machine in [SCMachine() as any MemoryMachine, ArmMachine()] {
            let states = try machine.explore(program).finalStates
            for s in states {
                XCTAssertTrue(s.faults.isEmpty, "AT takes no fault (\(machine.name))")
                XCTAssertEqual(s.registers[0][4], 1, "the thread runs on (\(machine.name))")
            }
            out[machine.name] = Set(states.map { $0.registers[0][3] })
        }
        return out
    }

    func testSuccessGivesTheOutputPage() throws {
        let r = try results(program(.s1e1r, descriptor: Descriptor.herd(outputAddress: pa)))
        XCTAssertEqual(Set(r.values), [[PhysicalAddressRegister.success(pa)]])
        XCTAssertEqual(PhysicalAddressRegister.success(pa), pa)
    }

    func testFaultSetsTheFBitAlone() throws {
        let r = try results(program(.s1e1r, descriptor: Descriptor.herd(outputAddress: pa, valid: false)))
        XCTAssertEqual(Set(r.values), [[PhysicalAddressRegister.fault]])
    }

    func testOperationsCheckTheirAccessAndLevel() throws {
        let readOnly = Descriptor.herd(outputAddress: pa, db: false)
        XCTAssertEqual(Set(try results(program(.s1e1r, descriptor: readOnly)).values), [[pa]])
        XCTAssertEqual(Set(try results(program(.s1e1w, descriptor: readOnly)).values), [[PhysicalAddressRegister.fault]])
        let privileged = Descriptor.herd(outputAddress: pa, el0: false)
        XCTAssertEqual(Set(try results(program(.s1e1w, descriptor: privileged)).values), [[pa]])
        XCTAssertEqual(Set(try results(program(.s1e0r, descriptor: privileged)).values), [[PhysicalAddressRegister.fault]])
        XCTAssertEqual(Set(try results(program(.s1e0w, descriptor: privileged)).values), [[PhysicalAddressRegister.fault]])
    }

    /// A concurrent invalidation: either translation, on both machines.
    func testRacingDescriptorWriteGivesBothResults() throws {
        let p = program(.s1e1r, descriptor: Descriptor.herd(outputAddress: pa),
                        writer: Descriptor.herd(outputAddress: pa, valid: false))
        let r = try results(p)
        XCTAssertEqual(Set(r.values), [[pa, PhysicalAddressRegister.fault]])
    }

    /// Stage 1 only: with stage 2 on (and stage 1 off) an S1 operation
    /// reports the IPA, where an access goes on to stage 2.
    func testStageOneOnlyStopsBeforeStageTwo() {
        let ipa: UInt64 = 0x4020_3000, level2: UInt64 = 0x10_0000, level3: UInt64 = 0x11_0000, out: UInt64 = 0x9000_0000
        let memory: [UInt64: UInt64] = [
            level2 + ((ipa >> 21) & 0x1FF) * 8: level3 | Descriptor.tableOrPage | Descriptor.valid,
            level3 + ((ipa >> 12) & 0x1FF) * 8: out | 0b11 << 6 | Descriptor.accessFlag | Descriptor.tableOrPage | Descriptor.valid,
        ]
        let setup = AddressTranslation.tables(TableTranslation(stage1: false, stage2: true, stage2Levels: 2, systemRegisters: []))
        let access = Translation.Context(ttbr0: 0, vttbr: level2)
        XCTAssertEqual(Translation.translate(ipa, .read, setup: setup, context: access) { memory[$0.address] }, .physical(out))
        let at = AddressTranslationOperation.s1e1r.context(from: access)
        XCTAssertEqual(Translation.translate(ipa, .read, setup: setup, context: at) { memory[$0.address] }, .physical(ipa))
    }

    func testAssembly() throws {
        let code = try Assembler().assemble("AT S1E0W, X1")
        XCTAssertEqual(code.instructions, [.addressTranslate(.s1e0w, .x(1))])
        XCTAssertThrowsError(try Assembler().assemble("AT S12E1R, X1"))
        XCTAssertThrowsError(try Assembler().assemble("AT S1E1R, W1"))
    }
}
