/// Stage-2 faults: the host's lazy identity mapping (`handle_host_mem_abort`)
/// and the guest's (a walk: spurious, or an exit to the host).
enum FaultHandlers {
    typealias W = AssemblyWriter

    /// `host_stage2_idmap` for the memory page X0: injected if the host
    /// has no access, spurious if already mapped (by a page or a block),
    /// else mapped now: the whole 2 MiB block around it when
    /// `host_stage2_adjust_range` would choose one, else the page.
    static func hostMemAbort(_ w: inout W) {
        w.prologue("handle_host_mem_abort(pfn = X0)")
        w.lock(W.hostLock)
        w.pageEntry("X0")
        w.emit("LDRB W15, [X25, #\(Layout.PageField.hostState)]")
        w.emit("CMP W15, #\(PageState.noPage.rawValue)")
        w.emit("B.NE accessible")
        w.result(HandlerCode.injected, to: "out", "no access: inject an abort")
        w.label("accessible")
        w.emit("LDR X15, [X27, #\(Layout.hostRootOffset)]")
        w.walk(root: "X15", gfn: "X0", none: "map", block: "spurious")
        w.label("spurious")
        w.result(HandlerCode.spurious, to: "out", "already mapped")
        w.label("map")
        w.branchUnlessHostBlock("X0", page: "page")
        w.hostMapBlock("X11")
        w.emit("B mapped")
        w.label("page")
        w.hostMap("X0")
        w.label("mapped")
        w.emit("MOV X9, #\(HandlerCode.mapped)")
        w.label("out")
        w.unlock(W.hostLock)
        w.epilogue(ret: "ret")
    }

    /// The host's page state of page X0 (in X1), read under the host lock:
    /// how the trap path classifies an access it cannot replay.
    static func hostPageState(_ w: inout W) {
        w.prologue("host page state(pfn = X0)")
        w.lock(W.hostLock)
        w.pageEntry("X0")
        w.emit("LDRB W10, [X25, #\(Layout.PageField.hostState)]")
        w.unlock(W.hostLock)
        w.epilogue(ret: "ret")
    }

    /// A guest stage-2 fault at IPA page X1 needing the S2AP bit X3:
    /// spurious if the leaf grants it, else an exit to the host.
    static func guestFault(_ w: inout W) {
        w.prologue("guest stage-2 fault(gfn = X1, needed S2AP bit = X3)")
        w.loadedVCPU(none: "exit")
        w.emit("LDR X15, [X23, #\(Layout.VMField.pgd)]")
        w.walk(root: "X15", gfn: "X1", none: "exit", block: "leaf")
        w.label("leaf")
        w.emit("AND X17, X16, X3")
        w.emit("CBZ X17, exit", "permission missing")
        w.result(HandlerCode.spurious, to: "ret", "already mapped")
        w.label("exit")
        w.emit("MOV X9, #\(HandlerCode.exitToHost)")
        w.epilogue(ret: "ret")
    }
}
