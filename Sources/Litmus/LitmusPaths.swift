import Foundation

/// The litmus files named by command-line paths: files as given, directories
/// searched recursively for `.litmus` and `.litmus.toml`, in sorted order.
public enum LitmusPaths {
    public enum Item: Sendable {
        case file(String)
        /// A path that does not exist or cannot be listed.
        case missing(String, reason: String)
    }

    public static func expand(_ paths: [String]) -> [Item] {
        var items: [Item] = []
        let fm = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
                items.append(.missing(path, reason: "no such file or directory"))
                continue
            }
            guard isDirectory.boolValue else { items.append(.file(path)); continue }
            guard let walker = fm.enumerator(atPath: path) else {
                items.append(.missing(path, reason: "cannot list directory"))
                continue
            }
            var found: [String] = []
            while let relative = walker.nextObject() as? String {
                if LitmusFile.isLitmusFile(relative) {
                    found.append(path.hasSuffix("/") ? path + relative : path + "/" + relative)
                }
            }
            items += found.sorted().map { .file($0) }
        }
        return items
    }
}
