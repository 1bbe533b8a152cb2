import MemoryModel

/// Why a litmus file could not be read or compiled: what, and where
/// (file:line). Assembly errors keep their own location.
public struct LitmusError: Error, Hashable, Sendable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String

    public init(_ message: String, at location: SourceLocation) {
        self.message = message
        self.location = location
    }

    public init(_ error: AssemblyError) {
        self.init(error.message, at: error.location)
    }

    public var description: String { "\(location): \(message)" }
}
