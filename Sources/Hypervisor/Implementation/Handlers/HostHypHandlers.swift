/// Host <-> hypervisor transitions (mem_protect.c): share, unshare, donate,
/// FF-A share, pin, and the memcache top-up. Page states live in the
/// vmemmap; the host's stage 2 is updated with break-before-make.
enum HostHypHandlers {
    typealias W = AssemblyWriter

    /// `__pkvm_host_share_hyp(pfn = X0)`; X7: the memory-range check.
    static func hostShareHyp(_ w: inout W) {
        w.prologue("__pkvm_host_share_hyp(pfn = X0)")
        w.argumentCheck("X7", to: "ret")
        w.lock(W.hostLock)
        w.lock(W.hypLock)
        w.pageEntry("X0")
        w.expectHost(.owned, to: "out")
        w.expectHyp(.noPage, to: "out")
        w.setHyp(.sharedBorrowed)
        w.setHost(.sharedOwned)
        w.label("out")
        w.unlock(W.hypLock)
        w.unlock(W.hostLock)
        w.epilogue(ret: "ret")
    }

    /// `__pkvm_host_unshare_hyp(pfn = X0)`: -EBUSY while pinned.
    static func hostUnshareHyp(_ w: inout W) {
        w.prologue("__pkvm_host_unshare_hyp(pfn = X0)")
        w.argumentCheck("X7", to: "ret")
        w.lock(W.hostLock)
        w.lock(W.hypLock)
        w.pageEntry("X0")
        w.expectHost(.sharedOwned, to: "out")
        w.expectHyp(.sharedBorrowed, to: "out")
        w.emit("LDRH W15, [X25, #\(Layout.PageField.pinCount)]", "pinned?")
        w.emit("CBZ W15, unpinned")
        w.fail(.ebusy, to: "out")
        w.label("unpinned")
        w.setHyp(.noPage)
        w.setHost(.owned)
        w.label("out")
        w.unlock(W.hypLock)
        w.unlock(W.hostLock)
        w.epilogue(ret: "ret")
    }

    /// `__pkvm_host_donate_hyp(pfn = X0, nr_pages = X1)`. The variant
    /// `unlocked-owner-check` checks the page states before taking the locks.
    static func hostDonateHyp(_ w: inout W) {
        w.prologue("__pkvm_host_donate_hyp(pfn = X0, nr_pages = X1)")
        w.argumentCheck("X7", to: "ret")
        let unlockedCheck = w.variant == .unlockedOwnerCheck
        if !unlockedCheck {
            w.lock(W.hostLock)
            w.lock(W.hypLock)
        }
        let failTo = unlockedCheck ? "ret" : "out"
        w.forEachPage(first: "X0", count: "X1") { w in
            w.pageEntry("X30")
            w.expectHost(.owned, to: failTo)
        }
        w.forEachPage(first: "X0", count: "X1") { w in
            w.pageEntry("X30")
            w.expectHyp(.noPage, to: failTo)
        }
        if unlockedCheck {
            w.comment("checked above without the locks")
            w.lock(W.hostLock)
            w.lock(W.hypLock)
        }
        w.forEachPage(first: "X0", count: "X1") { w in
            w.takeDonation("X30", role: .none)
        }
        w.label("out")
        w.unlock(W.hypLock)
        w.unlock(W.hostLock)
        w.epilogue(ret: "ret")
    }

    /// `__pkvm_hyp_donate_host(pfn = X0, nr_pages = X1)`: refuses (-EBUSY)
    /// pages that hold hypervisor state. The variant `hyp-table-shared`
    /// drops that check.
    static func hypDonateHost(_ w: inout W) {
        w.prologue("__pkvm_hyp_donate_host(pfn = X0, nr_pages = X1)")
        w.argumentCheck("X7", to: "ret")
        w.lock(W.hostLock)
        w.lock(W.hypLock)
        w.forEachPage(first: "X0", count: "X1") { w in
            w.pageEntry("X30")
            w.expectHyp(.owned, to: "out")
        }
        w.forEachPage(first: "X0", count: "X1") { w in
            w.pageEntry("X30")
            w.expectHost(.noPage, to: "out")
        }
        if w.variant != .hypTableShared {
            w.forEachPage(first: "X0", count: "X1") { w in
                w.pageEntry("X30")
                w.expectByte(Layout.PageField.role, HypRole.none.rawValue, "holds no hypervisor state?",
                             else: .ebusy, to: "out")
            }
        }
        w.forEachPage(first: "X0", count: "X1") { w in
            w.pageEntry("X30")
            w.setHyp(.noPage)
            w.setRole(.none)
            w.giveToHost("X30")
        }
        w.label("out")
        w.unlock(W.hypLock)
        w.unlock(W.hostLock)
        w.epilogue(ret: "ret")
    }

    /// `__pkvm_host_share_ffa(pfn = X0, nr_pages = X1)`.
    static func hostShareFFA(_ w: inout W) {
        w.prologue("__pkvm_host_share_ffa(pfn = X0, nr_pages = X1)")
        w.argumentCheck("X7", to: "ret")
        w.lock(W.hostLock)
        w.forEachPage(first: "X0", count: "X1") { w in
            w.pageEntry("X30")
            w.expectHost(.owned, to: "out")
        }
        w.forEachPage(first: "X0", count: "X1") { w in
            w.pageEntry("X30")
            w.setHost(.sharedOwned)
        }
        w.label("out")
        w.unlock(W.hostLock)
        w.epilogue(ret: "ret")
    }

    /// `__pkvm_host_unshare_ffa(pfn = X0, nr_pages = X1)`: only pages shared
    /// with nobody else (not the hypervisor, no guest).
    static func hostUnshareFFA(_ w: inout W) {
        w.prologue("__pkvm_host_unshare_ffa(pfn = X0, nr_pages = X1)")
        w.argumentCheck("X7", to: "ret")
        w.lock(W.hostLock)
        w.lock(W.hypLock)
        w.forEachPage(first: "X0", count: "X1") { w in
            w.pageEntry("X30")
            w.expectHost(.sharedOwned, to: "out")
        }
        w.forEachPage(first: "X0", count: "X1") { w in
            w.pageEntry("X30")
            w.expectHyp(.noPage, to: "out")
            w.emit("LDR W15, [X25, #\(Layout.PageField.shareGuestCount)]", "shared with a guest?")
            let ok = w.fresh("notguest")
            w.emit("CBZ W15, \(ok)")
            w.fail(.eperm, to: "out")
            w.label(ok)
        }
        w.forEachPage(first: "X0", count: "X1") { w in
            w.pageEntry("X30")
            w.setHost(.owned)
        }
        w.label("out")
        w.unlock(W.hypLock)
        w.unlock(W.hostLock)
        w.epilogue(ret: "ret")
    }

    /// `hyp_pin_shared_mem(pfn = X0)`. The variant `remap-hyp-mapping`
    /// also rewrites the hypervisor's own (write-once) mapping of the page.
    static func hypPin(_ w: inout W) {
        w.prologue("hyp_pin_shared_mem(pfn = X0)")
        w.argumentCheck("X7", to: "ret")
        w.lock(W.hostLock)
        w.lock(W.hypLock)
        w.pin("X0", to: "out")
        if w.variant == .remapHypMapping {
            w.emit("LDR X16, [X27, #\(Layout.hypMapOffset)]", "the hypervisor's linear map")
            w.emit("ADD X16, X16, X0, LSL #3")
            w.emit("LDR X17, [X16]")
            w.emit("STR XZR, [X16]", "remap the page's hyp mapping")
            w.emit("STR X17, [X16]")
        }
        w.label("out")
        w.unlock(W.hypLock)
        w.unlock(W.hostLock)
        w.epilogue(ret: "ret")
    }

    /// `hyp_unpin_shared_mem(page = X0)`: -EINVAL if not pinned.
    static func hypUnpin(_ w: inout W) {
        w.prologue("hyp_unpin_shared_mem(page = X0)")
        w.argumentCheck("X7", to: "ret")
        w.lock(W.hypLock)
        w.pageEntry("X0")
        w.emit("LDRH W15, [X25, #\(Layout.PageField.pinCount)]")
        w.emit("CBNZ W15, pinned")
        w.fail(.einval, to: "out")
        w.label("pinned")
        w.emit("SUB W15, W15, #1")
        w.emit("STRH W15, [X25, #\(Layout.PageField.pinCount)]")
        w.label("out")
        w.unlock(W.hypLock)
        w.epilogue(ret: "ret")
    }

    /// `pkvm_refill_memcache` for one page (pfn = X0): a donation to the
    /// hypervisor, then pushed on the loaded vCPU's memcache list.
    static func hostTopupMemcache(_ w: inout W) {
        w.prologue("topup memcache of the loaded vCPU with pfn = X0")
        w.loadedVCPU(none: "novcpu")
        w.argumentCheck("X7", to: "ret")
        w.lock(W.hostLock)
        w.lock(W.hypLock)
        w.expectDonatable("X0", else: .enomem, to: "out")
        w.takeDonation("X0", role: .memcache)
        w.emit("LSL X16, X0, #12", "the page")
        w.emit("LDR X17, [X24, #\(Layout.VCPUField.memcacheHead)]")
        w.emit("STR X17, [X16]", "link to the old head")
        w.emit("STR X16, [X24, #\(Layout.VCPUField.memcacheHead)]")
        w.emit("LDR X17, [X24, #\(Layout.VCPUField.memcachePages)]")
        w.emit("ADD X17, X17, #1")
        w.emit("STR X17, [X24, #\(Layout.VCPUField.memcachePages)]")
        w.label("out")
        w.unlock(W.hypLock)
        w.unlock(W.hostLock)
        w.emit("B ret")
        w.label("novcpu")
        w.emit("MOV X9, #\(Errno.einval.rawValue)", "no vCPU loaded")
        w.epilogue(ret: "ret")
    }
}
