import Recorder
import Trace

/// A damaged trace and what the C reader must say about it.
struct CorruptCase {
    let name: String
    let bytes: [UInt8]
    /// Fragments the C reader's message must contain.
    let expected: [String]
    let code: hvtrace_status
    /// Events the C reader returns before the error.
    var eventsBefore = 0
}

/// Every kind of damage the readers must reject, built from one good trace
/// (`validTrace`, one frame written by the C writer) or by hand.
enum CorruptTraces {
    static func all(validTrace good: [UInt8]) throws -> [CorruptCase] {
        let header = try HandMade.headerRecord()
        let lock0 = try HandMade.record(HandMade.lockEvent(seq: 1))
        let frameEnd = good.count  // one frame, so the file ends with its checksum
        var cases: [CorruptCase] = []

        func changed(_ edit: (inout [UInt8]) -> Void) -> [UInt8] {
            var bytes = good
            edit(&bytes)
            return bytes
        }

        cases.append(CorruptCase(
            name: "wrong magic", bytes: changed { $0[0] = UInt8(ascii: "X") },
            expected: ["not an hvdiff trace", "wrong magic at file offset 0"], code: HVTRACE_ERR_FORMAT))
        cases.append(CorruptCase(
            name: "unknown file version", bytes: changed { $0[8] = 2 },
            expected: ["unknown file format version 2 at file offset 8"], code: HVTRACE_ERR_FORMAT))
        cases.append(CorruptCase(
            name: "shorter than the preamble", bytes: Array(good[..<7]),
            expected: ["truncated", "7 bytes, shorter than the 12-byte preamble"], code: HVTRACE_ERR_FORMAT))
        cases.append(CorruptCase(
            name: "truncated inside the frame", bytes: Array(good[..<(frameEnd - 10)]),
            expected: ["truncated", "the file ends at offset \(frameEnd - 10) inside the zstd frame that starts at file offset 12"],
            code: HVTRACE_ERR_FORMAT))
        cases.append(CorruptCase(
            name: "checksum bit flipped", bytes: changed { $0[frameEnd - 1] ^= 0x01 },
            expected: ["checksum mismatch", "zstd frame at file offset 12"], code: HVTRACE_ERR_FORMAT))
        cases.append(CorruptCase(
            name: "data bit flipped", bytes: changed { $0[frameEnd / 2] ^= 0x08 },
            expected: ["in the zstd frame at file offset 12", "zstd: "], code: HVTRACE_ERR_FORMAT))
        cases.append(CorruptCase(
            name: "trailing garbage",
            bytes: good + [0x00, 0x01, 0x02, 0x03, 0x04, 0x05],
            expected: ["no zstd frame at file offset \(good.count)"], code: HVTRACE_ERR_FORMAT, eventsBefore: 40))
        cases.append(CorruptCase(
            name: "frame without checksum",
            bytes: HandMade.file(frames: [try HandMade.frame(header + lock0, checksum: false)]),
            expected: ["zstd frame at file offset 12 has no content checksum"], code: HVTRACE_ERR_FORMAT))
        cases.append(CorruptCase(
            name: "no frames", bytes: HandMade.preamble,
            expected: ["no header record"], code: HVTRACE_ERR_FORMAT))
        cases.append(CorruptCase(
            name: "empty frame", bytes: HandMade.file(frames: [try HandMade.frame([])]),
            expected: ["no header record"], code: HVTRACE_ERR_FORMAT))
        cases.append(CorruptCase(
            name: "record length 2^40",
            bytes: HandMade.file(frames: [try HandMade.frame(header + HandMade.varint(1 << 40) + [UInt8](repeating: 0, count: 16))]),
            expected: ["event 0 at decompressed offset \(header.count)", "claims 1099511627776 bytes",
                       "more than the 1048576-byte record limit"],
            code: HVTRACE_ERR_FORMAT))
        cases.append(CorruptCase(
            name: "record length one past the limit",
            bytes: HandMade.file(frames: [try HandMade.frame(header + lock0 + HandMade.varint((1 << 20) + 1))]),
            expected: ["event 1 at decompressed offset \(header.count + lock0.count)", "claims 1048577 bytes"],
            code: HVTRACE_ERR_FORMAT, eventsBefore: 1))
        cases.append(CorruptCase(
            name: "overlong varint",
            bytes: HandMade.file(frames: [try HandMade.frame(header + [UInt8](repeating: 0xff, count: 11))]),
            expected: ["length of event 0", "not a valid varint"], code: HVTRACE_ERR_FORMAT))
        let half = Array(lock0[..<(lock0.count / 2)])
        cases.append(CorruptCase(
            name: "record cut at the end of the last frame",
            bytes: HandMade.file(frames: [try HandMade.frame(header + half)]),
            expected: ["truncated", "the zstd stream ends inside event 0 at decompressed offset \(header.count)"],
            code: HVTRACE_ERR_FORMAT))

        var badEnum = HandMade.lockEvent(seq: 2)
        var barrier = TraceBarrier()
        barrier.kind = .UNRECOGNIZED(99)
        barrier.domain = .domainIsh
        badEnum.kind = .barrier(barrier)
        cases.append(CorruptCase(
            name: "undefined enum number in a kind",
            bytes: HandMade.file(frames: [try HandMade.frame(header + lock0 + HandMade.record(badEnum))]),
            expected: ["event 1", "field barrier.kind: value 99 is not defined by enum hvdiff.trace.BarrierKind"],
            code: HVTRACE_ERR_RECORD, eventsBefore: 1))
        var badPrincipal = HandMade.lockEvent(seq: 1)
        badPrincipal.principal = .UNRECOGNIZED(7)
        cases.append(CorruptCase(
            name: "undefined enum number in the event",
            bytes: HandMade.file(frames: [try HandMade.frame(header + HandMade.record(badPrincipal))]),
            expected: ["event 0", "field principal: value 7 is not defined by enum hvdiff.trace.PrincipalKind"],
            code: HVTRACE_ERR_RECORD))
        cases.append(CorruptCase(
            // Field 16 (hypercall), length 10, but only two bytes follow.
            name: "record that does not parse",
            bytes: HandMade.file(frames: [try HandMade.frame(header + lock0 + HandMade.record([0x82, 0x01, 0x0a, 0x08, 0x01]))]),
            expected: ["event 1 (5 bytes at decompressed offset \(header.count + lock0.count)", "does not unpack as hvdiff.trace.Event"],
            code: HVTRACE_ERR_RECORD, eventsBefore: 1))
        var noKind = HandMade.lockEvent(seq: 1)
        noKind.kind = nil
        cases.append(CorruptCase(
            name: "event without kind",
            bytes: HandMade.file(frames: [try HandMade.frame(header + HandMade.record(noKind))]),
            expected: ["event 0", "event has no kind"], code: HVTRACE_ERR_RECORD))
        cases.append(CorruptCase(
            // cpu 0, principal host, seq 1, source "\xff", lock { kind: ACQUIRE }.
            name: "source that is not UTF-8",
            bytes: HandMade.file(frames: [try HandMade.frame(
                header + HandMade.record([0x10, 0x02, 0x28, 0x01, 0x42, 0x01, 0xff, 0xca, 0x02, 0x02, 0x08, 0x01]))]),
            expected: ["event 0", "field source: string is not valid UTF-8"], code: HVTRACE_ERR_RECORD))
        cases.append(CorruptCase(
            // Field 2 (machine), length 5, nothing follows.
            name: "header that does not parse",
            bytes: HandMade.file(frames: [try HandMade.frame(HandMade.record([0x12, 0x05]))]),
            expected: ["the header record (2 bytes at decompressed offset 0) does not unpack"],
            code: HVTRACE_ERR_RECORD))
        var future = TestMachine.header()
        future.formatVersion = 9
        cases.append(CorruptCase(
            name: "unknown header version",
            bytes: HandMade.file(frames: [try HandMade.frame(try HandMade.record(future) + lock0)]),
            expected: ["header format_version 9 is unknown"], code: HVTRACE_ERR_RECORD))

        // Well-formed records that break hvdiff's trace rules.
        func ruleCase(_ name: String, _ spec: EventSpec, _ expected: String) throws -> CorruptCase {
            CorruptCase(
                name: name,
                bytes: HandMade.file(frames: [try HandMade.frame(header + lock0 + HandMade.record(spec.traceEvent))]),
                expected: ["event 1 (at decompressed offset \(header.count + lock0.count)", expected],
                code: HVTRACE_ERR_RECORD, eventsBefore: 1)
        }
        let lock = EventSpec.Kind.lock(kind: 1, address: 0x2000)
        cases.append(try ruleCase(
            "seq does not increase", EventSpec(cpu: 0, principal: 2, seq: 1, kind: lock),
            "seq 1 on cpu 0 does not increase (previous 1)"))
        cases.append(try ruleCase(
            "cpu outside the machine", EventSpec(cpu: 9, principal: 2, seq: 1, kind: lock),
            "cpu 9 does not exist (the machine has 4)"))
        cases.append(try ruleCase(
            "guest VM not in the header", EventSpec(cpu: 1, principal: 3, vm: 7, seq: 1, kind: lock),
            "principal: VM 7 is not in the header"))
        cases.append(try ruleCase(
            "no principal", EventSpec(cpu: 1, principal: 0, seq: 1, kind: lock), "no principal"))
        cases.append(try ruleCase(
            "access width 3",
            EventSpec(cpu: 1, principal: 2, seq: 1,
                      kind: .access(space: 1, op: 1, address: 0, width: 3, value: 0, outcome: 0, recordedValue: 0)),
            "access width 3 is not 1, 2, 4 or 8 bytes"))
        cases.append(try ruleCase(
            "ISB with a domain", EventSpec(cpu: 1, principal: 1, seq: 1, kind: .barrier(kind: 3, domain: 4)),
            "ISB takes no shareability domain"))
        cases.append(try ruleCase(
            "time ends before it starts",
            EventSpec(cpu: 1, principal: 1, seq: 1, time: .init(start: 10, end: 9), kind: lock),
            "time interval ends (9) before it starts (10)"))
        var noMachine = TestMachine.header()
        noMachine.clearMachine()
        cases.append(CorruptCase(
            name: "header without machine",
            bytes: HandMade.file(frames: [try HandMade.frame(try HandMade.record(noMachine) + lock0)]),
            expected: ["invalid header record: no machine configuration"], code: HVTRACE_ERR_RECORD))
        var manyCPUs = TestMachine.header()
        manyCPUs.machine.cpus = 2000
        cases.append(CorruptCase(
            name: "header with 2000 CPUs",
            bytes: HandMade.file(frames: [try HandMade.frame(try HandMade.record(manyCPUs) + lock0)]),
            expected: ["invalid header record: cpus 2000 is outside 1...1024"], code: HVTRACE_ERR_RECORD))
        return cases
    }
}
