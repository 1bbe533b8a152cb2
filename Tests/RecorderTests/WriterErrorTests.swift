import Foundation
import Recorder
import Trace
import XCTest

/// The writer reports errors as values, names what and where, and never
/// writes what the readers would reject.
final class WriterErrorTests: XCTestCase {
    /// Opens a writer on path with the test header and runs body with it;
    /// body must close it.
    private func withWriter(
        _ path: String, header: TraceHeader = TestMachine.header(), _ body: (OpaquePointer) throws -> Void
    ) throws {
        try withCHeader(header) { cHeader in
            var err = hvtrace_error()
            guard let writer = hvtrace_open(path, cHeader, &err) else { throw TestFailure(err.text) }
            try body(writer)
        }
    }

    private func recordedError(_ writer: OpaquePointer) -> String {
        hvtrace_writer_error(writer).map { String(cString: hvtrace_error_message($0)) } ?? ""
    }

    func testDiskFullIsReportedByClose() throws {
        guard FileManager.default.fileExists(atPath: "/dev/full") else {
            throw XCTSkip("/dev/full does not exist on this system")
        }
        try withWriter("/dev/full") { writer in
            // Appends are buffered; enough of them reach the device.
            for event in EventGenerator.events(seed: 1, count: 20_000) where event.appendC(to: writer) != 0 {
                break
            }
            var err = hvtrace_error()
            XCTAssertEqual(hvtrace_close(writer, &err), -1)
            XCTAssertEqual(err.code, HVTRACE_ERR_IO)
            XCTAssertEqual(err.sys_errno, ENOSPC)
            XCTAssertTrue(err.text.hasPrefix("/dev/full: write failed at file offset 0"), err.text)
            XCTAssertTrue(err.text.contains("No space left on device"), err.text)
        }
    }

    func testUncreatableFileIsAnIOError() throws {
        try withCHeader(TestMachine.header()) { header in
            var err = hvtrace_error()
            XCTAssertNil(hvtrace_open("/nonexistent/dir/t.hvtrace", header, &err))
            XCTAssertEqual(err.code, HVTRACE_ERR_IO)
            XCTAssertEqual(err.sys_errno, ENOENT)
            XCTAssertTrue(err.text.contains("/nonexistent/dir/t.hvtrace: cannot create"), err.text)
        }
    }

    /// An undefined enum number is refused with the event's index; the error
    /// sticks and close reports it.
    func testUndefinedEnumIsRefusedAndSticks() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("bad-enum.hvtrace")
        try withWriter(path) { writer in
            for event in EventGenerator.events(seed: 2, count: 3) {
                XCTAssertEqual(event.appendC(to: writer), 0)
            }
            let bad = EventSpec(cpu: 1, principal: 1, seq: 100, kind: .barrier(kind: 99, domain: 4))
            XCTAssertEqual(bad.appendC(to: writer), -1)
            let message = recordedError(writer)
            XCTAssertTrue(message.contains("event 3 is invalid"), message)
            XCTAssertTrue(message.contains("field barrier.kind: value 99 is not defined by enum hvdiff.trace.BarrierKind"), message)
            let good = EventSpec(cpu: 1, principal: 1, seq: 101, kind: .lock(kind: 1, address: 8))
            XCTAssertEqual(good.appendC(to: writer), -1, "the first error must stick")
            XCTAssertEqual(hvtrace_writer_event_count(writer), 3)
            var err = hvtrace_error()
            XCTAssertEqual(hvtrace_close(writer, &err), -1)
            XCTAssertEqual(err.code, HVTRACE_ERR_ARGUMENT)
            XCTAssertEqual(err.text, message)
        }
    }

    private func expectRefused(_ message: String, file: StaticString = #filePath, line: UInt = #line,
                               _ append: (OpaquePointer) -> Int32) throws {
        let dir = try TemporaryDirectory()
        try withWriter(dir.file("refused.hvtrace")) { writer in
            XCTAssertEqual(append(writer), -1, file: file, line: line)
            let recorded = recordedError(writer)
            XCTAssertTrue(recorded.contains(message), "\"\(recorded)\" lacks \"\(message)\"", file: file, line: line)
            var err = hvtrace_error()
            XCTAssertEqual(hvtrace_close(writer, &err), -1, file: file, line: line)
        }
    }

    func testEventWithoutKindIsRefused() throws {
        try expectRefused("event has no kind") { writer in
            var event = Hvdiff__Trace__Event()
            hvdiff__trace__event__init(&event)
            event.principal = HVDIFF__TRACE__PRINCIPAL_KIND__PRINCIPAL_HOST
            return hvtrace_append_event(writer, &event)
        }
    }

    func testUninitialisedKindMessageIsRefused() throws {
        try expectRefused("field hypercall: message is not a hvdiff.trace.Hypercall") { writer in
            var event = Hvdiff__Trace__Event()
            hvdiff__trace__event__init(&event)
            var call = Hvdiff__Trace__Hypercall()  // zeroed, no descriptor
            return withUnsafeMutablePointer(to: &call) { call in
                event.kind_case = HVDIFF__TRACE__EVENT__KIND_HYPERCALL
                event.hypercall = call
                return hvtrace_append_event(writer, &event)
            }
        }
    }

    func testKindCaseWithoutMessageIsRefused() throws {
        try expectRefused("field tlbi: the oneof case selects this field but its message is NULL") { writer in
            var event = Hvdiff__Trace__Event()
            hvdiff__trace__event__init(&event)
            event.kind_case = HVDIFF__TRACE__EVENT__KIND_TLBI
            return hvtrace_append_event(writer, &event)
        }
    }

    func testArgumentCountWithoutArrayIsRefused() throws {
        try expectRefused("field hypercall.args: 3 elements but no array") { writer in
            var meta = hvtrace_meta()
            meta.principal = HVDIFF__TRACE__PRINCIPAL_KIND__PRINCIPAL_HOST
            return hvtrace_append_hypercall(writer, &meta, HVDIFF__TRACE__HYPERCALL_NUMBER__HC_HOST_SHARE_HYP, nil, 3, nil)
        }
    }

    func testSourceThatIsNotUTF8IsRefused() throws {
        try expectRefused("field source: string is not valid UTF-8") { writer in
            let bytes: [CChar] = [CChar(bitPattern: 0xC3), 0x28, 0]  // a lead byte without continuation
            return bytes.withUnsafeBufferPointer { source in
                var meta = hvtrace_meta()
                meta.principal = HVDIFF__TRACE__PRINCIPAL_KIND__PRINCIPAL_HOST
                meta.source = source.baseAddress
                return hvtrace_append_lock(writer, &meta, HVDIFF__TRACE__LOCK_KIND__LOCK_ACQUIRE, 0x40)
            }
        }
    }

    /// Events hvdiff's reader would reject are refused when recorded, not
    /// discovered at replay.
    func testEventsBreakingTraceRulesAreRefused() throws {
        let lock = EventSpec.Kind.lock(kind: 1, address: 0x2000)
        let refused: [(EventSpec, String)] = [
            (EventSpec(cpu: 0, principal: 0, seq: 1, kind: lock), "no principal"),
            (EventSpec(cpu: 4, principal: 2, seq: 1, kind: lock), "cpu 4 does not exist (the machine has 4)"),
            (EventSpec(cpu: 0, principal: 3, vm: 2, vcpu: 4, seq: 1, kind: lock), "principal: VM 2 has no vCPU 4 (it has 4)"),
            (EventSpec(cpu: 0, principal: 2, seq: 1, kind: .hypercall(call: 0, args: [], recordedReturn: nil)),
             "no hypercall number"),
            (EventSpec(cpu: 0, principal: 2, seq: 1, kind: .hypercall(call: 1, args: Array(repeating: 1, count: 9), recordedReturn: nil)),
             "hypercall has 9 arguments (at most 8)"),
            (EventSpec(cpu: 0, principal: 1, seq: 1, kind: .barrier(kind: 1, domain: 0)), "DMB/DSB needs a domain"),
            (EventSpec(cpu: 0, principal: 1, seq: 1, kind: .hypWrite(order: 1, address: 0, value: 0, width: 16)),
             "access width 16 is not 1, 2, 4 or 8 bytes"),
            (EventSpec(cpu: 0, principal: 1, seq: 1, kind: .hypSet(address: 0, size: 8, byte: 256)), "memset byte 256 exceeds 0xff"),
            (EventSpec(cpu: 0, principal: 2, seq: 1, kind: .ipiSend(targetCpu: 4, targetVcpu: 0, intid: 1)),
             "IPI target cpu 4 does not exist"),
            (EventSpec(cpu: 0, principal: 2, seq: 1, kind: .vcpuEnter(vm: 3, vcpu: 0)), "vcpu enter: VM 3 is not in the header"),
        ]
        for (event, message) in refused {
            try expectRefused(message) { event.appendC(to: $0) }
        }
        // Sequence numbers: per CPU, strictly increasing.
        try expectRefused("event 2 is invalid: seq 5 on cpu 1 does not increase (previous 5)") { writer in
            XCTAssertEqual(EventSpec(cpu: 1, principal: 2, seq: 5, kind: lock).appendC(to: writer), 0)
            XCTAssertEqual(EventSpec(cpu: 2, principal: 2, seq: 1, kind: lock).appendC(to: writer), 0)
            return EventSpec(cpu: 1, principal: 2, seq: 5, kind: lock).appendC(to: writer)
        }
    }

    func testHeadersHvdiffWouldRejectAreRefused() throws {
        let dir = try TemporaryDirectory()
        var noMachine = TestMachine.header()
        noMachine.clearMachine()
        var duplicateVM = TestMachine.header()
        duplicateVM.machine.vms[1].id = duplicateVM.machine.vms[0].id
        var oneLevel = TestMachine.header()
        oneLevel.machine.pageTableLevels = 1
        for (header, message) in [
            (noMachine, "invalid header: no machine configuration"),
            (duplicateVM, "invalid header: VM id 1 appears twice"),
            (oneLevel, "invalid header: page_table_levels 1 is outside 2...4"),
        ] {
            try withCHeader(header) { cHeader in
                var err = hvtrace_error()
                XCTAssertNil(hvtrace_open(dir.file("h.hvtrace"), cHeader, &err))
                XCTAssertEqual(err.code, HVTRACE_ERR_ARGUMENT)
                XCTAssertTrue(err.text.contains(message), "\"\(err.text)\" lacks \"\(message)\"")
            }
        }
    }

    func testHeaderVersionIsStampedOrChecked() throws {
        let dir = try TemporaryDirectory()
        var header = TestMachine.header()
        header.formatVersion = 0
        try withWriter(dir.file("stamped.hvtrace"), header: header) { writer in
            var err = hvtrace_error()
            XCTAssertEqual(hvtrace_close(writer, &err), 0, err.text)
        }
        XCTAssertEqual(try readCTrace(path: dir.file("stamped.hvtrace")).header?.formatVersion, 1)

        header.formatVersion = 7
        try withCHeader(header) { cHeader in
            var err = hvtrace_error()
            XCTAssertNil(hvtrace_open(dir.file("v7.hvtrace"), cHeader, &err))
            XCTAssertEqual(err.code, HVTRACE_ERR_ARGUMENT)
            XCTAssertTrue(err.text.contains("header format_version 7"), err.text)
        }
    }

    func testNullArgumentsAreErrors() throws {
        var err = hvtrace_error()
        var header = Hvdiff__Trace__Header()
        hvdiff__trace__header__init(&header)
        XCTAssertNil(hvtrace_open(nil, &header, &err))
        XCTAssertEqual(err.code, HVTRACE_ERR_ARGUMENT)
        XCTAssertEqual(hvtrace_close(nil, &err), -1)
        XCTAssertEqual(hvtrace_append_event(nil, nil), -1)
        XCTAssertNil(hvtrace_reader_open(nil, &err))
        XCTAssertEqual(err.code, HVTRACE_ERR_ARGUMENT)
    }
}
