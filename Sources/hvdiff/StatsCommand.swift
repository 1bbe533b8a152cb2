import ArgumentParser
import Foundation
import Trace

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Count a trace's events by kind, CPU, principal and hypercall, and its time span.",
        discussion: "Directories are searched recursively for .hvtrace and .hvt files."
    )

    @Argument(help: "Trace files or directories.")
    var paths: [String]

    @Flag(help: "Print one JSON object per trace instead of text.")
    var json = false

    func run() throws {
        let output = FileHandleOutput.standardOutput()
        defer { output.flush() }
        for path in try TracePaths.expand(paths) {
            let reader = try TraceFiles.openReader(path: path)
            var statistics = TraceStatistics()
            while let event = try reader.next() {
                statistics.add(event)
            }
            output.write(json ? try jsonLine(path, reader.header, statistics) : text(path, reader.header, statistics))
            output.flush()
        }
    }

    private func text(_ path: String, _ header: TraceHeader, _ statistics: TraceStatistics) -> String {
        let machine = header.machine
        var lines = [
            "\(path): \(statistics.events) events",
            "  machine: \(machine.cpus) CPUs, \(machine.physicalPages) pages, \(machine.pageTableLevels)-level stage 2, \(machine.vms.count) VMs"
                + (header.variant.isEmpty ? "" : ", variant \(header.variant)"),
        ]
        func table(_ title: String, _ counts: [String: Int]) {
            guard !counts.isEmpty else { return }
            let items = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            lines.append("  \(title): " + items.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        table("by kind", statistics.byKind)
        table("by cpu", Dictionary(uniqueKeysWithValues: statistics.byCPU.map { ("cpu\($0.key)", $0.value) }))
        table("by principal", statistics.byPrincipal)
        table("hypercalls", statistics.byHypercall)
        if let span = statistics.timeSpan {
            lines.append("  time: \(span.lowerBound)..\(span.upperBound) ns (\(span.upperBound - span.lowerBound) ns)")
        } else {
            lines.append("  time: no timestamps")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private struct Summary: Encodable {
        struct Span: Encodable {
            var start_ns: UInt64
            var end_ns: UInt64
        }
        var file: String
        var events: Int
        var variant: String
        var by_kind: [String: Int]
        var by_cpu: [String: Int]
        var by_principal: [String: Int]
        var hypercalls: [String: Int]
        var time: Span?
    }

    private func jsonLine(_ path: String, _ header: TraceHeader, _ statistics: TraceStatistics) throws -> String {
        let summary = Summary(
            file: path, events: statistics.events, variant: header.variant, by_kind: statistics.byKind,
            by_cpu: Dictionary(uniqueKeysWithValues: statistics.byCPU.map { (String($0.key), $0.value) }),
            by_principal: statistics.byPrincipal, hypercalls: statistics.byHypercall,
            time: statistics.timeSpan.map { Summary.Span(start_ns: $0.lowerBound, end_ns: $0.upperBound) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(summary), as: UTF8.self) + "\n"
    }
}
