/// Reads a binary trace (`.hvtrace`) as a stream of validated events.
///
/// Memory use is fixed (see `RecordStream`), whatever the trace's length.
/// Records are decoded by `RecordDecoder`; fields a future schema adds are
/// skipped, so the reader interprets exactly the schema it was built with.
/// Every problem (bad magic, corrupt or truncated zstd frame, oversized or
/// unparsable record, undefined enum value, event inconsistent with the
/// header) is a `TraceError` naming the file, the byte offset and the event.
public final class TraceFileReader {
    public let path: String
    public let header: TraceHeader
    /// Events returned so far.
    public private(set) var eventCount = 0

    // Only this class touches these, one call at a time; the dynamic
    // exclusivity checks Swift would add cost more than a record's decoding.
    @exclusivity(unchecked) private var records: RecordStream
    @exclusivity(unchecked) private var validator: EventValidator

    public init(path: String) throws(TraceError) {
        self.path = path
        var records = try RecordStream(path: path)
        guard let bytes = try records.next(eventIndex: nil) else {
            throw TraceError(path: path, position: .decompressedByte(0), message: "trace has no header record")
        }
        let header: TraceHeader
        do throws(WireError) {
            header = try RecordDecoder.header(bytes)
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
        var event = TraceEvent()
        return try read(into: &event) ? event : nil
    }

    /// Reads the next event into `event`, reusing its storage; false at the
    /// end of the trace. The fastest way through a long trace: no event is
    /// copied on the way out.
    public func read(into event: inout TraceEvent) throws(TraceError) -> Bool {
        guard let bytes = try records.next(eventIndex: eventCount) else {
            return false
        }
        do throws(WireError) {
            try RecordDecoder.decode(bytes, into: &event)
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
        return true
    }
}
