import Foundation
import XCTest

/// Runs the built `hvdiff` binary as a user would and checks its output and
/// exit status: 0 on success, 2 on bad input or usage, never a crash.
final class CommandLineTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("hvdiff-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    func hvdiff(_ arguments: String...) throws -> Result {
        try hvdiff(arguments)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func testConvertBothWaysIsExact() throws {
        let source = "traces/share-and-donate.hvt"
        XCTAssertEqual(try hvdiff("convert", source, path("a.hvtrace")).status, 0)
        XCTAssertEqual(try hvdiff("convert", path("a.hvtrace"), path("b.hvt")).status, 0)
        XCTAssertEqual(try hvdiff("convert", path("b.hvt"), path("c.hvtrace")).status, 0)
        XCTAssertEqual(
            try Data(contentsOf: URL(fileURLWithPath: path("a.hvtrace"))),
            try Data(contentsOf: URL(fileURLWithPath: path("c.hvtrace"))))
        let shown = try hvdiff("show", path("a.hvtrace"))
        XCTAssertEqual(shown.status, 0)
        XCTAssertEqual(shown.stdout, try String(contentsOfFile: path("b.hvt"), encoding: .utf8))
        XCTAssertTrue(shown.stdout.contains("hypercall call=host_donate_guest args=0x30,0x100,0x1 ret=0"))
    }

    func testShowJSONLines() throws {
        let result = try hvdiff("show", "--json", "traces/guest-ipi.hvtrace")
        XCTAssertEqual(result.status, 0)
        let lines = result.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 11)
        XCTAssertTrue(lines[0].hasPrefix("{\"header\":"))
        for line in lines {
            XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(line.utf8)))
        }
        XCTAssertTrue(lines[8].contains("\"ipiSend\""), String(lines[8]))
    }

    func testStatsOverTheBundledTraces() throws {
        let result = try hvdiff("stats", "--json", "traces")
        XCTAssertEqual(result.status, 0, result.stderr)
        let objects = try result.stdout.split(separator: "\n").map {
            try XCTUnwrap(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        XCTAssertGreaterThanOrEqual(objects.count, 6)
        let donate = try XCTUnwrap(objects.first { ($0["file"] as? String) == "traces/share-and-donate.hvtrace" })
        XCTAssertEqual(donate["events"] as? Int, 14)
        XCTAssertEqual((donate["by_kind"] as? [String: Int])?["hypercall"], 7)
        XCTAssertEqual((donate["by_principal"] as? [String: Int])?["vm1"], 4)
        XCTAssertEqual((donate["time"] as? [String: Int])?["start_ns"], 1000)

        let text = try hvdiff("stats", "traces/guest-ipi.hvt")
        XCTAssertEqual(text.status, 0)
        XCTAssertTrue(text.stdout.contains("traces/guest-ipi.hvt: 10 events"), text.stdout)
        XCTAssertTrue(text.stdout.contains("by cpu: cpu0 7, cpu1 3"), text.stdout)
    }

    func testBadInputExitsWithStatusTwoAndSaysWhere() throws {
        try "header version=1 cpus=1 pages=4 levels=3 words=1\ncpu0 host #0 hypercal\n"
            .write(toFile: path("bad.hvt"), atomically: true, encoding: .utf8)
        try Data("HVTRACE\n\u{1}\0\0\0garbage".utf8).write(to: URL(fileURLWithPath: path("bad.hvtrace")))
        let cases: [([String], String)] = [
            (["stats", path("missing.hvtrace")], "no such file"),
            (["show", path("missing.hvtrace")], "No such file"),
            (["show", path("bad.hvt")], "bad.hvt:2:14"),
            (["show", path("bad.hvtrace")], "bad.hvtrace: byte 12: expected a zstd frame"),
            (["convert", path("bad.hvt"), path("out.hvtrace")], "unknown event kind"),
            (["convert", "traces/guest-ipi.hvt", path("out.txt")], "unknown trace file extension"),
            (["convert", "traces/guest-ipi.hvt", "traces/guest-ipi.hvt"], "same file"),
            (["stats"], "Missing expected argument"),
            (["show"], "Missing expected argument"),
            (["show", "--frobnicate", "x.hvt"], "Unknown option"),
            (["nonsense"], "Unexpected argument"),
        ]
        for (arguments, message) in cases {
            let result = try hvdiff(arguments)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: path("out.hvtrace")), "a failed convert leaves no partial output")
    }

    func testHelpExitsZero() throws {
        for arguments in [["--help"], ["convert", "--help"], ["show", "--help"], ["stats", "--help"]] {
            let result = try hvdiff(arguments)
            XCTAssertEqual(result.status, 0)
            XCTAssertTrue(result.stdout.contains("USAGE"), result.stdout)
        }
    }

    private func hvdiff(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = Bundle.main.bundleURL.appendingPathComponent("hvdiff")
        process.arguments = arguments
        process.currentDirectoryURL = Self.packageRoot
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .exit)
        return Result(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }
}
