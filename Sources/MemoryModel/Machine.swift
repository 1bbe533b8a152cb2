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

    public init(finalStates: [FinalState], executions: Int, boundReached: Bool) {
        self.finalStates = finalStates
        self.executions = executions
        self.boundReached = boundReached
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
