/// The text form of a trace (`.hvt`): one record per line, for people to
/// read and write. It carries exactly what the binary form carries, so
/// converting either way and back gives the same events.
///
///     # comment
///     header version=1 cpus=2 pages=64 levels=3 words=4 recorder="hand" variant="correct"
///     vm id=1 vcpus=2 protected=true
///     cpu0 host #0 @100..250 hypercall call=host_share_hyp args=0x40 ret=0
///     cpu1 vm1.0 #0 access op=write space=ipa addr=0x2000 width=8 value=0x5 outcome=ok
///
/// An event line is: `cpu<N>`, the principal (`hyp`, `host`, or
/// `vm<ID>.<VCPU>`), `#<seq>`, optionally `@<start>..<end>` in nanoseconds,
/// the kind, then `key=value` fields (fields left out have their default)
/// and optionally `src="file:line"`.
public enum TraceText {
    static let headerFields: [TextField<TraceHeader>] = [
        .decimal("version", \.formatVersion, always: true),
        .decimal("cpus", \.machine.cpus, always: true),
        .decimal("pages", \.machine.physicalPages, always: true),
        .decimal("levels", \.machine.pageTableLevels, always: true),
        .decimal("words", \.machine.wordsPerPage, always: true),
        .string("recorder", \.recorder),
        .string("variant", \.variant),
        .string("description", \.description_p),
    ]

    static let vmFields: [TextField<TraceVirtualMachine>] = [
        .decimal("id", \.id, always: true),
        .decimal("vcpus", \.vcpus, always: true),
        .flag("protected", \.protected),
    ]

    /// The header as lines: the `header` line, then one `vm` line per VM.
    public static func headerLines(_ header: TraceHeader) -> [String] {
        var lines = ["header " + format(header, headerFields).joined(separator: " ")]
        for vm in header.machine.vms {
            lines.append("vm " + format(vm, vmFields).joined(separator: " "))
        }
        return lines
    }

    public static func eventLine(_ event: TraceEvent) -> String {
        var parts = ["cpu\(event.cpu)", principalToken(event), "#\(event.seq)"]
        if event.hasTime {
            parts.append("@\(event.time.startNs)..\(event.time.endNs)")
        }
        if let kind = event.kind {
            for syntax in EventSyntax.kinds {
                if let fields = syntax.format(kind) {
                    parts.append(syntax.word)
                    parts += fields
                    break
                }
            }
        } else {
            parts.append("none")
        }
        if !event.source.isEmpty {
            parts.append("src=" + TextValues.quote(event.source))
        }
        return parts.joined(separator: " ")
    }

    private static func principalToken(_ event: TraceEvent) -> String {
        let context = event.vm != 0 || event.vcpu != 0 ? "@\(event.vm).\(event.vcpu)" : ""
        switch event.principal {
        case .principalGuest: return "vm\(event.vm).\(event.vcpu)"
        case .principalHost: return "host" + context
        case .principalHypervisor: return "hyp" + context
        case .principalUnspecified: return "nobody" + context
        case .UNRECOGNIZED(let value): return "principal\(value)" + context
        }
    }

    private static func format<Message>(_ message: Message, _ fields: [TextField<Message>]) -> [String] {
        fields.compactMap { field in field.format(message).map { "\(field.key)=\($0)" } }
    }

    // MARK: Parsing

    /// What one line of a text trace holds.
    enum Line {
        case blank
        case header(TraceHeader)
        case vm(TraceVirtualMachine)
        case event(TraceEvent)
    }

    static func parse(line: Substring) throws(TextSyntaxError) -> Line {
        let tokens = try TextTokens(line: line).tokens
        guard let first = tokens.first else { return .blank }
        switch first.text {
        case "header":
            return .header(try parseFields(tokens.dropFirst(), headerFields, into: TraceHeader(), what: "header"))
        case "vm":
            return .vm(try parseFields(tokens.dropFirst(), vmFields, into: TraceVirtualMachine(), what: "vm"))
        default:
            return .event(try parseEvent(tokens))
        }
    }

    private static func parseFields<Message>(
        _ tokens: ArraySlice<TextTokens.Token>, _ fields: [TextField<Message>], into empty: Message, what: String
    ) throws(TextSyntaxError) -> Message {
        var message = empty
        var seen = Set<String>()
        for token in tokens {
            let (key, value) = try splitField(token)
            guard let field = fields.first(where: { $0.key == key }) else {
                throw TextSyntaxError(
                    column: token.column,
                    message: "\(what) has no field '\(key)' (fields: \(fields.map(\.key).joined(separator: ", ")))")
            }
            guard seen.insert(field.key).inserted else {
                throw TextSyntaxError(column: token.column, message: "field '\(key)' given twice")
            }
            if let expected = field.parse(&message, value) {
                throw TextSyntaxError(column: token.column, message: "\(key)=\(value): expected \(expected)")
            }
        }
        return message
    }

    private static func splitField(_ token: TextTokens.Token) throws(TextSyntaxError) -> (Substring, Substring) {
        guard let equals = token.text.firstIndex(of: "="), equals != token.text.startIndex else {
            throw TextSyntaxError(column: token.column, message: "expected key=value, found '\(token.text)'")
        }
        return (token.text[..<equals], token.text[token.text.index(after: equals)...])
    }

    private static func parseEvent(_ tokens: [TextTokens.Token]) throws(TextSyntaxError) -> TraceEvent {
        var event = TraceEvent()
        var index = 0
        func next(_ expected: String) throws(TextSyntaxError) -> TextTokens.Token {
            guard index < tokens.count else {
                let column = tokens.last.map { $0.column + $0.text.count } ?? 1
                throw TextSyntaxError(column: column, message: "line ends where \(expected) was expected")
            }
            defer { index += 1 }
            return tokens[index]
        }

        let cpu = try next("cpu<N>")
        guard cpu.text.hasPrefix("cpu"), let number = TextValues.parseUInt32(cpu.text.dropFirst(3)) else {
            throw TextSyntaxError(
                column: cpu.column,
                message: "expected 'header', 'vm' or an event starting with cpu<N>, found '\(cpu.text)'")
        }
        event.cpu = number
        try parsePrincipal(try next("a principal (hyp, host, vm<ID>.<VCPU>)"), into: &event)

        let seq = try next("#<seq>")
        guard seq.text.hasPrefix("#"), let seqNumber = TextValues.parseUInt64(seq.text.dropFirst()) else {
            throw TextSyntaxError(column: seq.column, message: "expected #<seq>, found '\(seq.text)'")
        }
        event.seq = seqNumber

        var kindToken = try next("an event kind")
        if kindToken.text.hasPrefix("@") {
            event.time = try parseTime(kindToken)
            kindToken = try next("an event kind")
        }
        guard let syntax = EventSyntax.byWord[String(kindToken.text)] else {
            let words = EventSyntax.kinds.map(\.word).joined(separator: ", ")
            throw TextSyntaxError(
                column: kindToken.column, message: "unknown event kind '\(kindToken.text)' (kinds: \(words))")
        }
        var pairs: [(key: Substring, value: Substring, column: Int)] = []
        for token in tokens[index...] {
            let (key, value) = try splitField(token)
            if key == "src" {
                guard event.source.isEmpty, let source = TextValues.unquote(value) else {
                    throw TextSyntaxError(column: token.column, message: "src must be one double-quoted string")
                }
                event.source = source
            } else {
                pairs.append((key, value, token.column))
            }
        }
        event.kind = try syntax.parse(pairs)
        return event
    }

    private static func parsePrincipal(_ token: TextTokens.Token, into event: inout TraceEvent) throws(TextSyntaxError) {
        var text = token.text
        let fail = TextSyntaxError(
            column: token.column, message: "expected a principal (hyp, host, vm<ID>.<VCPU>), found '\(token.text)'")
        if text.hasPrefix("vm") {
            guard let (vm, vcpu) = parsePair(text.dropFirst(2)) else { throw fail }
            event.principal = .principalGuest
            (event.vm, event.vcpu) = (vm, vcpu)
            return
        }
        if let at = text.firstIndex(of: "@") {
            guard let (vm, vcpu) = parsePair(text[text.index(after: at)...]) else { throw fail }
            (event.vm, event.vcpu) = (vm, vcpu)
            text = text[..<at]
        }
        switch text {
        case "host": event.principal = .principalHost
        case "hyp": event.principal = .principalHypervisor
        case "nobody": event.principal = .principalUnspecified
        default:
            guard text.hasPrefix("principal"), let value = Int(text.dropFirst(9)) else { throw fail }
            event.principal = TracePrincipalKind(rawValue: value) ?? .principalUnspecified
        }
    }

    private static func parsePair(_ text: Substring) -> (UInt32, UInt32)? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let first = TextValues.parseUInt32(parts[0]),
            let second = TextValues.parseUInt32(parts[1])
        else { return nil }
        return (first, second)
    }

    private static func parseTime(_ token: TextTokens.Token) throws(TextSyntaxError) -> TraceInterval {
        let parts = token.text.dropFirst().split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[1].isEmpty, let start = TextValues.parseUInt64(parts[0]),
            let end = TextValues.parseUInt64(parts[2])
        else {
            throw TextSyntaxError(column: token.column, message: "expected @<start>..<end>, found '\(token.text)'")
        }
        var interval = TraceInterval()
        interval.startNs = start
        interval.endNs = end
        return interval
    }
}
