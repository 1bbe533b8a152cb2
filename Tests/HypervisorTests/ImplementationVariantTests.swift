import Hypervisor
import XCTest

/// Every variant is a small, visible change of the correct handlers that
/// assembles for every stage-2 depth.
final class ImplementationVariantTests: XCTestCase {
    func testVariantsAreNamedAsDesignSays() {
        XCTAssertEqual(Variant.allCases.map(\.rawValue), [
            "correct", "missing-dsb-after-tlbi", "missing-dsb-before-tlbi", "tlbi-before-pte-write", "local-tlbi",
            "no-break-before-make", "plain-unlock", "unlocked-owner-check", "scrub-without-barrier",
            "missing-dsb-before-ipi", "hyp-table-shared", "remap-hyp-mapping",
        ])
        for variant in Variant.allCases { XCTAssertEqual(Variant(named: variant.rawValue), variant) }
        XCTAssertNil(Variant(named: "nonsense"))
        XCTAssertEqual(Variant.hypTableShared.caughtOn, .sc)
        XCTAssertEqual(Variant.unlockedOwnerCheck.caughtOn, .sc)
        XCTAssertEqual(Variant.localTLBI.condition, .sequentialTLBInvalidation)
    }

    func testEachVariantChangesTheCorrectHandlersAFewLines() {
        XCTAssertTrue(Variant.correct.changes().isEmpty)
        for variant in Variant.allCases where variant != .correct {
            let changes = variant.changes()
            XCTAssertFalse(changes.isEmpty, "\(variant) changes nothing")
            for change in changes {
                let edited = change.lines.filter { $0.hasPrefix("+ ") || $0.hasPrefix("- ") }
                XCTAssertFalse(edited.isEmpty, "\(variant) \(change.handler)")
                // Small: a few lines per place (at most moving the lock
                // block), never a rewrite of the handler.
                let source = change.handler.source(levels: 3).split(separator: "\n").count
                XCTAssertLessThan(edited.count * 3, source, "\(variant) rewrites \(change.handler)")
            }
        }
    }

    func testEveryVariantAssemblesForEveryDepth() throws {
        for levels in 2...4 {
            let config = MachineConfig(cpus: 2, physicalPages: 64, wordsPerPage: 1, pageTableLevels: levels,
                                       vms: [VMConfig(vcpus: 1, isProtected: true)])
            for variant in Variant.allCases {
                let impl = try Implementation(config: config, variant: variant)
                XCTAssertEqual(impl.variant, variant)
            }
        }
    }

    /// hyp-table-shared is caught sequentially already: the hypervisor gives
    /// a VM's stage-2 table page back to the host, which then maps it.
    func testHypTableSharedHandsATablePageToTheHost() throws {
        let config = MachineConfig(cpus: 1, physicalPages: 64, wordsPerPage: 1, pageTableLevels: 2,
                                   vms: [VMConfig(vcpus: 1, isProtected: true)])
        let setup: [MachineEvent] = [
            .hostShareHyp(pfn: 10), .initVM(vm: VMID(0), kvmPfn: 10, metadataPfn: 11, pgdPfn: 12),
            .hostShareHyp(pfn: 13), .initVCPU(vm: VMID(0), vcpu: 0, hostVcpuPfn: 13, metadataPfn: 14),
            .vcpuLoad(vm: VMID(0), vcpu: 0), .hostTopupMemcache(pfn: 20), .hostDonateGuest(pfn: 30, gfn: 5),
        ]
        for variant in [Variant.correct, .hypTableShared] {
            var spec = try Spec(config: config)
            var impl = try Implementation(config: config, variant: variant)
            for event in setup {
                XCTAssertEqual(impl.apply(event, on: 0), spec.apply(event, on: 0), "\(variant) \(event)")
            }
            // Page 20 (the memcache page) now holds the VM's level-3 table.
            XCTAssertEqual(spec.apply(.hypDonateHost(pfn: 20, pages: 1), on: 0), .hypercall(.failure(.ebusy)))
            let got = impl.apply(.hypDonateHost(pfn: 20, pages: 1), on: 0)
            if variant == .correct {
                XCTAssertEqual(got, .hypercall(.failure(.ebusy)))
                XCTAssertEqual(impl.abstractState, spec.abstractState)
            } else {
                XCTAssertEqual(got, .hypercall(.ok), "the table page goes to the host")
                XCTAssertTrue(impl.abstractState.pages[20].hostMapped)
                XCTAssertNotEqual(impl.abstractState, spec.abstractState)
            }
        }
    }
}

/// Hypercalls over ranges longer than the interpreter's per-instruction
/// loop bound still run to completion and agree with Spec.
final class ImplementationLongRangeTests: XCTestCase {
    func testRangesOfMoreThan65535PagesAgreeWithSpec() throws {
        let config = MachineConfig(cpus: 1, physicalPages: 66_000, wordsPerPage: 1, pageTableLevels: 3)
        var spec = try Spec(config: config)
        var impl = try Implementation(config: config)
        let events: [MachineEvent] = [
            .hostShareFFA(pfn: 0, pages: 66_000), .hostUnshareFFA(pfn: 1, pages: 65_999),
        ]
        for event in events {
            XCTAssertEqual(impl.apply(event, on: 0), spec.apply(event, on: 0), "\(event)")
        }
        XCTAssertEqual(impl.abstractState, spec.abstractState)
    }
}
