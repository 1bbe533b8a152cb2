/// A VM, by its position in `MachineConfig.vms` (0-based). pKVM calls this
/// the VM handle; the replayer maps a trace's handle to it. Values outside the
/// configuration are legal input and get pKVM's error for an unknown handle.
public struct VMID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }
    public static func < (a: VMID, b: VMID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "vm\(rawValue)" }
}

/// One vCPU of one VM.
public struct VCPURef: Hashable, Sendable, CustomStringConvertible {
    public var vm: VMID
    public var vcpu: UInt32
    public init(vm: VMID, vcpu: UInt32) {
        self.vm = vm
        self.vcpu = vcpu
    }
    public var description: String { "\(vm).vcpu\(vcpu)" }
}

/// Who performs an access or owns a page.
public enum Principal: Hashable, Sendable, CustomStringConvertible {
    case hypervisor
    case host
    case guest(VMID)

    public var description: String {
        switch self {
        case .hypervisor: return "hyp"
        case .host: return "host"
        case .guest(let vm): return "guest(\(vm))"
        }
    }
}

/// The sender of a physical IPI.
public enum IPISender: Hashable, Sendable {
    case host
    case hypervisor
}
