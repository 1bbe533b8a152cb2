import Trace

/// SplitMix64: a small, fast generator with a fixed seed, so every run of
/// the tests sees the same events.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The machine every generated trace runs on: 4 CPUs, VM 1 with 2 vCPUs and
/// protected VM 2 with 4.
enum TestMachine {
    static let cpus: UInt32 = 4
    static let vms: [(id: UInt32, vcpus: UInt32, protected: Bool)] = [(1, 2, false), (2, 4, true)]

    static func header(description: String = "RecorderTests") -> TraceHeader {
        var header = TraceHeader()
        header.formatVersion = 1
        header.machine.cpus = cpus
        header.machine.physicalPages = 1024
        header.machine.pageTableLevels = 4
        header.machine.wordsPerPage = 8
        header.machine.vms = vms.map { vm in
            var v = TraceVirtualMachine()
            v.id = vm.id
            v.vcpus = vm.vcpus
            v.protected = vm.protected
            return v
        }
        header.recorder = "RecorderTests (hvtrace C library)"
        header.variant = "correct"
        header.description_p = description
        return header
    }
}

/// Random events that every reader must accept: defined enum values, a kind
/// always set, CPUs and VMs of `TestMachine`, per-CPU sequence numbers that
/// increase. Values favour the edges (0, 1, all ones) that varint and
/// proto3-default handling get wrong.
struct EventGenerator {
    private var rng: SplitMix64
    private var nextSeq = [UInt64](repeating: 0, count: Int(TestMachine.cpus))
    private var kindIndex = 0

    /// How many distinct kinds `next()` cycles through.
    static let kindCount = 17

    init(seed: UInt64) {
        rng = SplitMix64(seed: seed)
    }

    private mutating func int(_ range: ClosedRange<UInt32>) -> UInt32 {
        UInt32.random(in: range, using: &rng)
    }

    private mutating func u64() -> UInt64 {
        switch UInt64.random(in: 0..<8, using: &rng) {
        case 0: return 0
        case 1: return 1
        case 2: return .max
        case 3: return UInt64.random(in: 0..<128, using: &rng)
        default: return rng.next()
        }
    }

    private mutating func chance(_ percent: UInt64) -> Bool {
        UInt64.random(in: 0..<100, using: &rng) < percent
    }

    private mutating func width() -> UInt32 {
        [1, 2, 4, 8][Int.random(in: 0..<4, using: &rng)]
    }

    private mutating func guest() -> (vm: UInt32, vcpu: UInt32) {
        let vm = TestMachine.vms[Int.random(in: 0..<TestMachine.vms.count, using: &rng)]
        return (vm.id, int(0...(vm.vcpus - 1)))
    }

    private static let hypercallNumbers: [UInt32] = Array(1...18) + [32, 33, 34]
    private static let sources = ["mem_protect.c:1203", "pgtable.c:88", "hyp/nvhe/π.c:7", "ünïcode ✓"]

    /// The next event; kinds come round-robin so every kind appears.
    mutating func next() -> EventSpec {
        let cpu = int(0...(TestMachine.cpus - 1))
        nextSeq[Int(cpu)] += UInt64.random(in: 1...3, using: &rng)
        let principal = int(1...3)
        var spec = EventSpec(cpu: cpu, principal: principal, seq: nextSeq[Int(cpu)], kind: nextKind())
        if principal == 3 {
            (spec.vm, spec.vcpu) = guest()
        }
        if chance(60) {
            let start = chance(10) ? 0 : UInt64.random(in: 0..<(1 << 50), using: &rng)
            spec.time = .init(start: start, end: start + UInt64.random(in: 0..<100_000, using: &rng))
        }
        if chance(25) {
            spec.source = Self.sources[Int.random(in: 0..<Self.sources.count, using: &rng)]
        }
        return spec
    }

    private mutating func nextKind() -> EventSpec.Kind {
        defer { kindIndex = (kindIndex + 1) % Self.kindCount }
        switch kindIndex {
        case 0:
            let call = Self.hypercallNumbers[Int.random(in: 0..<Self.hypercallNumbers.count, using: &rng)]
            let args = (0..<Int.random(in: 0...8, using: &rng)).map { _ in u64() }
            let ret: Int64? =
                chance(30) ? nil : chance(50) ? 0 : chance(80) ? -Int64.random(in: 1...4095, using: &rng) : .min
            return .hypercall(call: call, args: args, recordedReturn: ret)
        case 1:
            return .access(
                space: int(1...2), op: int(1...2), address: u64(), width: width(), value: u64(),
                outcome: int(0...2), recordedValue: u64())
        case 2:
            return .stage2Fault(address: u64(), op: int(1...2), resolution: int(0...4))
        case 3:
            return .ipiSend(targetCpu: int(0...(TestMachine.cpus - 1)), targetVcpu: int(0...3), intid: int(0...15))
        case 4:
            return .ipiDelivery(sourceCpu: int(0...(TestMachine.cpus - 1)), intid: int(0...15))
        case 5:
            let (vm, vcpu) = guest()
            return .vcpuEnter(vm: vm, vcpu: vcpu)
        case 6:
            let (vm, vcpu) = guest()
            return .vcpuExit(vm: vm, vcpu: vcpu, reason: int(0...6))
        case 7:
            return .hypWrite(order: int(1...3), address: u64(), value: u64(), width: width())
        case 8:
            return .hypRead(order: int(1...3), address: u64(), value: u64(), width: width())
        case 9:
            return .hypInit(address: u64(), size: u64())
        case 10:
            return .hypFree(address: u64(), size: u64())
        case 11:
            return .hypSet(address: u64(), size: u64(), byte: int(0...255))
        case 12:
            let kind = int(1...3)
            // ISB (3) takes no domain or SY; DMB and DSB need one.
            return .barrier(kind: kind, domain: kind == 3 ? int(0...1) : int(1...12))
        case 13:
            return .tlbi(op: int(1...18), operand: u64())
        case 14:
            return .sysregWrite(reg: int(1...4), value: u64())
        case 15:
            return .hint(kind: int(1...4), location: u64(), value: u64())
        default:
            return .lock(kind: int(1...3), address: u64())
        }
    }

    /// `count` events from a generator seeded with `seed`.
    static func events(seed: UInt64, count: Int) -> [EventSpec] {
        var generator = EventGenerator(seed: seed)
        return (0..<count).map { _ in generator.next() }
    }
}
