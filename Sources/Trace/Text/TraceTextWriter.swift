/// Writes a text trace (`.hvt`) line by line through a fixed-size buffer.
/// Like the binary writer, it validates every event against the header.
public final class TraceTextWriter {
    public let path: String
    public let header: TraceHeader
    public private(set) var eventCount = 0

    private var file: OutputFile
    private var buffer: [UInt8] = []
    private var fileOffset: UInt64 = 0
    private var validator: EventValidator
    private var closed = false

    private static let bufferSize = 64 << 10

    public init(path: String, header: TraceHeader) throws(TraceError) {
        if let problem = TraceValidation.problem(in: header) {
            throw TraceError(path: path, position: .file, message: "header: \(problem)")
        }
        self.path = path
        self.header = header
        self.validator = EventValidator(header: header)
        self.file = try OutputFile(path: path)
        buffer.reserveCapacity(Self.bufferSize + TraceFormat.maxTextLineLength)
        for line in TraceText.headerLines(header) {
            try appendLine(line)
        }
    }

    deinit {
        if !closed { try? close() }
    }

    public func append(_ event: TraceEvent) throws(TraceError) {
        guard !closed else {
            throw TraceError(path: path, position: .file, eventIndex: eventCount, message: "append after close")
        }
        if let problem = validator.problem(in: event) {
            throw TraceError(path: path, position: .file, eventIndex: eventCount, message: problem)
        }
        try appendLine(TraceText.eventLine(event))
        eventCount += 1
    }

    public func close() throws(TraceError) {
        guard !closed else { return }
        closed = true
        try flush()
        try file.close()
    }

    private func appendLine(_ line: String) throws(TraceError) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= Self.bufferSize {
            try flush()
        }
    }

    private func flush() throws(TraceError) {
        var failure: TraceError?
        buffer.withUnsafeBytes { bytes in
            do throws(TraceError) { try file.write(bytes, at: fileOffset) } catch { failure = error }
        }
        fileOffset += UInt64(buffer.count)
        buffer.removeAll(keepingCapacity: true)
        if let failure { throw failure }
    }
}
