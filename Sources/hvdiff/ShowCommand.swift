import ArgumentParser
import SwiftProtobuf
import Trace

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print a trace in its text form, or as JSON lines.",
        discussion: """
            Without --json the output is the .hvt text form. With --json the first line is \
            {"header": ...} and each further line {"event": ...}, in protobuf's JSON mapping.
            """
    )

    @Argument(help: "The trace to print (.hvtrace or .hvt).")
    var path: String

    @Flag(help: "Print JSON lines instead of the text form.")
    var json = false

    func run() throws {
        let reader = try TraceFiles.openReader(path: path)
        let output = FileHandleOutput.standardOutput()
        defer { output.flush() }
        if json {
            output.writeLine("{\"header\":\(try reader.header.jsonString())}")
            while let event = try reader.next() {
                output.writeLine("{\"event\":\(try event.jsonString())}")
            }
        } else {
            for line in TraceText.headerLines(reader.header) {
                output.writeLine(line)
            }
            while let event = try reader.next() {
                output.writeLine(TraceText.eventLine(event))
            }
        }
    }
}
