import SwiftProtobuf
import XCTest

@testable import Trace

/// `RecordDecoder` is a hand-written, faster decoder of the schema's records;
/// these tests hold it to swift-protobuf's generated code: same result on
/// every record, valid or damaged, and every field of trace.proto decoded.
final class RecordDecoderTests: XCTestCase {
    static let reference: BinaryDecodingOptions = {
        var options = BinaryDecodingOptions()
        options.discardUnknownFields = true
        return options
    }()

    enum Outcome<Message: Equatable>: Equatable {
        case decoded(Message)
        case failed
    }

    func referenceEvent(_ bytes: [UInt8]) -> Outcome<TraceEvent> {
        (try? TraceEvent(serializedBytes: bytes, options: Self.reference)).map { .decoded($0) } ?? .failed
    }

    func handEvent(_ bytes: [UInt8]) -> Outcome<TraceEvent> {
        bytes.withUnsafeBytes { (try? RecordDecoder.event($0)).map { .decoded($0) } ?? .failed }
    }

    func referenceHeader(_ bytes: [UInt8]) -> Outcome<TraceHeader> {
        (try? TraceHeader(serializedBytes: bytes, options: Self.reference)).map { .decoded($0) } ?? .failed
    }

    func handHeader(_ bytes: [UInt8]) -> Outcome<TraceHeader> {
        bytes.withUnsafeBytes { (try? RecordDecoder.header($0)).map { .decoded($0) } ?? .failed }
    }

    func assertAgree(_ bytes: [UInt8], _ context: @autoclosure () -> String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(handEvent(bytes), referenceEvent(bytes), "event: \(context()) \(bytes)", file: file, line: line)
        XCTAssertEqual(handHeader(bytes), referenceHeader(bytes), "header: \(context()) \(bytes)", file: file, line: line)
    }

    // MARK: Wire-format building blocks

    static func tag(_ field: Int, _ wireType: UInt8) -> [UInt8] { RawTraceFile.varint(UInt64(field) << 3 | UInt64(wireType)) }
    static func varintField(_ field: Int, _ value: UInt64) -> [UInt8] { tag(field, 0) + RawTraceFile.varint(value) }
    static func bytesField(_ field: Int, _ body: [UInt8]) -> [UInt8] { tag(field, 2) + RawTraceFile.varint(UInt64(body.count)) + body }

    /// Every way a field can appear that the schema's types care about.
    static let probes: [(String, @Sendable (Int) -> [UInt8])] = [
        ("varint 1", { varintField($0, 1) }),
        ("varint 2^40+3", { varintField($0, 1 << 40 | 3) }),
        ("varint -1", { varintField($0, .max) }),
        ("empty bytes", { bytesField($0, []) }),
        ("string", { bytesField($0, Array("hv".utf8)) }),
        ("nested varint", { bytesField($0, varintField(1, 7) + varintField(2, 9) + varintField(3, 1)) }),
        ("packed", { bytesField($0, RawTraceFile.varint(5) + RawTraceFile.varint(300)) }),
        ("fixed32", { tag($0, 5) + [1, 2, 3, 4] }),
        ("fixed64", { tag($0, 1) + [1, 2, 3, 4, 5, 6, 7, 8] }),
        ("group", { tag($0, 3) + varintField(1, 1) + tag($0, 4) }),
    ]

    /// Each field number 1...64 probed with each wire type, at the top level
    /// and inside every nested message: a field the schema has and the hand
    /// decoder misses shows up as a difference, naming where.
    func testEveryFieldOfTheSchemaIsDecodedLikeSwiftProtobuf() {
        typealias Container = (String, ([UInt8]) -> [UInt8])
        var containers: [Container] = [("top level", { $0 })]
        for field in [6, 2] + [16, 17, 18, 19, 20, 21, 22] + Array(32...41) {
            containers.append(("inside field \(field)", { Self.bytesField(field, $0) }))
        }
        containers.append(("inside hypercall return", { Self.bytesField(16, Self.bytesField(3, $0)) }))
        containers.append(("inside machine vm", { Self.bytesField(2, Self.bytesField(5, $0)) }))
        for (where_, wrap) in containers {
            for number in 1...64 {
                for (probe, make) in Self.probes {
                    assertAgree(wrap(make(number)), "\(where_), field \(number), \(probe)")
                }
            }
        }
    }

    func testRandomValidRecordsDecodeIdentically() throws {
        for event in RandomEvents.events(count: 5_000, seed: 41) {
            let bytes: [UInt8] = try event.serializedBytes()
            XCTAssertEqual(handEvent(bytes), .decoded(event))
        }
        let header: [UInt8] = try RandomEvents.header().serializedBytes()
        XCTAssertEqual(handHeader(header), .decoded(RandomEvents.header()))
    }

    /// Proto3 merge rules: repeated occurrences, oneof replacement and merging.
    func testMergeSemanticsMatch() throws {
        let events = RandomEvents.events(count: 400, seed: 42)
        for index in stride(from: 0, to: events.count - 1, by: 2) {
            let first: [UInt8] = try events[index].serializedBytes()
            let second: [UInt8] = try events[index + 1].serializedBytes()
            assertAgree(first + second, "concatenation \(index)")
            assertAgree(first + first, "repetition \(index)")
        }
        assertAgree(Self.bytesField(16, Self.varintField(2, 1)) + Self.bytesField(16, Self.varintField(2, 2)), "args append")
        assertAgree(
            Self.bytesField(16, Self.bytesField(2, RawTraceFile.varint(1) + RawTraceFile.varint(2)) + Self.varintField(2, 3)),
            "packed then unpacked")
        assertAgree(Self.bytesField(17, Self.varintField(3, 1)) + Self.bytesField(16, []) + Self.bytesField(17, []), "oneof switch")
    }

    /// Damaged records: bit flips, truncations, insertions and deletions.
    func testRandomlyDamagedRecordsAgree() throws {
        var random = SeededGenerator(seed: 43)
        let events = RandomEvents.events(count: 2_000, seed: 44)
        for event in events {
            var bytes: [UInt8] = try event.serializedBytes()
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                guard !bytes.isEmpty else { break }
                let index = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: bytes[index] ^= 1 << UInt8.random(in: 0..<8, using: &random)
                case 1: bytes.removeSubrange(index...)
                case 2: bytes.insert(UInt8.random(in: 0...255, using: &random), at: index)
                default: bytes.remove(at: index)
                }
            }
            assertAgree(bytes, "damaged")
        }
    }

    func testRandomBytesAgree() {
        var random = SeededGenerator(seed: 45)
        for _ in 0..<20_000 {
            let bytes = (0..<Int.random(in: 0..<24, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            assertAgree(bytes, "random")
        }
    }

    func testEdgeCasesAgree() {
        let cases: [[UInt8]] = [
            [0x00],  // field number 0
            [0x0e],  // wire type 6
            [0x0c],  // end group without start
            [0x08],  // varint missing
            [0x08, 0x80],  // unterminated varint
            [0x08] + [UInt8](repeating: 0xff, count: 9) + [0x7f],  // 10-byte varint with high bits
            [0x08] + [UInt8](repeating: 0xff, count: 10) + [0x01],  // 11-byte varint
            [0x80, 0x80, 0x80, 0x80, 0x10],  // 5-byte tag, last byte over 15
            [0x80, 0x80, 0x80, 0x80, 0x0f],  // 5-byte tag, field 2^28, wire type 0, no value
            [0xf8, 0xff, 0xff, 0xff, 0x0f, 0x01],  // largest field number, varint
            [0x42, 0x02, 0xc3, 0x28],  // source with invalid UTF-8
            [0x42, 0x05, 0x61],  // string longer than the record
            [0x1b] + [UInt8](repeating: 0x0b, count: 99) + [UInt8](repeating: 0x0c, count: 99) + [0x1c],  // deep groups
            [0x1b] + [UInt8](repeating: 0x0b, count: 100) + [UInt8](repeating: 0x0c, count: 100) + [0x1c],  // too deep
            [0x1b, 0x24],  // group ended by another field's end
        ]
        for bytes in cases {
            assertAgree(bytes, "edge case")
        }
    }
}
