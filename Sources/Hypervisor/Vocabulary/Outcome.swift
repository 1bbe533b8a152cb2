/// What an event did, as the oracle compares it across machines.
public enum Outcome: Hashable, Sendable, CustomStringConvertible {
    case hypercall(HypercallResult)
    case access(AccessOutcome)
    case fault(FaultResolution)
    case ipi(IPIOutcome)
    /// The event cannot happen on this machine in this state (for example a
    /// guest access from a vCPU that is not loaded on that CPU). Spec's state
    /// is unchanged.
    case invalid(InvalidEvent)

    public var description: String {
        switch self {
        case .hypercall(let result): return result.description
        case .access(let access): return access.description
        case .fault(let resolution): return resolution.description
        case .ipi(let ipi): return ipi.description
        case .invalid(let why): return "invalid: \(why)"
        }
    }
}

/// The result of a memory access.
public enum AccessOutcome: Hashable, Sendable, CustomStringConvertible {
    /// A read returned this value (zero-extended to 64 bits).
    case read(UInt64)
    /// A write took effect.
    case written
    /// Stage 2 refused the access: an abort injected into the host, or an exit
    /// to the host for a guest.
    case fault

    public var description: String {
        switch self {
        case .read(let value): return "read 0x\(String(value, radix: 16))"
        case .written: return "written"
        case .fault: return "fault"
        }
    }
}

/// How the hypervisor resolved a stage-2 fault.
public enum FaultResolution: Hashable, Sendable, CustomStringConvertible {
    /// The host's identity mapping was installed (`host_stage2_idmap`).
    case mapped
    /// Nothing to do: the address is already mapped with that permission (a
    /// racing fault; pKVM's -EEXIST / -EAGAIN).
    case spurious
    /// The host has no access: an abort is injected into it (pKVM's -EPERM).
    case injected
    /// A guest fault: the exit goes to the host, which may map the page.
    case exitToHost

    public var description: String {
        switch self {
        case .mapped: return "mapped"
        case .spurious: return "spurious"
        case .injected: return "injected"
        case .exitToHost: return "exit-to-host"
        }
    }
}

/// The result of an IPI event.
public enum IPIOutcome: Hashable, Sendable, CustomStringConvertible {
    /// The interrupt is now pending at its target.
    case pending
    /// A guest SGI to a vCPU that does not exist or is not initialised: the
    /// interrupt controller ignores it.
    case dropped
    /// The pending interrupt was taken and cleared.
    case taken
    /// Nothing was pending for that interrupt.
    case spurious

    public var description: String {
        switch self {
        case .pending: return "pending"
        case .dropped: return "dropped"
        case .taken: return "taken"
        case .spurious: return "spurious"
        }
    }
}

/// Why an event cannot happen. These are not pKVM error codes: the real
/// hardware could not produce such an event.
public enum InvalidEvent: Error, Hashable, Sendable, CustomStringConvertible {
    case noSuchCPU(UInt32)
    case noSuchVCPU(VCPURef)
    /// A guest event from a vCPU that is not the one loaded on this CPU.
    case vcpuNotLoaded(VCPURef, cpu: UInt32)
    /// An address beyond the stage-2 input address space.
    case addressOutsideAddressSpace(UInt64)
    /// A host access to MMIO, or to a word of a page beyond the modelled ones.
    case unmodelledAddress(UInt64)
    case badAccessWidth(UInt8)
    case misalignedAccess(address: UInt64, width: UInt8)
    /// An SGI number outside 0-15.
    case badInterruptID(UInt32)

    public var description: String {
        switch self {
        case .noSuchCPU(let cpu): return "no CPU \(cpu)"
        case .noSuchVCPU(let ref): return "no vCPU \(ref)"
        case let .vcpuNotLoaded(ref, cpu): return "\(ref) is not loaded on CPU \(cpu)"
        case .addressOutsideAddressSpace(let a): return "address 0x\(String(a, radix: 16)) is outside the address space"
        case .unmodelledAddress(let a): return "address 0x\(String(a, radix: 16)) is not modelled memory"
        case .badAccessWidth(let w): return "access width \(w) is not 1, 2, 4 or 8"
        case let .misalignedAccess(a, w): return "address 0x\(String(a, radix: 16)) is not aligned to \(w)"
        case .badInterruptID(let id): return "interrupt \(id) is not an SGI (0-15)"
        }
    }
}
