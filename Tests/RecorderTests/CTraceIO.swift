import Foundation
import Recorder
import SwiftProtobuf
import Trace

struct TestFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// A fresh directory under the system's temporary folder, removed with the value.
final class TemporaryDirectory {
    let path: String

    init() throws {
        let base = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("RecorderTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        path = base.path
    }

    func file(_ name: String) -> String {
        path + "/" + name
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

extension hvtrace_error {
    var text: String {
        withUnsafePointer(to: self) { String(cString: hvtrace_error_message($0)) }
    }
}

/// The C header for a Swift `TraceHeader`, converted through the wire format
/// (the header is not what these tests are about; events are built field by
/// field).
func withCHeader<R>(_ header: TraceHeader, _ body: (UnsafePointer<Hvdiff__Trace__Header>) throws -> R) throws -> R {
    let bytes: [UInt8] = try header.serializedBytes()
    guard let cHeader = bytes.withUnsafeBufferPointer({ hvdiff__trace__header__unpack(nil, $0.count, $0.baseAddress) })
    else {
        throw TestFailure("protobuf-c cannot unpack the test header")
    }
    defer { hvdiff__trace__header__free_unpacked(cHeader, nil) }
    return try body(cHeader)
}

/// The C reader's header as a Swift `TraceHeader` (through the wire format).
func traceHeader(_ cHeader: UnsafePointer<Hvdiff__Trace__Header>) throws -> TraceHeader {
    let size = hvdiff__trace__header__get_packed_size(cHeader)
    var bytes = [UInt8](repeating: 0, count: size)
    let packed = bytes.withUnsafeMutableBufferPointer { hvdiff__trace__header__pack(cHeader, $0.baseAddress) }
    guard packed == size else { throw TestFailure("protobuf-c packed \(packed) of \(size) header bytes") }
    return try TraceHeader(serializedBytes: bytes)
}

/// Writes a trace with the C writer, every event through its convenience
/// append; throws with the library's message on failure.
func writeCTrace(path: String, header: TraceHeader, events: [EventSpec]) throws {
    try withCHeader(header) { cHeader in
        var err = hvtrace_error()
        guard let writer = hvtrace_open(path, cHeader, &err) else {
            throw TestFailure("hvtrace_open: \(err.text)")
        }
        for (index, event) in events.enumerated() where event.appendC(to: writer) != 0 {
            let message = hvtrace_writer_error(writer).map { String(cString: hvtrace_error_message($0)) } ?? "no error recorded"
            _ = hvtrace_close(writer, &err)
            throw TestFailure("append of event \(index) failed: \(message)")
        }
        guard hvtrace_close(writer, &err) == 0 else {
            throw TestFailure("hvtrace_close: \(err.text)")
        }
    }
}

/// What the C reader made of a file: the header, the events it returned and,
/// if it stopped with -1, the error.
struct CReadResult {
    var header: TraceHeader?
    var events: [EventSpec] = []
    var error: hvtrace_error?

    var errorText: String { error?.text ?? "" }
}

/// Reads a whole file with the C reader.
func readCTrace(path: String) throws -> CReadResult {
    var err = hvtrace_error()
    guard let reader = hvtrace_reader_open(path, &err) else {
        return CReadResult(header: nil, events: [], error: err)
    }
    defer { hvtrace_reader_close(reader) }
    guard let cHeader = hvtrace_reader_header(reader) else {
        throw TestFailure("an open reader has no header")
    }
    var result = CReadResult(header: try traceHeader(cHeader))
    var event: UnsafePointer<Hvdiff__Trace__Event>?
    while true {
        let status = hvtrace_reader_next(reader, &event, &err)
        switch status {
        case 1:
            guard let event else { throw TestFailure("hvtrace_reader_next returned 1 without an event") }
            result.events.append(try EventSpec(event.pointee))
        case 0:
            guard event == nil else { throw TestFailure("hvtrace_reader_next returned 0 with an event") }
            return result
        case -1:
            result.error = err
            return result
        default:
            throw TestFailure("hvtrace_reader_next returned \(status)")
        }
    }
}

/// Reads a whole file with the Swift reader (module Trace).
func readSwiftTrace(path: String) throws -> (header: TraceHeader, events: [TraceEvent]) {
    let reader = try TraceFileReader(path: path)
    var events: [TraceEvent] = []
    while let event = try reader.next() {
        events.append(event)
    }
    return (reader.header, events)
}

/// Writes a trace with the Swift writer (module Trace).
func writeSwiftTrace(path: String, header: TraceHeader, events: [TraceEvent]) throws {
    let writer = try TraceFileWriter(path: path, header: header)
    for event in events {
        try writer.append(event)
    }
    try writer.close()
}

func fileBytes(_ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

func writeFile(_ path: String, _ bytes: [UInt8]) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}
