import ArgumentParser
import Foundation
import Litmus

/// `hvdiff litmus PATH... [--model arm|sc] [--json]`: runs litmus tests on a
/// memory machine and reports like herd7 (or one JSON object per test).
struct LitmusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "litmus",
        abstract: "Run AArch64 litmus tests (herd .litmus, isla .litmus.toml) on a memory machine.",
        discussion: """
            Directories are searched recursively for .litmus and .litmus.toml files. A test that \
            cannot be run is reported (as {"file","name","error"} with --json) and the run goes on. \
            Exit status: 2 if any test could not be run, else 0.
            """
    )

    @Argument(help: "Litmus files or directories.")
    var paths: [String]

    @Option(help: "The memory machine: \(MachineCatalog.names.joined(separator: " or ")).")
    var model = "arm"

    @Flag(help: "Print one JSON object per test instead of herd-style text.")
    var json = false

    @Option(help: "herd -variant flags for every test, comma-separated (vmsa, fatal, skip, handled).")
    var variant = ""

    func validate() throws {
        if MachineCatalog.machine(named: model) == nil {
            throw ValidationError("unknown model '\(model)' (known: \(MachineCatalog.names.joined(separator: ", ")))")
        }
    }

    func run() throws {
        guard let machine = MachineCatalog.machine(named: model) else { throw ExitCode(2) }
        let runner = LitmusRunner(machine: machine,
                                  variants: variant.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) })
        let output = FileHandleOutput.standardOutput()
        defer { output.flush() }
        var errors = 0
        for item in LitmusPaths.expand(paths) {
            let outcome: Result<LitmusResult, LitmusFailure>
            switch item {
            case .missing(let path, let reason):
                outcome = .failure(LitmusFailure(file: path, name: nil, message: "\(path): \(reason)"))
            case .file(let path):
                do {
                    let text = try String(contentsOfFile: path, encoding: .utf8)
                    outcome = runner.run(text: text, file: path)
                } catch {
                    outcome = .failure(LitmusFailure(file: path, name: nil, message: "\(path): cannot read: \(error.localizedDescription)"))
                }
            }
            switch outcome {
            case .success(let r):
                output.write(json ? LitmusReport.json(r) + "\n" : LitmusReport.text(r) + "\n")
            case .failure(let f):
                errors += 1
                output.write(json ? LitmusReport.json(f) + "\n" : LitmusReport.text(f) + "\n")
            }
            output.flush()
        }
        if errors > 0 { throw ExitCode(2) }
    }
}
