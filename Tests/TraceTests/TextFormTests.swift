import Foundation
import XCTest

@testable import Trace

final class TextFormTests: XCTestCase {
    var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
    }

    static let header = """
        header version=1 cpus=2 pages=64 levels=3 words=4
        vm id=1 vcpus=2 protected=true

        """

    func read(_ text: String) throws -> [TraceEvent] {
        let path = directory.path("t.hvt")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let reader = try TraceTextReader(path: path)
        var events: [TraceEvent] = []
        while let event = try reader.next() { events.append(event) }
        return events
    }

    func error(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> TraceError? {
        do {
            _ = try read(text)
            XCTFail("expected an error", file: file, line: line)
            return nil
        } catch {
            XCTAssertTrue(error is TraceError, "\(error)", file: file, line: line)
            return error as? TraceError
        }
    }

    func testHandWrittenLineParses() throws {
        let events = try read(Self.header + """
            # a comment line
            cpu1 vm1.0 #3 @10..20 access op=write space=ipa addr=0x1000 width=8 value=42 outcome=ok  # trailing comment
            cpu0 host #0 hypercall call=host_share_hyp args=0x20,7 ret=-EPERM src="a \\"b\\".c:1"
            """)
        XCTAssertEqual(events.count, 2)
        XCTAssertEqual(events[0].principal, .principalGuest)
        XCTAssertEqual(events[0].vm, 1)
        XCTAssertEqual(events[0].seq, 3)
        XCTAssertEqual(events[0].time.startNs, 10)
        XCTAssertEqual(events[0].access.value, 42)
        XCTAssertEqual(events[1].hypercall.args, [0x20, 7])
        XCTAssertEqual(events[1].hypercall.recordedReturn.value, -1)
        XCTAssertEqual(events[1].source, "a \"b\".c:1")
        XCTAssertEqual(
            TraceText.eventLine(events[1]),
            "cpu0 host #0 hypercall call=host_share_hyp args=0x20,0x7 ret=-EPERM src=\"a \\\"b\\\".c:1\"")
    }

    func testErrorsNameLineAndColumn() throws {
        let cases: [(String, Int, Int, String)] = [
            ("cpu0 host #0 hypercal call=init_vm", 3, 14, "unknown event kind 'hypercal'"),
            ("cpu0 host #0 hypercall cal=init_vm", 3, 24, "hypercall has no field 'cal'"),
            ("cpu0 host #0 hypercall call=init_vm call=init_vm", 3, 37, "given twice"),
            ("cpu0 host #0 hypercall call=nonsense", 3, 24, "expected one of"),
            ("cpu0 host #0 access op=read addr=0xZZ", 3, 29, "addr=0xZZ: expected a 64-bit"),
            ("cpu0 host 5 access op=read", 3, 11, "expected #<seq>"),
            ("cpu0 someone #1 access op=read", 3, 6, "expected a principal"),
            ("cpu0 host #1 @5..x access op=read", 3, 14, "expected @<start>..<end>"),
            ("cpu0 host #1", 3, 13, "line ends where an event kind was expected"),
            ("cpu0 host #1 hypercall call=init_vm src=\"open", 3, 37, "unterminated string"),
            ("cpux host #1 hypercall call=init_vm", 3, 1, "expected 'header', 'vm' or an event"),
            ("cpu0 host #1 hypercall call=init_vm\nheader version=1", 4, 1, "must come before the first event"),
            ("cpu0 host #1 hypercall args=1", 3, 1, "no hypercall number"),
            ("cpu9 host #1 hypercall call=init_vm", 3, 1, "cpu 9 does not exist"),
            ("cpu0 vm2.0 #1 hypercall call=init_vm", 3, 1, "VM 2 is not in the header"),
            ("cpu0 vm1.5 #1 hypercall call=init_vm", 3, 1, "VM 1 has no vCPU 5"),
            ("cpu0 host #4 hypercall call=init_vm\ncpu0 host #4 hypercall call=init_vm", 4, 1, "does not increase"),
            ("cpu0 host #1 @9..3 hypercall call=init_vm", 3, 1, "ends (3) before it starts (9)"),
            ("cpu0 host #1 access op=read space=ipa addr=0 width=3", 3, 1, "width 3"),
            ("cpu0 host #1 barrier kind=isb domain=ish", 3, 1, "ISB takes no shareability domain"),
            ("cpu0 host #1 barrier kind=dmb", 3, 1, "DMB/DSB needs a domain"),
        ]
        for (line, expectedLine, expectedColumn, message) in cases {
            guard let error = error(Self.header + line) else { continue }
            XCTAssertEqual(error.position, .line(expectedLine, column: expectedColumn), "\(line): \(error)")
            XCTAssertTrue(error.message.contains(message), "\(line): \(error)")
            XCTAssertTrue(error.description.hasPrefix(directory.path("t.hvt") + ":\(expectedLine):"), "\(error)")
        }
    }

    func testHeaderProblems() {
        XCTAssertTrue(error("cpu0 host #0 hypercall call=init_vm")!.message.contains("event before the header"))
        XCTAssertTrue(error("# nothing\n")!.message.contains("no header line"))
        XCTAssertTrue(error("header version=1 cpus=0 pages=1 levels=3 words=1")!.message.contains("cpus 0"))
        XCTAssertTrue(error("header version=2 cpus=1 pages=1 levels=3 words=1")!.message.contains("format version 2"))
        XCTAssertTrue(error("header version=1 cpus=1 pages=1 levels=7 words=1")!.message.contains("page_table_levels"))
        XCTAssertTrue(
            error("header version=1 cpus=1 pages=1 levels=3 words=1\nvm id=1 vcpus=1\nvm id=1 vcpus=2")!
                .message.contains("VM id 1 appears twice"))
        XCTAssertTrue(error("vm id=1 vcpus=1")!.message.contains("vm line before the header"))
        XCTAssertTrue(
            error("header version=1 cpus=1 pages=1 levels=3 words=1\nheader version=1 cpus=1 pages=1 levels=3 words=1")!
                .message.contains("second header"))
    }

    func testOverlongLineAndInvalidUTF8() throws {
        let long = Self.header + "cpu0 host #0 hypercall call=init_vm src=\"" + String(repeating: "x", count: 70_000) + "\""
        XCTAssertTrue(error(long)!.message.contains("line longer than"))

        let path = directory.path("bad.hvt")
        try Data(Array(Self.header.utf8) + [0x63, 0xff, 0x0a]).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try TraceTextReader(path: path)) { error in
            XCTAssertEqual((error as? TraceError)?.position, .line(3, column: 1))
            XCTAssertTrue("\(error)".contains("not valid UTF-8"))
        }
    }

    func testStringEscapesRoundTrip() {
        var random = SeededGenerator(seed: 21)
        let alphabet = Array("ab \"\\\n\t\r\u{1}\u{7f}é€#=")
        for _ in 0..<500 {
            let string = String((0..<Int.random(in: 0..<20, using: &random)).map { _ in RandomEvents.pick(alphabet, &random) })
            let quoted = TextValues.quote(string)
            XCTAssertEqual(TextValues.unquote(Substring(quoted)), string)
            XCTAssertFalse(quoted.contains("\n"))
        }
    }

    func testNumbersAcceptDecimalAndHexOnly() {
        XCTAssertEqual(TextValues.parseUInt64("0x10"), 16)
        XCTAssertEqual(TextValues.parseUInt64("18446744073709551615"), .max)
        XCTAssertNil(TextValues.parseUInt64("18446744073709551616"))
        XCTAssertNil(TextValues.parseUInt64("0x"))
        XCTAssertNil(TextValues.parseUInt64("-1"))
        XCTAssertNil(TextValues.parseUInt64("+1"))
        XCTAssertEqual(TextValues.parseReturn("-EBUSY"), -16)
        XCTAssertEqual(TextValues.parseReturn("-9223372036854775808"), .min)
        XCTAssertNil(TextValues.parseReturn("-EWHATEVER"))
    }
}
