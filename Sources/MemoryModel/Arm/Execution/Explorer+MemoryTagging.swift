/// FEAT_MTE tag checks on the Arm machine (herd's `memtag` variant,
/// AArch64Sem's `delayed_check_tags`): before a Tag Checked access, the
/// allocation tag of its granule is read (Imp & Tag & R) and compared with
/// the pointer's logical tag. The read may take its value from any write of
/// the tag location the model allows, like any read: the initial tag, an
/// STG already in the graph, or a promised later STG.
///
/// The relations that order it (aarch64hwreqs.cat, aarch64.cat) are kept
/// with the others: its lob predecessors in `LocalOrder` (bob, DSB-ob,
/// addr, lmrs), tc-ib and the dob/IFB-ob rows through `tc-before` there
/// too, Tag-obs (`rf & ext`, `ca & ext` with STG) in `OrderedBefore`,
/// coWR-MTE in `Consistency`, and ETS3's row for a failed check here.
extension Explorer {
    /// Reads the allocation tag of the granule at `pa` for the access of
    /// thread `t` through `pointer`, once per admissible rf source, and calls
    /// `then` with whether the check passed and the tag read's identifier.
    func checkTag(_ t: Int, pointer: UInt64, at pa: UInt64, _ addressTaint: Taint, _ r: ThreadRun,
                  _ g: ExecutionGraph,
                  _ then: (ThreadRun, ExecutionGraph, _ passed: Bool, _ tagRead: Int) throws(MachineError) -> Void) throws(MachineError) {
        let loc = MemoryTagging.location(ofGranuleAt: pa)
        guard mixedWords.isEmpty else { return }
        let spec = LocalOrder.Access(direction: .read, category: .tagCheck, location: loc, address: addressTaint)
        var event = Event(direction: .read, thread: t, instruction: r.pc, location: loc, width: .doubleword, value: 0)
        event.category = .tagCheck
        event.localPredecessors = r.order.predecessors(spec, r.dependencies, g)
        // coWR-MTE bounds what it may read by the thread's own last STG.
        event.previousLocalWrite = r.order.lastWrite[loc]
        let id = g.events.count
        var after = r
        after.order.record(id, spec, noReturn: false, readAcquire: false)
        let logicalTag = MemoryTagging.logicalTag(of: pointer)

        func attempt(_ source: Event.Source, _ value: UInt64) throws(MachineError) {
            var g2 = g
            var e = event
            e.source = source
            e.value = value
            e.speculative = Explorer.readsSpeculatively(from: source, g)
            _ = g2.append(e)
            let passed = value & 0xF == logicalTag
            if !passed && program.translationSynchronization.ordersFailedTagChecks {
                // ETS3: `[Exp & M]; po; [TagCheck & EXC-ENTRY]; tc-ib^-1;
                // [Imp & Tag & R]`: the thread's earlier explicit accesses
                // are ordered before the tag read that failed.
                g2.events[id].localPredecessors.formUnion(r.order.memory)
            }
            guard Consistency.holds(g2) else { return }
            try then(after, g2, passed, id)
        }

        try forEachSource(t, loc, .doubleword, after: event.previousLocalWrite, g, attempt)
    }
}
