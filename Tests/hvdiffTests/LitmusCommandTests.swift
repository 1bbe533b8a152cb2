import Foundation
import XCTest

/// `hvdiff litmus` as a user runs it: herd-style text, one JSON object per
/// test, directories searched recursively, and exit status 2 when any test
/// could not be run (the others are still reported).
final class LitmusCommandTests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let shared = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/litmus").path

    func run(_ arguments: [String]) throws -> (status: Int32, stdout: String) {
        let process = Process()
        process.executableURL = Bundle.main.bundleURL.appendingPathComponent("hvdiff")
        process.arguments = ["litmus"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: Self.shared)
        let out = Pipe()
        process.standardOutput = out
        process.standardError = Pipe()
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .exit)
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self))
    }

    /// A path that does not exist is reported by name, the others still run.
    func testMissingPathIsNamedAndTheRunGoesOn() throws {
        let r = try run(["--model", "sc", "no/such.litmus", "herd-plain/aarch64/MP.litmus"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stdout.hasPrefix("Test such Error\nno/such.litmus: no such file or directory\n"), r.stdout)
        XCTAssertTrue(r.stdout.contains("Test MP Allowed\n"), r.stdout)
    }

    func testTextReportOnSC() throws {
        let r = try run(["--model", "sc", "herd-plain/aarch64/MP.litmus"])
        XCTAssertEqual(r.status, 0)
        XCTAssertTrue(r.stdout.hasPrefix("Test MP Allowed\nStates 3\n"), r.stdout)
        XCTAssertTrue(r.stdout.contains("\nNo\nWitnesses\nPositive: 0 Negative: 3\nCondition exists (1:X0=1 /\\ 1:X2=0)\nObservation MP Never 0 3\n"), r.stdout)
    }

    func testJSONOverADirectoryWithAnUnrunnableTest() throws {
        // A test hvdiff cannot run: an instruction no machine models. It does
        // not parse, so it is reported under its file's name.
        let unrunnable = FileManager.default.temporaryDirectory
            .appendingPathComponent("hvdiff-litmus-\(ProcessInfo.processInfo.processIdentifier).litmus")
        try "AArch64 Unrunnable\n{ 0:X1=x; }\n P0 ;\n BRAA X1, X2 ;\nexists (0:X1=1)\n"
            .write(to: unrunnable, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: unrunnable) }
        let r = try run(["--json", "--model", "sc", "herd-plain/aarch64", unrunnable.path])
        XCTAssertEqual(r.status, 2)
        let lines = r.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 57)
        XCTAssertTrue(lines[0].hasPrefix(#"{"file":"herd-plain/aarch64/2+2W+dmb.sy+po.litmus","name":"2+2W+dmb.sy+po","verdict":"forbidden","states":3,"positive":0,"negative":3,"seconds":"#))
        XCTAssertEqual(String(lines.last!), #"{"file":"\#(unrunnable.path)","name":"\#(unrunnable.deletingPathExtension().lastPathComponent)","error":"\#(unrunnable.path):4: unsupported instruction BRAA in 'BRAA X1, X2'"}"#)
    }

    func testUnknownModelIsAUsageError() throws {
        XCTAssertEqual(try run(["--model", "tso", "herd-plain/aarch64/MP.litmus"]).status, 2)
    }
}
