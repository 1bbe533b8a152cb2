/// pKVM's per-component page state (enum pkvm_page_state), as seen by the
/// host, the hypervisor or a guest at one address.
public enum PageState: UInt8, Hashable, Sendable, CustomStringConvertible {
    /// The component owns the page exclusively.
    case owned = 0
    /// The component owns the page and has shared it with another.
    case sharedOwned = 1
    /// Another component owns the page and has shared it with this one.
    case sharedBorrowed = 2
    /// The component has no access to the page.
    case noPage = 3

    public var description: String {
        switch self {
        case .owned: return "OWNED"
        case .sharedOwned: return "SHARED_OWNED"
        case .sharedBorrowed: return "SHARED_BORROWED"
        case .noPage: return "NOPAGE"
        }
    }
}

/// The single owner of a physical page.
public enum PageOwner: Hashable, Sendable, CustomStringConvertible {
    case host
    case hypervisor
    case guest(VMID)

    public var principal: Principal {
        switch self {
        case .host: return .host
        case .hypervisor: return .hypervisor
        case .guest(let vm): return .guest(vm)
        }
    }

    public var description: String { principal.description }
}

/// Stage-2 permissions, with the bit values of pKVM's `enum kvm_pgtable_prot`
/// (X = bit 0, W = bit 1, R = bit 2), so a hypercall's prot argument can be
/// checked for bits outside RWX exactly as pKVM does.
public struct Prot: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public static let x = Prot(rawValue: 1 << 0)
    public static let w = Prot(rawValue: 1 << 1)
    public static let r = Prot(rawValue: 1 << 2)
    public static let rw: Prot = [.r, .w]
    public static let rwx: Prot = [.r, .w, .x]

    public var description: String {
        (contains(.r) ? "R" : "-") + (contains(.w) ? "W" : "-") + (contains(.x) ? "X" : "-")
    }
}
