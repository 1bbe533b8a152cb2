import Foundation
import XCTest

@testable import Trace

/// Hostile and damaged binary traces: each gives a TraceError naming the
/// file, where, and what; none crashes or allocates beyond the fixed bound.
final class CorruptBinaryTests: XCTestCase {
    var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
    }

    /// Reads the whole file; returns the error it ends with, if any.
    func readError(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) throws -> TraceError? {
        let path = directory.path("corrupt.hvtrace")
        try RawTraceFile.write(bytes, to: path)
        do {
            let reader = try TraceFileReader(path: path)
            while try reader.next() != nil {}
            return nil
        } catch {
            XCTAssertEqual(error.path, path, file: file, line: line)
            return error
        }
    }

    func validFile(events: Int = 50, seed: UInt64 = 1) throws -> [UInt8] {
        let path = directory.path("valid.hvtrace")
        let writer = try TraceFileWriter(path: path, header: RandomEvents.header())
        for event in RandomEvents.events(count: events, seed: seed) {
            try writer.append(event)
        }
        try writer.close()
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    func testWrongMagic() throws {
        var bytes = try validFile()
        bytes[0] = UInt8(ascii: "X")
        let error = try XCTUnwrap(try readError(bytes))
        XCTAssertEqual(error.position, .fileByte(0))
        XCTAssertTrue(error.message.contains("not an hvdiff binary trace"), error.description)
    }

    func testTextFileGivenAsBinary() throws {
        let error = try XCTUnwrap(try readError(Array("header version=1 cpus=1\n".utf8)))
        XCTAssertTrue(error.message.contains("not an hvdiff binary trace"))
    }

    func testEmptyAndShortFiles() throws {
        XCTAssertTrue(try XCTUnwrap(try readError([])).message.contains("truncated"))
        let short = Array(TraceFormat.magic) + [1, 0]
        XCTAssertTrue(try XCTUnwrap(try readError(short)).message.contains("truncated"))
    }

    func testUnsupportedVersion() throws {
        let bytes = RawTraceFile.preamble(version: 9) + RawTraceFile.frame(try RawTraceFile.record(RandomEvents.header()))
        let error = try XCTUnwrap(try readError(bytes))
        XCTAssertEqual(error.position, .fileByte(8))
        XCTAssertTrue(error.message.contains("version 9"), error.description)
    }

    func testNoHeaderRecord() throws {
        let error = try XCTUnwrap(try readError(RawTraceFile.preamble() + RawTraceFile.frame([])))
        XCTAssertTrue(error.message.contains("no header"), error.description)
    }

    func testTruncatedInsideAFrame() throws {
        let bytes = try validFile()
        for cut in [bytes.count - 1, bytes.count - 5, bytes.count / 2, TraceFormat.preambleSize + 3] {
            let error = try XCTUnwrap(try readError(Array(bytes[0..<cut])), "cut at \(cut)")
            XCTAssertTrue(error.message.contains("truncated") || error.message.contains("corrupt"), error.description)
        }
    }

    func testTruncatedInsideARecordAtAFrameBoundary() throws {
        let header = try RawTraceFile.record(RandomEvents.header())
        let event = try RawTraceFile.record(RandomEvents.events(count: 1, seed: 2)[0])
        let error = try XCTUnwrap(try readError(RawTraceFile.file([header, Array(event.dropLast(2))])))
        XCTAssertEqual(error.eventIndex, 0)
        XCTAssertEqual(error.position, .decompressedByte(UInt64(header.count)))
        XCTAssertTrue(error.message.contains("ends inside a record"), error.description)
    }

    func testChecksumMismatch() throws {
        var bytes = try validFile()
        // The last four bytes of a frame are its content checksum.
        bytes[bytes.count - 2] ^= 0x40
        let error = try XCTUnwrap(try readError(bytes))
        XCTAssertEqual(error.position, .fileByte(UInt64(TraceFormat.preambleSize)))
        XCTAssertTrue(error.message.contains("checksum"), error.description)
    }

    /// Property: whatever single bit is flipped, reading either fails with a
    /// TraceError or returns exactly the original events — never a crash,
    /// never silently different data.
    func testEveryBitFlipIsDetectedOrHarmless() throws {
        let original = try validFile(events: 20, seed: 4)
        let events = RandomEvents.events(count: 20, seed: 4)
        var random = SeededGenerator(seed: 5)
        let path = directory.path("flip.hvtrace")
        for _ in 0..<400 {
            var bytes = original
            let index = Int.random(in: 0..<bytes.count, using: &random)
            bytes[index] ^= 1 << UInt8.random(in: 0..<8, using: &random)
            try RawTraceFile.write(bytes, to: path)
            do {
                let reader = try TraceFileReader(path: path)
                var read: [TraceEvent] = []
                while let event = try reader.next() { read.append(event) }
                XCTAssertEqual(read, events, "flip at byte \(index) changed the events silently")
            } catch {
                XCTAssertFalse(error.description.isEmpty)
            }
        }
    }

    func testHugeLengthPrefixIsRejectedWithoutAllocating() throws {
        let header = try RawTraceFile.record(RandomEvents.header())
        let hostile = RawTraceFile.varint(1 << 40) + [1, 2, 3]
        let error = try XCTUnwrap(try readError(RawTraceFile.file([header, hostile])))
        XCTAssertEqual(error.eventIndex, 0)
        XCTAssertEqual(error.position, .decompressedByte(UInt64(header.count)))
        XCTAssertTrue(error.message.contains("1099511627776"), error.description)
    }

    func testMalformedVarint() throws {
        let header = try RawTraceFile.record(RandomEvents.header())
        let error = try XCTUnwrap(try readError(RawTraceFile.file([header, [UInt8](repeating: 0xff, count: 12)])))
        XCTAssertTrue(error.message.contains("malformed"), error.description)
    }

    func testRecordThatDoesNotParse() throws {
        let header = try RawTraceFile.record(RandomEvents.header())
        // Field 1 with wire type 7 does not exist in protobuf.
        let garbage: [UInt8] = [0x0f, 0xff, 0xff]
        let error = try XCTUnwrap(try readError(RawTraceFile.file([header, RawTraceFile.varint(3) + garbage])))
        XCTAssertEqual(error.eventIndex, 0)
        XCTAssertTrue(error.message.contains("does not parse"), error.description)
    }

    func testUnknownEnumValue() throws {
        var event = RandomEvents.events(count: 1, seed: 8)[0]
        var call = TraceHypercall()
        call.call = .UNRECOGNIZED(77)
        event.kind = .hypercall(call)
        let bytes = RawTraceFile.file([try RawTraceFile.record(RandomEvents.header()), try RawTraceFile.record(event)])
        let error = try XCTUnwrap(try readError(bytes))
        XCTAssertEqual(error.eventIndex, 0)
        XCTAssertTrue(error.message.contains("undefined hypercall number 77"), error.description)

        var principal = RandomEvents.events(count: 1, seed: 8)[0]
        principal.principal = .UNRECOGNIZED(9)
        let second = RawTraceFile.file([try RawTraceFile.record(RandomEvents.header()), try RawTraceFile.record(principal)])
        XCTAssertTrue(try XCTUnwrap(try readError(second)).message.contains("undefined principal 9"))
    }

    func testErrorNamesTheEventIndexDeepInTheFile() throws {
        var records = [try RawTraceFile.record(RandomEvents.header())]
        let events = RandomEvents.events(count: 40, seed: 9)
        records += try events.map(RawTraceFile.record)
        records.insert(RawTraceFile.varint(2) + [0x0f, 0xff], at: 31)
        let error = try XCTUnwrap(try readError(RawTraceFile.file(records)))
        XCTAssertEqual(error.eventIndex, 30)
        XCTAssertTrue(error.description.contains("(event 30)"), error.description)
    }

    func testGarbageAfterTheLastFrame() throws {
        let valid = try validFile()
        let error = try XCTUnwrap(try readError(valid + [0x00, 0x01, 0x02, 0x03, 0x04, 0x05]))
        XCTAssertEqual(error.position, .fileByte(UInt64(valid.count)))
        XCTAssertTrue(error.message.contains("expected a zstd frame here"), error.description)
        let short = try XCTUnwrap(try readError(valid + [0x28, 0xb5]))
        XCTAssertTrue(short.message.contains("truncated"), short.description)
    }

    func testFrameWithoutChecksumIsRejected() throws {
        var frame = RawTraceFile.frame(try RawTraceFile.record(RandomEvents.header()))
        frame[4] &= ~0x04
        let error = try XCTUnwrap(try readError(RawTraceFile.preamble() + frame))
        XCTAssertEqual(error.position, .fileByte(UInt64(TraceFormat.preambleSize)))
        XCTAssertTrue(error.message.contains("no content checksum"), error.description)
    }

    /// No event of a damaged frame is handed out: the error comes first.
    func testNoEventOfACorruptFrameIsReturned() throws {
        var bytes = try validFile(events: 200, seed: 12)
        bytes[bytes.count - 3] ^= 0x10
        let path = directory.path("late.hvtrace")
        try RawTraceFile.write(bytes, to: path)
        let reader = try? TraceFileReader(path: path)
        XCTAssertNil(try? reader?.next(), "an event of an unverified frame was returned")
    }

    func testMissingFileAndDirectory() throws {
        XCTAssertThrowsError(try TraceFileReader(path: directory.path("absent.hvtrace"))) { error in
            XCTAssertTrue("\(error)".contains("No such file"), "\(error)")
        }
        XCTAssertThrowsError(try TraceFileReader(path: directory.url.path)) { error in
            XCTAssertTrue("\(error)".contains("directory"), "\(error)")
        }
    }
}
