import CZstd

/// The decompressed records of a binary trace, one at a time.
///
/// Owns fixed-size buffers only: a compressed input buffer and a window of
/// decompressed bytes large enough for the longest legal record plus one
/// decompression step. Nothing grows with the trace or with a hostile length
/// prefix.
struct RecordStream: ~Copyable {
    let path: String
    private let file: InputFile
    private let context: OpaquePointer

    private let input: UnsafeMutableRawBufferPointer
    private var inputStart = 0
    private var inputEnd = 0
    /// File offset of `input[0]`.
    private var inputBase: UInt64 = 0
    private var fileEnded = false

    /// File offset where the zstd frame being decoded started.
    private var frameStart = UInt64(TraceFormat.preambleSize)
    /// True while the current frame has not been fully decoded.
    private var inFrame = false

    private let window: UnsafeMutableRawBufferPointer
    private var windowStart = 0
    private var windowEnd = 0
    /// Decompressed-stream offset of `window[0]`.
    private var windowBase: UInt64 = 0

    /// Decompressed-stream offset of the record last returned.
    private(set) var recordOffset: UInt64 = 0

    private static let inputSize = 1 << 20
    private static let windowSize = TraceFormat.maxRecordSize + Varint.maxLength + (256 << 10)

    init(path: String) throws(TraceError) {
        let file = try InputFile(path: path)
        let input = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.inputSize, alignment: 16)
        do throws(TraceError) {
            inputEnd = try Self.readPreamble(file, into: input, path: path)
        } catch {
            input.deallocate()
            throw error
        }
        guard let context = ZSTD_createDCtx() else {
            fatalError("ZSTD_createDCtx: out of memory")
        }
        self.path = path
        self.file = file
        self.input = input
        self.context = context
        self.window = .allocate(byteCount: Self.windowSize, alignment: 16)
        self.inputStart = TraceFormat.preambleSize
    }

    deinit {
        ZSTD_freeDCtx(context)
        input.deallocate()
        window.deallocate()
    }

    /// The next record's bytes, valid until the next call; nil at a clean end.
    mutating func next(eventIndex: Int?) throws(TraceError) -> UnsafeRawBufferPointer? {
        while true {
            let available = UnsafeRawBufferPointer(rebasing: window[windowStart..<windowEnd])
            if !available.isEmpty {
                switch Varint.decode(available) {
                case .value(let length, let prefix):
                    guard length <= UInt64(TraceFormat.maxRecordSize) else {
                        throw error(
                            eventIndex,
                            "record length \(length) exceeds the \(TraceFormat.maxRecordSize)-byte limit")
                    }
                    let end = prefix + Int(length)
                    if end <= available.count {
                        recordOffset = windowBase + UInt64(windowStart)
                        let record = UnsafeRawBufferPointer(rebasing: available[prefix..<end])
                        windowStart += end
                        return record
                    }
                case .malformed:
                    throw error(eventIndex, "malformed record length (varint longer than 64 bits)")
                case .incomplete:
                    break
                }
            }
            guard try fill() else {
                if windowStart == windowEnd {
                    return nil
                }
                throw error(
                    eventIndex,
                    "stream ends inside a record (\(windowEnd - windowStart) bytes of it present): truncated")
            }
        }
    }

    private func error(_ eventIndex: Int?, _ message: String) -> TraceError {
        TraceError(
            path: path, position: .decompressedByte(windowBase + UInt64(windowStart)),
            eventIndex: eventIndex, message: message)
    }

    /// Decompresses more bytes into the window; false at a clean end of stream.
    private mutating func fill() throws(TraceError) -> Bool {
        if windowStart > 0 {
            // Keep the partial record at the front; it is never longer than a record.
            let pending = windowEnd - windowStart
            if pending > 0 {
                window.baseAddress!.copyMemory(from: window.baseAddress! + windowStart, byteCount: pending)
            }
            windowBase += UInt64(windowStart)
            windowStart = 0
            windowEnd = pending
        }
        while true {
            if inputStart == inputEnd {
                if fileEnded {
                    if inFrame {
                        throw TraceError(
                            path: path, position: .fileByte(inputBase + UInt64(inputEnd)),
                            message: "file ends inside the zstd frame that starts at byte \(frameStart): truncated")
                    }
                    return false
                }
                inputBase += UInt64(inputEnd)
                inputStart = 0
                inputEnd = try file.read(into: input, at: inputBase)
                if inputEnd == 0 {
                    fileEnded = true
                }
                continue
            }
            var source = ZSTD_inBuffer(src: input.baseAddress! + inputStart, size: inputEnd - inputStart, pos: 0)
            var destination = ZSTD_outBuffer(
                dst: window.baseAddress! + windowEnd, size: window.count - windowEnd, pos: 0)
            let result = ZSTD_decompressStream(context, &destination, &source)
            if ZSTD_isError(result) != 0 {
                throw TraceError(
                    path: path, position: .fileByte(frameStart),
                    message: "zstd frame starting here is corrupt: \(zstdErrorName(result))")
            }
            inputStart += source.pos
            if result == 0 {
                inFrame = false
                frameStart = inputBase + UInt64(inputStart)
            } else {
                inFrame = true
            }
            windowEnd += destination.pos
            if destination.pos > 0 {
                return true
            }
        }
    }

    /// Reads and checks magic and version; returns how many bytes of `input`
    /// were filled (the stream's first bytes follow the preamble).
    private static func readPreamble(
        _ file: borrowing InputFile, into input: UnsafeMutableRawBufferPointer, path: String
    ) throws(TraceError) -> Int {
        var inputEnd = 0
        while inputEnd < TraceFormat.preambleSize {
            let count = try file.read(
                into: UnsafeMutableRawBufferPointer(rebasing: input[inputEnd...]), at: UInt64(inputEnd))
            if count == 0 { break }
            inputEnd += count
        }
        let magic = TraceFormat.magic
        let seen = UnsafeRawBufferPointer(rebasing: input[0..<min(inputEnd, magic.count)])
        guard seen.elementsEqual(magic[0..<seen.count]) else {
            throw TraceError(
                path: path, position: .fileByte(0),
                message: "not an hvdiff binary trace (the file does not start with \"HVTRACE\\n\")")
        }
        guard inputEnd >= TraceFormat.preambleSize else {
            throw TraceError(
                path: path, position: .fileByte(UInt64(inputEnd)),
                message: "file ends inside the \(TraceFormat.preambleSize)-byte preamble: truncated")
        }
        let version = UnsafeRawBufferPointer(input).loadUnaligned(fromByteOffset: magic.count, as: UInt32.self)
        guard UInt32(littleEndian: version) == TraceFormat.version else {
            throw TraceError(
                path: path, position: .fileByte(UInt64(magic.count)),
                message: "file format version \(UInt32(littleEndian: version)) is not supported (this reader knows \(TraceFormat.version))")
        }
        return inputEnd
    }
}
