import CZstd

/// The decompressed records of a binary trace, one at a time.
///
/// Owns fixed-size buffers only: a compressed input buffer and a window of
/// decompressed bytes that holds a whole zstd frame as the writers cut them
/// (4 MiB) plus a partial record. Nothing grows with the trace or with a
/// hostile length prefix.
///
/// Records are released only from frames whose content checksum has been
/// verified, so a damaged frame is an error before any of its events is
/// used, never a wrong event. (A frame from another writer too large for the
/// window is released as it decodes, checked at its end.) Frames without a
/// checksum are rejected, as the C reader does.
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
    /// End of the bytes whose frame has been verified.
    private var verifiedEnd = 0
    /// Decompressed-stream offset of `window[0]`.
    private var windowBase: UInt64 = 0

    /// Decompressed-stream offset of the record last returned.
    private(set) var recordOffset: UInt64 = 0

    private static let inputSize = 1 << 20
    private static let windowSize = 2 * TraceFormat.frameInputSize + TraceFormat.maxRecordSize + Varint.maxLength

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
            let available = UnsafeRawBufferPointer(rebasing: window[windowStart..<verifiedEnd])
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

    /// Decompresses up to the end of the current frame (or until the window
    /// is full) and releases what was verified; false at a clean end.
    private mutating func fill() throws(TraceError) -> Bool {
        if windowStart > 0 {
            // Keep the partial record and any unverified bytes at the front.
            let pending = windowEnd - windowStart
            if pending > 0 {
                window.baseAddress!.copyMemory(from: window.baseAddress! + windowStart, byteCount: pending)
            }
            windowBase += UInt64(windowStart)
            verifiedEnd -= windowStart
            windowEnd = pending
            windowStart = 0
        }
        while true {
            if windowEnd == window.count {
                // A frame larger than the window: release it as it decodes.
                verifiedEnd = windowEnd
                return true
            }
            if inputEnd - inputStart < Self.frameHeaderPrefix && !fileEnded {
                try refillInput()
                continue
            }
            if inputStart == inputEnd {
                if inFrame {
                    throw TraceError(
                        path: path, position: .fileByte(inputBase + UInt64(inputEnd)),
                        message: "file ends inside the zstd frame that starts at byte \(frameStart): truncated")
                }
                return false
            }
            if !inFrame {
                try checkFrameHeader()
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
            windowEnd += destination.pos
            if result == 0 {
                inFrame = false
                frameStart = inputBase + UInt64(inputStart)
                verifiedEnd = windowEnd
                return true
            }
            inFrame = true
        }
    }

    /// Bytes of a frame's start that name its kind and options: the 4-byte
    /// magic and the frame header descriptor.
    private static let frameHeaderPrefix = 5

    /// Moves unread input to the front of the buffer and reads more.
    private mutating func refillInput() throws(TraceError) {
        let pending = inputEnd - inputStart
        if pending > 0 {
            input.baseAddress!.copyMemory(from: input.baseAddress! + inputStart, byteCount: pending)
        }
        inputBase += UInt64(inputStart)
        inputStart = 0
        inputEnd = pending
        let count = try file.read(
            into: UnsafeMutableRawBufferPointer(rebasing: input[inputEnd...]), at: inputBase + UInt64(inputEnd))
        inputEnd += count
        fileEnded = count == 0
    }

    /// Requires the frame that starts here to be a zstd frame with a content
    /// checksum: without one, corruption could pass unnoticed.
    private func checkFrameHeader() throws(TraceError) {
        let available = inputEnd - inputStart
        guard available >= Self.frameHeaderPrefix else {
            throw TraceError(
                path: path, position: .fileByte(frameStart),
                message: "file ends inside the header of the zstd frame that starts here: truncated")
        }
        let header = UnsafeRawBufferPointer(rebasing: input[inputStart..<inputStart + Self.frameHeaderPrefix])
        let magic = UInt32(littleEndian: header.loadUnaligned(as: UInt32.self))
        guard magic == 0xFD2F_B528 else {
            throw TraceError(
                path: path, position: .fileByte(frameStart),
                message: "expected a zstd frame here (magic 0xFD2FB528), found 0x\(String(magic, radix: 16, uppercase: true))")
        }
        let descriptor = header[4]
        guard descriptor & 0x04 != 0 else {
            throw TraceError(
                path: path, position: .fileByte(frameStart),
                message: "zstd frame starting here has no content checksum")
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
