import MemoryModel

/// A litmus test placed in memory: the program a machine runs and the layout
/// that gives the test's names their numbers (for the final condition).
public struct CompiledTest: Sendable {
    public var test: LitmusTest
    public var program: ConcurrentProgram
    public var layout: AddressLayout

    public init(test: LitmusTest, program: ConcurrentProgram, layout: AddressLayout) {
        self.test = test
        self.program = program
        self.layout = layout
    }
}

extension LitmusTest {
    /// Lays the test out in memory and builds its program (see HerdCompiler
    /// and IslaCompiler for the address layouts).
    public func compile() throws(LitmusError) -> CompiledTest {
        switch memory {
        case .physical, .herdVMSA: return try HerdCompiler.compile(self)
        case .isla(let setup): return try IslaCompiler.compile(self, setup)
        }
    }

    /// Exception handlers need exception entry, ELR and ERET, which the
    /// program IR does not have: such a test cannot be compiled.
    func rejectHandlers() throws(LitmusError) {
        guard let h = handlers.first else { return }
        let line = h.lines.first(where: { !$0.text.trimmed.isEmpty })?.location.line ?? codeLine
        throw error("exception handler \(h.name) is not supported: the program IR has no exception entry, ELR or ERET",
                    line: line)
    }

    func error(_ message: String, line: Int) -> LitmusError {
        LitmusError(message, at: SourceLocation(file: file, line: line))
    }
}
