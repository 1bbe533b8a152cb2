extension Translation {
    /// The descriptor the MMU writes instead of taking `fault`, if the thread
    /// manages that flag in hardware (Arm ARM D8.4.6, FEAT_HAFDBS): with HA an
    /// access-flag fault becomes "set AF"; with HD a write through a read-only
    /// descriptor with DBM = 1 becomes "clear AP[2]" (HD implies HA). nil: the
    /// fault stands. `descriptor` is the value the walk's last read saw.
    public static func hardwareUpdate(_ fault: FaultKind, _ kind: AccessKind, descriptor d: UInt64,
                                      _ updates: HardwareUpdates) -> UInt64? {
        let dirtyable = kind == .write && updates.dirtyState && d & Descriptor.dirtyBitModifier != 0
            && d & Descriptor.readOnly != 0
        switch fault {
        case .accessFlag where updates.accessFlag || updates.dirtyState:
            return (d | Descriptor.accessFlag) & (dirtyable ? ~Descriptor.readOnly : ~0)
        case .permission where dirtyable:
            return d & ~Descriptor.readOnly
        default:
            return nil
        }
    }
}
