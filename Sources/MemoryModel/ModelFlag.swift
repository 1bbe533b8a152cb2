/// A condition the reference model reports without forbidding the
/// execution: aarch64.cat's `flag ~empty R as NAME`. herd prints
/// `Flag NAME` when some consistent execution raises it.
public enum ModelFlag: String, Hashable, Sendable, CaseIterable, Comparable {
    /// `flag ~empty (TTD-update-needsBBM \ BBM) as Warning-BBM-expected`:
    /// a translation-table descriptor was changed in a way the Arm ARM
    /// requires break-before-make for (a new output address or block size
    /// of a TLB-cacheable entry) without an invalid entry, a DSB, a TLBI of
    /// the right scope and a DSB in between (see `BreakBeforeMake`).
    case breakBeforeMakeExpected = "Warning-BBM-expected"

    /// The name herd prints after `Flag`.
    public var name: String { rawValue }

    public static func < (a: ModelFlag, b: ModelFlag) -> Bool { a.rawValue < b.rawValue }
}
