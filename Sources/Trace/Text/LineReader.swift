/// Lines of a file, read through a fixed-size buffer: a line longer than
/// `TraceFormat.maxTextLineLength` is an error, not an allocation.
struct LineReader: ~Copyable {
    private let file: InputFile
    private let buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    private var fileOffset: UInt64 = 0
    private var fileEnded = false
    /// 1-based number of the line last returned.
    private(set) var lineNumber = 0

    init(path: String) throws(TraceError) {
        file = try InputFile(path: path)
        buffer = .allocate(byteCount: TraceFormat.maxTextLineLength + 1, alignment: 1)
    }

    deinit { buffer.deallocate() }

    var path: String { file.path }

    /// The next line without its terminator (and without a trailing CR), or nil at the end.
    mutating func next() throws(TraceError) -> Substring? {
        while true {
            let available = UnsafeRawBufferPointer(rebasing: buffer[start..<end])
            if let newline = available.firstIndex(of: UInt8(ascii: "\n")) {
                let line = try decode(UnsafeRawBufferPointer(rebasing: available[..<newline]))
                start += newline + 1
                return line
            }
            if fileEnded {
                guard start < end else { return nil }
                let line = try decode(available)
                start = end
                return line
            }
            if end - start > TraceFormat.maxTextLineLength {
                throw TraceError(
                    path: path, position: .line(lineNumber + 1, column: 1),
                    message: "line longer than \(TraceFormat.maxTextLineLength) bytes")
            }
            if start > 0 {
                buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: end - start)
                end -= start
                start = 0
            }
            let count = try file.read(
                into: UnsafeMutableRawBufferPointer(rebasing: buffer[end...]), at: fileOffset)
            fileOffset += UInt64(count)
            end += count
            fileEnded = count == 0
        }
    }

    private mutating func decode(_ bytes: UnsafeRawBufferPointer) throws(TraceError) -> Substring {
        lineNumber += 1
        var bytes = bytes
        if bytes.last == UInt8(ascii: "\r") {
            bytes = UnsafeRawBufferPointer(rebasing: bytes.dropLast())
        }
        guard let line = String(validating: bytes, as: UTF8.self) else {
            throw TraceError(path: path, position: .line(lineNumber, column: 1), message: "line is not valid UTF-8")
        }
        return Substring(line)
    }
}
