import MemoryModel

/// Register spellings herd accepts that the assembler does not, rewritten
/// in a thread's code before assembly:
///
/// - a bare symbolic register `%name` (regression A127, `MOV X0,%r`) is the
///   64-bit `X%name` of herd's compiled tests;
/// - SP (below).
///
/// herd treats SP as one more 64-bit register of a thread (`0:SP=x`,
/// `LDR X1,[SP]`, `ADD X2,SP,#8`, `MOV X6,SP`; regression tests A172-A174),
/// with no alignment check. The IR has no SP, so each thread's SP becomes a
/// symbolic register (`X%P0_SP`, `W%P0_SP` for WSP) that the assembler maps
/// to a register the thread's code leaves free, as it does the `%` names of
/// herd's compiled tests. Its initial value is the test's `n:SP=...`, else
/// 0. A condition on `n:SP` is not supported (it names no register).
enum RegisterSpellings {
    static func symbol(thread: Int) -> String { "P\(thread)_SP" }

    /// `line` with every SP/WSP register name (any case) of thread `thread`
    /// replaced by its symbolic register, and bare `%name`s by `X%name`;
    /// other words (SPSR_EL1, SP_EL0, labels containing SP) are left alone.
    static func rewrite(_ line: String, thread: Int) -> String {
        var out = ""
        var word = ""
        func flush() {
            switch word.uppercased() {
            case "SP": out += "X%" + symbol(thread: thread)
            case "WSP": out += "W%" + symbol(thread: thread)
            default: out += word.first == "%" && word.count > 1 ? "X" + word : word
            }
            word = ""
        }
        for c in line {
            if c.isLetter || c.isNumber || c == "_" || c == "%" || c == "." {
                word.append(c)
            } else {
                flush()
                out.append(c)
            }
        }
        flush()
        return out
    }

    /// Whether an initial-state location is thread `t`'s SP (`0:SP`, `0:sp`).
    static func thread(of location: Location) -> Int? {
        if case .systemRegister(let t, "SP") = location { return t }
        return nil
    }
}
