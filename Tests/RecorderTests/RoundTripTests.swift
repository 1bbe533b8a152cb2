import Recorder
import Trace
import XCTest

/// C writer -> C reader: every field of every kind comes back exactly.
final class RoundTripTests: XCTestCase {
    func testEveryKindRoundTripsExactly() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("all-kinds.hvtrace")
        let events = EventGenerator.events(seed: 0x5EED_0001, count: 3_000)
        try writeCTrace(path: path, header: TestMachine.header(), events: events)

        let read = try readCTrace(path: path)
        XCTAssertNil(read.error, read.errorText)
        XCTAssertEqual(read.header, TestMachine.header())
        XCTAssertEqual(read.events.count, events.count)
        for (index, (got, want)) in zip(read.events, events).enumerated() where got != want {
            XCTFail("event \(index): read \(got), wrote \(want)")
            break
        }
        let kinds = Set(read.events.map { "\($0.kind)".prefix { $0 != "(" } })
        XCTAssertEqual(kinds.count, EventGenerator.kindCount, "kinds seen: \(kinds.sorted())")
    }

    func testTraceWithoutEventsHasOnlyItsHeader() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("empty.hvtrace")
        try writeCTrace(path: path, header: TestMachine.header(), events: [])
        let read = try readCTrace(path: path)
        XCTAssertNil(read.error, read.errorText)
        XCTAssertEqual(read.header, TestMachine.header())
        XCTAssertEqual(read.events, [])
    }

    func testFileLayoutIsMagicVersionThenChecksummedFrames() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("layout.hvtrace")
        try writeCTrace(path: path, header: TestMachine.header(), events: EventGenerator.events(seed: 7, count: 10))
        let bytes = try fileBytes(path)
        XCTAssertEqual(Array(bytes[..<8]), Array("HVTRACE\n".utf8))
        XCTAssertEqual(Array(bytes[8..<12]), [1, 0, 0, 0])
        // zstd frame magic 0xFD2FB528 little-endian, then a descriptor with
        // the content checksum flag (bit 2).
        XCTAssertEqual(Array(bytes[12..<16]), [0x28, 0xB5, 0x2F, 0xFD])
        XCTAssertNotEqual(bytes[16] & 0x04, 0)
        XCTAssertEqual(try HandMade.frameSizes(of: bytes).count, 1)
    }

    /// Over 4 MiB of records: the writer ends a frame every 4 MiB, and the
    /// reader follows records across frames.
    func testLargeTraceSpansSeveralFrames() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("large.hvtrace")
        let longSource = String(repeating: "pgtable.c:stage2_map_walker ", count: 40)
        var events = EventGenerator.events(seed: 42, count: 10_000)
        for index in events.indices where index % 2 == 0 {
            events[index].source = longSource + "\(index)"
        }
        try writeCTrace(path: path, header: TestMachine.header(), events: events)

        let frames = try HandMade.frameSizes(of: try fileBytes(path))
        XCTAssertGreaterThanOrEqual(frames.count, 2)
        let read = try readCTrace(path: path)
        XCTAssertNil(read.error, read.errorText)
        XCTAssertEqual(read.events.count, events.count)
        XCTAssert(read.events == events, "events differ after a multi-frame round trip")

        var err = hvtrace_error()
        XCTAssertEqual(hvtrace_count_events(path, &err), Int64(events.count), err.text)
    }

    /// hvtrace_flush ends the frame and writes it out: the file is a
    /// complete trace at that point, and the writer goes on.
    func testFlushLeavesACompleteTrace() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("flushed.hvtrace")
        let snapshot = dir.file("snapshot.hvtrace")
        let events = EventGenerator.events(seed: 9, count: 60)
        try withCHeader(TestMachine.header()) { header in
            var err = hvtrace_error()
            guard let writer = hvtrace_open(path, header, &err) else { throw TestFailure(err.text) }
            for event in events[..<25] {
                XCTAssertEqual(event.appendC(to: writer), 0)
            }
            XCTAssertEqual(hvtrace_flush(writer), 0)
            try writeFile(snapshot, try fileBytes(path))
            for event in events[25...] {
                XCTAssertEqual(event.appendC(to: writer), 0)
            }
            XCTAssertEqual(hvtrace_writer_event_count(writer), 60)
            XCTAssertEqual(hvtrace_close(writer, &err), 0, err.text)
        }
        let early = try readCTrace(path: snapshot)
        XCTAssertNil(early.error, early.errorText)
        XCTAssertEqual(early.events, Array(events[..<25]))
        let full = try readCTrace(path: path)
        XCTAssertNil(full.error, full.errorText)
        XCTAssertEqual(full.events, events)
        XCTAssertEqual(try HandMade.frameSizes(of: try fileBytes(path)).count, 2)
    }

    /// A record may straddle two frames (another writer may cut frames
    /// anywhere); the reader joins it.
    func testRecordSplitAcrossFramesIsRead() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("split.hvtrace")
        let record = try HandMade.record(HandMade.lockEvent(seq: 1))
        let stream = try HandMade.headerRecord() + record
        let cut = stream.count - record.count / 2
        try writeFile(path, HandMade.file(frames: [
            try HandMade.frame(Array(stream[..<cut])), try HandMade.frame(Array(stream[cut...])),
        ]))
        let read = try readCTrace(path: path)
        XCTAssertNil(read.error, read.errorText)
        XCTAssertEqual(read.events, [EventSpec(cpu: 0, principal: 2, seq: 1, kind: .lock(kind: 1, address: 0x1000))])
    }

    func testReaderCountsEvents() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("count.hvtrace")
        try writeCTrace(path: path, header: TestMachine.header(), events: EventGenerator.events(seed: 3, count: 777))
        var err = hvtrace_error()
        XCTAssertEqual(hvtrace_count_events(path, &err), 777, err.text)
        XCTAssertEqual(hvtrace_count_events(dir.file("missing.hvtrace"), &err), -1)
        XCTAssertEqual(err.code, HVTRACE_ERR_IO)
        XCTAssertTrue(err.text.contains("missing.hvtrace: cannot open"), err.text)
    }
}
