/// A problem with a trace file: what is wrong and exactly where.
///
/// Its description is one line: the file, the position (byte offset or line),
/// the event index when an event was being read, and the problem.
public struct TraceError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Where in the file the problem was found.
    public enum Position: Equatable, Sendable {
        /// Not tied to a position (e.g. the file cannot be opened).
        case file
        /// Offset in the file as stored on disk (preamble, compressed stream).
        case fileByte(UInt64)
        /// Offset in the decompressed record stream.
        case decompressedByte(UInt64)
        /// A line (1-based) and column (1-based) of a text trace.
        case line(Int, column: Int)
    }

    public var path: String
    public var position: Position
    /// Index (0-based) of the event being read or written; nil for the header
    /// or for problems outside any record.
    public var eventIndex: Int?
    public var message: String

    public init(path: String, position: Position, eventIndex: Int? = nil, message: String) {
        self.path = path
        self.position = position
        self.eventIndex = eventIndex
        self.message = message
    }

    public var description: String {
        var location = path
        switch position {
        case .file: break
        case .fileByte(let offset): location += ": byte \(offset)"
        case .decompressedByte(let offset): location += ": decompressed byte \(offset)"
        case .line(let line, let column): location += ":\(line):\(column)"
        }
        if let eventIndex {
            location += " (event \(eventIndex))"
        }
        return "\(location): \(message)"
    }
}
