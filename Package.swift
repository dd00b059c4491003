// swift-tools-version:6.0
import PackageDescription

// Read top-down, this file is the architecture (docs/ARCHITECTURE.md draws it): executables →
// pipeline / training → devices → files and streams, network → imaging → frames → support and
// C shims. A target depends only on targets listed below it.
//
// Hot pixel and network code is compiled with optimisation even in debug builds, so that
// `swift test` (a debug build) runs the real kernels at real speed. Architecture-specific
// instructions (AVX2, AVX-VNNI, AVX-512 VNNI) live only in CSharpKernels behind a run-time CPU
// check; the Swift modules stay portable (x86-64 baseline SSE2, or aarch64 NEON).
let hotSwift: [SwiftSetting] = [.unsafeFlags(["-O"])]
let hotC: [CSetting] = [.unsafeFlags(["-O3", "-fno-math-errno"])]
let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")

let package = Package(
    name: "SharpCam",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "sharpcamd", targets: ["sharpcamd"]),
        .executable(name: "sharpcam-train", targets: ["sharpcam-train"]),
        .executable(name: "sharpcam-bench", targets: ["sharpcam-bench"]),
        .executable(name: "sharpcam-fuzz", targets: ["sharpcam-fuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // The web console's HTTP server (NIOHTTP1 directly: no framework on top; docs/WEB.md
        // has the build-time cost).
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // MARK: Executables: parse arguments, call the libraries
        .executableTarget(
            name: "sharpcamd",
            dependencies: [
                "SharpPipeline", "SharpWebConsole", "SharpDevices", "SharpMedia", "SharpCommandLine", argumentParser,
                logging,
            ]
        ),
        .executableTarget(
            name: "sharpcam-train",
            dependencies: ["SharpTraining", "SharpNet", "SharpCommandLine", argumentParser]
        ),
        .executableTarget(
            name: "sharpcam-bench",
            dependencies: [
                "SharpPipeline", "SharpMedia", "SharpNet", "SharpImaging", "SharpFrames", "SharpCommandLine",
                "CSharpKernels", "CBenchSupport", argumentParser,
            ],
            path: "benchmarks/sharpcam-bench"
        ),
        .target(
            name: "CBenchSupport", dependencies: ["CSharpKernels"], path: "benchmarks/CBenchSupport", cSettings: hotC),
        // Fuzz targets (libFuzzer with -DFUZZING -sanitize=fuzzer; else a replayer of the corpus).
        .executableTarget(
            name: "sharpcam-fuzz",
            dependencies: ["SharpPipeline", "SharpMedia", "SharpNet", "SharpFrames", "SharpSupport"],
            path: "Tests/Fuzz/sharpcam-fuzz"),
        // Command-line plumbing shared by the three tools: errors → exit codes, argument types.
        .target(name: "SharpCommandLine", dependencies: ["SharpNet", "SharpMedia", "SharpSupport", argumentParser]),

        // MARK: Web console: a local page over the live daemon (HTTP on swift-nio)
        .target(
            name: "SharpWebConsole",
            dependencies: [
                "SharpPipeline", "SharpMedia", "SharpFrames", "SharpSupport", logging,
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]),

        // MARK: Orchestration
        // The live daemon (capture → FrameRing → processing → output as one service group) and
        // file jobs. Imports no C shim.
        .target(
            name: "SharpPipeline",
            dependencies: [
                "SharpDevices", "SharpMedia", "SharpNet", "SharpImaging", "SharpFrames", "SharpSupport", logging,
            ],
            swiftSettings: hotSwift
        ),
        // Training, distillation, evaluation (files only: never links the device layer).
        .target(
            name: "SharpTraining",
            dependencies: [
                "SharpNet", "SharpMedia", "SharpImaging", "SharpFrames", "SharpSupport", "COpenBLAS", "CJPEGCodec",
            ],
            swiftSettings: hotSwift
        ),

        // MARK: Devices: V4L2 cameras and loopback, live source/sink protocols, /proc scans
        .target(
            name: "SharpDevices",
            dependencies: ["SharpMedia", "SharpFrames", "SharpSupport", "CV4L2", "CPipeWire", logging]),

        // MARK: Files and streams; the network
        // Y4M, FFmpeg sources and sinks, pictures, atomic output, resizing, the generated clip.
        .target(name: "SharpMedia", dependencies: ["SharpImaging", "SharpFrames", "SharpSupport", "CFFmpeg", logging]),
        .target(
            name: "SharpNet",
            dependencies: ["SharpImaging", "SharpFrames", "SharpSupport", "CSharpKernels", "CDefaultWeights"],
            swiftSettings: hotSwift
        ),

        // MARK: Imaging (maps, classic sharpening, ChromaTransfer), frames, support
        .target(name: "SharpImaging", dependencies: ["SharpFrames", "CSharpKernels"], swiftSettings: hotSwift),
        .target(name: "SharpFrames", dependencies: ["SharpSupport", "CSharpKernels"], swiftSettings: hotSwift),
        .target(name: "SharpSupport", dependencies: [logging]),

        // MARK: C shims and kernels
        .target(name: "CSharpKernels", path: "Sources/CSharpKernels", cSettings: hotC),
        .target(name: "CDefaultWeights", path: "Sources/CDefaultWeights", exclude: ["default-student.scw"]),
        .target(
            name: "CJPEGCodec", path: "Sources/CJPEGCodec", cSettings: hotC, linkerSettings: [.linkedLibrary("jpeg")]),
        .systemLibrary(
            name: "CFFmpeg",
            path: "Sources/CFFmpeg",
            pkgConfig: "libavformat libavcodec libswscale libavutil",
            providers: [.apt(["libavcodec-dev", "libavformat-dev", "libswscale-dev", "libavutil-dev", "pkg-config"])]
        ),
        .systemLibrary(name: "CV4L2", path: "Sources/CV4L2", providers: [.apt(["libv4l-dev"])]),
        // PipeWire: the library through pkg-config, and SharpCam's C helper around it (SPA's
        // format PODs are macros and inline functions; callbacks run on PipeWire's thread).
        .systemLibrary(
            name: "CPipeWireSystem", path: "Sources/CPipeWireSystem", pkgConfig: "libpipewire-0.3",
            providers: [.apt(["libpipewire-0.3-dev"])]),
        .target(name: "CPipeWire", dependencies: ["CPipeWireSystem"], path: "Sources/CPipeWire", cSettings: hotC),
        .systemLibrary(
            name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),

        // MARK: Tests (mirroring the source layout)
        .target(
            name: "TestSupport", dependencies: ["SharpMedia", "SharpNet", "SharpFrames", "SharpSupport"],
            path: "Tests/TestSupport"),
        .testTarget(name: "SharpSupportTests", dependencies: ["SharpSupport", logging]),
        .testTarget(
            name: "SharpFramesTests", dependencies: ["SharpFrames", "SharpSupport", "CSharpKernels", "TestSupport"]),
        .testTarget(
            name: "SharpImagingTests", dependencies: ["SharpImaging", "SharpFrames", "CSharpKernels", "TestSupport"]),
        .testTarget(name: "SharpMediaTests", dependencies: ["SharpMedia", "SharpFrames", "TestSupport"]),
        .testTarget(
            name: "SharpDevicesTests", dependencies: ["SharpDevices", "SharpMedia", "SharpFrames", "TestSupport"]),
        .testTarget(
            name: "SharpNetTests",
            dependencies: [
                "SharpNet", "SharpMedia", "SharpImaging", "SharpFrames", "SharpSupport", "CSharpKernels", "TestSupport",
            ]
        ),
        .testTarget(
            name: "SharpTrainingTests",
            dependencies: ["SharpTraining", "SharpNet", "SharpMedia", "SharpFrames", "SharpSupport", "TestSupport"]
        ),
        .testTarget(
            name: "SharpPipelineTests",
            dependencies: [
                "SharpPipeline", "SharpDevices", "SharpMedia", "SharpFrames", "SharpSupport", "TestSupport",
            ]
        ),
        // Not sharpcam-bench: linking it would bring its malloc counter into the test bundle,
        // which ThreadSanitizer's allocator cannot live with (the TSan run crashed at start).
        .testTarget(name: "SharpWebConsoleTests", dependencies: ["SharpWebConsole", "SharpPipeline", logging]),
        .testTarget(
            name: "sharpcamdTests",
            dependencies: [
                "sharpcamd", "sharpcam-train", "sharpcam-fuzz", "SharpPipeline", "SharpMedia", "SharpNet",
                "SharpFrames",
                "TestSupport",
            ]
        ),
    ]
)
