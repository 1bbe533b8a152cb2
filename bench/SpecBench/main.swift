// spec-bench: Spec's throughput on a long, random but valid workload.
//
//   swift run -c release --scratch-path .build-hyp spec-bench [events] [seed]
//
// The workload (RandomWorkload, WorkloadMix.realistic) is generated in
// chunks against one Spec, then each chunk is replayed on a second Spec and
// only the replay is timed, so the figure is Spec's own cost per event.
// Both Specs must end in the same state, which the benchmark checks.
import Foundation
import Hypervisor

let arguments = CommandLine.arguments.dropFirst()
let wantBreakdown = arguments.contains("--breakdown")
let numbers = arguments.filter { !$0.hasPrefix("--") }
let totalEvents = numbers.first.flatMap { Int($0) } ?? 12_000_000
let seed = numbers.dropFirst().first.flatMap { UInt64($0) } ?? 0x5EED_2026
guard totalEvents > 0 else {
    FileHandle.standardError.write("spec-bench: the event count must be positive\n".data(using: .utf8)!)
    exit(2)
}

let config = MachineConfig(
    cpus: 8, physicalPages: 65_536, wordsPerPage: 4, pageTableLevels: 3,
    vms: (0..<8).map { VMConfig(vcpus: 4, isProtected: $0 % 2 == 1) }, reservedHypPages: 256)

func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

/// The event's kind, for the breakdown printed at the end.
func kindName(_ event: MachineEvent) -> String {
    let text = String(describing: event)
    return String(text.prefix { $0 != "(" })
}

do {
    var generator = RandomWorkload(config: config, seed: seed, mix: .realistic)
    var generating = try Spec(config: config)
    var timed = try Spec(config: config)
    for step in generator.setup() {
        _ = generating.apply(step.event, on: step.cpu)
        _ = timed.apply(step.event, on: step.cpu)
    }

    let chunkSize = 1 << 20
    var chunk: [RandomWorkload.Step] = []
    chunk.reserveCapacity(chunkSize)
    var outcomes = [Int](repeating: 0, count: 5)  // hypercall, access, fault, ipi, invalid
    var failures = 0
    var timedNanoseconds: UInt64 = 0
    var generationNanoseconds: UInt64 = 0
    var kinds = (hypercalls: 0, accesses: 0, faults: 0, ipis: 0)
    var breakdown: [String: (count: Int, failed: Int)] = [:]
    var done = 0
    while done < totalEvents {
        let count = min(chunkSize, totalEvents - done)
        chunk.removeAll(keepingCapacity: true)
        let generationStart = now()
        for _ in 0..<count {
            let step = generator.next(for: generating)
            let outcome = generating.apply(step.event, on: step.cpu)
            generator.observe(step, outcome)
            chunk.append(step)
            if wantBreakdown {
                let name = kindName(step.event)
                var entry = breakdown[name] ?? (0, 0)
                entry.count += 1
                if case .hypercall(.failure) = outcome { entry.failed += 1 }
                if case .access(.fault) = outcome { entry.failed += 1 }
                breakdown[name] = entry
            }
        }
        generationNanoseconds += now() - generationStart

        let start = now()
        var checksum = 0
        for step in chunk {
            switch timed.apply(step.event, on: step.cpu) {
            case .hypercall(let result):
                kinds.hypercalls += 1
                if !result.isSuccess { failures += 1 }
            case .access(let access):
                kinds.accesses += 1
                if case .read(let value) = access { checksum &+= Int(truncatingIfNeeded: value) }
            case .fault: kinds.faults += 1
            case .ipi: kinds.ipis += 1
            case .invalid: outcomes[4] += 1
            }
        }
        timedNanoseconds += now() - start
        outcomes[0] &+= checksum & 1  // keep the reads observable
        done += count
    }

    guard timed.abstractState == generating.abstractState else {
        FileHandle.standardError.write("spec-bench: replay diverged from generation (Spec is not deterministic)\n"
            .data(using: .utf8)!)
        exit(1)
    }
    let violations = timed.invariantViolations()
    guard violations.isEmpty else {
        FileHandle.standardError.write("spec-bench: invariants broken: \(violations.prefix(5))\n".data(using: .utf8)!)
        exit(1)
    }

    let final = timed.abstractState
    var owners = (host: 0, hyp: 0, guest: 0)
    for page in final.pages {
        switch page.owner {
        case .host: owners.host += 1
        case .hypervisor: owners.hyp += 1
        case .guest: owners.guest += 1
        }
    }
    let mappings = final.vms.reduce(0) { $0 + $1.mappings.count }
    let seconds = Double(timedNanoseconds) / 1e9
    let rate = Double(totalEvents) / seconds
    print("spec-bench: \(totalEvents) events, seed \(seed)")
    print("  mix: \(kinds.accesses) accesses, \(kinds.hypercalls) hypercalls (\(failures) failed), "
        + "\(kinds.faults) faults, \(kinds.ipis) IPI events, \(outcomes[4]) invalid")
    print(String(format: "  Spec: %.3f s, %.2f M events/s (%.1f ns/event)", seconds, rate / 1e6, 1e9 / rate))
    print(String(format: "  generation (not included): %.3f s", Double(generationNanoseconds) / 1e9))
    print("  final state: pages owned by host \(owners.host), hypervisor \(owners.hyp), guests \(owners.guest); "
        + "\(mappings) guest mappings")
    if wantBreakdown {
        for (name, entry) in breakdown.sorted(by: { $0.value.count > $1.value.count }) {
            print("    \(name): \(entry.count) (\(entry.failed) refused)")
        }
    }
} catch {
    FileHandle.standardError.write("spec-bench: \(error)\n".data(using: .utf8)!)
    exit(1)
}
