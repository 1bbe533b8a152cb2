// swift-tools-version:6.0
//
// libFuzzer harnesses for hvdiff's trace readers. A separate package so that
// the main package's normal builds never try to link libFuzzer's entry point.
// See ../README.md ("Fuzzing") for how to build and run them.
import Foundation
import PackageDescription

// A path dependency's identity is its folder's name, which depends on where
// the repository was cloned.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "hvdiff-fuzz",
    dependencies: [
        .package(path: "..")
    ],
    targets: [
        // The harness compresses inputs itself, to reach past the zstd layer.
        .systemLibrary(name: "CZstdFuzz", pkgConfig: "libzstd"),
        .executableTarget(
            name: "fuzz-binary-trace",
            dependencies: [.product(name: "Trace", package: root), "CZstdFuzz"],
            path: "Sources/FuzzBinaryTrace"
        ),
        .executableTarget(
            name: "fuzz-text-trace",
            dependencies: [.product(name: "Trace", package: root)],
            path: "Sources/FuzzTextTrace"
        ),
    ]
)
