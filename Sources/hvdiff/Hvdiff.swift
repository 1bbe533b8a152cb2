import ArgumentParser

#if canImport(Glibc)
import Glibc
#endif

/// The hvdiff command-line tool.
struct Hvdiff: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hvdiff",
        abstract: "Differential testing of hypervisor memory isolation on SC and Armv8-A relaxed memory.",
        discussion: """
            Traces are .hvtrace (binary: protobuf records, zstd compressed) or .hvt (text, one \
            event per line). Exit status: 0 on success, 2 on bad input or usage.
            """,
        subcommands: [ConvertCommand.self, ShowCommand.self, StatsCommand.self, LitmusCommand.self, VariantsCommand.self]
    )
}

/// Runs hvdiff, mapping every failure to exit status 2 (help and version exit 0).
@main
enum HvdiffMain {
    static func main() {
        do {
            var command = try Hvdiff.parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            // A command that has already reported its problems chose its status.
            Glibc.exit(code.rawValue)
        } catch {
            if Hvdiff.exitCode(for: error) == .success {
                Hvdiff.exit(withError: error)
            }
            let message = Hvdiff.fullMessage(for: error)
            FileHandleOutput.standardError().write(message.hasSuffix("\n") ? message : message + "\n")
            Glibc.exit(2)
        }
    }
}
