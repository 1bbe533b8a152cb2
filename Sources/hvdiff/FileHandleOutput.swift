#if canImport(Glibc)
import Glibc
#endif

/// Buffered text output to a file descriptor: commands like `show` print
/// millions of lines, and `print` per line is slow.
final class FileHandleOutput {
    private let descriptor: Int32
    private var buffer: [UInt8] = []

    private init(descriptor: Int32) {
        self.descriptor = descriptor
        buffer.reserveCapacity(1 << 16)
    }

    static func standardOutput() -> FileHandleOutput { FileHandleOutput(descriptor: 1) }
    static func standardError() -> FileHandleOutput { FileHandleOutput(descriptor: 2) }

    deinit { flush() }

    func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    func writeLine(_ text: String) {
        write(text)
        buffer.append(0x0A)
    }

    /// Writes out what is buffered. A closed pipe (e.g. `| head`) ends the
    /// output quietly: the reader has what it wanted.
    func flush() {
        var done = 0
        buffer.withUnsafeBytes { bytes in
            while done < bytes.count {
                let count = Glibc.write(descriptor, bytes.baseAddress! + done, bytes.count - done)
                if count < 0 {
                    if errno == EINTR { continue }
                    break
                }
                done += count
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
