import Glibc

/// Why an operating-system call on a trace file failed, as a sentence.
func systemErrorMessage(_ operation: String, _ code: Int32 = errno) -> String {
    "\(operation) failed: \(String(cString: strerror(code)))"
}

/// A file opened for sequential reading, filled into caller-owned buffers.
struct InputFile: ~Copyable {
    let descriptor: Int32
    let path: String

    init(path: String) throws(TraceError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw TraceError(path: path, position: .file, message: systemErrorMessage("open"))
        }
        var status = stat()
        if fstat(descriptor, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR {
            close(descriptor)
            throw TraceError(path: path, position: .file, message: "is a directory, not a trace file")
        }
        self.descriptor = descriptor
        self.path = path
    }

    deinit { close(descriptor) }

    /// Reads up to `buffer.count` bytes; returns 0 at end of file.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws(TraceError) -> Int {
        while true {
            let count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            throw TraceError(path: path, position: .fileByte(offset), message: systemErrorMessage("read"))
        }
    }
}

/// A file created (or truncated) for sequential writing.
struct OutputFile: ~Copyable {
    private(set) var descriptor: Int32
    let path: String

    init(path: String) throws(TraceError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw TraceError(path: path, position: .file, message: systemErrorMessage("create"))
        }
        self.descriptor = descriptor
        self.path = path
    }

    deinit {
        if descriptor >= 0 { Glibc.close(descriptor) }
    }

    /// Writes all of `bytes`, retrying short writes.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: UInt64) throws(TraceError) {
        var done = 0
        while done < bytes.count {
            let count = Glibc.write(descriptor, bytes.baseAddress! + done, bytes.count - done)
            if count < 0 {
                if errno == EINTR { continue }
                throw TraceError(path: path, position: .fileByte(offset + UInt64(done)), message: systemErrorMessage("write"))
            }
            done += count
        }
    }

    /// Closes the file, reporting the errors (e.g. a full disk on NFS) that a
    /// silent close would lose.
    mutating func close() throws(TraceError) {
        guard descriptor >= 0 else { return }
        let descriptor = self.descriptor
        self.descriptor = -1
        if Glibc.close(descriptor) != 0 {
            throw TraceError(path: path, position: .file, message: systemErrorMessage("close"))
        }
    }
}
