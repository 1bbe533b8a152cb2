import Hypervisor
import XCTest

/// A small machine with both kinds of VM initialised the way a host would do
/// it, so tests start from a realistic state:
/// - pages [0, 16) are the hypervisor's boot reservation;
/// - vm0 is non-protected, vm1 protected, 2 vCPUs each, all initialised;
/// - vm0.vcpu0 is loaded on CPU 0 and vm1.vcpu0 on CPU 1, each with a
///   memcache of 4 pages.
struct Fixture {
    static let config = MachineConfig(
        cpus: 4, physicalPages: 2048, wordsPerPage: 4, pageTableLevels: 3,
        vms: [VMConfig(vcpus: 2, isProtected: false), VMConfig(vcpus: 2, isProtected: true)],
        reservedHypPages: 16)

    static let npVM = VMID(0)
    static let protectedVM = VMID(1)
    static let npCPU: UInt32 = 0
    static let protectedCPU: UInt32 = 1
    static let npVCPU = VCPURef(vm: npVM, vcpu: 0)
    static let protectedVCPU = VCPURef(vm: protectedVM, vcpu: 0)
    /// First page the fixture leaves free for tests.
    static let firstFreePage: UInt64 = 64

    var spec: Spec

    init(config: MachineConfig = Fixture.config, file: StaticString = #filePath, line: UInt = #line) throws {
        spec = try Spec(config: config)
        var next: UInt64 = 16
        func take() -> UInt64 {
            defer { next += 1 }
            return next
        }
        for vm in 0..<UInt32(config.vms.count) {
            let kvm = take()
            try expect(.hostShareHyp(pfn: kvm), .hypercall(.ok), file: file, line: line)
            try expect(.initVM(vm: VMID(vm), kvmPfn: kvm, metadataPfn: take(), pgdPfn: take()), .hypercall(.ok),
                       file: file, line: line)
            for vcpu in 0..<UInt32(config.vms[Int(vm)].vcpus) {
                let hostVcpu = take()
                try expect(.hostShareHyp(pfn: hostVcpu), .hypercall(.ok), file: file, line: line)
                try expect(.initVCPU(vm: VMID(vm), vcpu: vcpu, hostVcpuPfn: hostVcpu, metadataPfn: take()),
                           .hypercall(.ok), file: file, line: line)
            }
        }
        for (cpu, vm) in [(Fixture.npCPU, Fixture.npVM), (Fixture.protectedCPU, Fixture.protectedVM)] {
            try expect(.vcpuLoad(vm: vm, vcpu: 0), .hypercall(.ok), on: cpu, file: file, line: line)
            for _ in 0..<4 {
                try expect(.hostTopupMemcache(pfn: take()), .hypercall(.ok), on: cpu, file: file, line: line)
            }
        }
        precondition(next <= Fixture.firstFreePage)
    }

    @discardableResult
    mutating func apply(_ event: MachineEvent, on cpu: UInt32 = 0) -> Outcome {
        spec.apply(event, on: cpu)
    }

    mutating func expect(
        _ operation: MachineEvent, _ outcome: Outcome, on cpu: UInt32 = 0,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let got = spec.apply(operation, on: cpu)
        XCTAssertEqual(got, outcome, "\(operation) on CPU \(cpu)", file: file, line: line)
        if got != outcome { throw FixtureError.unexpected(operation, got) }
    }

    func assertSound(file: StaticString = #filePath, line: UInt = #line) {
        let violations = spec.invariantViolations()
        XCTAssertTrue(violations.isEmpty, "invariants broken: \(violations.prefix(8))", file: file, line: line)
    }
}

enum FixtureError: Error {
    case unexpected(MachineEvent, Outcome)
}

/// Reads a file of ../shared (the test data every worktree sees beside it).
func sharedFile(_ relativePath: String) throws -> String {
    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    let url = repository.deletingLastPathComponent().appendingPathComponent("shared").appendingPathComponent(relativePath)
    return try String(contentsOf: url, encoding: .utf8)
}

extension Outcome {
    static func error(_ errno: Errno) -> Outcome { .hypercall(.failure(errno)) }
    static let ok = Outcome.hypercall(.ok)
}
