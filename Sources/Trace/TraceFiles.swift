/// A source of trace events: a binary or a text trace file.
public protocol TraceReading: AnyObject {
    var path: String { get }
    var header: TraceHeader { get }
    /// The next event, or nil at the end of the trace.
    func next() throws(TraceError) -> TraceEvent?
}

/// A destination for trace events: a binary or a text trace file.
public protocol TraceWriting: AnyObject {
    var path: String { get }
    func append(_ event: TraceEvent) throws(TraceError)
    /// Finishes the file; errors writing it are reported here.
    func close() throws(TraceError)
}

extension TraceFileReader: TraceReading {}
extension TraceTextReader: TraceReading {}
extension TraceFileWriter: TraceWriting {}
extension TraceTextWriter: TraceWriting {}

/// Opening trace files by their extension: `.hvtrace` (binary) or `.hvt` (text).
public enum TraceFiles {
    public enum Form: Sendable {
        case binary
        case text
    }

    /// The form a path's extension names.
    public static func form(of path: String) throws(TraceError) -> Form {
        if path.hasSuffix("." + TraceFormat.binaryExtension) { return .binary }
        if path.hasSuffix("." + TraceFormat.textExtension) { return .text }
        throw TraceError(
            path: path, position: .file,
            message: "unknown trace file extension (expected .\(TraceFormat.binaryExtension) or .\(TraceFormat.textExtension))")
    }

    public static func openReader(path: String) throws(TraceError) -> any TraceReading {
        switch try form(of: path) {
        case .binary: return try TraceFileReader(path: path)
        case .text: return try TraceTextReader(path: path)
        }
    }

    public static func createWriter(path: String, header: TraceHeader) throws(TraceError) -> any TraceWriting {
        switch try form(of: path) {
        case .binary: return try TraceFileWriter(path: path, header: header)
        case .text: return try TraceTextWriter(path: path, header: header)
        }
    }
}
