import Litmus
import MemoryModel
import XCTest

/// herd names the fault an SVC or HVC records `SupervisorCall` /
/// `HypervisorCall` in conditions, as it prints them: a fault kind, not a
/// variable (which would give it a page of its own and never match).
final class ExceptionCallFaultNameTests: XCTestCase {
    static let text = """
        AArch64 FatalCall
        Variant=fatal
        {
        }
         P0         ;
         MOV W1,#1  ;
        Lc:         ;
         SVC #3     ;
         MOV W2,#2  ;
        forall (Fault(P0:Lc,SupervisorCall) /\\ 0:X1=1 /\\ 0:X2=0)
        """

    func testCallKindsParseAsFaultKinds() throws {
        let t = try HerdParser.parse(Self.text, file: "c.litmus")
        guard case .and(.and(let fault, _), _) = t.condition.predicate else { return XCTFail("\(t.condition)") }
        XCTAssertEqual(fault, .fault(thread: 0, label: "Lc", variable: nil, kind: .supervisorCall))
        XCTAssertEqual(fault.description, "fault(P0:Lc,SupervisorCall)")
        let hvc = try HerdParser.parse("AArch64 H\n{}\n P0 ;\n L0: HVC #0 ;\nexists (fault(P0:L0,HypervisorCall))", file: "h.litmus")
        XCTAssertEqual(hvc.condition.predicate, .fault(thread: 0, label: "L0", variable: nil, kind: .hypervisorCall))
    }

    /// A fatal SVC without handler stops the thread with the fault recorded.
    func testFatalSupervisorCallIsRequiredOnBothMachines() throws {
        for machine in [ArmMachine(), SCMachine()] as [any MemoryMachine] {
            let r = try InlineTestRunning.run(Self.text, on: machine)
            XCTAssertEqual(r.states.count, 1, machine.name)
            XCTAssertEqual(r.negative, 0, machine.name)
            XCTAssertTrue(r.allowed, machine.name)
        }
    }
}
