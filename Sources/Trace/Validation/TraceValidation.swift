import SwiftProtobuf

/// Limits and consistency rules for a trace header. The bounds keep every
/// structure sized by the header (per-CPU, per-page, per-VM tables) small
/// enough to allocate without trusting the file.
public enum TraceValidation {
    public static let cpuRange: ClosedRange<UInt32> = 1...1024
    public static let maxPhysicalPages: UInt32 = 1 << 24
    public static let pageTableLevelRange: ClosedRange<UInt32> = 2...4
    public static let wordsPerPageRange: ClosedRange<UInt32> = 1...512
    public static let maxVMs = 1024
    public static let vcpuRange: ClosedRange<UInt32> = 1...512
    public static let maxHypercallArguments = 8

    /// Why `header` is not acceptable, or nil if it is.
    public static func problem(in header: TraceHeader) -> String? {
        guard header.formatVersion == TraceFormat.version else {
            return "format version \(header.formatVersion) is not supported (expected \(TraceFormat.version))"
        }
        guard header.hasMachine else {
            return "no machine configuration"
        }
        let machine = header.machine
        guard cpuRange.contains(machine.cpus) else {
            return "cpus \(machine.cpus) is outside \(cpuRange.lowerBound)...\(cpuRange.upperBound)"
        }
        guard machine.physicalPages <= maxPhysicalPages else {
            return "physical_pages \(machine.physicalPages) exceeds \(maxPhysicalPages)"
        }
        guard pageTableLevelRange.contains(machine.pageTableLevels) else {
            return "page_table_levels \(machine.pageTableLevels) is outside 2...4"
        }
        guard wordsPerPageRange.contains(machine.wordsPerPage) else {
            return "words_per_page \(machine.wordsPerPage) is outside 1...512"
        }
        guard machine.vms.count <= maxVMs else {
            return "\(machine.vms.count) VMs exceed the limit of \(maxVMs)"
        }
        var seen = Set<UInt32>()
        for vm in machine.vms {
            guard seen.insert(vm.id).inserted else {
                return "VM id \(vm.id) appears twice"
            }
            guard vcpuRange.contains(vm.vcpus) else {
                return "VM \(vm.id) has \(vm.vcpus) vCPUs, outside 1...512"
            }
        }
        return nil
    }
}

/// Checks each event of a trace against the schema's rules and the header:
/// defined enum values, required fields, CPU and VM numbers that exist, and
/// per-CPU sequence numbers that strictly increase.
struct EventValidator {
    private let cpus: UInt32
    /// (VM id, vCPUs), searched linearly: hashing costs more than a scan
    /// over the handful of VMs a machine has, on every guest event.
    private let vms: [(id: UInt32, vcpus: UInt32)]
    /// Last sequence number seen per CPU, nil before the first.
    private var lastSeq: [UInt64?]

    init(header: TraceHeader) {
        cpus = header.machine.cpus
        vms = header.machine.vms.map { ($0.id, $0.vcpus) }
        lastSeq = Array(repeating: nil, count: Int(cpus))
    }

    /// Why `event` is not acceptable at this point of the trace, or nil.
    mutating func problem(in event: TraceEvent) -> String? {
        guard event.cpu < cpus else {
            return "cpu \(event.cpu) does not exist (the machine has \(cpus))"
        }
        if let problem = principalProblem(event) ?? timeProblem(event) ?? kindProblem(event) {
            return problem
        }
        let cpu = Int(event.cpu)
        if let last = lastSeq[cpu], event.seq <= last {
            return "seq \(event.seq) on cpu \(event.cpu) does not increase (previous \(last))"
        }
        lastSeq[cpu] = event.seq
        return nil
    }

    private func principalProblem(_ event: TraceEvent) -> String? {
        switch event.principal {
        case .principalHypervisor, .principalHost:
            return nil
        case .principalGuest:
            return vmProblem(vm: event.vm, vcpu: event.vcpu, what: "principal")
        case .principalUnspecified:
            return "no principal"
        case .UNRECOGNIZED(let value):
            return "undefined principal \(value)"
        }
    }

    private func vmProblem(vm: UInt32, vcpu: UInt32, what: String) -> String? {
        guard let vcpus = vms.first(where: { $0.id == vm })?.vcpus else {
            return "\(what): VM \(vm) is not in the header"
        }
        guard vcpu < vcpus else {
            return "\(what): VM \(vm) has no vCPU \(vcpu) (it has \(vcpus))"
        }
        return nil
    }

    private func timeProblem(_ event: TraceEvent) -> String? {
        guard event.hasTime else { return nil }
        let time = event.time
        guard time.startNs > time.endNs else { return nil }
        return "time interval ends (\(time.endNs)) before it starts (\(time.startNs))"
    }

    private func kindProblem(_ event: TraceEvent) -> String? {
        switch event.kind {
        case nil:
            return "event has no kind"
        case .hypercall(let call):
            if let problem = required(call.call, "hypercall number") { return problem }
            if call.args.count > TraceValidation.maxHypercallArguments {
                return "hypercall has \(call.args.count) arguments (at most \(TraceValidation.maxHypercallArguments))"
            }
            return nil
        case .access(let access):
            return required(access.space, "address space") ?? required(access.op, "access op")
                ?? width(access.width) ?? defined(access.recordedOutcome, "access outcome")
        case .stage2Fault(let fault):
            return required(fault.op, "fault access op") ?? defined(fault.recordedResolution, "fault resolution")
        case .ipiSend(let send):
            return send.targetCpu < cpus ? nil : "IPI target cpu \(send.targetCpu) does not exist"
        case .ipiDelivery(let delivery):
            return delivery.sourceCpu < cpus ? nil : "IPI source cpu \(delivery.sourceCpu) does not exist"
        case .vcpuEnter(let enter):
            return vmProblem(vm: enter.vm, vcpu: enter.vcpu, what: "vcpu enter")
        case .vcpuExit(let exit):
            return vmProblem(vm: exit.vm, vcpu: exit.vcpu, what: "vcpu exit") ?? defined(exit.reason, "exit reason")
        case .hypWrite(let write):
            return required(write.order, "memory order") ?? width(write.width)
        case .hypRead(let read):
            return required(read.order, "memory order") ?? width(read.width)
        case .hypInit, .hypFree:
            return nil
        case .hypSet(let set):
            return set.byte <= 0xff ? nil : "memset byte \(set.byte) exceeds 0xff"
        case .barrier(let barrier):
            return barrierProblem(barrier)
        case .tlbi(let tlbi):
            return required(tlbi.op, "TLBI operation")
        case .sysregWrite(let write):
            return required(write.reg, "system register")
        case .hint(let hint):
            return required(hint.kind, "hint kind")
        case .lock(let lock):
            return required(lock.kind, "lock operation")
        }
    }

    private func barrierProblem(_ barrier: TraceBarrier) -> String? {
        if let problem = required(barrier.kind, "barrier kind") ?? defined(barrier.domain, "barrier domain") {
            return problem
        }
        switch (barrier.kind, barrier.domain) {
        case (.barrierIsb, .domainUnspecified), (.barrierIsb, .domainSy):
            return nil
        case (.barrierIsb, _):
            return "ISB takes no shareability domain"
        case (_, .domainUnspecified):
            return "DMB/DSB needs a domain"
        default:
            return nil
        }
    }

    private func width(_ width: UInt32) -> String? {
        [1, 2, 4, 8].contains(width) ? nil : "access width \(width) is not 1, 2, 4 or 8 bytes"
    }
}

/// An enum value the schema defines (not an unknown number).
private func defined<E: DefinedValues>(_ value: E, _ what: String) -> String? {
    let raw = value.rawValue
    return raw >= 0 && raw < 64 && E.definedMask & (1 << UInt64(raw)) != 0 ? nil : "undefined \(what) \(raw)"
}

/// A defined enum value other than the UNSPECIFIED zero.
private func required<E: DefinedValues>(_ value: E, _ what: String) -> String? {
    if let problem = defined(value, what) { return problem }
    return value.rawValue == 0 ? "no \(what)" : nil
}

/// The raw values a schema enum defines, as a bit mask: validation runs on
/// every event, and a mask test is cheaper than searching `allCases`.
protocol DefinedValues: SwiftProtobuf.Enum, CaseIterable {
    static var definedMask: UInt64 { get }
}

extension DefinedValues {
    /// Computes the mask; each conformance stores it once in a `static let`.
    static func mask() -> UInt64 {
        allCases.reduce(0) { mask, value in
            precondition((0..<64).contains(value.rawValue), "enum values above 63 need a wider mask")
            return mask | 1 << UInt64(value.rawValue)
        }
    }
}

extension TracePrincipalKind: DefinedValues { static let definedMask = mask() }
extension TraceHypercallNumber: DefinedValues { static let definedMask = mask() }
extension TraceAddressSpace: DefinedValues { static let definedMask = mask() }
extension TraceAccessOp: DefinedValues { static let definedMask = mask() }
extension TraceAccessOutcome: DefinedValues { static let definedMask = mask() }
extension TraceFaultResolution: DefinedValues { static let definedMask = mask() }
extension TraceExitReason: DefinedValues { static let definedMask = mask() }
extension TraceMemoryOrder: DefinedValues { static let definedMask = mask() }
extension TraceBarrierKind: DefinedValues { static let definedMask = mask() }
extension TraceBarrierDomain: DefinedValues { static let definedMask = mask() }
extension TraceTlbiOp: DefinedValues { static let definedMask = mask() }
extension TraceSysreg: DefinedValues { static let definedMask = mask() }
extension TraceHintKind: DefinedValues { static let definedMask = mask() }
extension TraceLockKind: DefinedValues { static let definedMask = mask() }
