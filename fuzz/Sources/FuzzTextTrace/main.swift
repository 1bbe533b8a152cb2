// Feeds arbitrary bytes to the text trace reader (.hvt).
import Foundation
import Trace

let path = "/dev/shm/hvdiff-fuzz-text-\(getpid()).hvt"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes: data, count: size))
    do {
        let reader = try TraceTextReader(path: path)
        while try reader.next() != nil {}
    } catch {
        precondition(!error.description.isEmpty)
    }
    return 0
}
