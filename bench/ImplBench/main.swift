// impl-bench: the implementation's throughput on the SC machine over a long,
// random but valid sequential workload.
//
//   swift run -c release --scratch-path .build-impl impl-bench [events] [seed] [--variant NAME]
//
// The workload (RandomWorkload, WorkloadMix.realistic) is generated against
// Spec, which also gives every event's expected outcome; only the
// implementation's replay is timed. Every outcome and the final abstract
// state must equal Spec's, which the benchmark checks (exit 1 otherwise).
import Foundation
import Hypervisor

let arguments = Array(CommandLine.arguments.dropFirst())
var variant = Variant.correct
if let index = arguments.firstIndex(of: "--variant") {
    guard index + 1 < arguments.count, let named = Variant(named: arguments[index + 1]) else {
        FileHandle.standardError.write("impl-bench: --variant needs a variant name (hvdiff variants)\n".data(using: .utf8)!)
        exit(2)
    }
    variant = named
}
let numbers = arguments.filter { !$0.hasPrefix("--") && Variant(named: $0) == nil }
let totalEvents = numbers.first.flatMap { Int($0) } ?? 1_000_000
let seed = numbers.dropFirst().first.flatMap { UInt64($0) } ?? 0x5EED_2026
guard totalEvents > 0 else {
    FileHandle.standardError.write("impl-bench: the event count must be positive\n".data(using: .utf8)!)
    exit(2)
}

let config = MachineConfig(
    cpus: 4, physicalPages: 8192, wordsPerPage: 4, pageTableLevels: 3,
    vms: (0..<4).map { VMConfig(vcpus: 2, isProtected: $0 % 2 == 1) }, reservedHypPages: 64)

func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

do {
    var generator = RandomWorkload(config: config, seed: seed, mix: .realistic)
    var spec = try Spec(config: config)
    var impl = try Implementation(config: config, variant: variant)
    for step in generator.setup() {
        let expected = spec.apply(step.event, on: step.cpu)
        guard impl.apply(step.event, on: step.cpu) == expected else {
            print("setup event \(step.event) differs from Spec")
            exit(1)
        }
    }
    let chunkSize = 1 << 16
    var chunk: [(RandomWorkload.Step, Outcome)] = []
    chunk.reserveCapacity(chunkSize)
    var timed: UInt64 = 0
    var done = 0
    var mismatches = 0
    var firstMismatch: String?
    while done < totalEvents {
        let count = min(chunkSize, totalEvents - done)
        chunk.removeAll(keepingCapacity: true)
        for _ in 0..<count {
            let step = generator.next(for: spec)
            let outcome = spec.apply(step.event, on: step.cpu)
            generator.observe(step, outcome)
            chunk.append((step, outcome))
        }
        let start = now()
        var outcomes: [Outcome] = []
        outcomes.reserveCapacity(count)
        for (step, _) in chunk { outcomes.append(impl.apply(step.event, on: step.cpu)) }
        timed += now() - start
        for ((step, expected), got) in zip(chunk, outcomes) where got != expected {
            mismatches += 1
            if firstMismatch == nil { firstMismatch = "\(step.event) on CPU \(step.cpu): Spec \(expected), impl \(got)" }
        }
        done += count
    }
    let seconds = Double(timed) / 1e9
    print("impl-bench: variant \(variant), \(config.cpus) CPUs, \(config.physicalPages) pages, \(config.pageTableLevels)-level stage 2, \(config.vms.count) VMs, seed \(seed)")
    print(String(format: "%d events in %.3f s: %.3f M events/s (%.0f ns/event)",
                 totalEvents, seconds, Double(totalEvents) / seconds / 1e6, Double(timed) / Double(totalEvents)))
    let sameState = impl.abstractState == spec.abstractState
    print("outcomes differing from Spec: \(mismatches); final abstract state equal: \(sameState)")
    if let firstMismatch { print("first difference: \(firstMismatch)") }
    exit(mismatches == 0 && sameState ? 0 : 1)
} catch {
    print("impl-bench: \(error)")
    exit(2)
}
