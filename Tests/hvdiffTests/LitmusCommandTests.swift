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
        let r = try run(["--json", "--model", "sc", "herd-plain/aarch64", "herd-regression/AArch64/A242.litmus"])
        XCTAssertEqual(r.status, 2)
        let lines = r.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 57)
        XCTAssertTrue(lines[0].hasPrefix(#"{"file":"herd-plain/aarch64/2+2W+dmb.sy+po.litmus","name":"2+2W+dmb.sy+po","verdict":"forbidden","states":3,"positive":0,"negative":3,"seconds":"#))
        XCTAssertEqual(String(lines.last!), #"{"file":"herd-regression/AArch64/A242.litmus","name":"A242","error":"herd-regression/AArch64/A242.litmus:24: unsupported instruction CASP in 'CASP W6,W7,W2,W3,[X5]'"}"#)
    }

    func testUnknownModelIsAUsageError() throws {
        XCTAssertEqual(try run(["--model", "tso", "herd-plain/aarch64/MP.litmus"]).status, 2)
    }
}
