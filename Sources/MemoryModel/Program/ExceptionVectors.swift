// Which handler takes an exception: by level alone (herd's `P0.F`
// column, isla sections named by convention) or, for handlers placed at
// vector entries (isla sections at an address), by the entry the
// architecture picks (see Exceptions.swift for entry and return).

/// The synchronous-exception entries of an AArch64 vector table (Arm ARM
/// D1.10.2, "Exception vectors"): an exception taken to the level it is
/// taken from goes to VBAR_ELx + 0x000 with SP_EL0 selected (PSTATE.SP = 0)
/// and to + 0x200 with SP_ELx; one taken from a lower level (AArch64) to
/// + 0x400.
public enum VectorOffset: UInt64, Hashable, Sendable, CaseIterable {
    case currentLevelSP0 = 0x000, currentLevelSPx = 0x200, lowerLevel = 0x400

    /// The entry an exception taken to `target` from CurrentEL `currentEL`
    /// (EL in bits [3:2]) with PSTATE.SP `stackPointer` uses.
    public static func of(target: ExceptionLevel, currentEL: UInt64, stackPointer: UInt64) -> VectorOffset {
        if isLower(currentEL: currentEL, than: target) { return .lowerLevel }
        return stackPointer & 1 == 0 ? .currentLevelSP0 : .currentLevelSPx
    }

    /// Whether CurrentEL `currentEL` (EL in bits [3:2]) is below `target`:
    /// an exception taken to `target` is then taken from a lower level.
    static func isLower(currentEL: UInt64, than target: ExceptionLevel) -> Bool {
        currentEL >> 2 & 0b11 < UInt64(target.rawValue)
    }
}

extension ThreadCode {
    /// The handler that takes `cause`: with one handler, that one; with an
    /// EL1 and an EL2 handler (isla's Break2.news1), the level the cause is
    /// routed to.
    public func handler(for cause: ExceptionCause) -> ExceptionHandler? {
        guard handlers.count > 1 else { return handlers.first }
        let level: ExceptionLevel = cause.routesToEL2 ? .el2 : .el1
        return handlers.first(where: { $0.level == level }) ?? handlers.first
    }

    /// Whether `cause` goes to a vector entry that holds no code: the thread
    /// places handlers at vector entries and none is at this one. isla has
    /// no instruction to run there (its 2022-12-21 regression run crashes on
    /// such paths, CoRpteT.EL1+dsb-tlbi-dsb); the machines drop that
    /// execution rather than invent a behaviour.
    public func vectorIsEmpty(for cause: ExceptionCause, _ registers: some SystemRegisterReading) -> Bool {
        handlers.contains(where: { $0.vector != nil }) && handler(for: cause, registers) == nil
    }

    /// The handler that takes `cause` on a thread in `registers`' state.
    /// Handlers placed at vector entries (isla tests, `vector` set) take only
    /// the exceptions that architecturally go to their entry: the level is
    /// the one the cause routes to, or the current one if higher (an
    /// exception is never taken to a lower level, Arm ARM D1.10.2), and the
    /// entry depends on the level taken from and PSTATE.SP (absent: 0, the
    /// reset value isla starts threads with). No handler at that entry: nil
    /// (see `vectorIsEmpty`), unless the level has a handler without a
    /// vector. A thread with no handler at a vector entry chooses as
    /// `handler(for:)` does.
    public func handler(for cause: ExceptionCause, _ registers: some SystemRegisterReading) -> ExceptionHandler? {
        guard handlers.contains(where: { $0.vector != nil }) else { return handler(for: cause) }
        let currentEL = registers.value(of: .currentEL) ?? ExceptionLevel.el1.currentEL
        let routed: ExceptionLevel = cause.routesToEL2 ? .el2 : .el1
        let target: ExceptionLevel = currentEL >> 2 & 0b11 >= 2 ? .el2 : routed
        let vector = VectorOffset.of(target: target, currentEL: currentEL,
                                     stackPointer: registers.value(of: .spSel) ?? 0)
        return handlers.first(where: { $0.level == target && $0.vector == vector })
            ?? handlers.first(where: { $0.level == target && $0.vector == nil })
    }
}
