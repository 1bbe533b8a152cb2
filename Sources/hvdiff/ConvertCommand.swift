import ArgumentParser
import Foundation
import Trace

struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a trace between the binary (.hvtrace) and text (.hvt) forms.",
        discussion: """
            The forms are chosen by the file extensions; converting either way and back gives \
            the same events. On any error the partial output file is removed.
            """
    )

    @Argument(help: "The trace to read (.hvtrace or .hvt).")
    var input: String

    @Argument(help: "The trace to write (.hvtrace or .hvt); replaced if it exists.")
    var output: String

    func validate() throws {
        _ = try TraceFiles.form(of: input)
        _ = try TraceFiles.form(of: output)
        let same = URL(fileURLWithPath: input).standardizedFileURL.resolvingSymlinksInPath()
            == URL(fileURLWithPath: output).standardizedFileURL.resolvingSymlinksInPath()
        if same {
            throw ValidationError("input and output are the same file")
        }
    }

    func run() throws {
        let reader = try TraceFiles.openReader(path: input)
        let writer = try TraceFiles.createWriter(path: output, header: reader.header)
        do {
            while let event = try reader.next() {
                try writer.append(event)
            }
            try writer.close()
        } catch {
            try? writer.close()
            try? FileManager.default.removeItem(atPath: output)
            throw error
        }
    }
}
