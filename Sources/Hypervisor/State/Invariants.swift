/// A broken isolation invariant, named by rule, with what was found.
public struct InvariantViolation: Hashable, Sendable, CustomStringConvertible {
    public enum Rule: String, Hashable, Sendable {
        /// Every page has exactly one owner, and the owner field agrees.
        case ownership
        /// Host, hypervisor and guest views of a shared page agree.
        case sharing
        /// `host_share_guest_count` equals the guest mappings borrowing the page.
        case shareCount
        /// Pins only on pages the hypervisor borrows.
        case pinCount
        /// Hypervisor memory is reachable from neither host nor guest stage 2.
        case hypervisorMemory
        /// The host's stage 2 maps only pages the host may access.
        case hostMapping
        /// A page a guest owns privately is mapped nowhere else.
        case guestPrivacy
        /// Protected VMs own or share-own; non-protected VMs only borrow.
        case vmKind
        /// Mappings lie inside memory, are aligned and do not overlap.
        case mappingShape
        /// Loaded vCPUs agree between CPUs and VMs; lifecycle is respected.
        case vcpuLoading
        /// Spec's own bookkeeping (table pages, memcaches, roles).
        case bookkeeping
    }

    public var rule: Rule
    public var detail: String

    public init(_ rule: Rule, _ detail: String) {
        self.rule = rule
        self.detail = detail
    }

    public var description: String { "\(rule.rawValue): \(detail)" }
}

extension AbstractState {
    /// Every isolation invariant this state breaks (empty when it is sound).
    /// It needs only the abstract state, so it checks any machine's state.
    public func invariantViolations() -> [InvariantViolation] {
        var violations: [InvariantViolation] = []
        func fail(_ rule: InvariantViolation.Rule, _ detail: String) {
            violations.append(InvariantViolation(rule, detail))
        }
        let pageCount = pages.count
        // Per page: how many guest mappings own it (OWNED or SHARED_OWNED),
        // the VM of the last one, whether one is SHARED_OWNED or OWNED, and
        // how many borrow it. Flat arrays: this runs on every oracle check.
        var owningCount = Array(repeating: UInt32(0), count: pageCount)
        var owningVM = Array(repeating: -1, count: pageCount)
        var sharedByGuest = Array(repeating: false, count: pageCount)
        var ownedByGuest = Array(repeating: false, count: pageCount)
        var borrowed = Array(repeating: UInt32(0), count: pageCount)

        for (vmIndex, vm) in vms.enumerated() {
            var previousEnd: UInt64 = 0
            for (position, mapping) in vm.mappings.enumerated() {
                let name = "vm\(vmIndex) \(mapping)"
                if position > 0 && mapping.gfn < previousEnd { fail(.mappingShape, "\(name) overlaps the previous one") }
                previousEnd = mapping.gfn &+ UInt64(mapping.pages)
                guard mapping.pages == 1 || mapping.pages == UInt32(MachineConfig.blockPages) else {
                    fail(.mappingShape, "\(name) has an unsupported size")
                    continue
                }
                if mapping.pages != 1 && (mapping.gfn | mapping.pfn) % MachineConfig.blockPages != 0 {
                    fail(.mappingShape, "\(name) is a misaligned block")
                }
                guard mapping.pfn &+ UInt64(mapping.pages) <= UInt64(pageCount), mapping.pfn < UInt64(pageCount) else {
                    fail(.mappingShape, "\(name) lies outside memory")
                    continue
                }
                if vm.status == .uninitialised { fail(.vcpuLoading, "\(name) belongs to an uninitialised VM") }
                switch (vm.isProtected, mapping.state) {
                case (true, .owned), (true, .sharedOwned), (false, .sharedBorrowed): break
                default:
                    fail(.vmKind, "\(name) in a \(vm.isProtected ? "protected" : "non-protected") VM")
                }
                if mapping.state == .owned || mapping.state == .sharedOwned, mapping.pages != 1 {
                    fail(.mappingShape, "\(name): guest-owned memory is mapped by pages")
                }
                for page in Int(mapping.pfn)..<(Int(mapping.pfn) + Int(mapping.pages)) {
                    switch mapping.state {
                    case .owned, .sharedOwned:
                        owningCount[page] += 1
                        owningVM[page] = vmIndex
                        if mapping.state == .owned { ownedByGuest[page] = true } else { sharedByGuest[page] = true }
                    case .sharedBorrowed:
                        borrowed[page] += 1
                    case .noPage:
                        fail(.mappingShape, "\(name) is a NOPAGE leaf")
                    }
                }
            }
            if vm.status == .uninitialised && vm.vcpus.contains(where: \.initialised) {
                fail(.vcpuLoading, "vm\(vmIndex) is uninitialised but has initialised vCPUs")
            }
        }

        for (pfn, page) in pages.enumerated() {
            let name = "page 0x\(String(pfn, radix: 16))"
            let hostClaims = page.host == .owned || page.host == .sharedOwned
            let hypClaims = page.hyp == .owned
            let guestClaims = Int(owningCount[pfn])
            let claims = (hostClaims ? 1 : 0) + (hypClaims ? 1 : 0) + guestClaims
            if claims != 1 {
                fail(.ownership, "\(name) has \(claims) owners (host \(page.host), hyp \(page.hyp), \(guestClaims) guest)")
            } else {
                let agrees: Bool
                switch page.owner {
                case .host: agrees = hostClaims
                case .hypervisor: agrees = hypClaims
                case .guest(let vm): agrees = guestClaims == 1 && owningVM[pfn] == Int(vm.rawValue)
                }
                if !agrees { fail(.ownership, "\(name): owner \(page.owner) disagrees with the page states") }
            }
            // Sharing coherence.
            if (page.host == .sharedBorrowed) != sharedByGuest[pfn] {
                fail(.sharing, "\(name): host \(page.host) but \(sharedByGuest[pfn] ? "a" : "no") guest shares it")
            }
            if page.hyp == .sharedBorrowed && !(page.host == .sharedOwned && page.shareGuestCount == 0) {
                fail(.sharing, "\(name): hypervisor borrows a page the host has not shared with it alone")
            }
            if page.hyp == .sharedOwned { fail(.sharing, "\(name): the hypervisor never shares its own pages") }
            if page.host == .sharedOwned && page.hyp == .owned { fail(.sharing, "\(name): host shares a hyp page") }
            if page.shareGuestCount != borrowed[pfn] {
                fail(.shareCount, "\(name): share count \(page.shareGuestCount) but \(borrowed[pfn]) borrowing mappings")
            }
            if page.shareGuestCount > 0 && !(page.host == .sharedOwned && page.hyp == .noPage) {
                fail(.shareCount, "\(name): shared with guests but host \(page.host), hyp \(page.hyp)")
            }
            if page.pinCount > 0 && page.hyp != .sharedBorrowed {
                fail(.pinCount, "\(name): pinned \(page.pinCount) times but hyp \(page.hyp)")
            }
            // Hypervisor memory.
            if hypClaims && (page.host != .noPage || page.hostMapped || guestClaims > 0 || borrowed[pfn] > 0) {
                fail(.hypervisorMemory, "\(name) belongs to the hypervisor but is reachable from host or guest")
            }
            if page.hostMapped && page.host == .noPage {
                fail(.hostMapping, "\(name) is mapped in the host stage 2 but the host has no access")
            }
            if ownedByGuest[pfn]
                && (page.host != .noPage || page.hyp != .noPage || borrowed[pfn] > 0 || guestClaims != 1)
            {
                fail(.guestPrivacy, "\(name) is owned privately by a guest but reachable elsewhere")
            }
        }

        for (cpu, ref) in loadedVCPUs.enumerated() {
            guard let ref else { continue }
            let vm = Int(ref.vm.rawValue)
            guard vm < vms.count, Int(ref.vcpu) < vms[vm].vcpus.count else {
                fail(.vcpuLoading, "CPU \(cpu) has the unknown \(ref) loaded")
                continue
            }
            let vcpu = vms[vm].vcpus[Int(ref.vcpu)]
            if !vcpu.initialised || vcpu.loadedOn != UInt32(cpu) || vms[vm].status != .active {
                fail(.vcpuLoading, "CPU \(cpu) has \(ref) loaded, which is not consistently loaded there")
            }
        }
        for (vmIndex, vm) in vms.enumerated() {
            for (index, vcpu) in vm.vcpus.enumerated() {
                guard let cpu = vcpu.loadedOn else { continue }
                let ref = VCPURef(vm: VMID(UInt32(vmIndex)), vcpu: UInt32(index))
                if Int(cpu) >= loadedVCPUs.count || loadedVCPUs[Int(cpu)] != ref {
                    fail(.vcpuLoading, "\(ref) claims CPU \(cpu), which does not have it loaded")
                }
            }
        }
        return violations
    }
}
