/// Reads a text trace (`.hvt`) as a stream of validated events, with the
/// same checks as the binary reader; errors name the line and column.
public final class TraceTextReader {
    public let path: String
    public let header: TraceHeader
    public private(set) var eventCount = 0

    private var lines: LineReader
    private var validator: EventValidator
    /// An event line read while collecting the header's `vm` lines.
    private var pending: (TraceEvent, line: Int)?

    public init(path: String) throws(TraceError) {
        self.path = path
        var lines = try LineReader(path: path)
        var header: TraceHeader?
        var headerLine = 0
        var pending: (TraceEvent, line: Int)?
        reading: while let text = try lines.next() {
            switch try Self.parse(text, lines.lineNumber, path, eventIndex: nil) {
            case .blank:
                continue
            case .header(let parsed):
                guard header == nil else {
                    throw TraceError(path: path, position: .line(lines.lineNumber, column: 1), message: "second header line")
                }
                header = parsed
                headerLine = lines.lineNumber
            case .vm(let vm):
                guard header != nil else {
                    throw TraceError(
                        path: path, position: .line(lines.lineNumber, column: 1), message: "vm line before the header line")
                }
                header?.machine.vms.append(vm)
            case .event(let event):
                guard header != nil else {
                    throw TraceError(
                        path: path, position: .line(lines.lineNumber, column: 1),
                        message: "event before the header line")
                }
                pending = (event, lines.lineNumber)
                break reading
            }
        }
        guard let header else {
            throw TraceError(path: path, position: .line(max(lines.lineNumber, 1), column: 1), message: "no header line")
        }
        if let problem = TraceValidation.problem(in: header) {
            throw TraceError(path: path, position: .line(headerLine, column: 1), message: "header: \(problem)")
        }
        self.header = header
        self.lines = lines
        self.pending = pending
        self.validator = EventValidator(header: header)
    }

    /// The next event, or nil at the end of the file.
    public func next() throws(TraceError) -> TraceEvent? {
        let event: TraceEvent
        let line: Int
        if let (pendingEvent, pendingLine) = pending {
            (event, line) = (pendingEvent, pendingLine)
            pending = nil
        } else {
            guard let found = try nextEventLine() else { return nil }
            (event, line) = found
        }
        if let problem = validator.problem(in: event) {
            throw TraceError(path: path, position: .line(line, column: 1), eventIndex: eventCount, message: problem)
        }
        eventCount += 1
        return event
    }

    private func nextEventLine() throws(TraceError) -> (TraceEvent, Int)? {
        while let text = try lines.next() {
            switch try Self.parse(text, lines.lineNumber, path, eventIndex: eventCount) {
            case .blank:
                continue
            case .event(let event):
                return (event, lines.lineNumber)
            case .header, .vm:
                throw TraceError(
                    path: path, position: .line(lines.lineNumber, column: 1), eventIndex: eventCount,
                    message: "header and vm lines must come before the first event")
            }
        }
        return nil
    }

    private static func parse(
        _ text: Substring, _ line: Int, _ path: String, eventIndex: Int?
    ) throws(TraceError) -> TraceText.Line {
        do {
            return try TraceText.parse(line: text)
        } catch {
            throw TraceError(path: path, position: .line(line, column: error.column), eventIndex: eventIndex, message: error.message)
        }
    }
}
