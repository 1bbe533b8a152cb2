import MemoryModel

extension LitmusTest {
    /// herd's `ExS` variant (FEAT_ExS) with `EIS` / `EOS` (SCTLR_ELx bits
    /// that make SVC entry / exception return context synchronising again);
    /// variant names are compared lowercased.
    var exceptionSynchronization: ExceptionSynchronization {
        guard variants.contains("exs") else { return .withoutExS }
        return ExceptionSynchronization(supervisorCallEntry: variants.contains("eis"),
                                        exceptionReturn: variants.contains("eos"))
    }
}
