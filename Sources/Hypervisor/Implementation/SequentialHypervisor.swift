/// A hypervisor that consumes events one at a time and can show its
/// isolation-relevant state: Spec and the implementation on the SC machine,
/// driven alike by replayers and tests.
public protocol SequentialHypervisor: Sendable {
    var config: MachineConfig { get }
    /// Applies one event on physical CPU `cpu` and returns what it did.
    mutating func apply(_ event: MachineEvent, on cpu: UInt32) -> Outcome
    var abstractState: AbstractState { get }
}

extension Spec: SequentialHypervisor {}
