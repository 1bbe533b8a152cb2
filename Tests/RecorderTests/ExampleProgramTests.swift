import Foundation
import Recorder
import Trace
import XCTest

/// Runs the example program (examples/record-trace), built by SwiftPM next
/// to the test bundle, and reads what it wrote.
final class ExampleProgramTests: XCTestCase {
    /// The events examples/record-trace/record_trace.c records.
    static let expectedEvents: [EventSpec] = [
        EventSpec(cpu: 0, principal: 2, seq: 0, time: .init(start: 0, end: 1200),
                  source: "mem_protect.c:__pkvm_host_share_hyp",
                  kind: .hypercall(call: 1, args: [0x8a], recordedReturn: 0)),
        EventSpec(cpu: 1, principal: 3, vm: 1, vcpu: 0, seq: 0, time: .init(start: 1200, end: 1205),
                  kind: .access(space: 1, op: 2, address: 0x2000, width: 8, value: 0xdead_beef_cafe_f00d,
                                outcome: 1, recordedValue: 0)),
        EventSpec(cpu: 1, principal: 3, vm: 1, vcpu: 0, seq: 1, time: .init(start: 1205, end: 2005),
                  source: "handle_exit.c:kvm_handle_guest_abort",
                  kind: .stage2Fault(address: 0x3000, op: 1, resolution: 2)),
        EventSpec(cpu: 0, principal: 1, seq: 1, time: .init(start: 2005, end: 2015),
                  source: "pgtable.c:stage2_unmap_walker",
                  kind: .hypWrite(order: 1, address: 0x4001_2020, value: 0, width: 8)),
        EventSpec(cpu: 0, principal: 1, seq: 2, time: .init(start: 2015, end: 2035), kind: .barrier(kind: 2, domain: 5)),
        EventSpec(cpu: 0, principal: 1, seq: 3, time: .init(start: 2035, end: 2075), kind: .tlbi(op: 14, operand: 4)),
        EventSpec(cpu: 0, principal: 1, seq: 4, time: .init(start: 2075, end: 2135), kind: .barrier(kind: 2, domain: 4)),
        EventSpec(cpu: 0, principal: 2, seq: 5, time: .init(start: 2135, end: 2165),
                  kind: .ipiSend(targetCpu: 1, targetVcpu: 0, intid: 1)),
        EventSpec(cpu: 1, principal: 2, seq: 2, time: .init(start: 2165, end: 2180),
                  kind: .ipiDelivery(sourceCpu: 0, intid: 1)),
    ]

    private func exampleProgram() throws -> URL {
        if let override = ProcessInfo.processInfo.environment["HVTRACE_EXAMPLE"] {
            return URL(fileURLWithPath: override)
        }
        // The test runner lives in the build folder (.build/debug/...), and so
        // does every product of the package.
        let runner = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        var folder = runner.deletingLastPathComponent()
        // On platforms with bundle folders the runner sits inside one.
        while folder.pathExtension == "xctest" || folder.lastPathComponent == "MacOS" || folder.lastPathComponent == "Contents" {
            folder.deleteLastPathComponent()
        }
        let program = folder.appendingPathComponent("hvtrace-example")
        guard FileManager.default.isExecutableFile(atPath: program.path) else {
            throw TestFailure("the example program is not at \(program.path); build it (swift build --product hvtrace-example)")
        }
        return program
    }

    private func run(_ program: URL, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    func testExampleWritesTheDocumentedEvents() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("example.hvtrace")
        let result = try run(try exampleProgram(), [path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "wrote 9 events to \(path)\n")

        let read = try readCTrace(path: path)
        XCTAssertNil(read.error, read.errorText)
        XCTAssertEqual(read.header?.machine.cpus, 2)
        XCTAssertEqual(read.header?.machine.vms.first?.id, 1)
        XCTAssertEqual(read.header?.machine.vms.first?.protected, true)
        XCTAssertEqual(read.header?.variant, "correct")
        XCTAssertEqual(read.events, Self.expectedEvents)

        // hvdiff's own reader accepts it too.
        let swift = try readSwiftTrace(path: path)
        XCTAssertEqual(swift.header, read.header)
        XCTAssertEqual(swift.events, Self.expectedEvents.map(\.traceEvent))
    }

    func testExampleReportsErrors() throws {
        let result = try run(try exampleProgram(), ["/nonexistent/dir/example.hvtrace"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stdout, "")
        XCTAssertEqual(
            result.stderr, "record-trace: /nonexistent/dir/example.hvtrace: cannot create: No such file or directory\n")
    }
}
