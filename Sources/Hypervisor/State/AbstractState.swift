/// The isolation-relevant state of a hypervisor, in a canonical form that
/// any machine can produce (Spec from its records, the implementation by
/// walking its page tables and metadata) and the oracle can compare: two
/// machines in the same abstract configuration give equal values, whatever
/// their history or internal layout.
///
/// Contents of hypervisor-owned pages are not part of it (they hold the
/// hypervisor's own data, whose layout is its business): they read as zero.
public struct AbstractState: Hashable, Sendable {
    public var pages: [PageView]
    public var vms: [VMView]
    /// Per physical CPU: the loaded vCPU.
    public var loadedVCPUs: [VCPURef?]
    /// Per physical CPU: pending physical SGIs (bit n = SGI n).
    public var pendingIPIs: [UInt16]
    public var wordsPerPage: Int
    /// `contents[pfn * wordsPerPage + word]`.
    public var contents: [UInt64]

    public init(
        pages: [PageView], vms: [VMView], loadedVCPUs: [VCPURef?], pendingIPIs: [UInt16],
        wordsPerPage: Int, contents: [UInt64]
    ) {
        self.pages = pages
        self.vms = vms
        self.loadedVCPUs = loadedVCPUs
        self.pendingIPIs = pendingIPIs
        self.wordsPerPage = wordsPerPage
        self.contents = contents
    }

    /// The modelled words of page `pfn`.
    public func words(ofPage pfn: Int) -> ArraySlice<UInt64> {
        contents[(pfn * wordsPerPage)..<((pfn + 1) * wordsPerPage)]
    }

    /// The mapping translating `gfn` in `vm`'s stage 2, if any.
    public func translate(vm: VMID, gfn: UInt64) -> GuestMapping? {
        let index = Int(vm.rawValue)
        guard index < vms.count else { return nil }
        let mappings = vms[index].mappings
        // Binary search for the last mapping starting at or below gfn.
        var low = 0
        var high = mappings.count
        while low < high {
            let middle = (low + high) / 2
            if mappings[middle].gfn <= gfn { low = middle + 1 } else { high = middle }
        }
        guard low > 0 else { return nil }
        let candidate = mappings[low - 1]
        return gfn < candidate.gfn + UInt64(candidate.pages) ? candidate : nil
    }

    /// Whether `principal` may read (or write) physical page `pfn` now: the
    /// host while it owns or shares the page; a guest while its stage 2 maps
    /// the page with the permission; the hypervisor for pages it owns and
    /// shared pages it has pinned (mapped at EL2).
    public func canAccess(_ principal: Principal, page pfn: UInt64, write: Bool) -> Bool {
        guard pfn < UInt64(pages.count) else { return false }
        let page = pages[Int(pfn)]
        return AccessRule.allows(
            principal, host: page.host, hyp: page.hyp, pinCount: page.pinCount, pfn: pfn, write: write,
            guestMappings: { vm in vm < vms.count ? vms[vm].mappings : nil })
    }
}

/// One physical page's ownership and sharing.
public struct PageView: Hashable, Sendable {
    public var owner: PageOwner
    public var host: PageState
    public var hyp: PageState
    /// `host_share_guest_count`: guest mappings borrowing the page.
    public var shareGuestCount: UInt32
    /// `hyp_pin_shared_mem` references.
    public var pinCount: UInt16
    /// The host's stage 2 holds a valid identity mapping of the page.
    public var hostMapped: Bool

    public init(
        owner: PageOwner, host: PageState, hyp: PageState, shareGuestCount: UInt32, pinCount: UInt16,
        hostMapped: Bool
    ) {
        self.owner = owner
        self.host = host
        self.hyp = hyp
        self.shareGuestCount = shareGuestCount
        self.pinCount = pinCount
        self.hostMapped = hostMapped
    }
}

/// One leaf of a guest's stage 2.
public struct GuestMapping: Hashable, Sendable, CustomStringConvertible {
    public var gfn: UInt64
    public var pfn: UInt64
    /// 1, or 512 for a 2 MiB block.
    public var pages: UInt32
    /// The guest's view of the page.
    public var state: PageState
    public var prot: Prot

    public init(gfn: UInt64, pfn: UInt64, pages: UInt32, state: PageState, prot: Prot) {
        self.gfn = gfn
        self.pfn = pfn
        self.pages = pages
        self.state = state
        self.prot = prot
    }

    public var description: String {
        "gfn 0x\(String(gfn, radix: 16)) -> pfn 0x\(String(pfn, radix: 16))"
            + (pages == 1 ? "" : " (\(pages) pages)") + " \(state) \(prot)"
    }
}

/// One VM as the hypervisor holds it.
public struct VMView: Hashable, Sendable {
    public var status: VMStatus
    public var isProtected: Bool
    public var vcpus: [VCPUView]
    /// Stage-2 leaves sorted by gfn.
    public var mappings: [GuestMapping]
    /// Non-root stage-2 table pages in use, and freed ones kept for reuse.
    public var tablePages: Int
    public var poolPages: Int

    public init(
        status: VMStatus, isProtected: Bool, vcpus: [VCPUView], mappings: [GuestMapping], tablePages: Int,
        poolPages: Int
    ) {
        self.status = status
        self.isProtected = isProtected
        self.vcpus = vcpus
        self.mappings = mappings
        self.tablePages = tablePages
        self.poolPages = poolPages
    }
}

public struct VCPUView: Hashable, Sendable {
    public var initialised: Bool
    public var loadedOn: UInt32?
    public var memcachePages: Int
    /// Pending SGIs (bit n = SGI n).
    public var pendingSGIs: UInt16

    public init(initialised: Bool, loadedOn: UInt32?, memcachePages: Int, pendingSGIs: UInt16) {
        self.initialised = initialised
        self.loadedOn = loadedOn
        self.memcachePages = memcachePages
        self.pendingSGIs = pendingSGIs
    }
}
