/// Who may touch a physical page now. Spec answers it from its live records
/// and the oracle from the abstract state; both ask this one rule, so the
/// two views cannot drift apart.
enum AccessRule {
    /// The host while it owns or shares the page; the hypervisor for pages it
    /// owns and shared pages it has pinned (mapped at EL2); a guest while its
    /// stage 2 maps the page with the permission. `guestMappings` gives a
    /// VM's leaves, or nil for a VM that does not exist.
    static func allows(
        _ principal: Principal, host: PageState, hyp: PageState, pinCount: UInt16,
        pfn: UInt64, write: Bool, guestMappings: (Int) -> [GuestMapping]?
    ) -> Bool {
        switch principal {
        case .host:
            return host != .noPage
        case .hypervisor:
            return hyp == .owned || (hyp == .sharedBorrowed && pinCount > 0)
        case .guest(let vm):
            guard let mappings = guestMappings(Int(vm.rawValue)) else { return false }
            let needed: Prot = write ? .w : .r
            return mappings.contains { mapping in
                mapping.prot.contains(needed) && pfn >= mapping.pfn && pfn < mapping.pfn + UInt64(mapping.pages)
            }
        }
    }
}
