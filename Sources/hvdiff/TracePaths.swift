import Foundation
import Trace

/// Expands command-line paths: files as given, directories searched
/// recursively for trace files, in sorted order.
enum TracePaths {
    static func expand(_ paths: [String]) throws -> [String] {
        var result: [String] = []
        let manager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw TraceError(path: path, position: .file, message: "no such file or directory")
            }
            guard isDirectory.boolValue else {
                result.append(path)
                continue
            }
            guard let enumerator = manager.enumerator(atPath: path) else {
                throw TraceError(path: path, position: .file, message: "cannot list directory")
            }
            var found: [String] = []
            while let relative = enumerator.nextObject() as? String {
                if relative.hasSuffix(".\(TraceFormat.binaryExtension)") || relative.hasSuffix(".\(TraceFormat.textExtension)") {
                    found.append((path as NSString).appendingPathComponent(relative))
                }
            }
            guard !found.isEmpty else {
                throw TraceError(path: path, position: .file, message: "directory holds no .hvtrace or .hvt files")
            }
            result += found.sorted()
        }
        return result
    }
}
