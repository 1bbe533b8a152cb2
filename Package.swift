// swift-tools-version:6.0
//
// hvdiff: differential testing of hypervisor memory isolation on a
// sequentially consistent reference and on the Armv8-A relaxed memory model
// with a relaxed MMU. See README.md and ../shared/DESIGN.md.
import PackageDescription

let package = Package(
    name: "hvdiff",
    products: [
        .executable(name: "hvdiff", targets: ["hvdiff"]),
        .library(name: "Trace", targets: ["Trace"]),
        .library(name: "Recorder", targets: ["Recorder"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
    ],
    targets: [
        // System libraries.
        .systemLibrary(
            name: "CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"])]
        ),
        .systemLibrary(
            name: "CProtobufC",
            pkgConfig: "libprotobuf-c",
            providers: [.apt(["libprotobuf-c-dev"])]
        ),

        // The trace format: schema, generated code, streaming reader/writer, text form.
        .target(
            name: "Trace",
            dependencies: [
                "CZstd",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            exclude: ["Schema"]
        ),

        // The C recording library a hypervisor written in C links to emit traces.
        .target(
            name: "Recorder",
            dependencies: ["CZstd", "CProtobufC"]
        ),
        // How a hypervisor written in C records a trace (see examples/README.md).
        .executableTarget(
            name: "hvtrace-example",
            dependencies: ["Recorder"],
            path: "examples/record-trace"
        ),

        // The hypervisor model: the atomic reference (Spec) and the vocabulary
        // the implementation shares with it. No dependency on the trace format.
        .target(name: "Hypervisor", dependencies: ["MemoryModel"]),
        .testTarget(name: "HypervisorTests", dependencies: ["Hypervisor"]),
        .executableTarget(
            name: "spec-bench",
            dependencies: ["Hypervisor"],
            path: "bench/SpecBench"
        ),
        .executableTarget(
            name: "impl-bench",
            dependencies: ["Hypervisor"],
            path: "bench/ImplBench"
        ),

        // The memory machines: the program IR both litmus tests and hypervisor
        // handlers compile to, and the SC and Armv8-A (relaxed MMU) machines.
        .target(name: "MemoryModel"),
        .testTarget(name: "MemoryModelTests", dependencies: ["MemoryModel"]),

        // Litmus tests: herd .litmus and isla .litmus.toml parsing, compilation
        // to the program IR, final conditions, and the runner's reports.
        .target(name: "Litmus", dependencies: ["MemoryModel"]),

        // The command-line tool.
        .executableTarget(
            name: "hvdiff",
            dependencies: [
                "Trace", "Litmus", "MemoryModel", "Hypervisor",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Benchmarks (see bench/RESULTS.md).
        .executableTarget(
            name: "litmus-bench",
            dependencies: ["Litmus", "MemoryModel"],
            path: "bench/LitmusBench"
        ),
        .executableTarget(
            name: "trace-bench",
            dependencies: ["Trace", "Recorder"],
            path: "bench/TraceBench"
        ),

        // Tests.
        .testTarget(
            name: "TraceTests",
            dependencies: [
                "Trace",
                "CZstd",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .testTarget(
            name: "LitmusTests",
            dependencies: ["Litmus", "MemoryModel"],
            // Read through #filePath: the ledger of open conformance work.
            exclude: ["KnownDeviations.tsv"]
        ),
        .testTarget(
            name: "hvdiffTests",
            dependencies: ["hvdiff"]
        ),
        .testTarget(
            name: "RecorderTests",
            dependencies: [
                "Recorder", "Trace", "CZstd",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
    ]
)
