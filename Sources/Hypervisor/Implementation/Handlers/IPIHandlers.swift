/// Interrupts: guest SGIs (trapped, made pending on the target vCPU) and
/// the physical kicks. Pending bits are set and cleared with LSE atomics.
enum IPIHandlers {
    typealias W = AssemblyWriter

    /// X17 := 1 << X2 (the SGI's bit).
    static func bit(_ w: inout W) {
        w.emit("MOV X17, #1")
        w.emit("LSL X17, X17, X2", "the SGI's bit")
    }

    /// A guest's SGI X2 to vCPU X1 of its VM: pending, or dropped if that
    /// vCPU does not exist or is not initialised.
    static func guestSendSGI(_ w: inout W) {
        w.prologue("guest SGI(target vcpu = X1, intid = X2)")
        w.loadedVCPU(none: "dropped")
        w.emit("LDR X15, [X29, #16]")
        w.emit("CMP X1, X15")
        w.emit("B.HS dropped", "no such vCPU")
        w.emit("LDR X15, [X29, #8]")
        w.emit("LDR X16, [X15, X1, LSL #3]")
        w.emit("CBZ X16, dropped", "not initialised")
        bit(&w)
        w.emit("ADD X16, X16, #\(Layout.VCPUField.pendingSGIs)")
        w.emit("LDSETAL X17, X18, [X16]", "pending on the target")
        w.result(HandlerCode.pending, to: "ret", "pending")
        w.label("dropped")
        w.emit("MOV X9, #\(HandlerCode.dropped)")
        w.epilogue(ret: "ret")
    }

    /// The loaded vCPU takes its pending SGI X2.
    static func guestTakeSGI(_ w: inout W) {
        w.prologue("guest takes SGI(intid = X2)")
        w.loadedVCPU(none: "none")
        bit(&w)
        w.emit("ADD X16, X24, #\(Layout.VCPUField.pendingSGIs)")
        w.emit("LDCLRAL X17, X18, [X16]", "clear, seeing the old bits")
        w.emit("AND X18, X18, X17")
        w.emit("CBZ X18, none")
        w.result(HandlerCode.taken, to: "ret", "taken")
        w.label("none")
        w.emit("MOV X9, #\(HandlerCode.notPending)")
        w.epilogue(ret: "ret")
    }

    /// A kick: SGI X2 at CPU X1. The reason is written first and must be
    /// complete (DSB) before the interrupt is raised. The variant
    /// `missing-dsb-before-ipi` raises it with no barrier.
    static func sendIPI(_ w: inout W) {
        w.prologue("kick(target cpu = X1, intid = X2)")
        w.emit("ADD X11, X27, #\(Layout.perCPUOffset)")
        w.emit("ADD X11, X11, X1, LSL #5", "the target's area")
        w.emit("STR X2, [X11, #16]", "the reason")
        if w.variant == .missingDSBBeforeIPI {
            w.comment("no DSB: the SGI may arrive before the reason")
        } else {
            w.emit("DSB ISH", "the reason is complete before the SGI")
        }
        bit(&w)
        w.emit("ADD X16, X11, #8")
        w.emit("LDSET X17, X18, [X16]", "raise the SGI")
        w.emit("MOV X9, #\(HandlerCode.pending)")
        w.epilogue(ret: "ret")
    }

    /// This CPU takes its pending SGI X2 and reads the reason (X1).
    static func takeIPI(_ w: inout W) {
        w.prologue("take SGI(intid = X2)")
        w.perCPU()
        bit(&w)
        w.emit("ADD X16, X11, #8")
        w.emit("LDCLRA X17, X18, [X16]", "acknowledge")
        w.emit("AND X18, X18, X17")
        w.emit("CBZ X18, none")
        w.emit("LDR X10, [X11, #16]", "the reason")
        w.result(HandlerCode.taken, to: "ret", "taken")
        w.label("none")
        w.emit("MOV X9, #\(HandlerCode.notPending)")
        w.epilogue(ret: "ret")
    }
}
