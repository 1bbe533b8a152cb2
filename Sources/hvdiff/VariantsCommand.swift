import ArgumentParser
import Foundation
import Hypervisor

/// `hvdiff variants`: the implementation variants, each with the change it
/// makes to the correct handlers and the condition it breaks.
struct VariantsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "variants",
        abstract: "List the implementation variants: what each changes, the condition it breaks, where it is caught.",
        discussion: "With --diff NAME, print the handler lines that variant changes (stage 2 of 3 levels)."
    )

    @Flag(help: "Print a JSON array instead of text.")
    var json = false

    @Option(help: "Show the handler diff of this variant against correct.")
    var diff: String?

    func run() throws {
        let output = FileHandleOutput.standardOutput()
        defer { output.flush() }
        if let name = diff {
            guard let variant = Variant(named: name) else {
                throw ValidationError("no variant '\(name)'; known: \(Variant.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            for change in variant.changes() {
                output.writeLine("\(change.handler.rawValue):")
                for line in change.lines { output.writeLine("  " + line) }
            }
            return
        }
        if json {
            struct Entry: Encodable {
                var name: String
                var condition: String
                var caught_on: String
                var change: String
                var handlers: [String]
            }
            let entries = Variant.allCases.map { variant in
                Entry(name: variant.rawValue, condition: variant.condition.rawValue, caught_on: variant.caughtOn.rawValue,
                      change: variant.change, handlers: variant.changes().map(\.handler.rawValue))
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            output.writeLine(String(decoding: try encoder.encode(entries), as: UTF8.self))
            return
        }
        let width = Variant.allCases.map(\.rawValue.count).max() ?? 0
        let conditionWidth = Variant.allCases.map(\.condition.rawValue.count).max() ?? 0
        for variant in Variant.allCases {
            let name = variant.rawValue.padding(toLength: width, withPad: " ", startingAt: 0)
            let condition = variant.condition.rawValue.padding(toLength: conditionWidth, withPad: " ", startingAt: 0)
            output.writeLine("\(name)  \(condition)  \(variant.caughtOn.rawValue.padding(toLength: 4, withPad: " ", startingAt: 0))  \(variant.change)")
        }
    }
}
