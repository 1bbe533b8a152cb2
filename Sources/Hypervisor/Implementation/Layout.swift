/// Where the implementation keeps everything in simulated physical memory.
///
/// Physical memory has two parts:
///
/// 1. The machine's pages, [0, physicalPages * 4 KiB): host, guest and
///    hypervisor pages exactly as Spec counts them. The hypervisor's
///    per-VM state lives in pages the host donated, as in pKVM:
///    - VM metadata page (`initVM`'s metadataPfn), a `struct pkvm_hyp_vm`:
///        +0 lock (per-VM lock)   +8 status (0 uninit, 1 active, 2 dying)
///        +16 pgd physical address +24 struct kvm pfn (pinned)
///        +32 loaded vCPUs          +40 table-pool head (physical address)
///        +48 table-pool pages
///    - vCPU metadata page (`initVCPU`'s metadataPfn):
///        +0 initialised (1)        +8 loaded on CPU + 1 (0: not loaded)
///        +16 memcache head (phys)  +24 memcache pages
///        +32 pending SGIs (bit n)  +40 host struct kvm_vcpu pfn (pinned)
///    - the VM's stage-2 root (pgdPfn) and its non-root tables (pages from
///      the vCPU memcaches and the VM's pool). Memcache and pool pages form
///      singly linked lists through their word 0, as pKVM's memcache does.
///
/// 2. The hypervisor's carve-out, from `carveOut` = 1 TiB: memory the host
///    never had (pKVM's memblock reservation). It lies above every IPA the
///    2- and 3-level stage 2 can express and far above memory with 4 levels,
///    and no stage-2 fault handler maps it, so neither host nor guest can
///    reach it (Memory-Isolation).
///        +0x0     host lock   +0x8 hyp lock   +0x10 VM-table lock
///        +0x18    host table pool: next free page (bump pointer)
///        +0x20    number of VMs   +0x28 physical pages
///        +0x30    host stage-2 root   +0x38 hyp linear map (boot constants)
///        +0x1000  per CPU, 32 bytes: +0 loaded vCPU (vm << 32 | vcpu) + 1
///                 (0: none), +8 pending physical SGIs (bit n), +16 the
///                 last kick's reason (written before the SGI is raised)
///        vmTable  per VM, 32 bytes: +0 VM metadata page address (0: not in
///                 the table), +8 address of its vCPU slots, +16 vCPUs,
///                 +24 protected (1) (the last three written at boot)
///        vcpuTable per VM, per vCPU, 8 bytes: vCPU metadata page address
///        vmemmap  per physical page, 16 bytes (`struct hyp_page`):
///                 +0 u8 host state, +1 u8 hyp state (PageState raw values),
///                 +2 u8 role (HypRole), +4 u16 pin count, +6 u16 owner
///                 (0 host, 1 hyp, 2+n VM n), +8 u32 host_share_guest_count,
///                 +12 u32 valid entries (for a stage-2 table page)
///        hypMap   the hypervisor's linear map: one level-3 descriptor per
///                 page of memory, written once at boot (pKVM's hyp stage 1
///                 maps all memory at init and never changes it)
///        hostPgd  the host stage-2 root, then a bump pool of zeroed pages
///                 for the host's non-root tables (enough to map all memory
///                 page by page; the host tables are never freed).
///
/// Every field is a naturally aligned word, so handlers use plain LDR/STR of
/// the field's width; the lock words are taken with CASA and released with STLR.
public struct Layout: Hashable, Sendable {
    public static let carveOut: UInt64 = 1 << 40
    public static let pageSize: UInt64 = MachineConfig.pageSize

    // Lock words.
    public static let hostLockOffset: UInt64 = 0x0
    public static let hypLockOffset: UInt64 = 0x8
    public static let vmTableLockOffset: UInt64 = 0x10
    public static let perCPUOffset: UInt64 = 0x1000
    public static let perCPUSize: UInt64 = 32

    // VM metadata page fields.
    public enum VMField {
        public static let lock: UInt64 = 0
        public static let status: UInt64 = 8
        public static let pgd: UInt64 = 16
        public static let kvmPfn: UInt64 = 24
        public static let loadedVCPUs: UInt64 = 32
        public static let poolHead: UInt64 = 40
        public static let poolPages: UInt64 = 48
    }

    // vCPU metadata page fields.
    public enum VCPUField {
        public static let initialised: UInt64 = 0
        public static let loadedOn: UInt64 = 8
        public static let memcacheHead: UInt64 = 16
        public static let memcachePages: UInt64 = 24
        public static let pendingSGIs: UInt64 = 32
        public static let hostVcpuPfn: UInt64 = 40
    }

    // vmemmap entry fields.
    public enum PageField {
        public static let size: UInt64 = 16
        public static let sizeShift: UInt64 = 4
        public static let hostState: UInt64 = 0
        public static let hypState: UInt64 = 1
        public static let role: UInt64 = 2
        public static let owner: UInt64 = 6
        public static let pinCount: UInt64 = 4
        public static let shareGuestCount: UInt64 = 8
        public static let validEntries: UInt64 = 12
    }

    public static let vmSlotSize: UInt64 = 32
    public static let hostPoolNextOffset: UInt64 = 0x18
    public static let vmCountOffset: UInt64 = 0x20
    public static let memoryPagesOffset: UInt64 = 0x28
    public static let hostRootOffset: UInt64 = 0x30
    public static let hypMapOffset: UInt64 = 0x38

    public static let statusActive: UInt64 = 1
    public static let statusDying: UInt64 = 2

    public let config: MachineConfig
    public let vmTable: UInt64
    public let vcpuTable: UInt64
    /// Offset of VM n's first slot in `vcpuTable`, in slots.
    public let vcpuSlotBase: [UInt64]
    public let vmemmap: UInt64
    public let hypMap: UInt64
    public let hostPgd: UInt64
    public let hostPoolStart: UInt64
    public let hostPoolPages: UInt64
    public let end: UInt64

    public init(config: MachineConfig) {
        self.config = config
        func pageAlign(_ address: UInt64) -> UInt64 { (address + Layout.pageSize - 1) & ~(Layout.pageSize - 1) }
        let perCPUEnd = Layout.carveOut + Layout.perCPUOffset + UInt64(config.cpus) * Layout.perCPUSize
        vmTable = pageAlign(perCPUEnd)
        vcpuTable = pageAlign(vmTable + UInt64(max(1, config.vms.count)) * Layout.vmSlotSize)
        var bases: [UInt64] = []
        var slots: UInt64 = 0
        for vm in config.vms {
            bases.append(slots)
            slots += UInt64(vm.vcpus)
        }
        vcpuSlotBase = bases
        vmemmap = pageAlign(vcpuTable + max(1, slots) * 8)
        hypMap = pageAlign(vmemmap + UInt64(config.physicalPages) * Layout.PageField.size)
        hostPgd = pageAlign(hypMap + UInt64(config.physicalPages) * 8)
        hostPoolStart = hostPgd + Layout.pageSize
        // Non-root tables to map every page of memory: per level below the
        // root, one table per 512^(3 - level) pages.
        var pool: UInt64 = 0
        let pages = UInt64(config.physicalPages)
        for level in (5 - config.pageTableLevels)...3 {
            let span: UInt64 = 1 << (9 * UInt64(4 - level))
            pool += (pages + span - 1) / span
        }
        hostPoolPages = pool
        end = hostPoolStart + pool * Layout.pageSize
    }

    public var hostLock: UInt64 { Layout.carveOut + Layout.hostLockOffset }
    public var hypLock: UInt64 { Layout.carveOut + Layout.hypLockOffset }
    public var vmTableLock: UInt64 { Layout.carveOut + Layout.vmTableLockOffset }
    public func perCPU(_ cpu: Int) -> UInt64 { Layout.carveOut + Layout.perCPUOffset + UInt64(cpu) * Layout.perCPUSize }
    public func vmSlot(_ vm: Int) -> UInt64 { vmTable + UInt64(vm) * Layout.vmSlotSize }
    public func vcpuSlot(vm: Int, vcpu: Int) -> UInt64 { vcpuTable + (vcpuSlotBase[vm] + UInt64(vcpu)) * 8 }
    public func page(_ pfn: UInt64) -> UInt64 { vmemmap + pfn << Layout.PageField.sizeShift }
    /// Where the host's next non-root table comes from (the bump pointer).
    public var hostPoolNext: UInt64 { Layout.carveOut + Layout.hostPoolNextOffset }
}
