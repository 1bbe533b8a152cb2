import Recorder
import Trace
import XCTest

/// The C library and the Swift module (Trace) read each other's files
/// exactly, and reject the same damaged files.
final class InteropTests: XCTestCase {
    func testSwiftReadsWhatCWrites() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("from-c.hvtrace")
        let events = EventGenerator.events(seed: 0xC0FFEE, count: 2_000)
        try writeCTrace(path: path, header: TestMachine.header(), events: events)

        let read = try readSwiftTrace(path: path)
        XCTAssertEqual(read.header, TestMachine.header())
        XCTAssertEqual(read.events.count, events.count)
        for (index, (got, want)) in zip(read.events, events.map(\.traceEvent)).enumerated() where got != want {
            XCTFail("event \(index): Swift read \(got), C wrote \(want)")
            break
        }
    }

    func testCReadsWhatSwiftWrites() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("from-swift.hvtrace")
        let events = EventGenerator.events(seed: 0xBEEF, count: 2_000)
        try writeSwiftTrace(path: path, header: TestMachine.header(), events: events.map(\.traceEvent))

        let read = try readCTrace(path: path)
        XCTAssertNil(read.error, read.errorText)
        XCTAssertEqual(read.header, TestMachine.header())
        XCTAssertEqual(read.events.count, events.count)
        for (index, (got, want)) in zip(read.events, events).enumerated() where got != want {
            XCTFail("event \(index): C read \(got), Swift wrote \(want)")
            break
        }
    }

    /// Several frames each way: each side cuts frames its own way and the
    /// other follows.
    func testMultiFrameTracesCrossBothWays() throws {
        let dir = try TemporaryDirectory()
        var events = EventGenerator.events(seed: 99, count: 5_000)
        for index in events.indices {
            events[index].source = String(repeating: "stage2_map ", count: 100) + "\(index)"
        }
        let fromC = dir.file("c.hvtrace")
        try writeCTrace(path: fromC, header: TestMachine.header(), events: events)
        XCTAssertGreaterThanOrEqual(try HandMade.frameSizes(of: try fileBytes(fromC)).count, 2)
        XCTAssertTrue(try readSwiftTrace(path: fromC).events == events.map(\.traceEvent))

        let fromSwift = dir.file("swift.hvtrace")
        try writeSwiftTrace(path: fromSwift, header: TestMachine.header(), events: events.map(\.traceEvent))
        XCTAssertGreaterThanOrEqual(try HandMade.frameSizes(of: try fileBytes(fromSwift)).count, 2)
        let read = try readCTrace(path: fromSwift)
        XCTAssertNil(read.error, read.errorText)
        XCTAssertTrue(read.events == events)
    }

    /// Damage the C reader rejects but the Swift reader (module Trace)
    /// accepts. The format requires a content checksum in every frame; the C
    /// reader enforces it, the Swift reader at the time of writing does not.

    /// Every damaged file the C reader rejects, the Swift reader rejects too.
    func testBothReadersRejectTheSameDamage() throws {
        let dir = try TemporaryDirectory()
        let validPath = dir.file("valid.hvtrace")
        try writeCTrace(path: validPath, header: TestMachine.header(), events: EventGenerator.events(seed: 11, count: 40))
        for corrupt in try CorruptTraces.all(validTrace: try fileBytes(validPath))
 {
            let path = dir.file("corrupt.hvtrace")
            try writeFile(path, corrupt.bytes)
            XCTAssertNotNil(try readCTrace(path: path).error, corrupt.name)
            XCTAssertThrowsError(try readSwiftTrace(path: path), "\(corrupt.name): the Swift reader accepted it")
        }
    }
}
