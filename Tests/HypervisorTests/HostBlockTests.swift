import Hypervisor
import MemoryModel
import XCTest

/// Host 2 MiB blocks, event by event on Spec and the implementation side by
/// side: a host fault maps the whole block when pKVM would, sharing a page
/// keeps it, donating a page splits it into a level-3 table, and the other
/// pages stay mapped to the same memory.
final class HostBlockTests: XCTestCase {
    /// 2048 pages: blocks [512, 1024), [1024, 1536), [1536, 2048) are free;
    /// [0, 512) holds the hypervisor's reservation and the VM's pages.
    static func config(levels: Int) -> MachineConfig {
        MachineConfig(cpus: 1, physicalPages: 2048, wordsPerPage: 1, pageTableLevels: levels,
                      vms: [VMConfig(vcpus: 1, isProtected: true)], reservedHypPages: 8)
    }

    static let setup: [MachineEvent] = [
        .hostShareHyp(pfn: 10), .initVM(vm: VMID(0), kvmPfn: 10, metadataPfn: 11, pgdPfn: 12),
        .hostShareHyp(pfn: 13), .initVCPU(vm: VMID(0), vcpu: 0, hostVcpuPfn: 13, metadataPfn: 14),
        .vcpuLoad(vm: VMID(0), vcpu: 0), .hostTopupMemcache(pfn: 20), .hostTopupMemcache(pfn: 21),
        .hostTopupMemcache(pfn: 22),
    ]

    struct Pair {
        var spec: Spec
        var impl: Implementation

        init(levels: Int) throws {
            spec = try Spec(config: HostBlockTests.config(levels: levels))
            impl = try Implementation(config: HostBlockTests.config(levels: levels))
        }

        /// The VM with its vCPU loaded and a memcache, on both.
        mutating func setUp(file: StaticString = #filePath, line: UInt = #line) {
            for event in HostBlockTests.setup {
                XCTAssertEqual(impl.apply(event, on: 0), spec.apply(event, on: 0), "\(event)", file: file, line: line)
            }
        }

        /// Applies `event` to both; they must agree on the outcome and the
        /// abstract state, and `expected` must be the outcome.
        mutating func expect(_ event: MachineEvent, _ expected: Outcome, file: StaticString = #filePath, line: UInt = #line) {
            let want = spec.apply(event, on: 0)
            XCTAssertEqual(want, expected, "Spec: \(event)", file: file, line: line)
            XCTAssertEqual(impl.apply(event, on: 0), want, "implementation: \(event)", file: file, line: line)
            let state = spec.abstractState
            XCTAssertEqual(impl.abstractState.differences(from: state), [], "after \(event)", file: file, line: line)
        }

        /// The host stage-2 entry at level 2 for `pfn`: "block", "table" or
        /// "none" (read from the implementation's memory as a walker would).
        func level2(_ pfn: UInt64) -> String {
            var table = impl.layout.hostPgd
            for level in (4 - impl.config.pageTableLevels)...2 {
                let d = impl.memory.word(table + ((pfn >> UInt64(9 * (3 - level))) & 511) * 8)
                guard Descriptor.isValid(d) else { return "none" }
                if d & Descriptor.tableOrPage == 0 { return level == 2 ? "block" : "bigger block" }
                if level == 2 { return "table" }
                table = Descriptor.outputAddress(d)
            }
            return "none"
        }

        func mapped(_ pages: [UInt64]) -> [Bool] { pages.map { spec.pageView($0)?.hostMapped ?? false } }
    }

    func testBlockIsMappedKeptOnShareAndSplitOnDonation() throws {
        for levels in 2...4 {
            var m = try Pair(levels: levels)
            m.setUp()
            XCTAssertEqual(m.level2(600), "none")
            m.expect(.hostAccess(.write(600 << 12, 0x600)), .access(.written))
            XCTAssertEqual(m.level2(600), "block", "\(levels) levels")
            XCTAssertEqual(m.mapped([511, 512, 700, 1023, 1024]), [false, true, true, true, false])
            m.expect(.hostStage2Fault(address: 1023 << 12, write: true), .fault(.spurious))
            m.expect(.hostAccess(.write(700 << 12, 0x700)), .access(.written))
            m.expect(.hostAccess(.write(601 << 12, 0x601)), .access(.written))
            // Sharing changes page state only (vmemmap): no host entry changes.
            m.expect(.hostShareHyp(pfn: 600), .hypercall(.ok))
            XCTAssertEqual(m.level2(600), "block", "share keeps the block")
            // Donation takes the page out of the host's stage 2: split first.
            m.expect(.hostDonateHyp(pfn: 601, pages: 1), .hypercall(.ok))
            XCTAssertEqual(m.level2(600), "table", "donation splits the block")
            XCTAssertEqual(m.mapped([512, 600, 601, 602, 1023]), [true, true, false, true, true])
            m.expect(.hostAccess(.read(601 << 12)), .access(.fault))
            m.expect(.hostAccess(.read(600 << 12)), .access(.read(0x600)))
            m.expect(.hostAccess(.read(700 << 12)), .access(.read(0x700)))
            m.expect(.hostStage2Fault(address: 1023 << 12, write: false), .fault(.spurious))
            // Back to the host: mapped as a page in the (now) table.
            m.expect(.hypDonateHost(pfn: 601, pages: 1), .hypercall(.ok))
            m.expect(.hostAccess(.read(601 << 12)), .access(.read(0x601)))
            // A donation to the guest splits the next block the same way.
            m.expect(.hostStage2Fault(address: 1030 << 12, write: false), .fault(.mapped))
            XCTAssertEqual(m.level2(1030), "block")
            m.expect(.hostDonateGuest(pfn: 1031, gfn: 3), .hypercall(.ok))
            XCTAssertEqual(m.level2(1030), "table")
            XCTAssertEqual(m.mapped([1030, 1031, 1032]), [true, false, true])
        }
    }

    /// Where pKVM would not map a block, the fault maps the page alone.
    func testPageAloneWhenTheBlockIsNotAllFreeHostMemory() throws {
        var m = try Pair(levels: 3)
        m.setUp()
        // Block 0 holds the hypervisor's pages.
        m.expect(.hostAccess(.read(100 << 12)), .access(.read(0)))
        XCTAssertEqual(m.mapped([99, 100, 101]), [false, true, false])
        // A page shared before any fault (SHARED_OWNED, not OWNED).
        m.expect(.hostShareFFA(pfn: 1100, pages: 1), .hypercall(.ok))
        m.expect(.hostStage2Fault(address: 1200 << 12, write: false), .fault(.mapped))
        XCTAssertEqual(m.mapped([1100, 1199, 1200, 1201]), [false, false, true, false])
        XCTAssertEqual(m.level2(1200), "table")
        // Once one page of a range has an entry, the range never becomes a block.
        m.expect(.hostShareFFA(pfn: 1100, pages: 1), .hypercall(.failure(.eperm)))
        m.expect(.hostUnshareFFA(pfn: 1100, pages: 1), .hypercall(.ok))
        m.expect(.hostStage2Fault(address: 1300 << 12, write: false), .fault(.mapped))
        XCTAssertEqual(m.mapped([1100, 1299, 1300]), [false, false, true])
        // A block would run past the end of memory: 2048 - 512 = 1536 is
        // the last whole block; a 1800-page machine has none there.
        var short = try Spec(config: MachineConfig(cpus: 1, physicalPages: 1800, wordsPerPage: 1))
        XCTAssertEqual(short.apply(.hostStage2Fault(address: 1700 << 12, write: false), on: 0), .fault(.mapped))
        XCTAssertEqual([1536, 1699, 1700, 1701].map { short.pageView($0)?.hostMapped }, [false, false, true, false])
    }

    /// The host's table pool is sized at boot for all of memory page by
    /// page; splitting every block of memory stays inside it.
    func testSplittingEveryBlockStaysInsideTheHostPool() throws {
        for levels in 2...4 {
            var m = try Pair(levels: levels)
            m.setUp()
            for first: UInt64 in [512, 1024, 1536] {
                m.expect(.hostAccess(.read((first + 5) << 12)), .access(.read(0)))
                m.expect(.hostDonateHyp(pfn: first + 7, pages: 1), .hypercall(.ok))
                XCTAssertEqual(m.level2(first), "table")
            }
            for pfn: UInt64 in stride(from: 0, to: 512, by: 1) where m.spec.pageView(pfn)?.host != .noPage {
                _ = m.spec.apply(.hostAccess(.read(pfn << 12)), on: 0)
                _ = m.impl.apply(.hostAccess(.read(pfn << 12)), on: 0)
            }
            XCTAssertEqual(m.impl.abstractState, m.spec.abstractState)
            let next = m.impl.memory.word(Layout.carveOut + Layout.hostPoolNextOffset)
            XCTAssertLessThanOrEqual(next, m.impl.layout.end, "\(levels) levels: the host pool overflowed")
        }
    }
}
