import MemoryModel

/// Every handler of one variant and stage-2 depth, assembled once, plus the
/// one-instruction programs of host and guest memory accesses (a load or
/// store of each width through stage 2). Immutable and shared by copies of
/// an `Implementation`.
final class HandlerPrograms: Sendable {
    let variant: Variant
    let levels: Int
    /// Indexed by `Handler.allCases` position.
    let handlers: [SequentialExecutor]
    let sources: [String]
    /// [isWrite ? 1 : 0][log2(width)].
    let accesses: [[SequentialExecutor]]

    init(variant: Variant, levels: Int) throws(AssemblyError) {
        self.variant = variant
        self.levels = levels
        var handlers: [SequentialExecutor] = []
        var sources: [String] = []
        let assembler = Assembler()
        for handler in Handler.allCases {
            let source = handler.source(variant: variant, levels: levels)
            let code = try assembler.assemble(source, file: "\(handler.rawValue).S")
            handlers.append(SequentialExecutor(code, instructionBound: Int(UInt16.max)))
            sources.append(source)
        }
        self.handlers = handlers
        self.sources = sources
        let translation = AddressTranslation.tables(TableTranslation(
            stage1: false, stage2: true, stage2Levels: levels, systemRegisters: [[:]]))
        var accesses: [[SequentialExecutor]] = []
        for mnemonic in [["LDRB W0", "LDRH W0", "LDR W0", "LDR X0"], ["STRB W0", "STRH W0", "STR W0", "STR X0"]] {
            var row: [SequentialExecutor] = []
            for instruction in mnemonic {
                let code = try assembler.assemble("\(instruction), [X1]", file: "access.S")
                row.append(SequentialExecutor(code, translation: translation, instructionBound: 1))
            }
            accesses.append(row)
        }
        self.accesses = accesses
    }

    /// `Handler.allCases` once (the synthesized property builds a new array
    /// on every call).
    static let order = Handler.allCases

    /// The position of `handler` in `handlers`. A linear search: comparing
    /// handlers compares their case numbers, while a dictionary keyed by
    /// `Handler` would hash the case's name (its String raw value) per event.
    static func position(_ handler: Handler) -> Int {
        for (position, candidate) in order.enumerated() where candidate == handler { return position }
        preconditionFailure("\(handler) is a case of Handler")
    }

    func executor(_ handler: Handler) -> SequentialExecutor { handlers[Self.position(handler)] }
}
