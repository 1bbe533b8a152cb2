import MemoryModel

/// herd's fault-handling variant flags (herdtools7 lib/fault.ml,
/// `Fault.Handling.parse`). The older names are still accepted there:
/// `precise` is `fatal` and `imprecise` is `handled`, so a test that says
/// `Variant=imprecise` retries its faulting instruction. herd reads the
/// flags in order and the last one wins; a test's own `Variant=` line is read
/// after the command line, so it wins over it.
enum FaultHandlingFlag {
    static func handling(_ flag: String) -> FaultHandling? {
        switch flag.lowercased() {
        case "fatal", "precise": return .fatal
        case "skip", "faulttonext": return .skip
        case "handled", "imprecise": return .handledRetryOnce
        default: return nil
        }
    }

    /// The handling the last fault-handling flag among `flags` names, if any.
    static func last(in flags: [String]) -> FaultHandling? {
        flags.reversed().lazy.compactMap(handling).first
    }
}
