/// Decodes trace records straight from the protobuf wire format into the
/// generated message types.
///
/// Why not swift-protobuf's own decoder: it goes through generic code in
/// another module that the compiler cannot specialize, and spends most of
/// its time looking up generic metadata at run time; decoding through this
/// type is several times faster (see bench/RESULTS.md). The schema stays the
/// single source of truth: `RecordDecoderTests` checks, field by field, that
/// every field of every message in trace.proto is decoded here, and that this
/// decoder and swift-protobuf agree on every record, valid or corrupt.
///
/// Semantics are proto3's as swift-protobuf implements them: for singular
/// fields the last occurrence wins, message fields merge, a oneof member
/// replaces another, packed and unpacked repeated numbers are both read,
/// fields with an unknown number or an unexpected wire type are skipped.
enum RecordDecoder {
    static func event(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> TraceEvent {
        var event = TraceEvent()
        try decode(bytes, into: &event)
        return event
    }

    /// Replaces `event` with the record's event.
    static func decode(_ bytes: UnsafeRawBufferPointer, into event: inout TraceEvent) throws(WireError) {
        event = TraceEvent()
        guard !bytes.isEmpty else { return }
        var reader = WireReader(bytes, budget: WireReader.depthLimit - 1)
        try merge(&event, &reader)
    }

    static func header(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> TraceHeader {
        var header = TraceHeader()
        guard !bytes.isEmpty else { return header }
        var reader = WireReader(bytes, budget: WireReader.depthLimit - 1)
        try merge(&header, &reader)
        return header
    }

    // MARK: Scalars

    private static func uint32(_ reader: inout WireReader) throws(WireError) -> UInt32 {
        UInt32(truncatingIfNeeded: try reader.varint())
    }

    private static func int64(_ reader: inout WireReader) throws(WireError) -> Int64 {
        Int64(bitPattern: try reader.varint())
    }

    /// An open proto3 enum: any int32 value, undefined ones as UNRECOGNIZED.
    private static func enumeration<E: RawRepresentable>(_ reader: inout WireReader) throws(WireError) -> E
    where E.RawValue == Int {
        let raw = Int(Int32(truncatingIfNeeded: try reader.varint()))
        // Generated proto3 enums map every Int, so this cannot fail.
        return E(rawValue: raw)!
    }

    // MARK: Messages

    static func merge(_ header: inout TraceHeader, _ reader: inout WireReader) throws(WireError) {
        while !reader.isAtEnd {
            let (field, wireType) = try reader.tag()
            switch (field, wireType) {
            case (1, .varint): header.formatVersion = try uint32(&reader)
            case (2, .lengthDelimited):
                var nested = try reader.nested()
                try merge(&header.machine, &nested)
            case (3, .lengthDelimited): header.recorder = try reader.string()
            case (4, .lengthDelimited): header.variant = try reader.string()
            case (5, .lengthDelimited): header.description_p = try reader.string()
            default: try reader.skip(field: field, wireType: wireType)
            }
        }
    }

    static func merge(_ machine: inout TraceMachine, _ reader: inout WireReader) throws(WireError) {
        while !reader.isAtEnd {
            let (field, wireType) = try reader.tag()
            switch (field, wireType) {
            case (1, .varint): machine.cpus = try uint32(&reader)
            case (2, .varint): machine.physicalPages = try uint32(&reader)
            case (3, .varint): machine.pageTableLevels = try uint32(&reader)
            case (4, .varint): machine.wordsPerPage = try uint32(&reader)
            case (5, .lengthDelimited):
                var nested = try reader.nested()
                var vm = TraceVirtualMachine()
                while !nested.isAtEnd {
                    let (field, wireType) = try nested.tag()
                    switch (field, wireType) {
                    case (1, .varint): vm.id = try uint32(&nested)
                    case (2, .varint): vm.vcpus = try uint32(&nested)
                    case (3, .varint): vm.protected = try nested.varint() != 0
                    default: try nested.skip(field: field, wireType: wireType)
                    }
                }
                machine.vms.append(vm)
            default: try reader.skip(field: field, wireType: wireType)
            }
        }
    }

    static func merge(_ event: inout TraceEvent, _ reader: inout WireReader) throws(WireError) {
        // Whether `time` and `kind` were set by this record's earlier fields:
        // cheaper than asking the message, whose getters copy.
        var hasTime = event.hasTime
        var hasKind = event.kind != nil
        while !reader.isAtEnd {
            let (field, wireType) = try reader.tag()
            switch (field, wireType) {
            case (1, .varint): event.cpu = try uint32(&reader)
            case (2, .varint): event.principal = try enumeration(&reader)
            case (3, .varint): event.vm = try uint32(&reader)
            case (4, .varint): event.vcpu = try uint32(&reader)
            case (5, .varint): event.seq = try reader.varint()
            case (6, .lengthDelimited):
                var nested = try reader.nested()
                var time = hasTime ? event.time : TraceInterval()
                try mergeFields(&time, &nested) { (time, field, reader) throws(WireError) in
                    switch field {
                    case 1: time.startNs = try reader.varint()
                    case 2: time.endNs = try reader.varint()
                    default: return false
                    }
                    return true
                }
                event.time = time
                hasTime = true
            case (8, .lengthDelimited): event.source = try reader.string()
            case (16...22, .lengthDelimited), (32...41, .lengthDelimited):
                var nested = try reader.nested()
                event.kind = try kind(field, merging: hasKind ? event.kind : nil, &nested)
                hasKind = true
            default: try reader.skip(field: field, wireType: wireType)
            }
        }
    }

    /// Decodes a oneof member: merged into the current value if it is the
    /// same member, otherwise replacing it.
    private static func kind(
        _ field: Int, merging current: TraceEvent.OneOf_Kind?, _ reader: inout WireReader
    ) throws(WireError) -> TraceEvent.OneOf_Kind {
        switch field {
        case 16:
            var call: TraceHypercall
            if case .hypercall(let existing)? = current { call = existing } else { call = TraceHypercall() }
            while !reader.isAtEnd {
                let (field, wireType) = try reader.tag()
                switch (field, wireType) {
                case (1, .varint): call.call = try enumeration(&reader)
                case (2, .varint): call.args.append(try reader.varint())
                case (2, .lengthDelimited):
                    var packed = WireReader(try reader.lengthDelimited(), budget: reader.budget)
                    while !packed.isAtEnd { call.args.append(try packed.varint()) }
                case (3, .lengthDelimited):
                    var nested = try reader.nested()
                    var value = call.hasRecordedReturn ? call.recordedReturn : TraceReturnValue()
                    try mergeFields(&value, &nested) { (value, field, reader) throws(WireError) in
                        guard field == 1 else { return false }
                        value.value = try int64(&reader)
                        return true
                    }
                    call.recordedReturn = value
                default: try reader.skip(field: field, wireType: wireType)
                }
            }
            return .hypercall(call)
        case 17:
            var access: TraceMemoryAccess
            if case .access(let existing)? = current { access = existing } else { access = TraceMemoryAccess() }
            try mergeFields(&access, &reader) { (access, field, reader) throws(WireError) in
                switch field {
                case 1: access.space = try enumeration(&reader)
                case 2: access.op = try enumeration(&reader)
                case 3: access.address = try reader.varint()
                case 4: access.width = try uint32(&reader)
                case 5: access.value = try reader.varint()
                case 6: access.recordedOutcome = try enumeration(&reader)
                case 7: access.recordedValue = try reader.varint()
                default: return false
                }
                return true
            }
            return .access(access)
        case 18:
            var fault: TraceStage2Fault
            if case .stage2Fault(let existing)? = current { fault = existing } else { fault = TraceStage2Fault() }
            try mergeFields(&fault, &reader) { (fault, field, reader) throws(WireError) in
                switch field {
                case 1: fault.address = try reader.varint()
                case 2: fault.op = try enumeration(&reader)
                case 3: fault.recordedResolution = try enumeration(&reader)
                default: return false
                }
                return true
            }
            return .stage2Fault(fault)
        case 19:
            var send: TraceIpiSend
            if case .ipiSend(let existing)? = current { send = existing } else { send = TraceIpiSend() }
            try mergeFields(&send, &reader) { (send, field, reader) throws(WireError) in
                switch field {
                case 1: send.targetCpu = try uint32(&reader)
                case 2: send.targetVcpu = try uint32(&reader)
                case 3: send.intid = try uint32(&reader)
                default: return false
                }
                return true
            }
            return .ipiSend(send)
        case 20:
            var delivery: TraceIpiDelivery
            if case .ipiDelivery(let existing)? = current { delivery = existing } else { delivery = TraceIpiDelivery() }
            try mergeFields(&delivery, &reader) { (delivery, field, reader) throws(WireError) in
                switch field {
                case 1: delivery.sourceCpu = try uint32(&reader)
                case 2: delivery.intid = try uint32(&reader)
                default: return false
                }
                return true
            }
            return .ipiDelivery(delivery)
        case 21:
            var enter: TraceVcpuEnter
            if case .vcpuEnter(let existing)? = current { enter = existing } else { enter = TraceVcpuEnter() }
            try mergeFields(&enter, &reader) { (enter, field, reader) throws(WireError) in
                switch field {
                case 1: enter.vm = try uint32(&reader)
                case 2: enter.vcpu = try uint32(&reader)
                default: return false
                }
                return true
            }
            return .vcpuEnter(enter)
        case 22:
            var exit: TraceVcpuExit
            if case .vcpuExit(let existing)? = current { exit = existing } else { exit = TraceVcpuExit() }
            try mergeFields(&exit, &reader) { (exit, field, reader) throws(WireError) in
                switch field {
                case 1: exit.vm = try uint32(&reader)
                case 2: exit.vcpu = try uint32(&reader)
                case 3: exit.reason = try enumeration(&reader)
                default: return false
                }
                return true
            }
            return .vcpuExit(exit)
        case 32:
            var write: TraceHypMemWrite
            if case .hypWrite(let existing)? = current { write = existing } else { write = TraceHypMemWrite() }
            try mergeFields(&write, &reader) { (write, field, reader) throws(WireError) in
                switch field {
                case 1: write.order = try enumeration(&reader)
                case 2: write.address = try reader.varint()
                case 3: write.value = try reader.varint()
                case 4: write.width = try uint32(&reader)
                default: return false
                }
                return true
            }
            return .hypWrite(write)
        case 33:
            var read: TraceHypMemRead
            if case .hypRead(let existing)? = current { read = existing } else { read = TraceHypMemRead() }
            try mergeFields(&read, &reader) { (read, field, reader) throws(WireError) in
                switch field {
                case 1: read.order = try enumeration(&reader)
                case 2: read.address = try reader.varint()
                case 3: read.value = try reader.varint()
                case 4: read.width = try uint32(&reader)
                default: return false
                }
                return true
            }
            return .hypRead(read)
        case 34:
            var initialize: TraceHypMemInit
            if case .hypInit(let existing)? = current { initialize = existing } else { initialize = TraceHypMemInit() }
            try mergeFields(&initialize, &reader) { (initialize, field, reader) throws(WireError) in
                switch field {
                case 1: initialize.address = try reader.varint()
                case 2: initialize.size = try reader.varint()
                default: return false
                }
                return true
            }
            return .hypInit(initialize)
        case 35:
            var free: TraceHypMemFree
            if case .hypFree(let existing)? = current { free = existing } else { free = TraceHypMemFree() }
            try mergeFields(&free, &reader) { (free, field, reader) throws(WireError) in
                switch field {
                case 1: free.address = try reader.varint()
                case 2: free.size = try reader.varint()
                default: return false
                }
                return true
            }
            return .hypFree(free)
        case 36:
            var set: TraceHypMemSet
            if case .hypSet(let existing)? = current { set = existing } else { set = TraceHypMemSet() }
            try mergeFields(&set, &reader) { (set, field, reader) throws(WireError) in
                switch field {
                case 1: set.address = try reader.varint()
                case 2: set.size = try reader.varint()
                case 3: set.byte = try uint32(&reader)
                default: return false
                }
                return true
            }
            return .hypSet(set)
        case 37:
            var barrier: TraceBarrier
            if case .barrier(let existing)? = current { barrier = existing } else { barrier = TraceBarrier() }
            try mergeFields(&barrier, &reader) { (barrier, field, reader) throws(WireError) in
                switch field {
                case 1: barrier.kind = try enumeration(&reader)
                case 2: barrier.domain = try enumeration(&reader)
                default: return false
                }
                return true
            }
            return .barrier(barrier)
        case 38:
            var tlbi: TraceTlbi
            if case .tlbi(let existing)? = current { tlbi = existing } else { tlbi = TraceTlbi() }
            try mergeFields(&tlbi, &reader) { (tlbi, field, reader) throws(WireError) in
                switch field {
                case 1: tlbi.op = try enumeration(&reader)
                case 2: tlbi.operand = try reader.varint()
                default: return false
                }
                return true
            }
            return .tlbi(tlbi)
        case 39:
            var write: TraceSysregWrite
            if case .sysregWrite(let existing)? = current { write = existing } else { write = TraceSysregWrite() }
            try mergeFields(&write, &reader) { (write, field, reader) throws(WireError) in
                switch field {
                case 1: write.reg = try enumeration(&reader)
                case 2: write.value = try reader.varint()
                default: return false
                }
                return true
            }
            return .sysregWrite(write)
        case 40:
            var hint: TraceHint
            if case .hint(let existing)? = current { hint = existing } else { hint = TraceHint() }
            try mergeFields(&hint, &reader) { (hint, field, reader) throws(WireError) in
                switch field {
                case 1: hint.kind = try enumeration(&reader)
                case 2: hint.location = try reader.varint()
                case 3: hint.value = try reader.varint()
                default: return false
                }
                return true
            }
            return .hint(hint)
        case 41:
            var lock: TraceLockOp
            if case .lock(let existing)? = current { lock = existing } else { lock = TraceLockOp() }
            try mergeFields(&lock, &reader) { (lock, field, reader) throws(WireError) in
                switch field {
                case 1: lock.kind = try enumeration(&reader)
                case 2: lock.address = try reader.varint()
                default: return false
                }
                return true
            }
            return .lock(lock)
        default:
            preconditionFailure("field \(field) is not a member of Event.kind")
        }
    }

    /// The field loop of a message whose fields are all varints: `decode`
    /// handles a field number and returns false for numbers it does not
    /// know; other wire types are skipped as swift-protobuf does.
    @inline(__always)
    private static func mergeFields<Message>(
        _ message: inout Message, _ reader: inout WireReader,
        _ decode: (inout Message, Int, inout WireReader) throws(WireError) -> Bool
    ) throws(WireError) {
        while !reader.isAtEnd {
            let (field, wireType) = try reader.tag()
            if wireType == .varint, try decode(&message, field, &reader) {
                continue
            }
            try reader.skip(field: field, wireType: wireType)
        }
    }
}
