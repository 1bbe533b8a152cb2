/// FEAT_ExS: whether exception entry and return are context synchronising
/// (herd's `ExS`, `EIS` and `EOS` variants for SCTLR_ELx.EIS/EOS).
/// aarch64hwreqs.cat puts them in IFB, with ISB, as
///
///     let EXC-ENTRY-IFB = if not "ExS" || "EIS" then EXC-ENTRY else EXC-ENTRY \ SVC
///     let EXC-RET-IFB = if not "ExS" || "EOS" then EXC-RET else {}
///
/// so without ExS both synchronise; with ExS an SVC's entry does so only
/// with EIS (other exceptions always do) and an ERET only with EOS.
public struct ExceptionSynchronization: Hashable, Sendable {
    /// SCTLR_ELx.EIS: SVC entry is context synchronising.
    public var supervisorCallEntry: Bool
    /// SCTLR_ELx.EOS: exception return is context synchronising.
    public var exceptionReturn: Bool

    public init(supervisorCallEntry: Bool, exceptionReturn: Bool) {
        self.supervisorCallEntry = supervisorCallEntry
        self.exceptionReturn = exceptionReturn
    }

    /// Without FEAT_ExS (herd's default): every entry and return synchronises.
    public static let withoutExS = ExceptionSynchronization(supervisorCallEntry: true, exceptionReturn: true)

    /// Whether taking an exception for `cause` is context synchronising.
    public func entrySynchronises(_ cause: ExceptionCause) -> Bool {
        if case .supervisorCall = cause { return supervisorCallEntry }
        return true
    }
}
