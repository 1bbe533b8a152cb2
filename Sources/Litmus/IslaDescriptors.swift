import MemoryModel

/// The descriptor words isla's page-table setup builds (VMSAv8-64, 4 KiB
/// granule): tables, stage-1 pages (AF set, EL0 and read/write unless
/// `AP = 0b11` makes them read-only) and stage-2 pages (AF set, S2AP
/// read and write).
enum IslaDescriptors {
    static func table(_ address: UInt64) -> UInt64 {
        address & Descriptor.outputAddressMask | Descriptor.valid | Descriptor.tableOrPage
    }

    static func stage1Page(_ address: UInt64, readOnly: Bool) -> UInt64 {
        Descriptor.herd(outputAddress: address, db: !readOnly)
    }

    /// S2AP = 0b11 (bits 7:6): reads and writes allowed.
    static func stage2Page(_ address: UInt64) -> UInt64 {
        address & Descriptor.outputAddressMask | Descriptor.valid | Descriptor.tableOrPage
            | Descriptor.accessFlag | 1 << 6 | 1 << 7
    }
}
