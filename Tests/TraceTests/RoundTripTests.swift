import Foundation
import XCTest

@testable import Trace

final class RoundTripTests: XCTestCase {
    func readAll(_ reader: any TraceReading) throws -> [TraceEvent] {
        var events: [TraceEvent] = []
        while let event = try reader.next() {
            events.append(event)
        }
        return events
    }

    func write(_ events: [TraceEvent], header: TraceHeader, to path: String) throws {
        let writer = try TraceFiles.createWriter(path: path, header: header)
        for event in events {
            try writer.append(event)
        }
        try writer.close()
    }

    func testBinaryRoundTripOfEveryKind() throws {
        let directory = try TemporaryDirectory()
        for seed: UInt64 in 1...5 {
            let header = RandomEvents.header()
            let events = RandomEvents.events(count: 2_000, seed: seed)
            let path = directory.path("t\(seed).hvtrace")
            try write(events, header: header, to: path)
            let reader = try TraceFileReader(path: path)
            XCTAssertEqual(reader.header, header)
            XCTAssertEqual(try readAll(reader), events, "seed \(seed)")
        }
    }

    func testTextRoundTripOfEveryKind() throws {
        let directory = try TemporaryDirectory()
        for seed: UInt64 in 11...15 {
            let header = RandomEvents.header()
            let events = RandomEvents.events(count: 2_000, seed: seed)
            let path = directory.path("t\(seed).hvt")
            try write(events, header: header, to: path)
            let reader = try TraceTextReader(path: path)
            XCTAssertEqual(reader.header, header)
            XCTAssertEqual(try readAll(reader), events, "seed \(seed)")
        }
    }

    /// binary -> text -> binary gives the same bytes, and text -> binary ->
    /// text the same text: the two forms carry exactly the same information.
    func testConversionsAreExact() throws {
        let directory = try TemporaryDirectory()
        let header = RandomEvents.header()
        let events = RandomEvents.events(count: 3_000, seed: 99)
        let first = directory.path("a.hvtrace")
        try write(events, header: header, to: first)

        func convert(_ input: String, _ output: String) throws {
            let reader = try TraceFiles.openReader(path: input)
            try write(try readAll(reader), header: reader.header, to: output)
        }
        try convert(first, directory.path("b.hvt"))
        try convert(directory.path("b.hvt"), directory.path("c.hvtrace"))
        try convert(directory.path("c.hvtrace"), directory.path("d.hvt"))
        XCTAssertEqual(
            try Data(contentsOf: URL(fileURLWithPath: first)),
            try Data(contentsOf: URL(fileURLWithPath: directory.path("c.hvtrace"))))
        XCTAssertEqual(
            try String(contentsOfFile: directory.path("b.hvt"), encoding: .utf8),
            try String(contentsOfFile: directory.path("d.hvt"), encoding: .utf8))
    }

    /// A trace longer than one zstd frame (4 MiB of records) reads back whole.
    func testTraceSpanningSeveralFrames() throws {
        let directory = try TemporaryDirectory()
        let header = RandomEvents.header()
        let events = RandomEvents.events(count: 300_000, seed: 7)
        let path = directory.path("long.hvtrace")
        try write(events, header: header, to: path)
        let reader = try TraceFileReader(path: path)
        var count = 0
        while let event = try reader.next() {
            XCTAssertEqual(event, events[count])
            count += 1
        }
        XCTAssertEqual(count, events.count)
        let totalRecordBytes = try events.reduce(0) { $0 + (try $1.serializedBytes() as [UInt8]).count + 1 }
        XCTAssertGreaterThan(totalRecordBytes, TraceFormat.frameInputSize, "the test must cross a frame boundary")
    }

    func testEmptyTraceHasHeaderOnly() throws {
        let directory = try TemporaryDirectory()
        for name in ["e.hvtrace", "e.hvt"] {
            try write([], header: RandomEvents.header(), to: directory.path(name))
            let reader = try TraceFiles.openReader(path: directory.path(name))
            XCTAssertEqual(reader.header, RandomEvents.header())
            XCTAssertNil(try reader.next())
        }
    }

    func testBundledTracesReadInBothForms() throws {
        let traces = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../traces").standardized.path
        let names = try FileManager.default.contentsOfDirectory(atPath: traces).filter { $0.hasSuffix(".hvt") }
        XCTAssertFalse(names.isEmpty)
        for name in names {
            let text = try readAll(try TraceTextReader(path: traces + "/" + name))
            let binaryPath = traces + "/" + name.replacingOccurrences(of: ".hvt", with: ".hvtrace")
            XCTAssertEqual(try readAll(try TraceFileReader(path: binaryPath)), text, "\(name) and its binary form differ")
            XCTAssertFalse(text.isEmpty)
        }
    }

    func testVarintEncodingRoundTrips() {
        var random = SeededGenerator(seed: 3)
        let edges: [UInt64] = [0, 1, 127, 128, 16_383, 16_384, UInt64(UInt32.max), .max - 1, .max]
        for value in edges + (0..<1_000).map({ _ in random.next() >> UInt64.random(in: 0..<64, using: &random) }) {
            var bytes: [UInt8] = []
            Varint.append(value, to: &bytes)
            XCTAssertEqual(bytes, RawTraceFile.varint(value))
            bytes.withUnsafeBytes { buffer in
                XCTAssertEqual(Varint.decode(buffer), .value(value, length: bytes.count))
                if bytes.count > 1 {
                    XCTAssertEqual(Varint.decode(UnsafeRawBufferPointer(rebasing: buffer.dropLast())), .incomplete)
                }
            }
        }
        let tooLong = [UInt8](repeating: 0xff, count: 10) + [0x01]
        tooLong.withUnsafeBytes { XCTAssertEqual(Varint.decode($0), .malformed) }
    }
}
