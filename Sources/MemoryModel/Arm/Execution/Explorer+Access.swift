extension Explorer {
    /// Branches on one memory instruction (translation first, then the
    /// accesses), then continues the thread.
    func access(_ t: Int, _ instruction: Instruction, _ r: ThreadRun, _ g: ExecutionGraph,
                _ finished: [RegisterFile]) throws(MachineError) {
        let d = r.dependencies
        func next(_ r: ThreadRun, _ g: ExecutionGraph) throws(MachineError) {
            var r = r
            r.pc += 1
            r.tagCheck = nil
            try proceed(t, r, g, finished)
        }
        /// Translates the access's address, taking a fault if there is one.
        /// With memory tagging the pointer's top byte is ignored, and an
        /// access that is Tag Checked (`checked`: every load and store, not
        /// STG/LDG) first has its tag checked, once per instruction (at the
        /// first address; herd checks the instruction's base address): a
        /// mismatch is a TagCheck fault, else the access follows its tag
        /// read (the read is left in `r.tagCheck` for the access events).
        func translated(_ a: Address, _ kind: Translation.AccessKind, offset: UInt64 = 0, checked: Bool = true,
                        _ r: ThreadRun, _ g: ExecutionGraph,
                        _ body: (ThreadRun, ExecutionGraph, UInt64, [Int]) throws(MachineError) -> Void) throws(MachineError) {
            let pointer = r.address(a)
            let tagged = program.memoryTagging
            let va = (tagged ? MemoryTagging.untagged(pointer) : pointer) &+ offset
            try translate(t, va, kind, d.of(a), r, g) { (r, g, outcome) throws(MachineError) in
                switch outcome {
                case .physical(let pa, let walks):
                    guard tagged && checked && offset == 0 else { return try body(r, g, pa, walks) }
                    try self.checkTag(t, pointer: pointer, at: pa, d.of(a), r, g) { (r, g, passed, tagRead) throws(MachineError) in
                        var r = r
                        r.tagCheck = tagRead
                        guard passed else {
                            let fault = Fault(thread: t, instruction: r.pc, address: va, kind: .tagCheck)
                            return try self.takeFault(t, fault, r, g, finished)
                        }
                        try body(r, g, pa, walks)
                    }
                case .fault(let fault): try self.takeFault(t, fault, r, g, finished)
                }
            }
        }

        /// The two reads of a pair load (LDP, LDIAPP, LDXP), first register's
        /// word first in program order; `then` gets both read events. With
        /// both destinations the zero register they are NoRet (see `.load`).
        func readPair(_ first: Register, _ second: Register, _ a: Address, _ width: AccessWidth,
                      annotate: (inout LocalOrder.Access) -> Void, _ r: ThreadRun, _ g: ExecutionGraph,
                      _ then: (ThreadRun, ExecutionGraph, Int, Int, UInt64, UInt64) throws(MachineError) -> Void) throws(MachineError) {
            try translated(a, .read, r, g) { (r, g, location, walks) throws(MachineError) in
                try translated(a, .read, offset: UInt64(width.rawValue), r, g) { (r, g, location2, walks2) throws(MachineError) in
                    var spec = LocalOrder.Access(direction: .read, location: location, address: d.of(a))
                    annotate(&spec)
                    let noReturn = first.isZero && second.isZero
                    if noReturn { spec.acquire = false; spec.acquirePC = false }
                    spec.walks = walks
                    try self.read(t, spec, width, r, g, noReturn: noReturn) { (r, g, id1, v1, t1) throws(MachineError) in
                        var r = r
                        r.write(first, v1, t1)
                        var spec2 = spec
                        spec2.location = location2
                        spec2.walks = walks2
                        try self.read(t, spec2, width, r, g, noReturn: noReturn) { (r, g, id2, v2, t2) throws(MachineError) in
                            var r = r
                            r.write(second, v2, t2)
                            try then(r, g, id1, id2, location, location2)
                        }
                    }
                }
            }
        }

        switch instruction {
        case let .load(dst, a, width, ordering, exclusive):
            // A load whose destination is the zero register returns nothing:
            // its read is NoRet (not ordered by DMB LD / DSB LD, and with no
            // acquire semantics), except a plain LDR's, as herd has it (its
            // regression tests MP+rel+LD{R,XR,APR,P}noret-dmb.ld: only the
            // LDR one is forbidden).
            let noReturn = dst.isZero && (ordering != .plain || exclusive)
            try translated(a, .read, r, g) { (r, g, location, walks) throws(MachineError) in
                var spec = LocalOrder.Access(direction: .read, location: location, address: d.of(a))
                spec.acquire = ordering == .acquire && !noReturn
                spec.acquirePC = ordering == .acquirePC && !noReturn
                spec.walks = walks
                try self.read(t, spec, width, r, g, noReturn: noReturn) { (r, g, id, value, taint) throws(MachineError) in
                    var r = r
                    r.write(dst, value, taint)
                    if exclusive { r.exclusiveRead = id; r.exclusiveLocation = location; r.exclusiveSecondRead = nil }
                    try next(r, g)
                }
            }

        case let .store(src, a, width, release, status):
            try translated(a, .write, r, g) { (r, g, location, walks) throws(MachineError) in
                var spec = LocalOrder.Access(direction: .write, location: location, address: d.of(a), data: d.of(src))
                spec.release = release
                spec.walks = walks
                let value = r.read(src)
                guard let status else {
                    return try self.write(t, spec, width, value, r, g, next)
                }
                // STXR: it may always fail; it may succeed only paired with the
                // thread's unpaired LDXR of the same location (rmw).
                var failed = r
                failed.exclusiveRead = nil
                failed.write(status, 1, .none)
                try next(failed, g)
                if let paired = r.exclusiveRead, r.exclusiveLocation == location, r.exclusiveSecondRead == nil {
                    var succeeded = r
                    succeeded.exclusiveRead = nil
                    succeeded.write(status, 0, .none)
                    spec.rmwRead = paired
                    try self.write(t, spec, width, value, succeeded, g, next)
                }
            }

        case let .loadPair(first, second, a, width, acquirePC):
            try readPair(first, second, a, width, annotate: { $0.acquirePC = acquirePC }, r, g) {
                (r, g, _, _, _, _) throws(MachineError) in try next(r, g)
            }

        case let .storePair(first, second, a, width, release):
            try translated(a, .write, r, g) { (r, g, location, walks) throws(MachineError) in
                try translated(a, .write, offset: UInt64(width.rawValue), r, g) { (r, g, location2, walks2) throws(MachineError) in
                    var spec = LocalOrder.Access(direction: .write, location: location, address: d.of(a), data: d.of(first))
                    spec.release = release
                    spec.walks = walks
                    try self.write(t, spec, width, r.read(first), r, g) { (r, g) throws(MachineError) in
                        var spec2 = spec
                        spec2.location = location2
                        spec2.data = d.of(second)
                        spec2.walks = walks2
                        try self.write(t, spec2, width, r.read(second), r, g, next)
                    }
                }
            }

        case let .compareAndSwap(compare, new, a, width, acquire, release):
            // A CAS reads, and writes only if the comparison holds; a failing
            // CAS is a read alone. The compared register reaches the write
            // through the comparison (iico_ctrl): a pick-data dependency.
            // With the zero register as Rs the read is NoRet (and not A).
            try translated(a, .write, r, g) { (r, g, location, walks) throws(MachineError) in
                let noReturn = compare.isZero
                var spec = LocalOrder.Access(direction: .read, location: location, address: d.of(a))
                spec.acquire = acquire && !noReturn
                spec.walks = walks
                let expected = r.read(compare) & width.mask
                let newValue = r.read(new)
                try self.read(t, spec, width, r, g, noReturn: noReturn) { (r, g, id, old, taint) throws(MachineError) in
                    var r = r
                    guard old == expected else {
                        r.write(compare, old, taint)
                        return try next(r, g)
                    }
                    var w = LocalOrder.Access(direction: .write, location: location, address: d.of(a),
                                              data: d.of(new).union(d.of(compare).asPick))
                    w.release = release
                    w.rmwRead = id
                    w.isAtomicOperation = true
                    w.walks = walks
                    // On success the value written back to Rs equals both the
                    // old Rs and the value read, and herd (event.ml
                    // aarch64_cas, `DataFromRRs | DataFromRx`) lets either be
                    // its data source: an outcome is allowed if either choice
                    // allows it. From Rs, the write also depends on the
                    // comparison (iico_ctrl from the branch event, which reads
                    // Rs and the value read, and through it the address): a
                    // pick dependency. From the read, it is the read's value
                    // alone, as a load's (no iico_ctrl into the register then).
                    let pick = taint.union(d.of(compare)).asPick
                    let fromRs = d.of(compare).plainPart.union(pick)
                    let fromRead = taint
                    for source in fromRs == fromRead ? [fromRs] : [fromRs, fromRead] {
                        var r = r
                        r.write(compare, old, source)
                        try self.write(t, w, width, newValue, r, g, next)
                    }
                }
            }

        case let .loadExclusivePair(first, second, a, width, acquire):
            try readPair(first, second, a, width, annotate: { $0.acquire = acquire }, r, g) {
                (r, g, id1, id2, location, location2) throws(MachineError) in
                var r = r
                r.exclusiveRead = id1
                r.exclusiveLocation = location
                r.exclusiveSecondRead = id2
                r.exclusiveSecondLocation = location2
                try next(r, g)
            }

        case let .storeExclusivePair(status, first, second, a, width, release):
            try translated(a, .write, r, g) { (r, g, location, walks) throws(MachineError) in
                try translated(a, .write, offset: UInt64(width.rawValue), r, g) { (r, g, location2, walks2) throws(MachineError) in
                    // As STXR: it may always fail; it may succeed only paired
                    // with the thread's unpaired LDXP of the same two words.
                    var failed = r
                    failed.exclusiveRead = nil
                    failed.exclusiveSecondRead = nil
                    failed.write(status, 1, .none)
                    try next(failed, g)
                    guard let paired = r.exclusiveRead, r.exclusiveLocation == location,
                          let paired2 = r.exclusiveSecondRead, r.exclusiveSecondLocation == location2 else { return }
                    var succeeded = r
                    succeeded.exclusiveRead = nil
                    succeeded.exclusiveSecondRead = nil
                    succeeded.write(status, 0, .none)
                    var spec = LocalOrder.Access(direction: .write, location: location, address: d.of(a), data: d.of(first))
                    spec.release = release
                    spec.rmwRead = paired
                    spec.walks = walks
                    try self.write(t, spec, width, r.read(first), succeeded, g) { (r, g) throws(MachineError) in
                        var spec2 = spec
                        spec2.location = location2
                        spec2.data = d.of(second)
                        spec2.rmwRead = paired2
                        spec2.walks = walks2
                        spec2.pairFirst = self.firstEvent(ofAccessEndingAt: g.events.count - 1, g)
                        try self.write(t, spec2, width, r.read(second), r, g, next)
                    }
                }
            }

        case let .compareAndSwapPair(compare1, compare2, new1, new2, a, width, acquire, release):
            // As CAS, word by word: two reads, and, only if both match, two
            // writes each rmw-paired with the read of its word (aarch64.cat's
            // rmw on each location makes the pair atomic). Rs is even, so
            // never the zero register: both reads return.
            try translated(a, .write, r, g) { (r, g, location, walks) throws(MachineError) in
                try translated(a, .write, offset: UInt64(width.rawValue), r, g) { (r, g, location2, walks2) throws(MachineError) in
                    var spec = LocalOrder.Access(direction: .read, location: location, address: d.of(a))
                    spec.acquire = acquire
                    spec.walks = walks
                    let expected = (r.read(compare1) & width.mask, r.read(compare2) & width.mask)
                    let newValues = (r.read(new1), r.read(new2))
                    let compared = d.of(compare1).union(d.of(compare2))
                    try self.read(t, spec, width, r, g) { (r, g, id1, old1, taint1) throws(MachineError) in
                        var spec2 = spec
                        spec2.location = location2
                        spec2.walks = walks2
                        try self.read(t, spec2, width, r, g) { (r, g, id2, old2, taint2) throws(MachineError) in
                            var r = r
                            guard old1 == expected.0 && old2 == expected.1 else {
                                r.write(compare1, old1, taint1)
                                r.write(compare2, old2, taint2)
                                return try next(r, g)
                            }
                            // The success path fixes Rs by the comparison,
                            // as for CAS: the reads reach it as pick.
                            let pick = d.of(a).union(taint1.union(taint2).union(compared).asPick)
                            r.write(compare1, old1, pick)
                            r.write(compare2, old2, pick)
                            var w = LocalOrder.Access(direction: .write, location: location, address: d.of(a),
                                                      data: d.of(new1).union(compared.asPick))
                            w.release = release
                            w.rmwRead = id1
                            w.isAtomicOperation = true
                            w.walks = walks
                            try self.write(t, w, width, newValues.0, r, g) { (r, g) throws(MachineError) in
                                var w2 = w
                                w2.location = location2
                                w2.data = d.of(new2).union(compared.asPick)
                                w2.rmwRead = id2
                                w2.walks = walks2
                                w2.pairFirst = self.firstEvent(ofAccessEndingAt: g.events.count - 1, g)
                                try self.write(t, w2, width, newValues.1, r, g, next)
                            }
                        }
                    }
                }
            }

        case let .swap(src, dst, a, width, acquire, release):
            let value = r.read(src)
            try translated(a, .write, r, g) { (r, g, location, walks) throws(MachineError) in
                try self.readModifyWrite(t, location, walks, d.of(a), width, acquire && !dst.isZero, release, r, g,
                                         noReturn: dst.isZero, data: d.of(src), newValue: { _ in value }) { (r, old, taint) in
                    r.write(dst, old, taint)
                } then: { (r, g) throws(MachineError) in try next(r, g) }
            }

        case let .atomic(op, src, dst, a, width, acquire, release):
            let noReturn = dst?.isZero ?? true
            let operand = r.read(src)
            try translated(a, .write, r, g) { (r, g, location, walks) throws(MachineError) in
                try self.readModifyWrite(t, location, walks, d.of(a), width, acquire && !noReturn, release, r, g,
                                         noReturn: noReturn, data: d.of(src),
                                         newValue: { ValueSemantics.atomic(op, old: $0, operand: operand, width: width) }) { (r, old, taint) in
                    if let dst { r.write(dst, old, taint) }
                } then: { (r, g) throws(MachineError) in try next(r, g) }
            }

        case let .storeTag(src, a), let .storeZeroTag(src, a):
            // STG: an explicit write of the granule's tag location,
            // translated as a store, not Tag Checked. STZG: that write, then
            // the granule's two data doublewords set to zero; nothing orders
            // them among themselves (different locations, no dependency
            // between them).
            let zeroes: Bool
            if case .storeZeroTag = instruction { zeroes = true } else { zeroes = false }
            let tag = MemoryTagging.logicalTag(of: r.read(src))
            try translated(a, .write, checked: false, r, g) { (r, g, pa, walks) throws(MachineError) in
                var spec = LocalOrder.Access(direction: .write, location: MemoryTagging.location(ofGranuleAt: pa),
                                             address: d.of(a), data: d.of(src))
                spec.walks = walks
                guard zeroes else { return try self.write(t, spec, .doubleword, tag, r, g, next) }
                try self.write(t, spec, .doubleword, tag, r, g) { (r, g) throws(MachineError) in
                    var zero = LocalOrder.Access(direction: .write, location: pa, address: d.of(a))
                    zero.walks = walks
                    try self.write(t, zero, .doubleword, 0, r, g) { (r, g) throws(MachineError) in
                        zero.location = pa &+ 8
                        try self.write(t, zero, .doubleword, 0, r, g, next)
                    }
                }
            }

        case let .loadTag(dst, a):
            // LDG: an explicit read of the granule's tag location; Xt gets
            // the address with that tag as its logical tag.
            let pointer = r.address(a)
            try translated(a, .read, checked: false, r, g) { (r, g, pa, walks) throws(MachineError) in
                var spec = LocalOrder.Access(direction: .read, location: MemoryTagging.location(ofGranuleAt: pa), address: d.of(a))
                spec.walks = walks
                try self.read(t, spec, .doubleword, r, g) { (r, g, _, tag, taint) throws(MachineError) in
                    var r = r
                    r.write(dst, MemoryTagging.withLogicalTag(pointer, tag), taint)
                    try next(r, g)
                }
            }

        case let .addressTranslate(op, src):
            // AT: the walk reads (Imp & TTD & R, as any walk's) of the
            // translation an access of op's kind would make, and no access;
            // the outcome lands in PAR_EL1 instead of being taken. Like
            // MRS, the register carries no dependency on the walk.
            try translate(t, r.read(src), op.kind, d.of(src), r, g, operation: op) { (r, g, outcome) throws(MachineError) in
                var r = r
                switch outcome {
                case .physical(let pa, _): r.systemRegisters[.parEl1] = PhysicalAddressRegister.success(pa)
                case .fault: r.systemRegisters[.parEl1] = PhysicalAddressRegister.fault
                }
                try next(r, g)
            }

        default:
            preconditionFailure("not a memory access: \(instruction)")
        }
    }

    /// SWP and LD<op>/ST<op>: a read and a write of one instruction, related
    /// by rmw and amo.
    func readModifyWrite(_ t: Int, _ location: UInt64, _ walks: [Int], _ addressTaint: Taint, _ width: AccessWidth,
                         _ acquire: Bool, _ release: Bool, _ r: ThreadRun, _ g: ExecutionGraph,
                         noReturn: Bool, data: Taint,
                         newValue: (UInt64) -> UInt64, result: (inout ThreadRun, UInt64, Taint) -> Void,
                         then next: (ThreadRun, ExecutionGraph) throws(MachineError) -> Void) throws(MachineError) {
        var spec = LocalOrder.Access(direction: .read, location: location, address: addressTaint)
        spec.acquire = acquire
        spec.walks = walks
        try read(t, spec, width, r, g, noReturn: noReturn) { (r, g, id, old, taint) throws(MachineError) in
            var r = r
            result(&r, old, taint)
            var w = LocalOrder.Access(direction: .write, location: location, address: addressTaint, data: data)
            w.release = release
            w.rmwRead = id
            w.isAtomicOperation = true
            w.walks = walks
            try self.write(t, w, width, newValue(old), r, g, next)
        }
    }
}
