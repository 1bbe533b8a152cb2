/// The implementation's handlers: one AArch64 routine per hypercall, fault
/// and IPI path. `source(variant:levels:)` is the assembly text; the
/// dispatcher (`Implementation`) puts the arguments in registers and runs it.
public enum Handler: String, CaseIterable, Hashable, Sendable {
    case hostShareHyp = "host_share_hyp"
    case hostUnshareHyp = "host_unshare_hyp"
    case hostDonateHyp = "host_donate_hyp"
    case hypDonateHost = "hyp_donate_host"
    case hostShareFFA = "host_share_ffa"
    case hostUnshareFFA = "host_unshare_ffa"
    case hypPin = "hyp_pin_shared_mem"
    case hypUnpin = "hyp_unpin_shared_mem"
    case hostTopupMemcache = "host_topup_memcache"
    case hostShareGuest = "host_share_guest"
    case hostUnshareGuest = "host_unshare_guest"
    case hostDonateGuest = "host_donate_guest"
    case hostReclaimPage = "host_reclaim_page"
    case guestMemShare = "guest_mem_share"
    case guestMemUnshare = "guest_mem_unshare"
    case guestMemRelinquish = "guest_mem_relinquish"
    case initVM = "init_vm"
    case initVCPU = "init_vcpu"
    case teardownVM = "teardown_vm"
    case vcpuLoad = "vcpu_load"
    case vcpuPut = "vcpu_put"
    case vcpuRun = "vcpu_run"
    case hostMemAbort = "host_mem_abort"
    case hostPageState = "host_page_state"
    case guestFault = "guest_fault"
    case guestSendSGI = "guest_send_sgi"
    case guestTakeSGI = "guest_take_sgi"
    case sendIPI = "send_ipi"
    case takeIPI = "take_ipi"

    /// The handler's assembly for `variant` on a stage 2 of `levels` levels.
    public func source(variant: Variant = .correct, levels: Int) -> String {
        var writer = AssemblyWriter(variant: variant, levels: levels)
        switch self {
        case .hostShareHyp: HostHypHandlers.hostShareHyp(&writer)
        case .hostUnshareHyp: HostHypHandlers.hostUnshareHyp(&writer)
        case .hostDonateHyp: HostHypHandlers.hostDonateHyp(&writer)
        case .hypDonateHost: HostHypHandlers.hypDonateHost(&writer)
        case .hostShareFFA: HostHypHandlers.hostShareFFA(&writer)
        case .hostUnshareFFA: HostHypHandlers.hostUnshareFFA(&writer)
        case .hypPin: HostHypHandlers.hypPin(&writer)
        case .hypUnpin: HostHypHandlers.hypUnpin(&writer)
        case .hostTopupMemcache: HostHypHandlers.hostTopupMemcache(&writer)
        case .hostShareGuest: GuestHandlers.hostShareGuest(&writer)
        case .hostUnshareGuest: GuestHandlers.hostUnshareGuest(&writer)
        case .hostDonateGuest: GuestHandlers.hostDonateGuest(&writer)
        case .hostReclaimPage: GuestHandlers.hostReclaimPage(&writer)
        case .guestMemShare: GuestHandlers.guestMemShare(&writer)
        case .guestMemUnshare: GuestHandlers.guestMemUnshare(&writer)
        case .guestMemRelinquish: GuestHandlers.guestMemRelinquish(&writer)
        case .initVM: LifecycleHandlers.initVM(&writer)
        case .initVCPU: LifecycleHandlers.initVCPU(&writer)
        case .teardownVM: LifecycleHandlers.teardownVM(&writer)
        case .vcpuLoad: LifecycleHandlers.vcpuLoad(&writer)
        case .vcpuPut: LifecycleHandlers.vcpuPut(&writer)
        case .vcpuRun: LifecycleHandlers.vcpuRun(&writer)
        case .hostMemAbort: FaultHandlers.hostMemAbort(&writer)
        case .hostPageState: FaultHandlers.hostPageState(&writer)
        case .guestFault: FaultHandlers.guestFault(&writer)
        case .guestSendSGI: IPIHandlers.guestSendSGI(&writer)
        case .guestTakeSGI: IPIHandlers.guestTakeSGI(&writer)
        case .sendIPI: IPIHandlers.sendIPI(&writer)
        case .takeIPI: IPIHandlers.takeIPI(&writer)
        }
        return writer.text
    }
}

/// Result codes of the non-hypercall handlers (in X0).
enum HandlerCode {
    // host_mem_abort, guest_fault
    static let mapped: UInt64 = 0
    static let spurious: UInt64 = 1
    static let injected: UInt64 = 2
    static let exitToHost: UInt64 = 3
    // IPIs
    static let pending: UInt64 = 0
    static let dropped: UInt64 = 1
    static let taken: UInt64 = 2
    static let notPending: UInt64 = 3
}
