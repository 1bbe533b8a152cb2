/// The words the text form uses for enum values: lower case, without the
/// schema's prefixes, one table per enum so that printing and parsing agree.
/// UNSPECIFIED values have no word: the text form leaves such fields out.
struct TextNames<Value: Hashable>: Sendable where Value: Sendable {
    let what: String
    private let nameOf: [Value: String]
    private let valueOf: [String: Value]

    init(_ what: String, _ pairs: KeyValuePairs<Value, String>) {
        self.what = what
        var nameOf: [Value: String] = [:]
        var valueOf: [String: Value] = [:]
        for (value, name) in pairs {
            nameOf[value] = name
            valueOf[name] = value
        }
        self.nameOf = nameOf
        self.valueOf = valueOf
    }

    func name(_ value: Value) -> String? { nameOf[value] }
    func value(_ name: String) -> Value? { valueOf[name] }
    var allNames: [String] { valueOf.keys.sorted() }
}

enum Names {
    static let hypercall = TextNames<TraceHypercallNumber>("hypercall", [
        .hcHostShareHyp: "host_share_hyp", .hcHostUnshareHyp: "host_unshare_hyp",
        .hcHostShareGuest: "host_share_guest", .hcHostUnshareGuest: "host_unshare_guest",
        .hcHostDonateGuest: "host_donate_guest", .hcHostReclaimPage: "host_reclaim_page",
        .hcHostDonateHyp: "host_donate_hyp", .hcHypDonateHost: "hyp_donate_host",
        .hcHostShareFfa: "host_share_ffa", .hcHostUnshareFfa: "host_unshare_ffa",
        .hcHypPinSharedMem: "hyp_pin_shared_mem", .hcHypUnpinSharedMem: "hyp_unpin_shared_mem",
        .hcInitVm: "init_vm", .hcInitVcpu: "init_vcpu", .hcTeardownVm: "teardown_vm",
        .hcVcpuLoad: "vcpu_load", .hcVcpuPut: "vcpu_put", .hcVcpuRun: "vcpu_run",
        .hcGuestMemShare: "guest_mem_share", .hcGuestMemUnshare: "guest_mem_unshare",
        .hcGuestMemRelinquish: "guest_mem_relinquish",
    ])
    static let space = TextNames<TraceAddressSpace>("address space", [.spaceIpa: "ipa", .spacePa: "pa"])
    static let op = TextNames<TraceAccessOp>("access op", [.opRead: "read", .opWrite: "write"])
    static let outcome = TextNames<TraceAccessOutcome>("outcome", [.outcomeOk: "ok", .outcomeFault: "fault"])
    static let resolution = TextNames<TraceFaultResolution>("resolution", [
        .resolutionMapped: "mapped", .resolutionExitToHost: "exit_to_host",
        .resolutionInjected: "injected", .resolutionSpurious: "spurious",
    ])
    static let exitReason = TextNames<TraceExitReason>("exit reason", [
        .exitHypercall: "hypercall", .exitStage2Fault: "stage2_fault", .exitIrq: "irq",
        .exitWfx: "wfx", .exitSysreg: "sysreg", .exitOther: "other",
    ])
    static let order = TextNames<TraceMemoryOrder>("memory order", [
        .orderPlain: "plain", .orderRelease: "release", .orderAcquire: "acquire",
    ])
    static let barrier = TextNames<TraceBarrierKind>("barrier", [.barrierDmb: "dmb", .barrierDsb: "dsb", .barrierIsb: "isb"])
    static let domain = TextNames<TraceBarrierDomain>("barrier domain", [
        .domainSy: "sy", .domainSt: "st", .domainLd: "ld", .domainIsh: "ish", .domainIshst: "ishst",
        .domainIshld: "ishld", .domainNsh: "nsh", .domainNshst: "nshst", .domainNshld: "nshld",
        .domainOsh: "osh", .domainOshst: "oshst", .domainOshld: "oshld",
    ])
    static let tlbi = TextNames<TraceTlbiOp>("TLBI operation", [
        .tlbiVmalls12E1: "vmalls12e1", .tlbiVmalls12E1Is: "vmalls12e1is", .tlbiVmalle1: "vmalle1",
        .tlbiVmalle1Is: "vmalle1is", .tlbiAlle1: "alle1", .tlbiAlle1Is: "alle1is", .tlbiAlle2: "alle2",
        .tlbiAlle2Is: "alle2is", .tlbiVae1: "vae1", .tlbiVae1Is: "vae1is", .tlbiVae2: "vae2",
        .tlbiVae2Is: "vae2is", .tlbiIpas2E1: "ipas2e1", .tlbiIpas2E1Is: "ipas2e1is", .tlbiVale1: "vale1",
        .tlbiVale1Is: "vale1is", .tlbiIpas2Le1: "ipas2le1", .tlbiIpas2Le1Is: "ipas2le1is",
    ])
    static let sysreg = TextNames<TraceSysreg>("system register", [
        .vttbrEl2: "vttbr_el2", .ttbr0El2: "ttbr0_el2", .ttbr0El1: "ttbr0_el1",
        .vtcrEl2: "vtcr_el2",
    ])
    static let hint = TextNames<TraceHintKind>("hint", [
        .hintSetRootLock: "set_root_lock", .hintSetOwnerRoot: "set_owner_root",
        .hintReleaseTable: "release_table", .hintSetPteThreadOwner: "set_pte_thread_owner",
    ])
    static let lock = TextNames<TraceLockKind>("lock operation", [
        .lockAcquire: "acquire", .lockTryAcquire: "try_acquire", .lockRelease: "release",
    ])

    /// Linux errno values pKVM returns, by name, for hypercall results.
    static let errno: [(name: String, value: Int64)] = [
        ("EPERM", 1), ("ENOENT", 2), ("E2BIG", 7), ("EAGAIN", 11), ("ENOMEM", 12),
        ("EBUSY", 16), ("EINVAL", 22),
    ]
}
