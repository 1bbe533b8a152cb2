import Litmus
import MemoryModel

/// Runs a litmus test written inline in a test: herd's format, or isla's
/// when `file` ends in `.litmus.toml` (the runner goes by the extension),
/// with `-variant` flags applied from outside as the index's variant
/// column is. A test that cannot run throws its error.
enum InlineTestRunning {
    static func run(_ text: String, file: String = "inline.litmus", variants: [String] = [],
                    on machine: any MemoryMachine = ArmMachine()) throws -> LitmusResult {
        switch LitmusRunner(machine: machine).run(text: text, file: file, variants: variants) {
        case .success(let r): return r
        case .failure(let f): throw f
        }
    }
}
