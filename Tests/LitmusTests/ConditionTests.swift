import Litmus
import MemoryModel
import XCTest

/// Final conditions evaluated on hand-made final states: registers at their
/// declared width, memory words and sub-words, descriptors, faults, and the
/// connectives.
final class ConditionTests: XCTestCase {
    static let text = """
        AArch64 C
        { 0:X1=x; 0:X3=y; int 1:X2; uint16_t z; }
         P0          | P1 ;
         L0: LDR W0,[X1] | NOP ;
         STR W0,[X3] | NOP ;
        exists (0:X0=1 /\\ [y]=2 \\/ ~(1:X2=-1) /\\ z=0x102)
        """

    func state(_ c: CompiledTest, x0: UInt64 = 0, p1x2: UInt64 = 0, y: UInt64 = 0, z: UInt64 = 0,
               faults: Set<Fault> = []) throws -> FinalState {
        var registers = Array(repeating: Array(repeating: UInt64(0), count: 31), count: 2)
        registers[0][0] = x0
        registers[1][2] = p1x2
        var memory = c.program.initialMemory
        memory[try c.layout.resolve(.virtualAddress("y"))] = y
        memory[try c.layout.resolve(.virtualAddress("z"))] = z
        return FinalState(registers: registers, memory: memory, faults: faults)
    }

    /// herd's `=>`: implication, looser than `\/`, to the right.
    func testImplication() throws {
        let text = Self.text.replacingOccurrences(of: "exists (0:X0=1 /\\ [y]=2 \\/ ~(1:X2=-1) /\\ z=0x102)",
                                                  with: "forall 0:X0=1 => [y]=2 \\/ z=3 => z=3")
        let c = try HerdParser.parse(text, file: "c.litmus").compile()
        let p = c.test.condition.predicate
        XCTAssertTrue(try c.holds(p, in: state(c, x0: 0)))                   // false => ...
        XCTAssertTrue(try c.holds(p, in: state(c, x0: 1, y: 3, z: 3)))       // 1 => (1 => 1)
        XCTAssertTrue(try c.holds(p, in: state(c, x0: 1, y: 2, z: 3)))
        XCTAssertFalse(try c.holds(p, in: state(c, x0: 1, y: 2, z: 4)))      // 1 => (1 => 0)
        XCTAssertTrue(try c.holds(p, in: state(c, x0: 1, y: 0, z: 4)))       // 1 => (0 => 0)
    }

    func testConnectivesAndWidths() throws {
        let c = try HerdParser.parse(Self.text, file: "c.litmus").compile()
        let p = c.test.condition.predicate
        XCTAssertTrue(try c.holds(p, in: state(c, x0: 1, y: 2)))
        XCTAssertFalse(try c.holds(p, in: state(c, x0: 1, p1x2: 0xFFFF_FFFF, y: 3)))
        // 1:X2 is an int: only its low 32 bits count, so 0xFFFFFFFF is -1.
        XCTAssertFalse(try c.holds(p, in: state(c, p1x2: 0xFFFF_FFFF, z: 0x102)))
        XCTAssertTrue(try c.holds(p, in: state(c, p1x2: 0x1_0000_0000, z: 0x102)))
        // z is a uint16_t: bits above 16 do not count.
        XCTAssertTrue(try c.holds(p, in: state(c, z: 0xFFFF_0102)))
        XCTAssertFalse(try c.holds(p, in: state(c, z: 0x103)))
    }

    func testFaultsAndDescriptors() throws {
        let text = """
            AArch64 F
            { 0:X1=x; [PTE(x)]=(oa:PA(x), valid:0); }
             P0 ;
             NOP ;
             L1: LDR W0,[X1] ;
            exists (fault(P0:L1,x,MMU:Translation) /\\ pte_x=(oa:phy_x,valid:0) /\\ ~fault(P0,y))
            """
        let c = try HerdParser.parse(text, file: "f.litmus").compile()
        let p = c.test.condition.predicate
        let x = try c.layout.resolve(.virtualAddress("x"))
        var registers = Array(repeating: Array(repeating: UInt64(0), count: 31), count: 1)
        registers[0][1] = x
        func final(_ faults: Set<Fault>) -> FinalState {
            FinalState(registers: registers, memory: c.program.initialMemory, faults: faults)
        }
        XCTAssertTrue(try c.holds(p, in: final([Fault(thread: 0, instruction: 1, address: x + 4, kind: .translation)])))
        XCTAssertFalse(try c.holds(p, in: final([])))
        XCTAssertFalse(try c.holds(p, in: final([Fault(thread: 0, instruction: 0, address: x, kind: .translation)])))
        XCTAssertFalse(try c.holds(p, in: final([Fault(thread: 0, instruction: 1, address: x, kind: .permission)])))
        let y = try c.layout.resolve(.virtualAddress("y"))
        XCTAssertFalse(try c.holds(p, in: final([Fault(thread: 0, instruction: 1, address: x, kind: .translation),
                                                 Fault(thread: 0, instruction: 0, address: y, kind: .translation)])))
    }

    func testUnknownLabelInConditionIsAnError() throws {
        let text = "AArch64 E\n{}\n P0 ;\n NOP ;\nexists (fault(P0:L9))"
        let c = try HerdParser.parse(text, file: "e.litmus").compile()
        XCTAssertThrowsError(try c.holds(c.test.condition.predicate, in: FinalState(registers: [Array(repeating: 0, count: 31)], memory: [:]))) {
            XCTAssertEqual("\($0)", "e.litmus:5: no label P0:L9")
        }
    }
}
