// trace-bench: writes and reads a long trace with the Swift writer and
// reader, and reads the same file with the C reader (Sources/Recorder, built
// on protobuf-c and libzstd), reporting events/s, bytes/event and the ratio
// of the Swift reader's speed to the C reader's.
//
//   swift run -c release trace-bench [--events N] [--repeat R] [--file PATH]
//
// Each phase runs R times (default 3) and the fastest run is reported: the
// machine is shared, and the minimum is the least disturbed measurement.
import Foundation
import Recorder
import Trace

#if canImport(Glibc)
import Glibc
#endif

struct Options {
    var events = 10_000_000
    var repeats = 3
    var file = FileManager.default.temporaryDirectory.appendingPathComponent("hvdiff-trace-bench.hvtrace").path

    init(_ arguments: [String]) {
        var rest = arguments.dropFirst()
        while let argument = rest.popFirst() {
            switch argument {
            case "--events":
                guard let value = rest.popFirst().flatMap({ Int($0) }), value > 0 else { Options.usage() }
                events = value
            case "--repeat":
                guard let value = rest.popFirst().flatMap({ Int($0) }), value > 0 else { Options.usage() }
                repeats = value
            case "--file":
                guard let value = rest.popFirst() else { Options.usage() }
                file = value
            default:
                Options.usage()
            }
        }
    }

    static func usage() -> Never {
        FileHandle.standardError.write(Data("usage: trace-bench [--events N] [--repeat R] [--file PATH]\n".utf8))
        exit(2)
    }
}

/// Size of the event pool; large enough that zstd cannot compress the
/// trace down to a repeated pattern.
let poolSize = 1 << 16

/// A fixed pool of realistic events (mostly guest accesses and hypercalls,
/// some faults, IPIs, vCPU switches and hypervisor-internal operations);
/// the benchmark cycles through it, renumbering seq per CPU.
func eventPool(cpus: UInt32) -> [TraceEvent] {
    var random = SystemRandomNumberGenerator()
    var pool: [TraceEvent] = []
    for index in 0..<poolSize {
        var event = TraceEvent()
        event.cpu = UInt32(index) % cpus
        event.principal = index % 3 == 0 ? .principalHost : .principalGuest
        if event.principal == .principalGuest {
            event.vm = 1
            event.vcpu = UInt32(index) % 2
        }
        event.time.startNs = UInt64(index) * 1_000
        event.time.endNs = event.time.startNs + UInt64.random(in: 50...900, using: &random)
        switch index % 20 {
        case 0..<10:
            var access = TraceMemoryAccess()
            access.op = index % 2 == 0 ? .opRead : .opWrite
            access.space = .spaceIpa
            access.address = UInt64.random(in: 0..<(1 << 20), using: &random) << 3
            access.width = 8
            access.value = access.op == .opWrite ? UInt64.random(in: 0..<1 << 32, using: &random) : 0
            access.recordedOutcome = .outcomeOk
            access.recordedValue = access.op == .opRead ? UInt64.random(in: 0..<1 << 32, using: &random) : 0
            event.kind = .access(access)
        case 10..<14:
            var call = TraceHypercall()
            call.call = [.hcHostShareHyp, .hcHostShareGuest, .hcHostDonateGuest, .hcGuestMemShare][index % 4]
            call.args = [UInt64.random(in: 0..<(1 << 18), using: &random), 0x100, 1]
            call.recordedReturn.value = 0
            event.kind = .hypercall(call)
        case 14:
            var fault = TraceStage2Fault()
            fault.op = .opRead
            fault.address = UInt64.random(in: 0..<(1 << 30), using: &random) & ~0xfff
            fault.recordedResolution = .resolutionMapped
            event.kind = .stage2Fault(fault)
        case 15:
            var send = TraceIpiSend()
            send.targetCpu = (event.cpu + 1) % cpus
            send.targetVcpu = 1
            send.intid = 1
            event.kind = .ipiSend(send)
        case 16:
            var delivery = TraceIpiDelivery()
            delivery.sourceCpu = (event.cpu + 1) % cpus
            delivery.intid = 1
            event.kind = .ipiDelivery(delivery)
        case 17:
            var enter = TraceVcpuEnter()
            enter.vm = 1
            enter.vcpu = 0
            event.kind = .vcpuEnter(enter)
        case 18:
            var write = TraceHypMemWrite()
            write.order = .orderPlain
            write.address = 0x4000_0000 + UInt64(index) * 8
            write.value = UInt64.random(in: 0..<1 << 48, using: &random) | 3
            write.width = 8
            event.kind = .hypWrite(write)
        default:
            var barrier = TraceBarrier()
            barrier.kind = .barrierDsb
            barrier.domain = .domainIsh
            event.kind = .barrier(barrier)
        }
        pool.append(event)
    }
    return pool
}

/// The fastest of `repeats` runs of `body`, in seconds.
func seconds(_ repeats: Int, _ body: () throws -> Void) rethrows -> Double {
    var best = Double.infinity
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return best
}

func rate(_ events: Int, _ seconds: Double) -> String {
    String(format: "%.2f M events/s (%.2f s)", Double(events) / seconds / 1e6, seconds)
}

func maxResidentMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

func main() throws {
    let options = Options(CommandLine.arguments)
    let cpus: UInt32 = 8
    var header = TraceHeader()
    header.formatVersion = 1
    header.machine.cpus = cpus
    header.machine.physicalPages = 1 << 18
    header.machine.pageTableLevels = 3
    header.machine.wordsPerPage = 4
    header.recorder = "trace-bench"
    header.variant = "correct"
    var vm = TraceVirtualMachine()
    vm.id = 1
    vm.vcpus = 2
    header.machine.vms = [vm]

    let pool = eventPool(cpus: cpus)
    let writeSeconds = try seconds(options.repeats) {
        let writer = try TraceFileWriter(path: options.file, header: header)
        var seq = [UInt64](repeating: 0, count: Int(cpus))
        for index in 0..<options.events {
            var event = pool[index & (poolSize - 1)]
            seq[Int(event.cpu)] += 1
            event.seq = seq[Int(event.cpu)]
            try writer.append(event)
        }
        try writer.close()
    }
    let bytes = try FileManager.default.attributesOfItem(atPath: options.file)[.size] as? Int ?? 0

    var swiftCount = 0
    var checksum: UInt64 = 0
    let swiftSeconds = try seconds(options.repeats) {
        swiftCount = 0
        checksum = 0
        let reader = try TraceFileReader(path: options.file)
        var event = TraceEvent()
        while try reader.read(into: &event) {
            swiftCount += 1
            checksum &+= event.seq
        }
    }
    let swiftMemory = maxResidentMiB()

    var cCount: Int64 = 0
    var error = hvtrace_error()
    let cSeconds = seconds(options.repeats) {
        cCount = hvtrace_count_events(options.file, &error)
    }
    guard cCount == Int64(options.events), swiftCount == options.events else {
        let message = withUnsafePointer(to: &error) { String(cString: hvtrace_error_message($0)) }
        FileHandle.standardError.write(Data("trace-bench: counts differ: swift \(swiftCount), C \(cCount): \(message)\n".utf8))
        exit(1)
    }

    print("events:            \(options.events) (checksum \(checksum))")
    print("file:              \(options.file), \(bytes) bytes, \(String(format: "%.2f", Double(bytes) / Double(options.events))) bytes/event")
    print("write (Swift):     \(rate(options.events, writeSeconds))")
    print("read (Swift):      \(rate(swiftCount, swiftSeconds))")
    print("read (C):          \(rate(Int(cCount), cSeconds))")
    print("Swift/C read ratio: \(String(format: "%.2f", cSeconds / swiftSeconds))")
    print("max resident:      \(String(format: "%.0f", swiftMemory)) MiB (includes the \(poolSize)-event pool)")
    print("runs per phase:    \(options.repeats), fastest reported")
    if ProcessInfo.processInfo.environment["TRACE_BENCH_KEEP"] == nil {
    
    }
}

try main()
