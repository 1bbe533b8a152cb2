import CZstd

/// Streaming zstd compression into frames with content checksums.
struct ZstdCompressor: ~Copyable {
    private let context: OpaquePointer
    /// Scratch output, sized as zstd recommends for one call.
    private var output: UnsafeMutableRawBufferPointer
    private let path: String

    init(level: Int32, path: String) {
        self.path = path
        guard let context = ZSTD_createCCtx() else {
            fatalError("ZSTD_createCCtx: out of memory")
        }
        // Parameters that zstd rejects only for out-of-range values, which
        // these are not; a failure here is a broken libzstd.
        precondition(ZSTD_isError(ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level)) == 0)
        precondition(ZSTD_isError(ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1)) == 0)
        self.context = context
        self.output = .allocate(byteCount: ZSTD_CStreamOutSize(), alignment: 16)
    }

    deinit {
        ZSTD_freeCCtx(context)
        output.deallocate()
    }

    /// Compresses `input`; with `endFrame` also closes the current frame.
    /// Compressed bytes are handed to `sink` as they are produced.
    mutating func compress(
        _ input: UnsafeRawBufferPointer,
        endFrame: Bool,
        sink: (UnsafeRawBufferPointer) throws(TraceError) -> Void
    ) throws(TraceError) {
        var inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        let directive = endFrame ? ZSTD_e_end : ZSTD_e_continue
        while true {
            var outBuffer = ZSTD_outBuffer(dst: output.baseAddress, size: output.count, pos: 0)
            let remaining = ZSTD_compressStream2(context, &outBuffer, &inBuffer, directive)
            if ZSTD_isError(remaining) != 0 {
                throw TraceError(path: path, position: .file, message: "zstd compression failed: \(zstdErrorName(remaining))")
            }
            if outBuffer.pos > 0 {
                try sink(UnsafeRawBufferPointer(rebasing: output[0..<outBuffer.pos]))
            }
            let inputDone = inBuffer.pos == inBuffer.size
            if endFrame ? remaining == 0 : inputDone {
                return
            }
        }
    }
}

/// The message zstd gives for an error code.
func zstdErrorName(_ code: Int) -> String {
    String(cString: ZSTD_getErrorName(code))
}
