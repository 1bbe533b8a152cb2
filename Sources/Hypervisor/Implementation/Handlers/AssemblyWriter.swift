/// Builds one handler's AArch64 assembly text, line by line, with fresh
/// labels and the building blocks every handler shares (locks, vmemmap
/// access, stage-2 walks, break-before-make, TLB invalidation, scrubbing).
/// The variant changes exactly one of these blocks (see `Variant.change`).
///
/// Register conventions of every handler (the dispatcher sets them):
///   X0-X4   arguments               X5   VM index (set by the VM lookups)
///   X6      this CPU                X7, X8  argument-check results
///   X9      result (0 or errno)     X10  returned value
///   X11-X18 scratch                 X19-X22 entry address at level 0-3
///   X23     VM metadata page        X24  vCPU metadata page
///   X25     vmemmap entry           X26  vmemmap base
///   X27     carve-out base          X28  VM table base
///   X29, X30 loop scratch and the VM-table slot
/// A handler returns X0 = 0 or a positive errno (the dispatcher negates it)
/// and X1 = the returned value.
struct AssemblyWriter {
    let variant: Variant
    let levels: Int
    private(set) var lines: [String] = []
    private var counter = 0

    init(variant: Variant, levels: Int) {
        self.variant = variant
        self.levels = levels
    }

    var startLevel: Int { 4 - levels }
    var text: String { lines.joined(separator: "\n") + "\n" }

    mutating func fresh(_ base: String) -> String {
        counter += 1
        return "\(base)_\(counter)"
    }

    mutating func emit(_ instruction: String, _ comment: String? = nil) {
        if let comment {
            let pad = String(repeating: " ", count: max(1, 30 - instruction.count))
            lines.append("    " + instruction + pad + "// " + comment)
        } else {
            lines.append("    " + instruction)
        }
    }

    mutating func label(_ name: String) { lines.append("\(name):") }
    mutating func comment(_ text: String) { lines.append("    // " + text) }

    // MARK: Results

    mutating func fail(_ errno: Errno, to target: String) {
        emit("MOV X9, #\(errno.rawValue)", errno.description)
        emit("B \(target)")
    }

    mutating func result(_ code: UInt64, to target: String, _ what: String) {
        emit("MOV X9, #\(code)", what)
        emit("B \(target)")
    }

    /// The common prologue: result 0, value 0.
    mutating func prologue(_ what: String) {
        lines.append("// \(what)")
        emit("MOV X9, #0")
        emit("MOV X10, #0")
    }

    /// The common epilogue label: results into X0/X1.
    mutating func epilogue(ret: String) {
        label(ret)
        emit("MOV X0, X9")
        emit("MOV X1, X10")
    }

    /// If an argument check (computed by the dispatcher into `register`)
    /// failed, its errno is the result.
    mutating func argumentCheck(_ register: String, to target: String) {
        let ok = fresh("argok")
        emit("CBZ \(register), \(ok)", "argument check passed?")
        emit("MOV X9, \(register)")
        emit("B \(target)")
        label(ok)
    }

    // MARK: Locks (CASA spin, STLR release)

    typealias Lock = (offset: UInt64, name: String)
    static let hostLock: Lock = (Layout.hostLockOffset, "host")
    static let hypLock: Lock = (Layout.hypLockOffset, "hyp")
    static let vmTableLock: Lock = (Layout.vmTableLockOffset, "VM-table")

    /// Takes a global lock word (at X27 + offset).
    mutating func lock(_ lock: Lock) {
        emit("ADD X11, X27, #\(lock.offset)", "\(lock.name) lock")
        lockAt("X11", name: lock.name)
    }

    mutating func unlock(_ lock: Lock) {
        emit("ADD X11, X27, #\(lock.offset)", "\(lock.name) lock")
        unlockAt("X11")
    }

    /// The per-VM lock, word 0 of the VM metadata page (X23).
    mutating func lockVM() { lockAt("X23", name: "VM") }
    mutating func unlockVM() { unlockAt("X23") }

    /// Each lock is taken once per handler, so its spin label is named
    /// after it (and does not shift the other labels when it moves).
    private mutating func lockAt(_ address: String, name: String) {
        let retry = "spin_" + String(name.map { $0 == "-" ? "_" : $0 })
        emit("MOV W12, #1")
        label(retry)
        emit("MOV W13, #0")
        emit("CASA W13, W12, [\(address)]", "0 -> 1, acquire")
        emit("CBNZ W13, \(retry)", "held: spin")
    }

    private mutating func unlockAt(_ address: String) {
        if variant == .plainUnlock {
            emit("STR WZR, [\(address)]", "release as a plain store")
        } else {
            emit("STLR WZR, [\(address)]", "release")
        }
    }

    // MARK: Metadata

    /// X25 := the vmemmap entry of the page whose number is in `pfn`.
    mutating func pageEntry(_ pfn: String) {
        emit("ADD X25, X26, \(pfn), LSL #4", "vmemmap entry")
    }

    /// Fails unless the byte field at X25 + offset equals `value`.
    mutating func expectByte(_ offset: UInt64, _ value: UInt8, _ what: String, else errno: Errno, to target: String) {
        emit("LDRB W15, [X25, #\(offset)]", what)
        emit("CMP W15, #\(value)")
        let ok = fresh("ok")
        emit("B.EQ \(ok)")
        fail(errno, to: target)
        label(ok)
    }

    mutating func expectHost(_ state: PageState, else errno: Errno = .eperm, to target: String) {
        expectByte(Layout.PageField.hostState, state.rawValue, "host state \(state)?", else: errno, to: target)
    }

    mutating func expectHyp(_ state: PageState, else errno: Errno = .eperm, to target: String) {
        expectByte(Layout.PageField.hypState, state.rawValue, "hyp state \(state)?", else: errno, to: target)
    }

    mutating func setHost(_ state: PageState) {
        emit("MOV W15, #\(state.rawValue)")
        emit("STRB W15, [X25, #\(Layout.PageField.hostState)]", "host: \(state)")
    }

    mutating func setHyp(_ state: PageState) {
        emit("MOV W15, #\(state.rawValue)")
        emit("STRB W15, [X25, #\(Layout.PageField.hypState)]", "hyp: \(state)")
    }

    mutating func setRole(_ role: HypRole) {
        emit("MOV W15, #\(role.rawValue)")
        emit("STRB W15, [X25, #\(Layout.PageField.role)]", "role: \(role)")
    }

    /// Owner 0 host, 1 hyp; `guestOwner` uses 2 + X5 (the VM index).
    mutating func setOwner(_ owner: UInt8) {
        emit("MOV W15, #\(owner)")
        emit("STRH W15, [X25, #\(Layout.PageField.owner)]", owner == 0 ? "owner: host" : "owner: hyp")
    }

    mutating func setGuestOwner() {
        emit("ADD W15, W5, #2")
        emit("STRH W15, [X25, #\(Layout.PageField.owner)]", "owner: the guest")
    }

    /// X5 := VM index, X29 := its VM-table slot, X23 := its metadata page;
    /// branches to `missing` if the index is out of range or not in the table.
    mutating func vmLookup(_ index: String, missing: String) {
        emit("LDR X11, [X27, #\(Layout.vmCountOffset)]", "VMs")
        emit("CMP \(index), X11")
        emit("B.HS \(missing)")
        emit("MOV X5, \(index)")
        emit("ADD X29, X28, X5, LSL #5", "VM-table slot")
        emit("LDR X23, [X29]", "VM metadata page")
        emit("CBZ X23, \(missing)", "not in the table")
    }

    /// X11 := this CPU's per-CPU area.
    mutating func perCPU() {
        emit("ADD X11, X27, #\(Layout.perCPUOffset)")
        emit("ADD X11, X11, X6, LSL #5", "this CPU's area")
    }

    /// The vCPU loaded on this CPU: X5 VM index, X14 vCPU index, X29 slot,
    /// X23 VM, X24 vCPU; branches to `none` if there is none.
    mutating func loadedVCPU(none: String) {
        perCPU()
        emit("LDR X12, [X11]", "loaded vCPU + 1")
        emit("CBZ X12, \(none)")
        emit("SUB X12, X12, #1")
        emit("LSR X5, X12, #32", "VM index")
        emit("AND X14, X12, #0xffffffff", "vCPU index")
        emit("ADD X29, X28, X5, LSL #5")
        emit("LDR X23, [X29]")
        emit("LDR X15, [X29, #8]", "vCPU slots")
        emit("LDR X24, [X15, X14, LSL #3]")
    }

    /// Branches to `target` if the VM in X29's slot is (or is not) protected.
    mutating func branchIfProtected(_ protected: Bool, to target: String) {
        emit("LDR X15, [X29, #24]", "protected?")
        emit(protected ? "CBNZ X15, \(target)" : "CBZ X15, \(target)")
    }

    /// A loop over `count` pages from `first`: X30 is the page number in
    /// the body, X29 the index (the body may not clobber them).
    mutating func forEachPage(first: String, count: String, _ body: (inout AssemblyWriter) -> Void) {
        let top = fresh("page")
        let end = fresh("pages_done")
        emit("MOV X29, #0")
        label(top)
        emit("CMP X29, \(count)")
        emit("B.HS \(end)")
        emit("ADD X30, \(first), X29", "this page")
        body(&self)
        emit("ADD X29, X29, #1")
        emit("B \(top)")
        label(end)
    }

    // MARK: Scrubbing

    /// Zeroes the 4 KiB page whose physical address is in `page` (clobbers
    /// X17, X18): 256 bytes (16 STP of XZR) per iteration.
    mutating func zeroPage(_ page: String) {
        let loop = fresh("zero")
        emit("MOV X18, #0")
        label(loop)
        emit("ADD X17, \(page), X18")
        for offset in stride(from: 0, to: 256, by: 16) {
            emit(offset == 0 ? "STP XZR, XZR, [X17]" : "STP XZR, XZR, [X17, #\(offset)]")
        }
        emit("ADD X18, X18, #256")
        emit("CMP X18, #4096")
        emit("B.LO \(loop)")
    }

    // MARK: TLB maintenance

    /// The invalidation after a stage-2 entry for the IPA page in `gfn`
    /// was cleared: complete the write, invalidate by IPA and all stage-1
    /// entries of the VMID, complete, synchronise.
    mutating func invalidate(_ gfn: String) {
        let broadcast = variant != .localTLBI
        if variant != .missingDSBBeforeTLBI { emit("DSB ISHST", "the cleared entry is visible to walkers") }
        emit("TLBI \(broadcast ? "IPAS2E1IS" : "IPAS2E1"), \(gfn)")
        if variant != .missingDSBAfterTLBI { emit("DSB ISH") }
        emit("TLBI \(broadcast ? "VMALLE1IS" : "VMALLE1")")
        if variant != .missingDSBAfterTLBI { emit("DSB ISH", "invalidation complete") }
        emit("ISB")
    }

    /// Clears the entry at `entry` and invalidates the IPA page in `gfn`.
    mutating func breakEntry(_ entry: String, gfn: String) {
        if variant == .tlbiBeforePTEWrite {
            invalidate(gfn)
            emit("STR XZR, [\(entry)]", "break: entry invalid")
        } else {
            emit("STR XZR, [\(entry)]", "break: entry invalid")
            invalidate(gfn)
        }
    }

    /// Replaces the valid leaf at `entry` by `new` (break-before-make), as
    /// pKVM's `stage2_try_break_pte` does for any valid-to-valid change.
    /// The guest MEM_SHARE / MEM_UNSHARE replacements that use it change
    /// only the page-state software bits, which the architecture allows
    /// without break-before-make (no output address, memory type or
    /// shareability change: no pair in aarch64.cat's TTD-update-needsBBM), so
    /// `no-break-before-make` leaves them alone: a direct write here could
    /// never be told from `correct`. The variant's change is the host block
    /// split (`splitHostBlock`), whose block-to-table replacement changes
    /// the output address.
    mutating func replaceLeaf(_ entry: String, with new: String, gfn: String) {
        breakEntry(entry, gfn: gfn)
        emit("STR \(new), [\(entry)]", "make")
    }

    // MARK: Host ownership (the host stage 2 itself: AssemblyWriter+HostStage2)

    /// The page `pfn` goes back to the host (`host_stage2_set_owner_locked`
    /// to the host): owned, and mapped at once. `barrier`: a DSB ISHST
    /// first, so that earlier stores to the page (scrubbing) are complete
    /// before the host can reach it.
    mutating func giveToHost(_ pfn: String, barrier: Bool = true) {
        pageEntry(pfn)
        setOwner(0)
        setHost(.owned)
        if barrier {
            emit("DSB ISHST", "scrubbing and states complete before the host maps it")
        } else {
            comment("no barrier between the scrubbing stores and the host mapping")
        }
        hostMap(pfn)
    }

    /// The host donates the page `pfn` to the hypervisor for `role`
    /// (checked by the caller): hyp owns it, the host loses its mapping.
    mutating func takeDonation(_ pfn: String, role: HypRole) {
        pageEntry(pfn)
        setHyp(.owned)
        setRole(role)
        setOwner(1)
        setHost(.noPage)
        hostUnmap(pfn)
    }

    /// `unmap_donated_memory`: the page `pfn` is zeroed and goes back to
    /// the host.
    mutating func returnDonation(_ pfn: String) {
        emit("LSL X16, \(pfn), #12")
        zeroPage("X16")
        pageEntry(pfn)
        setRole(.none)
        setHyp(.noPage)
        giveToHost(pfn)
    }

    /// Fails with `errno` unless the page `pfn` can be donated by the host
    /// (host OWNED, hyp NOPAGE).
    mutating func expectDonatable(_ pfn: String, else errno: Errno, to target: String) {
        pageEntry(pfn)
        expectHost(.owned, else: errno, to: target)
        expectHyp(.noPage, else: errno, to: target)
    }

    /// `hyp_pin_shared_mem` on `pfn` (host SHARED_OWNED, hyp SHARED_BORROWED,
    /// refcount below 0xffff); `errno` overrides the failure codes if given.
    mutating func pin(_ pfn: String, else errno: Errno? = nil, to target: String) {
        pageEntry(pfn)
        expectHost(.sharedOwned, else: errno ?? .eperm, to: target)
        expectHyp(.sharedBorrowed, else: errno ?? .eperm, to: target)
        emit("LDRH W15, [X25, #\(Layout.PageField.pinCount)]")
        emit("MOV W16, #0xffff")
        emit("CMP W15, W16", "u16 refcount saturated?")
        let ok = fresh("pinnable")
        emit("B.NE \(ok)")
        fail(errno ?? .ebusy, to: target)
        label(ok)
        emit("ADD W15, W15, #1")
        emit("STRH W15, [X25, #\(Layout.PageField.pinCount)]", "pinned")
    }

    mutating func unpin(_ pfn: String) {
        pageEntry(pfn)
        emit("LDRH W15, [X25, #\(Layout.PageField.pinCount)]")
        emit("SUB W15, W15, #1")
        emit("STRH W15, [X25, #\(Layout.PageField.pinCount)]", "unpinned")
    }
}
