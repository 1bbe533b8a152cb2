/// The text form of one kind of event: its word and its fields.
struct KindSyntax: Sendable {
    let word: String
    /// The fields in printing order, if `kind` is this syntax's kind.
    let format: @Sendable (TraceEvent.OneOf_Kind) -> [String]?
    /// Builds the kind from `key=value` tokens.
    let parse: @Sendable ([(key: Substring, value: Substring, column: Int)]) throws(TextSyntaxError) -> TraceEvent.OneOf_Kind

    init<Message: Sendable>(
        _ word: String,
        _ fields: [TextField<Message>],
        empty: Message,
        embed: @escaping @Sendable (Message) -> TraceEvent.OneOf_Kind,
        extract: @escaping @Sendable (TraceEvent.OneOf_Kind) -> Message?
    ) {
        self.word = word
        format = { kind in
            guard let message = extract(kind) else { return nil }
            return fields.compactMap { field in field.format(message).map { "\(field.key)=\($0)" } }
        }
        parse = { (pairs) throws(TextSyntaxError) in
            var message = empty
            var seen = Set<Substring>()
            for pair in pairs {
                guard let field = fields.first(where: { $0.key == pair.key }) else {
                    let keys = fields.map(\.key).joined(separator: ", ")
                    throw TextSyntaxError(
                        column: pair.column, message: "\(word) has no field '\(pair.key)' (fields: \(keys))")
                }
                guard seen.insert(pair.key).inserted else {
                    throw TextSyntaxError(column: pair.column, message: "field '\(pair.key)' given twice")
                }
                if let expected = field.parse(&message, pair.value) {
                    throw TextSyntaxError(
                        column: pair.column, message: "\(pair.key)=\(pair.value): expected \(expected)")
                }
            }
            return embed(message)
        }
    }
}

/// Every event kind's text syntax; see README.md "Text form" for examples.
enum EventSyntax {
    static let kinds: [KindSyntax] = [
        KindSyntax(
            "hypercall",
            [
                .name("call", \.call, Names.hypercall),
                TextField(
                    key: "args",
                    format: { $0.args.isEmpty ? nil : $0.args.map(TextValues.hex).joined(separator: ",") },
                    parse: { message, text in
                        var args: [UInt64] = []
                        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
                            guard let value = TextValues.parseUInt64(item) else {
                                return "comma-separated 64-bit numbers"
                            }
                            args.append(value)
                        }
                        message.args = args
                        return nil
                    }),
                TextField(
                    key: "ret",
                    format: { $0.hasRecordedReturn ? TextValues.formatReturn($0.recordedReturn.value) : nil },
                    parse: { message, text in
                        guard let value = TextValues.parseReturn(text) else {
                            return "a number or -EPERM, -ENOENT, -E2BIG, -EAGAIN, -ENOMEM, -EBUSY, -EINVAL"
                        }
                        message.recordedReturn.value = value
                        return nil
                    }),
            ],
            empty: TraceHypercall(), embed: { .hypercall($0) },
            extract: { if case .hypercall(let m) = $0 { m } else { nil } }),
        KindSyntax(
            "access",
            [
                .name("op", \.op, Names.op), .name("space", \.space, Names.space),
                .hex("addr", \.address, always: true), .decimal("width", \.width),
                .hex("value", \.value), .name("outcome", \.recordedOutcome, Names.outcome),
                .hex("seen", \.recordedValue),
            ],
            empty: TraceMemoryAccess(), embed: { .access($0) },
            extract: { if case .access(let m) = $0 { m } else { nil } }),
        KindSyntax(
            "s2fault",
            [
                .name("op", \.op, Names.op), .hex("addr", \.address, always: true),
                .name("resolution", \.recordedResolution, Names.resolution),
            ],
            empty: TraceStage2Fault(), embed: { .stage2Fault($0) },
            extract: { if case .stage2Fault(let m) = $0 { m } else { nil } }),
        KindSyntax(
            "ipi-send",
            [.decimal("to", \.targetCpu, always: true), .decimal("vcpu", \.targetVcpu), .decimal("intid", \.intid)],
            empty: TraceIpiSend(), embed: { .ipiSend($0) },
            extract: { if case .ipiSend(let m) = $0 { m } else { nil } }),
        KindSyntax(
            "ipi-deliver",
            [.decimal("from", \.sourceCpu, always: true), .decimal("intid", \.intid)],
            empty: TraceIpiDelivery(), embed: { .ipiDelivery($0) },
            extract: { if case .ipiDelivery(let m) = $0 { m } else { nil } }),
        KindSyntax(
            "vcpu-enter",
            [.decimal("vm", \.vm, always: true), .decimal("vcpu", \.vcpu, always: true)],
            empty: TraceVcpuEnter(), embed: { .vcpuEnter($0) },
            extract: { if case .vcpuEnter(let m) = $0 { m } else { nil } }),
        KindSyntax(
            "vcpu-exit",
            [
                .decimal("vm", \.vm, always: true), .decimal("vcpu", \.vcpu, always: true),
                .name("reason", \.reason, Names.exitReason),
            ],
            empty: TraceVcpuExit(), embed: { .vcpuExit($0) },
            extract: { if case .vcpuExit(let m) = $0 { m } else { nil } }),
        KindSyntax(
            "hyp-write",
            [
                .name("order", \.order, Names.order), .hex("addr", \.address, always: true),
                .hex("value", \.value, always: true), .decimal("width", \.width),
            ],
            empty: TraceHypMemWrite(), embed: { .hypWrite($0) },
            extract: { if case .hypWrite(let m) = $0 { m } else { nil } }),
        KindSyntax(
            "hyp-read",
            [
                .name("order", \.order, Names.order), .hex("addr", \.address, always: true),
                .hex("value", \.value, always: true), .decimal("width", \.width),
            ],
            empty: TraceHypMemRead(), embed: { .hypRead($0) },
            extract: { if case .hypRead(let m) = $0 { m } else { nil } }),
        KindSyntax(
            "hyp-init",
            [.hex("addr", \.address, always: true), .hex("size", \.size, always: true)],
            empty: TraceHypMemInit(), embed: { .hypInit($0) },
            extract: { if case .hypInit(let m) = $0 { m } else { nil } }),
        KindSyntax(
            "hyp-free",
            [.hex("addr", \.address, always: true), .hex("size", \.size, always: true)],
            empty: TraceHypMemFree(), embed: { .hypFree($0) },
            extract: { if case .hypFree(let m) = $0 { m } else { nil } }),
        KindSyntax(
            "hyp-set",
            [
                .hex("addr", \.address, always: true), .hex("size", \.size, always: true),
                .decimal("byte", \.byte, always: true),
            ],
            empty: TraceHypMemSet(), embed: { .hypSet($0) },
            extract: { if case .hypSet(let m) = $0 { m } else { nil } }),
        KindSyntax(
            "barrier",
            [.name("kind", \.kind, Names.barrier), .name("domain", \.domain, Names.domain)],
            empty: TraceBarrier(), embed: { .barrier($0) },
            extract: { if case .barrier(let m) = $0 { m } else { nil } }),
        KindSyntax(
            "tlbi",
            [.name("op", \.op, Names.tlbi), .hex("operand", \.operand)],
            empty: TraceTlbi(), embed: { .tlbi($0) },
            extract: { if case .tlbi(let m) = $0 { m } else { nil } }),
        KindSyntax(
            "sysreg",
            [.name("reg", \.reg, Names.sysreg), .hex("value", \.value, always: true)],
            empty: TraceSysregWrite(), embed: { .sysregWrite($0) },
            extract: { if case .sysregWrite(let m) = $0 { m } else { nil } }),
        KindSyntax(
            "hint",
            [
                .name("kind", \.kind, Names.hint), .hex("location", \.location, always: true),
                .hex("value", \.value, always: true),
            ],
            empty: TraceHint(), embed: { .hint($0) },
            extract: { if case .hint(let m) = $0 { m } else { nil } }),
        KindSyntax(
            "lock",
            [.name("op", \.kind, Names.lock), .hex("addr", \.address, always: true)],
            empty: TraceLockOp(), embed: { .lock($0) },
            extract: { if case .lock(let m) = $0 { m } else { nil } }),
    ]

    static let byWord: [String: KindSyntax] = Dictionary(uniqueKeysWithValues: kinds.map { ($0.word, $0) })
}
