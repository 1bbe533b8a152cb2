import Hypervisor
import MemoryModel
import XCTest

/// no-break-before-make's scenario: the hypervisor splits a host 2 MiB
/// block while the host reads through it. The bad outcome is the Arm
/// machine's Warning-BBM-expected flag (checked with the other variants in
/// ImplementationTLBScenarioTests); these tests check the scenario runs on both machines,
/// gives the host only its own value (or, in correct's break window, a
/// stage-2 fault), and that the handler code links the table with
/// break-before-make exactly when it should.
final class ImplementationBBMScenarioTests: XCTestCase {
    static let hostValue: UInt64 = 0x0B10C

    func testScenarioRunsOnBothMachines() throws {
        for handlers in [Variant.correct, .noBreakBeforeMake] {
            let scenario = try XCTUnwrap(try ConcurrentScenario.scenario(for: .noBreakBeforeMake, handlers: handlers))
            XCTAssertEqual(scenario.badFlag, .breakBeforeMakeExpected)
            let program = scenario.program
            for machine in [SCMachine() as any MemoryMachine, ArmMachine()] {
                let exploration = try onLargeStack { try machine.explore(program) }
                let what = "\(handlers) on \(machine.name)"
                XCTAssertFalse(exploration.finalStates.isEmpty, what)
                XCTAssertFalse(exploration.boundReached, what)
                var faulted = false
                for final in exploration.finalStates {
                    XCTAssertFalse(scenario.isBad(final), what)
                    XCTAssertEqual(final.registers[1][0], 0, "\(what): the donation succeeds")
                    if final.faults.isEmpty {
                        XCTAssertEqual(final.registers[0][2], Self.hostValue, "\(what): the host reads its own page")
                    } else {
                        faulted = true
                        XCTAssertEqual(final.faults.map(\.kind), [.stage2Translation], what)
                        XCTAssertEqual(final.faults.map(\.thread), [0], what)
                    }
                }
                // Only correct's break window leaves the entry invalid.
                XCTAssertEqual(faulted, handlers == .correct, "\(what): the host faults only in the break window")
            }
        }
    }

    /// In every handler that splits a block, the lines from the split's
    /// link label to the table descriptor's store: correct invalidates the
    /// block's entry, completes it, invalidates its IPA and completes that
    /// first; the variant stores the table over the block before any TLBI.
    func testTableIsLinkedWithBreakBeforeMakeOnlyInCorrect() {
        for levels in 2...4 {
            for variant in [Variant.correct, .noBreakBeforeMake] {
                var splits = 0
                for handler in Handler.allCases {
                    let lines = handler.source(variant: variant, levels: levels).split(separator: "\n")
                        .map { $0.split(separator: "//")[0].trimmingCharacters(in: .whitespaces) }
                    for (start, line) in lines.enumerated() where line.hasPrefix("link_table_") {
                        splits += 1
                        let window = lines[start...]
                        guard let link = window.firstIndex(of: "STR X11, [X21]") else {
                            XCTFail("\(variant) \(handler): no table store after \(line)")
                            continue
                        }
                        let before = Array(lines[start..<link])
                        if variant == .correct {
                            let invalid = before.firstIndex(of: "STR XZR, [X21]")
                            let tlbi = before.firstIndex(of: "TLBI IPAS2E1IS, X14")
                            let dsb = tlbi.flatMap { t in before[t...].firstIndex(of: "DSB ISH") }
                            XCTAssertNotNil(invalid, "\(handler): the block's entry is not invalidated")
                            XCTAssertNotNil(dsb, "\(handler): no TLBI of the block's IPA completed by DSB ISH")
                            if let invalid, let tlbi {
                                XCTAssertTrue(before[invalid..<tlbi].contains("DSB ISHST"), "\(handler)")
                            }
                        } else {
                            XCTAssertFalse(before.contains { $0.hasPrefix("TLBI") || $0 == "STR XZR, [X21]" },
                                           "\(handler): the variant breaks before it makes")
                            XCTAssertTrue(lines[link...].contains("TLBI IPAS2E1IS, X14"),
                                          "\(handler): the variant still invalidates afterwards")
                        }
                    }
                }
                // host_donate_hyp, host_donate_guest, guest MEM_UNSHARE,
                // topup, init_vm (twice) and init_vcpu take host pages.
                XCTAssertEqual(splits, 7, "\(variant), \(levels) levels")
            }
        }
    }
}
