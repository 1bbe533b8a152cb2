import Litmus
import MemoryModel

/// Runs an inline herd test with `-variant` flags applied from outside, as
/// the index's variant column is.
enum HerdTestRunning {
    static func run(_ text: String, variants: [String] = [], on machine: any MemoryMachine = ArmMachine()) throws -> LitmusResult {
        switch LitmusRunner(machine: machine).run(text: text, file: "inline.litmus", variants: variants) {
        case .success(let r): return r
        case .failure(let f): throw f
        }
    }
}
