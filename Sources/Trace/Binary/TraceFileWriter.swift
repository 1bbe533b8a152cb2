import SwiftProtobuf

/// Writes a binary trace (`.hvtrace`) as a stream: memory use is constant
/// however many events are appended.
///
/// Events are validated against the header before they are written, so a
/// file this writer produced always reads back. Call `close()` to finish the
/// last zstd frame and to learn about write errors; a writer that is dropped
/// unclosed still finishes the file, but cannot report failures.
public final class TraceFileWriter {
    public let path: String
    public let header: TraceHeader
    /// Events appended so far.
    public private(set) var eventCount = 0

    private var file: OutputFile
    private var compressor: ZstdCompressor
    /// Records not yet handed to the compressor.
    private var staging: [UInt8] = []
    /// Uncompressed bytes in the current zstd frame.
    private var frameInput = 0
    /// Bytes written to the file so far.
    private var fileOffset: UInt64 = 0
    private var validator: EventValidator
    private var closed = false

    /// Records are batched up to this size before compression: big enough to
    /// amortize the call, small enough to stay in cache.
    private static let stagingSize = 128 << 10

    public init(
        path: String,
        header: TraceHeader,
        compressionLevel: Int32 = TraceFormat.compressionLevel
    ) throws(TraceError) {
        if let problem = TraceValidation.problem(in: header) {
            throw TraceError(path: path, position: .file, message: "header: \(problem)")
        }
        self.path = path
        self.header = header
        self.validator = EventValidator(header: header)
        self.file = try OutputFile(path: path)
        self.compressor = ZstdCompressor(level: compressionLevel, path: path)
        staging.reserveCapacity(Self.stagingSize + TraceFormat.maxRecordSize)

        var preamble = TraceFormat.magic
        withUnsafeBytes(of: TraceFormat.version.littleEndian) { preamble.append(contentsOf: $0) }
        var failure: TraceError?
        preamble.withUnsafeBytes { bytes in
            do throws(TraceError) { try writeToFile(bytes) } catch { failure = error }
        }
        if let failure { throw failure }
        try appendRecord(header, eventIndex: nil)
    }

    deinit {
        if !closed {
            try? close()
        }
    }

    /// Appends one event; throws if it is not valid for this trace's header.
    public func append(_ event: TraceEvent) throws(TraceError) {
        guard !closed else {
            throw TraceError(path: path, position: .file, eventIndex: eventCount, message: "append after close")
        }
        if let problem = validator.problem(in: event) {
            throw TraceError(path: path, position: .file, eventIndex: eventCount, message: problem)
        }
        try appendRecord(event, eventIndex: eventCount)
        eventCount += 1
    }

    /// Compresses what is buffered, ends the zstd frame and closes the file.
    public func close() throws(TraceError) {
        guard !closed else { return }
        closed = true
        try compressStaging(endFrame: true)
        try file.close()
    }

    private func appendRecord(_ message: some SwiftProtobuf.Message, eventIndex: Int?) throws(TraceError) {
        let bytes: [UInt8]
        do {
            bytes = try message.serializedBytes()
        } catch {
            throw TraceError(path: path, position: .file, eventIndex: eventIndex, message: "cannot serialize: \(error)")
        }
        guard bytes.count <= TraceFormat.maxRecordSize else {
            throw TraceError(
                path: path, position: .file, eventIndex: eventIndex,
                message: "record of \(bytes.count) bytes exceeds the \(TraceFormat.maxRecordSize)-byte limit")
        }
        Varint.append(UInt64(bytes.count), to: &staging)
        staging.append(contentsOf: bytes)
        if staging.count >= Self.stagingSize {
            try compressStaging(endFrame: frameInput + staging.count >= TraceFormat.frameInputSize)
        }
    }

    private func compressStaging(endFrame: Bool) throws(TraceError) {
        frameInput += staging.count
        // Array.withUnsafeBytes rethrows untyped errors; carry ours out by hand.
        var failure: TraceError?
        staging.withUnsafeBytes { input in
            do throws(TraceError) {
                try compressor.compress(input, endFrame: endFrame) { (output) throws(TraceError) in
                    try writeToFile(output)
                }
            } catch {
                failure = error
            }
        }
        staging.removeAll(keepingCapacity: true)
        if let failure { throw failure }
        if endFrame {
            frameInput = 0
        }
    }

    private func writeToFile(_ bytes: UnsafeRawBufferPointer) throws(TraceError) {
        try file.write(bytes, at: fileOffset)
        fileOffset += UInt64(bytes.count)
    }
}
