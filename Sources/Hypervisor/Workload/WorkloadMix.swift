/// What a random workload is made of: a weight per kind of event.
public struct WorkloadMix: Hashable, Sendable {
    public enum Kind: Int, CaseIterable, Sendable {
        case guestRead, guestWrite, hostRead, hostWrite, hostFault, guestFault
        case shareGuest, unshareGuest, donateGuest, guestShare, guestUnshare, relinquish
        case shareHyp, unshareHyp, pin, unpin, shareFFA, unshareFFA, donateHyp, hypDonateHost
        case topup, switchVCPU, run, sendSGI, takeSGI, sendIPI, takeIPI
        case teardown, reclaim
        /// Arbitrary arguments from an arbitrary principal: bad pages, bad
        /// VMs, bad prot bits, vCPUs that are not loaded.
        case hostile
    }

    public var weights: [Kind: Int]

    public init(weights: [Kind: Int]) { self.weights = weights }

    /// A running system: mostly guest and host memory traffic, the memory
    /// hypercalls a VMM issues (sharing, donation, relinquish in balance),
    /// vCPU scheduling, IPIs; memcaches are topped up only when low (as the
    /// host does before a share or donation); no teardown.
    public static let realistic = WorkloadMix(weights: [
        .guestRead: 380, .guestWrite: 200, .hostRead: 150, .hostWrite: 80, .hostFault: 20, .guestFault: 15,
        .shareGuest: 22, .unshareGuest: 20, .donateGuest: 18, .guestShare: 7, .guestUnshare: 7, .relinquish: 20,
        .shareHyp: 4, .unshareHyp: 4, .pin: 2, .unpin: 2, .shareFFA: 2, .unshareFFA: 2, .donateHyp: 2,
        .hypDonateHost: 2, .switchVCPU: 5, .run: 10, .sendSGI: 8, .takeSGI: 8, .sendIPI: 4, .takeIPI: 4,
    ])

    /// Hypercall-heavy, with VM teardown, reclaim and hostile input: for
    /// property tests that want every transition exercised.
    public static let adversarial = WorkloadMix(weights: [
        .guestRead: 80, .guestWrite: 80, .hostRead: 60, .hostWrite: 40, .hostFault: 30, .guestFault: 20,
        .shareGuest: 60, .unshareGuest: 50, .donateGuest: 60, .guestShare: 40, .guestUnshare: 30, .relinquish: 30,
        .shareHyp: 20, .unshareHyp: 20, .pin: 15, .unpin: 15, .shareFFA: 15, .unshareFFA: 15, .donateHyp: 15,
        .hypDonateHost: 15, .topup: 20, .switchVCPU: 25, .run: 10, .sendSGI: 15, .takeSGI: 15, .sendIPI: 10,
        .takeIPI: 10, .teardown: 2, .reclaim: 40, .hostile: 60,
    ])
}
