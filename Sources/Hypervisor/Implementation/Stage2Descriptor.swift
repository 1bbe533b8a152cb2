import MemoryModel

/// Stage-2 descriptors as the implementation writes them (VMSAv8-64, 4 KiB
/// granule, the bit positions of MemoryModel's `Descriptor`):
/// - table (levels 0-2): valid | table | next-level table address;
/// - page (level 3) / block (level 2): valid | page (level 3 only) | AF |
///   S2AP[0] (bit 6, read) | S2AP[1] (bit 7, write) | XN (bit 54) when not
///   executable | page state in the software bits 55-56, pKVM's
///   PKVM_PAGE_STATE_PROT_MASK (OWNED 0, SHARED_OWNED bit 55,
///   SHARED_BORROWED bit 56) | output address.
/// An invalid entry is 0: the implementation keeps ownership in the
/// vmemmap, not in invalid host entries.
public enum Stage2Descriptor {
    public static let s2Read: UInt64 = 1 << 6
    public static let s2Write: UInt64 = 1 << 7
    public static let executeNever: UInt64 = 1 << 54
    public static let stateShift: UInt64 = 55
    public static let stateMask: UInt64 = 3 << 55

    /// The attribute bits of a leaf (no output address, no page/block bit).
    public static func leafAttributes(state: PageState, prot: Prot) -> UInt64 {
        var d = Descriptor.valid | Descriptor.accessFlag | UInt64(state.rawValue) << stateShift
        if prot.contains(.r) { d |= s2Read }
        if prot.contains(.w) { d |= s2Write }
        if !prot.contains(.x) { d |= executeNever }
        return d
    }

    public static func page(pfn: UInt64, state: PageState, prot: Prot) -> UInt64 {
        leafAttributes(state: state, prot: prot) | Descriptor.tableOrPage | pfn << MachineConfig.pageShift
    }

    public static func table(at address: UInt64) -> UInt64 {
        Descriptor.valid | Descriptor.tableOrPage | address & Descriptor.outputAddressMask
    }

    /// The host's identity mapping of a page it may access: RWX, owned.
    public static func hostPage(pfn: UInt64) -> UInt64 { page(pfn: pfn, state: .owned, prot: .rwx) }

    public static func state(_ d: UInt64) -> PageState { PageState(rawValue: UInt8((d & stateMask) >> stateShift)) ?? .noPage }

    public static func prot(_ d: UInt64) -> Prot {
        var prot: Prot = []
        if d & s2Read != 0 { prot.insert(.r) }
        if d & s2Write != 0 { prot.insert(.w) }
        if d & executeNever == 0 { prot.insert(.x) }
        return prot
    }
}
