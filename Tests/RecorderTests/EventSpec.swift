import Recorder
import Trace

/// One event as plain Swift values, independent of both protobuf runtimes:
/// the tests write it through the C API or the Swift writer, read it back
/// through the other side, convert what was read into an `EventSpec` and
/// compare with `==`. Enum fields hold the schema's raw numbers.
struct EventSpec: Equatable, CustomStringConvertible {
    struct Interval: Equatable {
        var start: UInt64
        var end: UInt64
    }

    enum Kind: Equatable {
        case hypercall(call: UInt32, args: [UInt64], recordedReturn: Int64?)
        case access(space: UInt32, op: UInt32, address: UInt64, width: UInt32, value: UInt64,
                    outcome: UInt32, recordedValue: UInt64)
        case stage2Fault(address: UInt64, op: UInt32, resolution: UInt32)
        case ipiSend(targetCpu: UInt32, targetVcpu: UInt32, intid: UInt32)
        case ipiDelivery(sourceCpu: UInt32, intid: UInt32)
        case vcpuEnter(vm: UInt32, vcpu: UInt32)
        case vcpuExit(vm: UInt32, vcpu: UInt32, reason: UInt32)
        case hypWrite(order: UInt32, address: UInt64, value: UInt64, width: UInt32)
        case hypRead(order: UInt32, address: UInt64, value: UInt64, width: UInt32)
        case hypInit(address: UInt64, size: UInt64)
        case hypFree(address: UInt64, size: UInt64)
        case hypSet(address: UInt64, size: UInt64, byte: UInt32)
        case barrier(kind: UInt32, domain: UInt32)
        case tlbi(op: UInt32, operand: UInt64)
        case sysregWrite(reg: UInt32, value: UInt64)
        case hint(kind: UInt32, location: UInt64, value: UInt64)
        case lock(kind: UInt32, address: UInt64)
    }

    var cpu: UInt32 = 0
    var principal: UInt32 = 0
    var vm: UInt32 = 0
    var vcpu: UInt32 = 0
    var seq: UInt64 = 0
    var time: Interval?
    /// "" means no source (proto3 does not tell an empty string from none).
    var source: String = ""
    var kind: Kind

    var description: String {
        "cpu \(cpu) principal \(principal) vm \(vm) vcpu \(vcpu) seq \(seq) time \(String(describing: time)) "
            + "source \"\(source)\" \(kind)"
    }
}

// MARK: - Writing through the C convenience API

extension EventSpec {
    /// Appends the event with the matching `hvtrace_append_<kind>`; returns its result.
    func appendC(to writer: OpaquePointer) -> Int32 {
        withMeta { meta in
            switch kind {
            case let .hypercall(call, args, recordedReturn):
                return args.withUnsafeBufferPointer { argv in
                    if let recordedReturn {
                        return withUnsafePointer(to: recordedReturn) { ret in
                            hvtrace_append_hypercall(
                                writer, meta, .init(rawValue: call), argv.baseAddress, argv.count, ret)
                        }
                    }
                    return hvtrace_append_hypercall(writer, meta, .init(rawValue: call), argv.baseAddress, argv.count, nil)
                }
            case let .access(space, op, address, width, value, outcome, recordedValue):
                return hvtrace_append_access(
                    writer, meta, .init(rawValue: space), .init(rawValue: op), address, width, value,
                    .init(rawValue: outcome), recordedValue)
            case let .stage2Fault(address, op, resolution):
                return hvtrace_append_stage2_fault(writer, meta, address, .init(rawValue: op), .init(rawValue: resolution))
            case let .ipiSend(targetCpu, targetVcpu, intid):
                return hvtrace_append_ipi_send(writer, meta, targetCpu, targetVcpu, intid)
            case let .ipiDelivery(sourceCpu, intid):
                return hvtrace_append_ipi_delivery(writer, meta, sourceCpu, intid)
            case let .vcpuEnter(vm, vcpu):
                return hvtrace_append_vcpu_enter(writer, meta, vm, vcpu)
            case let .vcpuExit(vm, vcpu, reason):
                return hvtrace_append_vcpu_exit(writer, meta, vm, vcpu, .init(rawValue: reason))
            case let .hypWrite(order, address, value, width):
                return hvtrace_append_hyp_write(writer, meta, .init(rawValue: order), address, value, width)
            case let .hypRead(order, address, value, width):
                return hvtrace_append_hyp_read(writer, meta, .init(rawValue: order), address, value, width)
            case let .hypInit(address, size):
                return hvtrace_append_hyp_init(writer, meta, address, size)
            case let .hypFree(address, size):
                return hvtrace_append_hyp_free(writer, meta, address, size)
            case let .hypSet(address, size, byte):
                return hvtrace_append_hyp_set(writer, meta, address, size, byte)
            case let .barrier(kind, domain):
                return hvtrace_append_barrier(writer, meta, .init(rawValue: kind), .init(rawValue: domain))
            case let .tlbi(op, operand):
                return hvtrace_append_tlbi(writer, meta, .init(rawValue: op), operand)
            case let .sysregWrite(reg, value):
                return hvtrace_append_sysreg_write(writer, meta, .init(rawValue: reg), value)
            case let .hint(kind, location, value):
                return hvtrace_append_hint(writer, meta, .init(rawValue: kind), location, value)
            case let .lock(kind, address):
                return hvtrace_append_lock(writer, meta, .init(rawValue: kind), address)
            }
        }
    }

    private func withMeta<R>(_ body: (UnsafePointer<hvtrace_meta>) -> R) -> R {
        func call(_ source: UnsafePointer<CChar>?) -> R {
            var meta = hvtrace_meta(
                cpu: cpu, principal: .init(rawValue: principal), vm: vm, vcpu: vcpu, seq: seq,
                has_time: time != nil, start_ns: time?.start ?? 0, end_ns: time?.end ?? 0, source: source)
            return withUnsafePointer(to: &meta) { body($0) }
        }
        return source.isEmpty ? call(nil) : source.withCString { call($0) }
    }
}

// MARK: - Reading what the C reader returns

extension EventSpec {
    /// The event the C reader returned, field by field.
    init(_ e: Hvdiff__Trace__Event) throws {
        cpu = e.cpu
        principal = e.principal.rawValue
        vm = e.vm
        vcpu = e.vcpu
        seq = e.seq
        time = e.time.map { Interval(start: $0.pointee.start_ns, end: $0.pointee.end_ns) }
        source = e.source.map { String(cString: $0) } ?? ""
        func member<T>(_ pointer: UnsafeMutablePointer<T>?) throws -> T {
            guard let pointer else { throw TestFailure("kind case \(e.kind_case.rawValue) with a NULL message") }
            return pointer.pointee
        }
        switch e.kind_case {
        case HVDIFF__TRACE__EVENT__KIND_HYPERCALL:
            let h = try member(e.hypercall)
            let args = (0..<h.n_args).map { h.args[$0] }
            kind = .hypercall(call: h.call.rawValue, args: args, recordedReturn: h.recorded_return.map { $0.pointee.value })
        case HVDIFF__TRACE__EVENT__KIND_ACCESS:
            let a = try member(e.access)
            kind = .access(
                space: a.space.rawValue, op: a.op.rawValue, address: a.address, width: a.width, value: a.value,
                outcome: a.recorded_outcome.rawValue, recordedValue: a.recorded_value)
        case HVDIFF__TRACE__EVENT__KIND_STAGE2_FAULT:
            let f = try member(e.stage2_fault)
            kind = .stage2Fault(address: f.address, op: f.op.rawValue, resolution: f.recorded_resolution.rawValue)
        case HVDIFF__TRACE__EVENT__KIND_IPI_SEND:
            let s = try member(e.ipi_send)
            kind = .ipiSend(targetCpu: s.target_cpu, targetVcpu: s.target_vcpu, intid: s.intid)
        case HVDIFF__TRACE__EVENT__KIND_IPI_DELIVERY:
            let d = try member(e.ipi_delivery)
            kind = .ipiDelivery(sourceCpu: d.source_cpu, intid: d.intid)
        case HVDIFF__TRACE__EVENT__KIND_VCPU_ENTER:
            let v = try member(e.vcpu_enter)
            kind = .vcpuEnter(vm: v.vm, vcpu: v.vcpu)
        case HVDIFF__TRACE__EVENT__KIND_VCPU_EXIT:
            let v = try member(e.vcpu_exit)
            kind = .vcpuExit(vm: v.vm, vcpu: v.vcpu, reason: v.reason.rawValue)
        case HVDIFF__TRACE__EVENT__KIND_HYP_WRITE:
            let w = try member(e.hyp_write)
            kind = .hypWrite(order: w.order.rawValue, address: w.address, value: w.value, width: w.width)
        case HVDIFF__TRACE__EVENT__KIND_HYP_READ:
            let r = try member(e.hyp_read)
            kind = .hypRead(order: r.order.rawValue, address: r.address, value: r.value, width: r.width)
        case HVDIFF__TRACE__EVENT__KIND_HYP_INIT:
            let i = try member(e.hyp_init)
            kind = .hypInit(address: i.address, size: i.size)
        case HVDIFF__TRACE__EVENT__KIND_HYP_FREE:
            let f = try member(e.hyp_free)
            kind = .hypFree(address: f.address, size: f.size)
        case HVDIFF__TRACE__EVENT__KIND_HYP_SET:
            let s = try member(e.hyp_set)
            kind = .hypSet(address: s.address, size: s.size, byte: s.byte)
        case HVDIFF__TRACE__EVENT__KIND_BARRIER:
            let b = try member(e.barrier)
            kind = .barrier(kind: b.kind.rawValue, domain: b.domain.rawValue)
        case HVDIFF__TRACE__EVENT__KIND_TLBI:
            let t = try member(e.tlbi)
            kind = .tlbi(op: t.op.rawValue, operand: t.operand)
        case HVDIFF__TRACE__EVENT__KIND_SYSREG_WRITE:
            let s = try member(e.sysreg_write)
            kind = .sysregWrite(reg: s.reg.rawValue, value: s.value)
        case HVDIFF__TRACE__EVENT__KIND_HINT:
            let h = try member(e.hint)
            kind = .hint(kind: h.kind.rawValue, location: h.location, value: h.value)
        case HVDIFF__TRACE__EVENT__KIND_LOCK:
            let l = try member(e.lock)
            kind = .lock(kind: l.kind.rawValue, address: l.address)
        default:
            throw TestFailure("the C reader returned an event with kind case \(e.kind_case.rawValue)")
        }
    }
}

// MARK: - The Swift form (module Trace)

/// A swift-protobuf enum from a schema number (UNRECOGNIZED if undefined).
private func pb<E: RawRepresentable>(_ raw: UInt32, _ zero: E) -> E where E.RawValue == Int {
    E(rawValue: Int(raw)) ?? zero
}

extension EventSpec {
    /// The same event as the Swift module's generated type.
    var traceEvent: TraceEvent {
        var e = TraceEvent()
        e.cpu = cpu
        e.principal = pb(principal, .principalUnspecified)
        e.vm = vm
        e.vcpu = vcpu
        e.seq = seq
        if let time {
            e.time.startNs = time.start
            e.time.endNs = time.end
        }
        e.source = source
        switch kind {
        case let .hypercall(call, args, recordedReturn):
            var h = TraceHypercall()
            h.call = pb(call, .hcUnspecified)
            h.args = args
            if let recordedReturn { h.recordedReturn.value = recordedReturn }
            e.kind = .hypercall(h)
        case let .access(space, op, address, width, value, outcome, recordedValue):
            var a = TraceMemoryAccess()
            a.space = pb(space, .spaceUnspecified)
            a.op = pb(op, .opUnspecified)
            a.address = address
            a.width = width
            a.value = value
            a.recordedOutcome = pb(outcome, .outcomeUnrecorded)
            a.recordedValue = recordedValue
            e.kind = .access(a)
        case let .stage2Fault(address, op, resolution):
            var f = TraceStage2Fault()
            f.address = address
            f.op = pb(op, .opUnspecified)
            f.recordedResolution = pb(resolution, .resolutionUnrecorded)
            e.kind = .stage2Fault(f)
        case let .ipiSend(targetCpu, targetVcpu, intid):
            var s = TraceIpiSend()
            s.targetCpu = targetCpu
            s.targetVcpu = targetVcpu
            s.intid = intid
            e.kind = .ipiSend(s)
        case let .ipiDelivery(sourceCpu, intid):
            var d = TraceIpiDelivery()
            d.sourceCpu = sourceCpu
            d.intid = intid
            e.kind = .ipiDelivery(d)
        case let .vcpuEnter(vm, vcpu):
            var v = TraceVcpuEnter()
            v.vm = vm
            v.vcpu = vcpu
            e.kind = .vcpuEnter(v)
        case let .vcpuExit(vm, vcpu, reason):
            var v = TraceVcpuExit()
            v.vm = vm
            v.vcpu = vcpu
            v.reason = pb(reason, .exitUnspecified)
            e.kind = .vcpuExit(v)
        case let .hypWrite(order, address, value, width):
            var w = TraceHypMemWrite()
            w.order = pb(order, .orderUnspecified)
            w.address = address
            w.value = value
            w.width = width
            e.kind = .hypWrite(w)
        case let .hypRead(order, address, value, width):
            var r = TraceHypMemRead()
            r.order = pb(order, .orderUnspecified)
            r.address = address
            r.value = value
            r.width = width
            e.kind = .hypRead(r)
        case let .hypInit(address, size):
            var i = TraceHypMemInit()
            i.address = address
            i.size = size
            e.kind = .hypInit(i)
        case let .hypFree(address, size):
            var f = TraceHypMemFree()
            f.address = address
            f.size = size
            e.kind = .hypFree(f)
        case let .hypSet(address, size, byte):
            var s = TraceHypMemSet()
            s.address = address
            s.size = size
            s.byte = byte
            e.kind = .hypSet(s)
        case let .barrier(kind, domain):
            var b = TraceBarrier()
            b.kind = pb(kind, .barrierUnspecified)
            b.domain = pb(domain, .domainUnspecified)
            e.kind = .barrier(b)
        case let .tlbi(op, operand):
            var t = TraceTlbi()
            t.op = pb(op, .tlbiUnspecified)
            t.operand = operand
            e.kind = .tlbi(t)
        case let .sysregWrite(reg, value):
            var s = TraceSysregWrite()
            s.reg = pb(reg, .unspecified)
            s.value = value
            e.kind = .sysregWrite(s)
        case let .hint(kind, location, value):
            var h = TraceHint()
            h.kind = pb(kind, .hintUnspecified)
            h.location = location
            h.value = value
            e.kind = .hint(h)
        case let .lock(kind, address):
            var l = TraceLockOp()
            l.kind = pb(kind, .lockUnspecified)
            l.address = address
            e.kind = .lock(l)
        }
        return e
    }
}
