/// Host <-> guest transitions (mem_protect.c): share, unshare, donate,
/// reclaim from the host side; MEM_SHARE / MEM_UNSHARE / MEM_RELINQUISH
/// from the guest. Locks in pKVM's order: host, then the VM.
enum GuestHandlers {
    typealias W = AssemblyWriter

    static let stateMaskClear: UInt64 = ~Stage2Descriptor.stateMask

    /// X16 := the page state in the leaf descriptor X16 (bits 55-56), in X15.
    static func leafState(_ w: inout W) {
        w.emit("LSR X15, X16, #\(Stage2Descriptor.stateShift)")
        w.emit("AND X15, X15, #3", "the leaf's page state")
    }

    /// X4 := physical address, X3 := page number of the leaf X16.
    static func leafPage(_ w: inout W) {
        w.emit("AND X4, X16, #0xfffffffff000", "output address")
        w.emit("LSR X3, X4, #12")
    }

    /// `__pkvm_host_share_guest(pfn = X0, gfn = X1, nr_pages = X2)` to the
    /// vCPU loaded here; X3: the leaf's attribute bits for prot (page or
    /// block); X7: the argument checks.
    static func hostShareGuest(_ w: inout W) {
        w.prologue("__pkvm_host_share_guest(pfn = X0, gfn = X1, nr_pages = X2, attributes = X3)")
        w.loadedVCPU(none: "einval")
        w.branchIfProtected(true, to: "einval")
        w.argumentCheck("X7", to: "ret")
        w.lock(W.hostLock)
        w.lockVM()
        w.emit("LDR X15, [X23, #\(Layout.VMField.pgd)]")
        w.emit("CMP X2, #1")
        w.emit("B.NE blockempty")
        w.walk(root: "X15", gfn: "X1", none: "empty", block: "eperm")
        w.emit("B eperm", "already mapped")
        w.label("blockempty")
        w.walk(root: "X15", gfn: "X1", toLevel: 2, none: "empty")
        w.emit("B eperm", "something mapped in the block's range")
        w.label("empty")
        w.forEachPage(first: "X0", count: "X2") { w in
            w.pageEntry("X30")
            let next = w.fresh("shareable")
            w.emit("LDRB W15, [X25, #\(Layout.PageField.hostState)]", "host state")
            w.emit("CBZ W15, \(next)", "OWNED")
            w.emit("CMP W15, #\(PageState.sharedOwned.rawValue)")
            w.emit("B.NE eperm")
            w.emit("LDR W16, [X25, #\(Layout.PageField.shareGuestCount)]")
            w.emit("ADD W17, W16, #1")
            w.emit("CBZ W17, ebusy", "count saturated")
            w.emit("CBZ W16, eperm", "shared, but not with guests")
            w.label(next)
        }
        w.emit("LDR X15, [X24, #\(Layout.VCPUField.memcachePages)]")
        w.emit("CMP X15, #\(w.levels - 1)", "enough for any walk?")
        w.emit("B.LO enomem")
        w.emit("LDR X15, [X23, #\(Layout.VMField.pgd)]")
        w.emit("CMP X2, #1")
        w.emit("B.NE mapblock")
        for leafLevel in [3, 2] {
            if leafLevel == 2 { w.label("mapblock") }
            w.walkCreating(root: "X15", gfn: "X1", leafLevel: leafLevel)
            countShares(&w)
            w.emit("LSL X16, X0, #12")
            w.emit("ORR X16, X16, X3", "leaf: SHARED_BORROWED, prot")
            w.mapGuestLeaf("X16", leafLevel: leafLevel)
            w.emit("B out")
        }
        w.label("eperm")
        w.fail(.eperm, to: "out")
        w.label("ebusy")
        w.fail(.ebusy, to: "out")
        w.label("enomem")
        w.fail(.enomem, to: "out")
        w.label("out")
        w.unlockVM()
        w.unlock(W.hostLock)
        w.emit("B ret")
        w.label("einval")
        w.emit("MOV X9, #\(Errno.einval.rawValue)")
        w.epilogue(ret: "ret")
    }

    /// Each page of [X0, X0 + X2): host SHARED_OWNED, one more guest share.
    private static func countShares(_ w: inout W) {
        w.forEachPage(first: "X0", count: "X2") { w in
            w.pageEntry("X30")
            w.setHost(.sharedOwned)
            w.emit("LDR W15, [X25, #\(Layout.PageField.shareGuestCount)]")
            w.emit("ADD W15, W15, #1")
            w.emit("STR W15, [X25, #\(Layout.PageField.shareGuestCount)]", "host_share_guest_count++")
        }
    }

    /// `__pkvm_host_unshare_guest(handle = X0, gfn = X1, nr_pages = X2)`.
    static func hostUnshareGuest(_ w: inout W) {
        w.prologue("__pkvm_host_unshare_guest(handle = X0, gfn = X1, nr_pages = X2)")
        w.vmLookup("X0", missing: "einval")
        w.branchIfProtected(true, to: "einval")
        w.argumentCheck("X7", to: "ret")
        w.lock(W.hostLock)
        w.lockVM()
        w.emit("LDR X15, [X23, #\(Layout.VMField.pgd)]")
        w.walk(root: "X15", gfn: "X1", none: "enoent", block: "block")
        for leafLevel in [3, 2] {
            if leafLevel == 2 { w.label("block") }
            w.emit("CMP X2, #\(leafLevel == 3 ? 1 : MachineConfig.blockPages)", "size of the mapping?")
            w.emit("B.NE e2big")
            leafState(&w)
            w.emit("CMP X15, #\(PageState.sharedBorrowed.rawValue)")
            w.emit("B.NE eperm")
            leafPage(&w)
            w.forEachPage(first: "X3", count: "X2") { w in
                w.pageEntry("X30")
                w.expectHost(.sharedOwned, to: "out")
                w.emit("LDR W15, [X25, #\(Layout.PageField.shareGuestCount)]")
                w.emit("CBZ W15, einvallocked", "not shared with a guest")
            }
            w.unmapGuestLeaf(leafLevel: leafLevel, gfn: "X1")
            w.forEachPage(first: "X3", count: "X2") { w in
                w.pageEntry("X30")
                let still = w.fresh("stillshared")
                w.emit("LDR W15, [X25, #\(Layout.PageField.shareGuestCount)]")
                w.emit("SUB W15, W15, #1")
                w.emit("STR W15, [X25, #\(Layout.PageField.shareGuestCount)]", "host_share_guest_count--")
                w.emit("CBNZ W15, \(still)")
                w.setHost(.owned)
                w.label(still)
            }
            w.emit("B out")
        }
        w.label("enoent")
        w.fail(.enoent, to: "out")
        w.label("e2big")
        w.fail(.e2big, to: "out")
        w.label("eperm")
        w.fail(.eperm, to: "out")
        w.label("einvallocked")
        w.fail(.einval, to: "out")
        w.label("out")
        w.unlockVM()
        w.unlock(W.hostLock)
        w.emit("B ret")
        w.label("einval")
        w.emit("MOV X9, #\(Errno.einval.rawValue)")
        w.epilogue(ret: "ret")
    }

    /// `__pkvm_host_donate_guest(pfn = X0, gfn = X1)` to the protected VM
    /// loaded here; X7: the memory-range check, X8: the IPA-range check.
    static func hostDonateGuest(_ w: inout W) {
        w.prologue("__pkvm_host_donate_guest(pfn = X0, gfn = X1)")
        w.loadedVCPU(none: "einval")
        w.branchIfProtected(false, to: "einval")
        w.argumentCheck("X7", to: "ret")
        w.lock(W.hostLock)
        w.lockVM()
        w.pageEntry("X0")
        w.expectHost(.owned, to: "out")
        w.argumentCheck("X8", to: "out")
        w.emit("LDR X15, [X23, #\(Layout.VMField.pgd)]")
        w.walk(root: "X15", gfn: "X1", none: "empty", block: "eperm")
        w.label("eperm")
        w.fail(.eperm, to: "out")
        w.label("empty")
        w.emit("LDR X15, [X24, #\(Layout.VCPUField.memcachePages)]")
        w.emit("CMP X15, #\(w.levels - 1)", "enough for any walk?")
        w.emit("B.HS enough")
        w.fail(.enomem, to: "out")
        w.label("enough")
        w.comment("the host loses the page first")
        w.pageEntry("X0")
        w.setGuestOwner()
        w.setHost(.noPage)
        w.hostUnmap("X0")
        w.emit("LDR X15, [X23, #\(Layout.VMField.pgd)]")
        w.walkCreating(root: "X15", gfn: "X1", leafLevel: 3)
        w.emit("LSL X16, X0, #12")
        w.emit("MOV X17, #\(Stage2Descriptor.page(pfn: 0, state: .owned, prot: .rwx))")
        w.emit("ORR X16, X16, X17", "leaf: OWNED, RWX")
        w.mapGuestLeaf("X16", leafLevel: 3)
        w.label("out")
        w.unlockVM()
        w.unlock(W.hostLock)
        w.emit("B ret")
        w.label("einval")
        w.emit("MOV X9, #\(Errno.einval.rawValue)")
        w.epilogue(ret: "ret")
    }

    /// `__pkvm_reclaim_dying_guest_page(handle = X0, gfn = X1)`: a page the
    /// guest owned comes back zeroed, one it shared comes back as it is.
    static func hostReclaimPage(_ w: inout W) {
        w.prologue("__pkvm_reclaim_dying_guest_page(handle = X0, gfn = X1)")
        w.vmLookup("X0", missing: "einval")
        w.emit("LDR X15, [X23, #\(Layout.VMField.status)]")
        w.emit("CMP X15, #\(Layout.statusDying)", "dying?")
        w.emit("B.NE einval")
        w.argumentCheck("X7", to: "ret")
        w.lock(W.hostLock)
        w.lockVM()
        w.emit("LDR X15, [X23, #\(Layout.VMField.pgd)]")
        w.walk(root: "X15", gfn: "X1", none: "enoent", block: "e2big")
        leafState(&w)
        leafPage(&w)
        w.emit("MOV X2, X15", "keep the state")
        w.emit("CMP X15, #\(PageState.sharedOwned.rawValue)")
        w.emit("B.EQ unmap", "shared with the host: keeps its content")
        w.emit("CBNZ X15, eperm")
        w.label("unmap")
        w.comment("the guest loses the page first, then it is scrubbed")
        w.unmapGuestLeaf(leafLevel: 3, gfn: "X1")
        w.emit("CBNZ X2, give")
        w.zeroPage("X4")
        w.label("give")
        w.giveToHost("X3", barrier: w.variant != .scrubWithoutBarrier)
        w.emit("B out")
        w.label("enoent")
        w.fail(.enoent, to: "out")
        w.label("e2big")
        w.fail(.e2big, to: "out")
        w.label("eperm")
        w.fail(.eperm, to: "out")
        w.label("out")
        w.unlockVM()
        w.unlock(W.hostLock)
        w.emit("B ret")
        w.label("einval")
        w.emit("MOV X9, #\(Errno.einval.rawValue)")
        w.epilogue(ret: "ret")
    }

    /// The common start of the guest hypercalls on the IPA page X1: locks,
    /// the walk (-ENOENT, -E2BIG), the leaf (X22, X16), its page (X4, X3).
    private static func guestLeaf(_ w: inout W, _ what: String, none: String = "enoent") {
        w.prologue(what)
        w.loadedVCPU(none: "ret")
        w.argumentCheck("X7", to: "ret")
        w.lock(W.hostLock)
        w.lockVM()
        w.emit("LDR X15, [X23, #\(Layout.VMField.pgd)]")
        w.walk(root: "X15", gfn: "X1", none: none, block: "e2big")
    }

    private static func guestEnd(_ w: inout W) {
        w.emit("B out")
        w.label("enoent")
        w.fail(.enoent, to: "out")
        w.label("e2big")
        w.fail(.e2big, to: "out")
        w.label("eperm")
        w.fail(.eperm, to: "out")
        w.label("out")
        w.unlockVM()
        w.unlock(W.hostLock)
        w.epilogue(ret: "ret")
    }

    /// MEM_SHARE (`__pkvm_guest_share_host`, gfn = X1).
    static func guestMemShare(_ w: inout W) {
        guestLeaf(&w, "__pkvm_guest_share_host(gfn = X1)")
        leafState(&w)
        w.emit("CBNZ X15, eperm", "the guest must own it")
        leafPage(&w)
        w.pageEntry("X3")
        w.expectHost(.noPage, to: "out")
        w.emit("AND X17, X16, #\(stateMaskClear)")
        w.emit("ORR X17, X17, #\(UInt64(PageState.sharedOwned.rawValue) << Stage2Descriptor.stateShift)", "SHARED_OWNED")
        w.replaceLeaf("X22", with: "X17", gfn: "X1")
        w.pageEntry("X3")
        w.setHost(.sharedBorrowed)
        w.emit("DSB ISHST")
        w.hostMap("X3")
        guestEnd(&w)
    }

    /// MEM_UNSHARE (`__pkvm_guest_unshare_host`, gfn = X1).
    static func guestMemUnshare(_ w: inout W) {
        guestLeaf(&w, "__pkvm_guest_unshare_host(gfn = X1)")
        leafState(&w)
        w.emit("CMP X15, #\(PageState.sharedOwned.rawValue)")
        w.emit("B.NE eperm")
        leafPage(&w)
        w.pageEntry("X3")
        w.expectHost(.sharedBorrowed, to: "out")
        w.emit("MOV X2, X22", "keep the guest leaf")
        w.emit("MOV X0, X16")
        w.comment("the host loses the page first")
        w.setGuestOwner()
        w.setHost(.noPage)
        w.hostUnmap("X3")
        w.emit("AND X17, X0, #\(stateMaskClear)", "OWNED")
        w.replaceLeaf("X2", with: "X17", gfn: "X1")
        guestEnd(&w)
    }

    /// MEM_RELINQUISH (`__pkvm_guest_relinquish_to_host`, gfn = X1):
    /// returns the physical address given back (0 if nothing was mapped).
    static func guestMemRelinquish(_ w: inout W) {
        guestLeaf(&w, "__pkvm_guest_relinquish_to_host(gfn = X1)", none: "out")
        leafState(&w)
        w.emit("CBNZ X15, eperm", "the guest must own it")
        leafPage(&w)
        w.pageEntry("X3")
        w.emit("LDRH W15, [X25, #\(Layout.PageField.pinCount)]", "pinned for DMA?")
        w.emit("CBZ W15, unpinned")
        w.fail(.ebusy, to: "out")
        w.label("unpinned")
        w.comment("the guest loses the page first, then it is scrubbed")
        w.unmapGuestLeaf(leafLevel: 3, gfn: "X1")
        w.zeroPage("X4")
        w.giveToHost("X3", barrier: w.variant != .scrubWithoutBarrier)
        w.emit("MOV X10, X4", "returns the physical address")
        guestEnd(&w)
    }
}
