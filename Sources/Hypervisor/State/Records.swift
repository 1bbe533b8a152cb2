/// What a hypervisor-owned page holds, so that Spec can refuse to hand back a
/// page that still carries hypervisor state, and can check that every page
/// holding such state is the hypervisor's.
enum HypRole: UInt8, Sendable {
    /// Free hypervisor memory (boot reservation or a plain donation).
    case none
    case vmMetadata
    case vmPGD
    case vcpuMetadata
    /// In a vCPU's memcache, waiting to become a stage-2 table.
    case memcache
    /// A non-root table of a guest's stage 2.
    case pageTable
    /// A freed table page kept in the VM's pool for reuse.
    case tablePool
}

/// The per-page metadata pKVM keeps in its vmemmap (`struct hyp_page`) and
/// in host stage-2 annotations, flattened into one record per physical page.
struct PageRecord: Sendable {
    /// 0 host, 1 hypervisor, 2 + n guest VM n.
    var owner: UInt32
    /// `hyp_page.host_share_guest_count`.
    var shareGuestCount: UInt32 = 0
    /// `hyp_page.refcount` as `hyp_pin_shared_mem` raises it (a u16 in pKVM).
    var pinCount: UInt16 = 0
    var host: PageState
    var hyp: PageState
    /// The host stage 2 holds a valid identity mapping of the page.
    var hostMapped: Bool = false
    var role: HypRole = .none

    static let ownerHost: UInt32 = 0
    static let ownerHyp: UInt32 = 1

    static func ownerGuest(_ vm: Int) -> UInt32 { 2 + UInt32(vm) }

    var pageOwner: PageOwner {
        switch owner {
        case PageRecord.ownerHost: return .host
        case PageRecord.ownerHyp: return .hypervisor
        default: return .guest(VMID(owner - 2))
        }
    }
}

/// Lifecycle of a VM in the hypervisor's VM table.
public enum VMStatus: UInt8, Hashable, Sendable {
    /// Not (yet) initialised with `__pkvm_init_vm`.
    case uninitialised
    case active
    /// Teardown has started; pages can be reclaimed, vCPUs cannot be loaded.
    case dying
}

struct VCPURecord: Sendable {
    var initialised = false
    /// The physical CPU it is loaded on, or -1.
    var loadedOn: Int32 = -1
    /// Pages donated for stage-2 tables (pKVM's `pkvm_memcache`), a stack.
    var memcache: [UInt64] = []
    /// Pending SGIs 0-15.
    var pendingSGIs: UInt16 = 0
    var hostVcpuPfn: UInt64 = 0
    var metadataPfn: UInt64 = 0
}

struct VMRecord: Sendable {
    let config: VMConfig
    var status: VMStatus = .uninitialised
    var vcpus: [VCPURecord]
    var stage2: GuestStage2
    /// Freed table pages (pKVM's `vm->pool`), used before the memcache.
    var pool: [UInt64] = []
    /// Pages currently serving as tables.
    var tables: [UInt64] = []
    var kvmPfn: UInt64 = 0
    var metadataPfn: UInt64 = 0
    var pgdPfn: UInt64 = 0
    /// vCPUs currently loaded (pKVM's reference on the VM page).
    var loadedVCPUs = 0

    init(config: VMConfig, levels: Int) {
        self.config = config
        vcpus = Array(repeating: VCPURecord(), count: config.vcpus)
        stage2 = GuestStage2(levels: levels)
    }
}
