import Foundation
import Litmus
import MemoryModel

// litmus-bench [--model arm|sc] [SHARED_LITMUS_DIR]
//
// Times the shared litmus set (INDEX.tsv) group by group on one machine, in
// this process, one test after another (one core): parse, compile, explore
// and evaluate, as `hvdiff litmus` does. Prints per group: tests, seconds,
// tests that could not run, and verdicts that differ from the index.
// Build with -c release (see bench/RESULTS.md).

var arguments = Array(CommandLine.arguments.dropFirst())
var model = "arm"
if let i = arguments.firstIndex(of: "--model"), i + 1 < arguments.count {
    model = arguments[i + 1]
    arguments.removeSubrange(i...(i + 1))
}
let root = arguments.first ?? "../shared/litmus"
guard let machine = MachineCatalog.machine(named: model) else {
    FileHandle.standardError.write("unknown model \(model)\n".data(using: .utf8)!)
    exit(2)
}
guard let index = try? String(contentsOfFile: root + "/INDEX.tsv", encoding: .utf8) else {
    FileHandle.standardError.write("cannot read \(root)/INDEX.tsv\n".data(using: .utf8)!)
    exit(2)
}

struct GroupTotals {
    var tests = 0
    var seconds = 0.0
    var errors = 0
    var mismatches = 0
}

let runner = LitmusRunner(machine: machine)
var order: [String] = []
var groups: [String: GroupTotals] = [:]
for line in index.split(separator: "\n").dropFirst() {
    let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
    let (file, allowed, group) = (fields[0], fields[2] == "Allowed", fields[3])
    if groups[group] == nil { order.append(group); groups[group] = GroupTotals() }
    let start = Date()
    let text = (try? String(contentsOfFile: root + "/" + file, encoding: .utf8)) ?? ""
    // The -variant flags the index's verdict was computed with.
    let known = ["vmsa", "kvm", "fatal", "skip", "handled", "mixed", "ets2", "ets3"]
    let words = fields[4].lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
    let outcome = runner.run(text: text, file: file, variants: known.filter(words.contains))
    groups[group]!.seconds += Date().timeIntervalSince(start)
    groups[group]!.tests += 1
    switch outcome {
    case .success(let r): if r.allowed != allowed { groups[group]!.mismatches += 1 }
    case .failure: groups[group]!.errors += 1
    }
}

func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
print("model \(model)")
print(pad("group", 18) + pad("tests", 7) + pad("seconds", 10) + pad("errors", 8) + "mismatches")
var total = GroupTotals()
for g in order {
    let t = groups[g]!
    print(pad(g, 18) + pad(String(t.tests), 7) + pad(String(format: "%.2f", t.seconds), 10) + pad(String(t.errors), 8) + String(t.mismatches))
    total.tests += t.tests; total.seconds += t.seconds; total.errors += t.errors; total.mismatches += t.mismatches
}
print(pad("total", 18) + pad(String(total.tests), 7) + pad(String(format: "%.2f", total.seconds), 10) + pad(String(total.errors), 8) + String(total.mismatches))
