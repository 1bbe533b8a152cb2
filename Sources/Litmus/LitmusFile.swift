import MemoryModel
/// Entry point for reading a litmus test in either format, chosen by the
/// file name: `.litmus.toml` is isla's, anything else herd's.
public enum LitmusFile {
    public static func parse(_ text: String, file: String) throws(LitmusError) -> LitmusTest {
        if file.hasSuffix(".toml") {
            return try IslaParser.parse(text, file: file)
        }
        return try HerdParser.parse(text, file: file)
    }

    /// Whether a path names a litmus test hvdiff reads.
    public static func isLitmusFile(_ path: String) -> Bool {
        path.hasSuffix(".litmus") || path.hasSuffix(".litmus.toml")
    }
}
