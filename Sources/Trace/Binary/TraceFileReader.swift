import SwiftProtobuf

/// Reads a binary trace (`.hvtrace`) as a stream of validated events.
///
/// Memory use is fixed (see `RecordStream`), whatever the trace's length.
/// Every problem (bad magic, corrupt or truncated zstd frame, oversized or
/// unparsable record, undefined enum value, event inconsistent with the
/// header) is a `TraceError` naming the file, the byte offset and the event.
public final class TraceFileReader {
    public let path: String
    public let header: TraceHeader
    /// Events returned so far.
    public private(set) var eventCount = 0

    private var records: RecordStream
    private var validator: EventValidator

    private static let decodingOptions: BinaryDecodingOptions = {
        var options = BinaryDecodingOptions()
        // A future writer's extra fields are not carried around: this reader
        // interprets exactly the schema it was built with.
        options.discardUnknownFields = true
        return options
    }()

    public init(path: String) throws(TraceError) {
        self.path = path
        var records = try RecordStream(path: path)
        guard let bytes = try records.next(eventIndex: nil) else {
            throw TraceError(path: path, position: .decompressedByte(0), message: "trace has no header record")
        }
        let header: TraceHeader
        do {
            header = try TraceHeader(serializedBytes: RawSpan(_unsafeBytes: bytes), options: Self.decodingOptions)
        } catch {
            throw TraceError(
                path: path, position: .decompressedByte(records.recordOffset),
                message: "header record does not parse: \(error)")
        }
        if let problem = TraceValidation.problem(in: header) {
            throw TraceError(
                path: path, position: .decompressedByte(records.recordOffset), message: "header: \(problem)")
        }
        self.header = header
        self.records = records
        self.validator = EventValidator(header: header)
    }

    /// The next event, or nil at the end of the trace.
    public func next() throws(TraceError) -> TraceEvent? {
        guard let bytes = try records.next(eventIndex: eventCount) else {
            return nil
        }
        let event: TraceEvent
        do {
            event = try TraceEvent(serializedBytes: RawSpan(_unsafeBytes: bytes), options: Self.decodingOptions)
        } catch {
            throw TraceError(
                path: path, position: .decompressedByte(records.recordOffset), eventIndex: eventCount,
                message: "record does not parse as an event: \(error)")
        }
        if let problem = validator.problem(in: event) {
            throw TraceError(
                path: path, position: .decompressedByte(records.recordOffset), eventIndex: eventCount,
                message: problem)
        }
        eventCount += 1
        return event
    }
}
