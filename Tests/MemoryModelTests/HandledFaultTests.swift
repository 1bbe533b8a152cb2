import XCTest
@testable import MemoryModel

/// herd's `handled` fault handling (`handledRetryOnce`) on both machines:
/// the faulting instruction runs again, and the rest of the thread runs as
/// herd's re-execution does, "in the handler", where a further fault leaves
/// no execution at all (herdtools7 herd/mem.ml, add_fault).
final class HandledFaultTests: XCTestCase {
    /// Pages x and y mapped by the descriptors at `pteX` and `pteY` to `pa`
    /// and `pb`, both descriptors invalid at first.
    let x: UInt64 = 0x10_0000, y: UInt64 = 0x11_0000
    let pa: UInt64 = 0x20_0000, pb: UInt64 = 0x21_0000
    let pteX: UInt64 = 0x8_0000, pteY: UInt64 = 0x8_0008
    let machines: [any MemoryMachine] = [SCMachine(), ArmMachine()]

    func program(_ threads: [[Instruction]]) -> ConcurrentProgram {
        var r = RegisterFile()
        r.write(.x(1), x); r.write(.x(3), y)
        r.write(.x(6), Descriptor.herd(outputAddress: pa)); r.write(.x(7), pteX)
        r.write(.x(8), Descriptor.herd(outputAddress: pb)); r.write(.x(9), pteY)
        return ConcurrentProgram(threads: threads.map { ThreadCode(instructions: $0) },
                                 initialRegisters: Array(repeating: r, count: threads.count),
                                 initialMemory: [pteX: 0, pteY: 0],
                                 translation: .singleLevel(descriptorAddress: [x: pteX, y: pteY]),
                                 faultHandling: .handledRetryOnce)
    }

    let loadX: Instruction = .load(.w(0), Address(base: .x(1)), width: .word, ordering: .plain, exclusive: false)
    let loadY: Instruction = .load(.w(2), Address(base: .x(3)), width: .word, ordering: .plain, exclusive: false)
    let storeX: Instruction = .store(.w(5), Address(base: .x(1)), width: .word, release: false, exclusiveStatus: nil)
    let mapX: Instruction = .store(.x(6), Address(base: .x(7)), width: .doubleword, release: false, exclusiveStatus: nil)
    let mapY: Instruction = .store(.x(8), Address(base: .x(9)), width: .doubleword, release: false, exclusiveStatus: nil)

    func testARetryThatFaultsAgainLeavesNoExecution() throws {
        // Nothing ever maps x: the retry faults too, and herd keeps nothing.
        let p = program([[loadX, .move(.w(4), .immediate(7))]])
        for m in machines {
            XCTAssertEqual(try m.explore(p).finalStates, [], m.name)
        }
    }

    func testTheRetrySeesALaterThreadsMapping() throws {
        // P0's store to x faults or not; either way it is done in the end
        // (a second fault would leave no execution), so pa is 1 in every
        // final state. On Arm P0 runs first: its retried walk reads P1's
        // descriptor by promise, which the dropped runs must still discover.
        let p = program([[.move(.w(5), .immediate(1)), storeX], [mapX]])
        for m in machines {
            let states = try m.explore(p).finalStates
            XCTAssertFalse(states.isEmpty, m.name)
            XCTAssertTrue(states.allSatisfy { $0.memory[pa] == 1 }, m.name)
            XCTAssertTrue(states.contains { $0.faults.contains { $0.thread == 0 } }, "a handled fault: \(m.name)")
            XCTAssertTrue(states.contains { $0.faults.isEmpty }, "no fault: \(m.name)")
        }
    }

    func testAThreadTakesAtMostOneHandledFault() throws {
        // P1 maps x, then y. P0 may fault on x and on y, but not on both:
        // after the first fault the thread runs "in the handler".
        let p = program([[loadX, loadY], [mapX, mapY]])
        for m in machines {
            let states = try m.explore(p).finalStates
            XCTAssertFalse(states.isEmpty, m.name)
            XCTAssertTrue(states.allSatisfy { s in s.faults.filter { $0.thread == 0 }.count <= 1 }, m.name)
            XCTAssertTrue(states.contains { s in s.faults.contains { $0.thread == 0 && $0.address == y } }, m.name)
        }
    }
}
