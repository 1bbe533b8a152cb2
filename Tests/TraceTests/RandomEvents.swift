import Trace

/// SplitMix64: a tiny deterministic generator, so every test run sees the
/// same "random" traces.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Valid headers and events of every kind with random field values.
enum RandomEvents {
    static func header(cpus: UInt32 = 4) -> TraceHeader {
        var header = TraceHeader()
        header.formatVersion = 1
        header.machine.cpus = cpus
        header.machine.physicalPages = 256
        header.machine.pageTableLevels = 3
        header.machine.wordsPerPage = 4
        header.recorder = "tests \"quoted\"\tand tabbed"
        header.variant = "correct"
        for id: UInt32 in [1, 7] {
            var vm = TraceVirtualMachine()
            vm.id = id
            vm.vcpus = 2
            vm.protected = id == 1
            header.machine.vms.append(vm)
        }
        return header
    }

    /// `count` events valid for `header(cpus:)`, with increasing per-CPU seq.
    static func events(count: Int, cpus: UInt32 = 4, seed: UInt64) -> [TraceEvent] {
        var random = SeededGenerator(seed: seed)
        var seq = [UInt64](repeating: 0, count: Int(cpus))
        return (0..<count).map { _ in
            let cpu = UInt32.random(in: 0..<cpus, using: &random)
            seq[Int(cpu)] += UInt64.random(in: 1...3, using: &random)
            return event(cpu: cpu, seq: seq[Int(cpu)], cpus: cpus, using: &random)
        }
    }

    static func event(cpu: UInt32, seq: UInt64, cpus: UInt32, using random: inout SeededGenerator) -> TraceEvent {
        var event = TraceEvent()
        event.cpu = cpu
        event.seq = seq
        switch Int.random(in: 0..<3, using: &random) {
        case 0: event.principal = .principalHost
        case 1: event.principal = .principalHypervisor
        default:
            event.principal = .principalGuest
            event.vm = Bool.random(using: &random) ? 1 : 7
            event.vcpu = UInt32.random(in: 0..<2, using: &random)
        }
        if Bool.random(using: &random) {
            let start = UInt64.random(in: 0..<1 << 40, using: &random)
            event.time.startNs = start
            event.time.endNs = start + UInt64.random(in: 0..<10_000, using: &random)
        }
        if Int.random(in: 0..<8, using: &random) == 0 {
            event.source = "file \u{e9}.c:\(seq)\n"
        }
        event.kind = kind(cpus: cpus, using: &random)
        return event
    }

    static func pick<T>(_ values: [T], _ random: inout SeededGenerator) -> T {
        values[Int.random(in: 0..<values.count, using: &random)]
    }

    static func defined<E: CaseIterable & RawRepresentable>(_ type: E.Type, _ random: inout SeededGenerator) -> E
    where E.RawValue == Int {
        pick(Array(E.allCases).filter { $0.rawValue != 0 }, &random)
    }

    static func kind(cpus: UInt32, using random: inout SeededGenerator) -> TraceEvent.OneOf_Kind {
        func number() -> UInt64 { Bool.random(using: &random) ? UInt64.random(in: 0..<4096, using: &random) : random.next() }
        switch Int.random(in: 0..<17, using: &random) {
        case 0:
            var call = TraceHypercall()
            call.call = defined(TraceHypercallNumber.self, &random)
            call.args = (0..<Int.random(in: 0...4, using: &random)).map { _ in number() }
            if Bool.random(using: &random) {
                call.recordedReturn.value = pick([0, -1, -2, -7, -11, -12, -16, -22, -5, 0x4000_0000], &random)
            }
            return .hypercall(call)
        case 1:
            var access = TraceMemoryAccess()
            access.op = defined(TraceAccessOp.self, &random)
            access.space = defined(TraceAddressSpace.self, &random)
            access.address = number()
            access.width = pick([1, 2, 4, 8], &random)
            access.value = access.op == .opWrite ? number() : 0
            access.recordedOutcome = pick([.outcomeUnrecorded, .outcomeOk, .outcomeFault], &random)
            access.recordedValue = access.op == .opRead && access.recordedOutcome == .outcomeOk ? number() : 0
            return .access(access)
        case 2:
            var fault = TraceStage2Fault()
            fault.op = defined(TraceAccessOp.self, &random)
            fault.address = number()
            fault.recordedResolution = pick(Array(TraceFaultResolution.allCases), &random)
            return .stage2Fault(fault)
        case 3:
            var send = TraceIpiSend()
            send.targetCpu = UInt32.random(in: 0..<cpus, using: &random)
            send.targetVcpu = UInt32.random(in: 0..<2, using: &random)
            send.intid = UInt32.random(in: 0..<16, using: &random)
            return .ipiSend(send)
        case 4:
            var delivery = TraceIpiDelivery()
            delivery.sourceCpu = UInt32.random(in: 0..<cpus, using: &random)
            delivery.intid = UInt32.random(in: 0..<16, using: &random)
            return .ipiDelivery(delivery)
        case 5:
            var enter = TraceVcpuEnter()
            enter.vm = 7
            enter.vcpu = 1
            return .vcpuEnter(enter)
        case 6:
            var exit = TraceVcpuExit()
            exit.vm = 1
            exit.vcpu = 0
            exit.reason = pick(Array(TraceExitReason.allCases), &random)
            return .vcpuExit(exit)
        case 7:
            var write = TraceHypMemWrite()
            write.order = defined(TraceMemoryOrder.self, &random)
            write.address = number()
            write.value = number()
            write.width = 8
            return .hypWrite(write)
        case 8:
            var read = TraceHypMemRead()
            read.order = defined(TraceMemoryOrder.self, &random)
            read.address = number()
            read.value = number()
            read.width = pick([1, 2, 4, 8], &random)
            return .hypRead(read)
        case 9:
            var initialize = TraceHypMemInit()
            initialize.address = number()
            initialize.size = 4096
            return .hypInit(initialize)
        case 10:
            var free = TraceHypMemFree()
            free.address = number()
            free.size = number()
            return .hypFree(free)
        case 11:
            var set = TraceHypMemSet()
            set.address = number()
            set.size = 64
            set.byte = UInt32.random(in: 0...255, using: &random)
            return .hypSet(set)
        case 12:
            var barrier = TraceBarrier()
            barrier.kind = defined(TraceBarrierKind.self, &random)
            barrier.domain = barrier.kind == .barrierIsb ? .domainUnspecified : defined(TraceBarrierDomain.self, &random)
            return .barrier(barrier)
        case 13:
            var tlbi = TraceTlbi()
            tlbi.op = defined(TraceTlbiOp.self, &random)
            tlbi.operand = number()
            return .tlbi(tlbi)
        case 14:
            var write = TraceSysregWrite()
            write.reg = defined(TraceSysreg.self, &random)
            write.value = number()
            return .sysregWrite(write)
        case 15:
            var hint = TraceHint()
            hint.kind = defined(TraceHintKind.self, &random)
            hint.location = number()
            hint.value = number()
            return .hint(hint)
        default:
            var lock = TraceLockOp()
            lock.kind = defined(TraceLockKind.self, &random)
            lock.address = number()
            return .lock(lock)
        }
    }
}
