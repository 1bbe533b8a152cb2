import MemoryModel

/// Which thread runs which isla `[section.NAME]` as an exception handler.
///
/// isla puts a section's code at its `address`; a thread takes a synchronous
/// exception at the vector entry its VBAR_ELx (a `[thread.N.reset]` value)
/// and the exception select: + 0x000 from the same level with PSTATE.SP = 0,
/// + 0x200 with PSTATE.SP = 1, + 0x400 from a lower level (Arm ARM D1.10.2).
/// So a section is thread N's EL x handler at the entry `address - VBAR_ELx`
/// when that is one of the three; a thread may have several per level
/// (isla's `thread0_el1_handler_same_exc` at 0x1200 and `..._lower_exc` at
/// 0x1400), and a section name is only a convention.
///
/// A thread without VBAR_ELx keeps the naming convention
/// (`threadN_elM_handler...` is thread N's handler for every exception taken
/// to EL M). A section at no thread's vector entry whose name follows the
/// convention is unreachable code (isla never runs it either); one that
/// does not is an error, since nothing says where it belongs.
struct IslaHandlerPlacement {
    struct Section {
        var name: String
        var lines: [SourceLine]
        var address: UInt64?
        var line: Int
    }

    struct Placed {
        var lines: [SourceLine]
        var level: ExceptionLevel
        var vector: VectorOffset?
    }

    /// Each thread's handlers. `vectorBases[n][level]` is thread n's VBAR_ELx.
    static func place(_ sections: [Section], threads: Int, vectorBases: [[ExceptionLevel: UInt64]],
                      file: String) throws(LitmusError) -> [Int: [Placed]] {
        var placed: [Int: [Placed]] = [:]
        for section in sections {
            var reached = false
            if let address = section.address {
                for n in 0..<threads {
                    for level in [ExceptionLevel.el1, .el2] {
                        guard let base = vectorBases[n][level], address >= base,
                              let vector = VectorOffset(rawValue: address - base) else { continue }
                        placed[n, default: []].append(Placed(lines: section.lines, level: level, vector: vector))
                        reached = true
                    }
                }
            }
            if reached { continue }
            guard let (thread, level) = IslaParser.handlerPlace(section.name) else {
                let at = section.address.map { "0x\(String($0, radix: 16)) is" } ?? "it has no address, so"
                throw LitmusError("section '\(section.name)' is not a handler: \(at) at no thread's vector entry (VBAR_EL1/VBAR_EL2 + 0x000, 0x200 or 0x400), and it is not named threadN_el1_handler or threadN_el2_handler",
                                  at: SourceLocation(file: file, line: section.line))
            }
            guard thread < threads else {
                throw LitmusError("handler section for thread \(thread), which has no code", at: SourceLocation(file: file, line: section.line))
            }
            // With VBAR_ELM set the section's address decides, and it is not
            // at one of the thread's entries: the thread never runs it.
            if vectorBases[thread][level] != nil, section.address != nil { continue }
            placed[thread, default: []].append(Placed(lines: section.lines, level: level, vector: nil))
        }
        return placed
    }
}
