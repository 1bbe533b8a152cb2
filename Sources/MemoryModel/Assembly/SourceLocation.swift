/// Where a piece of source text came from: a file (or a description such as
/// "hypervisor handler map_page") and a 1-based line. Errors carry one so a
/// reader can go straight to the offending text.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    public var description: String { "\(file):\(line)" }
}

/// One line of assembly with the place it came from. A litmus test's thread
/// is a column of cells spread over many source lines, so the assembler takes
/// lines with their own locations rather than one string.
public struct SourceLine: Hashable, Sendable {
    public var text: String
    public var location: SourceLocation

    public init(_ text: String, at location: SourceLocation) {
        self.text = text
        self.location = location
    }
}

/// Why a piece of assembly could not be assembled, and where.
public struct AssemblyError: Error, Hashable, Sendable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String

    public init(_ message: String, at location: SourceLocation) {
        self.message = message
        self.location = location
    }

    public var description: String { "\(location): \(message)" }
}
