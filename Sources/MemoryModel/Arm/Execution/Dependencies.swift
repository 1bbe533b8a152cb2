/// Which explicit reads each register's current value depends on: herd's
/// `dtrm` (dependency through registers and memory) evaluated forwards as
/// the thread runs, so that `addr`, `data` and `ctrl` of aarch64deps.cat are
/// read off at each access.
///
/// Two sets are kept per register: `plain` (dtrm: lrrs, lmrs, iico_data)
/// and `pick` (pick-dtrm: also through iico_ctrl, i.e. through the
/// condition of a CSEL or the comparison of a CAS). `pick` always includes
/// `plain`. Dependencies flow through any computation, EOR X,X,X included
/// (herd does not look at values).
struct Taint: Hashable, Sendable {
    var plain = EventSet()
    var pick = EventSet()

    static let none = Taint()

    init() {}
    init(plain: EventSet, pick: EventSet) { self.plain = plain; self.pick = pick }
    /// The value produced by a read: it depends on the read itself.
    init(read: Int) { plain = EventSet(read); pick = plain }

    func union(_ other: Taint) -> Taint {
        Taint(plain: plain.union(other.plain), pick: pick.union(other.pick))
    }
    mutating func formUnion(_ other: Taint) {
        plain.formUnion(other.plain)
        pick.formUnion(other.pick)
    }
    /// The same sources, reached only through iico_ctrl.
    var asPick: Taint { Taint(plain: EventSet(), pick: pick) }
    /// The plain (dtrm) sources alone, as data.
    var plainPart: Taint { Taint(plain: plain, pick: plain) }
}

/// Dependency state of one thread: registers, flags, and what po-later
/// events inherit from conditional branches and ISBs.
struct Dependencies: Sendable {
    var registers = [Taint](repeating: .none, count: 32)
    var flags = Taint.none
    /// ctrl: reads a po-earlier conditional branch depended on.
    var control = Taint.none
    /// IFB-ob sources: `[R]; ctrl; [ISB]; po` and `[R]; addr; [M]; po; [ISB]; po`.
    var instructionBarrier = EventSet()
    /// Under the ESOP 2022 model, what an exception entry or return orders
    /// before the walks of later stores only (see
    /// `ThreadRun.synchroniseAtException`).
    var storeWalkBarrier = EventSet()
    /// Address sources of po-earlier accesses: `addr; [M]; po; [W]`.
    var earlierAddresses = Taint.none

    func of(_ r: Register) -> Taint { r.isZero ? .none : registers[Int(r.number)] }
    mutating func set(_ r: Register, _ t: Taint) { if !r.isZero { registers[Int(r.number)] = t } }

    func of(_ operand: Operand) -> Taint {
        if case .register(let r, _) = operand { return of(r) }
        return .none
    }
    func of(_ address: Address) -> Taint { of(address.base).union(of(address.offset)) }
}
