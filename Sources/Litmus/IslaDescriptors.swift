import MemoryModel

/// The descriptor words isla's page-table setup builds (VMSAv8-64, 4 KiB
/// granule): tables, stage-1 pages (AF set, EL0 and read/write unless
/// `AP = 0b11` makes them read-only) and stage-2 pages (AF set, S2AP
/// read and write).
enum IslaDescriptors {
    static func table(_ address: UInt64) -> UInt64 {
        address & Descriptor.outputAddressMask | Descriptor.valid | Descriptor.tableOrPage
    }

    static func stage1Page(_ address: UInt64, _ permissions: AccessPermissions = .readWriteAll) -> UInt64 {
        Descriptor.herd(outputAddress: address, db: !permissions.readOnly, el0: permissions.el0)
    }

    /// S2AP = 0b11 (bits 7:6): reads and writes allowed.
    static func stage2Page(_ address: UInt64) -> UInt64 {
        address & Descriptor.outputAddressMask | Descriptor.valid | Descriptor.tableOrPage
            | Descriptor.accessFlag | 1 << 6 | 1 << 7
    }
}

/// A stage-1 page's AP[2:1] as isla's `with [AP = 0bNN]` and `mkdesc`'s
/// `AP=` give it: bit 1 read-only, bit 0 EL0 may access too. Without the
/// attribute isla maps pages read-write for EL0 and EL1.
public struct AccessPermissions: Hashable, Sendable, CustomStringConvertible {
    public var readOnly: Bool
    public var el0: Bool

    public static let readWriteAll = AccessPermissions(apBits: 0b01)

    public init(apBits: UInt64) {
        readOnly = apBits & 0b10 != 0
        el0 = apBits & 0b01 != 0
    }

    public var description: String { "AP=0b\(readOnly ? 1 : 0)\(el0 ? 1 : 0)" }
}
