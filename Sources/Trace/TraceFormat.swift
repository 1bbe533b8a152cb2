/// Constants of the binary trace file (`.hvtrace`), shared by the reader, the
/// writer and (by agreement, see `Sources/Recorder`) the C recording library.
///
/// Layout: `magic`, a little-endian `UInt32` file format version, then a zstd
/// stream of frames with content checksums. The decompressed stream is a
/// sequence of records, each a protobuf varint byte length and that many bytes
/// of a serialized message: one `TraceHeader`, then `TraceEvent`s.
public enum TraceFormat {
    /// "HVTRACE\n": identifies the file before any decompression.
    public static let magic: [UInt8] = Array("HVTRACE\n".utf8)

    /// Version of the file layout and of the schema's semantics.
    public static let version: UInt32 = 1

    /// Bytes before the zstd stream: magic and version.
    public static let preambleSize = 12

    /// A record longer than this is corrupt. Bounds the reader's memory: a
    /// hostile length prefix (say 2^40) is an error, never an allocation.
    public static let maxRecordSize = 1 << 20

    /// The writer ends a zstd frame after this much uncompressed input, so a
    /// corrupt region is confined to one frame and its checksum names it.
    public static let frameInputSize = 4 << 20

    /// zstd compression level the writers use.
    public static let compressionLevel: Int32 = 3

    /// Longest line the text form accepts; bounds the text reader's memory.
    public static let maxTextLineLength = 1 << 16

    /// File extension of the binary form.
    public static let binaryExtension = "hvtrace"

    /// File extension of the text form.
    public static let textExtension = "hvt"
}
