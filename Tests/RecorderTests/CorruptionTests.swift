import Recorder
import XCTest

/// Every kind of damage gives -1 (or a NULL reader) and a message naming the
/// problem and where it is; never a crash, never a wrong event.
final class CorruptionTests: XCTestCase {
    private func validTrace(in dir: TemporaryDirectory) throws -> [UInt8] {
        let path = dir.file("valid.hvtrace")
        try writeCTrace(path: path, header: TestMachine.header(), events: EventGenerator.events(seed: 11, count: 40))
        let bytes = try fileBytes(path)
        guard try HandMade.frameSizes(of: bytes).count == 1 else { throw TestFailure("expected one frame") }
        return bytes
    }

    func testEveryCorruptionIsReportedWithItsPlace() throws {
        let dir = try TemporaryDirectory()
        let good = try validTrace(in: dir)
        let expectedEvents = EventGenerator.events(seed: 11, count: 40)
        for corrupt in try CorruptTraces.all(validTrace: good) {
            let path = dir.file("corrupt.hvtrace")
            try writeFile(path, corrupt.bytes)
            let read = try readCTrace(path: path)
            guard let error = read.error else {
                XCTFail("\(corrupt.name): the C reader accepted it (\(read.events.count) events)")
                continue
            }
            XCTAssertEqual(error.code, corrupt.code, "\(corrupt.name): \(error.text)")
            XCTAssertTrue(error.text.hasPrefix(path + ": "), "\(corrupt.name): \(error.text)")
            for fragment in corrupt.expected {
                XCTAssertTrue(error.text.contains(fragment), "\(corrupt.name): \"\(error.text)\" lacks \"\(fragment)\"")
            }
            XCTAssertEqual(read.events.count, corrupt.eventsBefore, "\(corrupt.name): \(error.text)")
            if corrupt.eventsBefore == expectedEvents.count {
                XCTAssertEqual(read.events, expectedEvents, corrupt.name)
            }
        }
    }

    /// Truncating a multi-frame trace inside a later frame: the events of the
    /// intact frames come back, then an error naming the frame and the count.
    func testTruncationInALaterFrameKeepsEarlierEvents() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("large.hvtrace")
        var events = EventGenerator.events(seed: 5, count: 6_000)
        for index in events.indices {
            events[index].source = String(repeating: "x", count: 1_000)
        }
        try writeCTrace(path: path, header: TestMachine.header(), events: events)
        let bytes = try fileBytes(path)
        let frames = try HandMade.frameSizes(of: bytes)
        XCTAssertGreaterThanOrEqual(frames.count, 2)
        let secondFrame = HandMade.preamble.count + frames[0]
        try writeFile(path, Array(bytes[..<(secondFrame + frames[1] / 2)]))

        let read = try readCTrace(path: path)
        XCTAssertGreaterThan(read.events.count, 0)
        XCTAssertLessThan(read.events.count, events.count)
        XCTAssertEqual(read.events, Array(events[..<read.events.count]))
        XCTAssertTrue(
            read.errorText.contains("inside the zstd frame that starts at file offset \(secondFrame)"), read.errorText)
        XCTAssertTrue(read.errorText.contains("\(read.events.count) events read"), read.errorText)
    }

    /// Reading every prefix of a small trace: each is either the clean end
    /// at a frame boundary or an error, never a crash or a wrong event.
    func testEveryPrefixIsAnErrorOrACleanPrefix() throws {
        let dir = try TemporaryDirectory()
        let good = try validTrace(in: dir)
        let events = EventGenerator.events(seed: 11, count: 40)
        let path = dir.file("prefix.hvtrace")
        for length in 0..<good.count {
            try writeFile(path, Array(good[..<length]))
            let read = try readCTrace(path: path)
            XCTAssertNotNil(read.error, "prefix of \(length) bytes read as complete")
            XCTAssertEqual(read.events, Array(events[..<read.events.count]), "prefix of \(length) bytes")
        }
    }

    /// Flipping a bit of the compressed stream never yields a wrong event:
    /// the frame checksum or the decoder catches it, or the bit did not
    /// matter (zstd's bitstreams have a few padding bits) and the events are
    /// exactly the written ones.
    func testNoBitFlipInTheStreamYieldsAWrongEvent() throws {
        let dir = try TemporaryDirectory()
        let good = try validTrace(in: dir)
        let events = EventGenerator.events(seed: 11, count: 40)
        let path = dir.file("flipped.hvtrace")
        var rng = SplitMix64(seed: 77)
        var caught = 0
        for _ in 0..<300 {
            var bytes = good
            let offset = Int.random(in: HandMade.preamble.count..<bytes.count, using: &rng)
            bytes[offset] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
            try writeFile(path, bytes)
            let read = try readCTrace(path: path)
            if read.error != nil {
                caught += 1
                // The whole frame is checked before any of its events is returned.
                XCTAssertEqual(read.events, [], "flip at byte \(offset): \(read.errorText)")
            } else {
                XCTAssertEqual(read.events, events, "flip at byte \(offset) changed an event unnoticed")
            }
        }
        XCTAssertGreaterThan(caught, 250)
    }

    func testErrorIsStickyAfterFailure() throws {
        let dir = try TemporaryDirectory()
        var bytes = try validTrace(in: dir)
        bytes[bytes.count - 1] ^= 0x80
        let path = dir.file("sticky.hvtrace")
        try writeFile(path, bytes)
        var err = hvtrace_error()
        guard let reader = hvtrace_reader_open(path, &err) else {
            // The damage is seen at open already: that is also correct.
            XCTAssertTrue(err.text.contains("checksum"), err.text)
            return
        }
        defer { hvtrace_reader_close(reader) }
        var event: UnsafePointer<Hvdiff__Trace__Event>?
        XCTAssertEqual(hvtrace_reader_next(reader, &event, &err), -1)
        let first = err.text
        var again = hvtrace_error()
        XCTAssertEqual(hvtrace_reader_next(reader, &event, &again), -1)
        XCTAssertEqual(again.text, first)
        XCTAssertNil(event)
    }

    func testMissingFileIsAnIOError() throws {
        var err = hvtrace_error()
        XCTAssertNil(hvtrace_reader_open("/nonexistent/dir/x.hvtrace", &err))
        XCTAssertEqual(err.code, HVTRACE_ERR_IO)
        XCTAssertEqual(err.sys_errno, ENOENT)
        XCTAssertTrue(err.text.contains("/nonexistent/dir/x.hvtrace: cannot open"), err.text)
    }
}
