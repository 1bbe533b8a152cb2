/// A memory machine: given a concurrent program, every final state the
/// machine's memory model allows. Two implementations matter to hvdiff: the
/// sequentially consistent machine (memory always current, TLBs always
/// coherent) and the Armv8-A machine (aarch64.cat with the relaxed MMU).
/// Litmus tests and hypervisor handler scenarios both run through this.
public protocol MemoryMachine: Sendable {
    /// "sc" or "arm": what `--model` names.
    var name: String { get }
    /// Explores every execution of `program` the model allows, each final
    /// state reported once. Deterministic: the same program gives the same
    /// result, in the same order.
    func explore(_ program: ConcurrentProgram) throws(MachineError) -> Exploration
}

/// The result of exploring one program.
public struct Exploration: Sendable {
    /// Distinct final states, in the order first found.
    public var finalStates: [FinalState]
    /// Consistent complete executions found (several may share a final state).
    public var executions: Int
    /// True if some execution was cut at the loop bound: the state set may
    /// then be incomplete, and the caller must say so.
    public var boundReached: Bool
    /// The model's flags (aarch64.cat's `flag ~empty ... as NAME`) that some
    /// consistent execution raised. A flag does not make an execution
    /// inconsistent: it is reported, as herd prints `Flag NAME`. Test with
    /// e.g. `exploration.flags.contains(.breakBeforeMakeExpected)`.
    public var flags: Set<ModelFlag> { finalStateFlags.reduce(into: []) { $0.formUnion($1) } }
    /// Per final state (same indices as `finalStates`): the flags raised by
    /// some consistent execution that reaches that state.
    public var finalStateFlags: [Set<ModelFlag>]

    public init(finalStates: [FinalState], executions: Int, boundReached: Bool,
                finalStateFlags: [Set<ModelFlag>]? = nil) {
        self.finalStates = finalStates
        self.executions = executions
        self.boundReached = boundReached
        let perState = finalStateFlags ?? Array(repeating: [], count: finalStates.count)
        precondition(perState.count == finalStates.count, "one flag set per final state")
        self.finalStateFlags = perState
    }

    /// The flags raised by some execution reaching `state` (empty if none, or
    /// if `state` is not one of `finalStates`).
    public func flags(of state: FinalState) -> Set<ModelFlag> {
        finalStates.firstIndex(of: state).map { finalStateFlags[$0] } ?? []
    }
}

/// Why a machine could not run a program. Thrown, never a crash.
public enum MachineError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The program uses something the machine does not model, named.
    case unsupported(String)
    /// Exploration exceeded its execution budget (protects against blow-up).
    case tooManyExecutions(limit: Int)

    public var description: String {
        switch self {
        case .unsupported(let what): return "unsupported: \(what)"
        case .tooManyExecutions(let limit): return "more than \(limit) executions; exploration stopped"
        }
    }
}
