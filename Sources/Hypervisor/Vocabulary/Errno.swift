/// The error codes pKVM's EL2 code returns, with their Linux numeric values.
///
/// Spec returns exactly the code pKVM returns for the same cause, so the raw
/// value of a failure can be compared with a recorded return (`-rawValue`).
public enum Errno: Int32, Error, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// The page is not in the state the transition requires.
    case eperm = 1
    /// No valid stage-2 entry at that address, or no such VM for a handle.
    case enoent = 2
    /// The guest mapping is not a last-level (page) mapping, or its size differs.
    case e2big = 7
    /// A racing or repeated request; try again.
    case eagain = 11
    /// A page-table pool or vCPU memcache is exhausted, or a donation failed.
    case enomem = 12
    /// The page is pinned by the hypervisor, or a counter is saturated.
    case ebusy = 16
    /// Bad argument: prot bits outside RWX, range crosses memory/MMIO, bad size,
    /// wrong kind of VM, no loaded vCPU.
    case einval = 22
    /// The address lies beyond the stage-2 input address space (page-table walker).
    case erange = 34
    /// The hypervisor does not handle this call for this kind of VM: it goes to
    /// the host (the guest sees SMCCC NOT_SUPPORTED).
    case eopnotsupp = 95

    /// The value the hypercall puts in x1: a negative errno.
    public var returnValue: Int64 { -Int64(rawValue) }

    public var description: String {
        switch self {
        case .eperm: return "-EPERM"
        case .enoent: return "-ENOENT"
        case .e2big: return "-E2BIG"
        case .eagain: return "-EAGAIN"
        case .enomem: return "-ENOMEM"
        case .ebusy: return "-EBUSY"
        case .einval: return "-EINVAL"
        case .erange: return "-ERANGE"
        case .eopnotsupp: return "-EOPNOTSUPP"
        }
    }
}

/// What a hypercall returned.
public enum HypercallResult: Hashable, Sendable, CustomStringConvertible {
    /// Success with the value returned in x1 (0 for most calls; the physical
    /// address for a guest's relinquish).
    case success(UInt64)
    case failure(Errno)

    public static let ok = HypercallResult.success(0)

    /// The value as the hypercall returns it: the success value, or a negative errno.
    public var returnValue: Int64 {
        switch self {
        case .success(let value): return Int64(bitPattern: value)
        case .failure(let errno): return errno.returnValue
        }
    }

    public var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .success(let value): return value == 0 ? "0" : "0 (returns \(value))"
        case .failure(let errno): return errno.description
        }
    }
}
