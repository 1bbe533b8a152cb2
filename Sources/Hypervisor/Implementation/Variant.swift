/// The implementation's handler code: `correct`, or one small, realistic
/// change to it (DESIGN.md, "Variants"). Each variant changes the text the
/// handler generator emits at one place, named by `change`; `hvdiff
/// variants` lists them with the VRM condition each breaks.
public enum Variant: String, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    case correct
    case missingDSBAfterTLBI = "missing-dsb-after-tlbi"
    case missingDSBBeforeTLBI = "missing-dsb-before-tlbi"
    case tlbiBeforePTEWrite = "tlbi-before-pte-write"
    case localTLBI = "local-tlbi"
    case noBreakBeforeMake = "no-break-before-make"
    case plainUnlock = "plain-unlock"
    case unlockedOwnerCheck = "unlocked-owner-check"
    case scrubWithoutBarrier = "scrub-without-barrier"
    case missingDSBBeforeIPI = "missing-dsb-before-ipi"
    case hypTableShared = "hyp-table-shared"
    case remapHypMapping = "remap-hyp-mapping"

    /// The VRM program condition (SeKVM, SOSP 2021) a variant breaks.
    public enum Condition: String, Hashable, Sendable {
        case none = "-"
        case sequentialTLBInvalidation = "Sequential-TLB-Invalidation"
        case transactionalPageTable = "Transactional-Page-Table"
        case noBarrierMisuse = "No-Barrier-Misuse"
        case drfKernel = "DRF-Kernel"
        case memoryIsolation = "Memory-Isolation"
        case writeOnceKernelMapping = "Write-Once-Kernel-Mapping"
    }

    /// Where the bad outcome first shows: on SC already, or only on Arm.
    public enum Machine: String, Hashable, Sendable {
        case none = "-"
        case sc
        case arm
    }

    public var description: String { rawValue }

    /// Selects a variant by its name, as `hvdiff` and trace headers give it.
    public init?(named name: String) { self.init(rawValue: name) }

    public var condition: Condition {
        switch self {
        case .correct: return .none
        case .missingDSBAfterTLBI, .missingDSBBeforeTLBI, .tlbiBeforePTEWrite, .localTLBI:
            return .sequentialTLBInvalidation
        case .noBreakBeforeMake: return .transactionalPageTable
        case .plainUnlock, .scrubWithoutBarrier, .missingDSBBeforeIPI: return .noBarrierMisuse
        case .unlockedOwnerCheck: return .drfKernel
        case .hypTableShared: return .memoryIsolation
        case .remapHypMapping: return .writeOnceKernelMapping
        }
    }

    /// The machine on which DESIGN.md expects the variant to be caught.
    public var caughtOn: Machine {
        switch self {
        case .correct: return .none
        case .hypTableShared, .unlockedOwnerCheck, .remapHypMapping: return .sc
        default: return .arm
        }
    }

    /// What the variant changes in the correct handler code.
    public var change: String {
        switch self {
        case .correct: return "the reference handlers"
        case .missingDSBAfterTLBI:
            return "unmap: TLBI with no DSB ISH after it, before the page is handed on"
        case .missingDSBBeforeTLBI:
            return "unmap: no DSB ISHST between the invalidating descriptor write and the TLBI"
        case .tlbiBeforePTEWrite: return "unmap: invalidate first, then clear the entry"
        case .localTLBI: return "TLBI IPAS2E1 / VMALLE1 without the inner-shareable broadcast"
        case .noBreakBeforeMake:
            return "host block split: the table descriptor is written directly over the valid 2 MiB block, with no invalid entry and TLBI in between"
        case .plainUnlock: return "lock release as a plain STR, no release ordering"
        case .unlockedOwnerCheck:
            return "host_donate_hyp: page states checked before taking the host and hyp locks"
        case .scrubWithoutBarrier:
            return "reclaim/relinquish: page zeroed, then mapped to the host with no barrier between"
        case .missingDSBBeforeIPI: return "kick: reason written, then the SGI raised with no DSB"
        case .hypTableShared:
            return "hyp_donate_host: no check that the page holds no hypervisor state, so a stage-2 table page can go to the host"
        case .remapHypMapping:
            return "hyp_pin_shared_mem: the hypervisor rewrites its own mapping slot instead of writing a fresh one"
        }
    }
}
