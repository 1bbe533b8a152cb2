/// herd's memtag variants choosing when tag checks fault (herd's
/// `mte_precision`: sync, the default, async, asymmetric) and which
/// accesses are checked (`store-only`). hvdiff models sync on every load
/// and store; the others change verdicts (herd's AArch64.MTE S01: a
/// store-only CAS that only reads takes no TagCheck fault), so a test
/// naming one is refused.
enum MemoryTaggingModes {
    static let unmodelled: Set<String> = ["async", "asynchronous", "asymm", "asymmetric", "store-only"]
}
