/// Counts over a trace: events by kind, CPU, principal and hypercall, and the
/// time span the timestamps cover. Accumulates one event at a time, so it
/// runs over traces of any length in constant memory (bounded by the header's
/// CPUs and VMs).
public struct TraceStatistics: Equatable, Sendable {
    public private(set) var events = 0
    public private(set) var byKind: [String: Int] = [:]
    public private(set) var byCPU: [UInt32: Int] = [:]
    public private(set) var byPrincipal: [String: Int] = [:]
    public private(set) var byHypercall: [String: Int] = [:]
    /// Earliest start and latest end over events with timestamps.
    public private(set) var timeSpan: ClosedRange<UInt64>?

    public init() {}

    public mutating func add(_ event: TraceEvent) {
        events += 1
        byKind[Self.kindWord(event), default: 0] += 1
        byCPU[event.cpu, default: 0] += 1
        byPrincipal[Self.principalName(event), default: 0] += 1
        if case .hypercall(let call) = event.kind {
            byHypercall[Names.hypercall.name(call.call) ?? String(call.call.rawValue), default: 0] += 1
        }
        if event.hasTime {
            let span = event.time.startNs...event.time.endNs
            timeSpan = timeSpan.map { min($0.lowerBound, span.lowerBound)...max($0.upperBound, span.upperBound) } ?? span
        }
    }

    /// The word the text form uses for the event's kind.
    public static func kindWord(_ event: TraceEvent) -> String {
        guard let kind = event.kind else { return "none" }
        return EventSyntax.kinds.first { $0.format(kind) != nil }?.word ?? "none"
    }

    /// "hyp", "host" or "vm<ID>" (vCPUs of a VM count together).
    public static func principalName(_ event: TraceEvent) -> String {
        switch event.principal {
        case .principalHypervisor: return "hyp"
        case .principalHost: return "host"
        case .principalGuest: return "vm\(event.vm)"
        case .principalUnspecified, .UNRECOGNIZED: return "unspecified"
        }
    }
}
