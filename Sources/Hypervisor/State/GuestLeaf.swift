/// One leaf of a guest's stage 2, packed in 64 bits so a VM's mappings live
/// in flat arrays: bit 0 valid, bits 1-2 page state, bits 3-5 prot (pKVM's
/// X/W/R bits), bits 12-63 the physical page number. Zero means no mapping.
struct GuestLeaf: Hashable, Sendable {
    var raw: UInt64

    init(raw: UInt64) { self.raw = raw }

    init(pfn: UInt64, state: PageState, prot: Prot) {
        raw = 1 | UInt64(state.rawValue) << 1 | (prot.rawValue & 7) << 3 | pfn << 12
    }

    var isValid: Bool { raw & 1 != 0 }
    var pfn: UInt64 { raw >> 12 }
    var state: PageState { PageState(rawValue: UInt8(truncatingIfNeeded: raw >> 1) & 3) ?? .noPage }
    var prot: Prot { Prot(rawValue: (raw >> 3) & 7) }

    /// Whether an access with this permission would be allowed (R for reads,
    /// W for writes), tested on the packed bits for the access hot path.
    @inline(__always)
    func permits(write: Bool) -> Bool {
        raw & (write ? (Prot.w.rawValue << 3) : (Prot.r.rawValue << 3)) != 0
    }

    func with(state: PageState) -> GuestLeaf {
        GuestLeaf(pfn: pfn, state: state, prot: prot)
    }
}

/// A leaf together with its size, as a lookup returns it.
struct GuestLeafLookup: Sendable {
    var leaf: GuestLeaf
    var isBlock: Bool
    /// The physical page the looked-up guest page maps to (inside a block:
    /// the block's base plus the offset).
    var pfn: UInt64
}
