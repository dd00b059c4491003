// swift-tools-version:6.0
import PackageDescription

// Hot pixel and network code is compiled with optimisation even in debug builds, so that
// `swift test` (a debug build) runs the real kernels at real speed. Architecture-specific
// instructions (AVX2/FMA/F16C) live only in CSharpKernels behind a run-time CPU check; the
// Swift modules stay portable (x86-64 baseline SSE2, or aarch64 NEON).
let hotSwift: [SwiftSetting] = [.unsafeFlags(["-O"])]
let hotC: [CSetting] = [.unsafeFlags(["-O3", "-fno-math-errno"])]

let package = Package(
    name: "SharpCam",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "sharpcamd", targets: ["sharpcamd"]),
        .executable(name: "sharpcam-train", targets: ["sharpcam-train"]),
        .executable(name: "sharpcam-bench", targets: ["sharpcam-bench"]),
        .library(name: "SharpFrames", targets: ["SharpFrames"]),
        .library(name: "SharpImaging", targets: ["SharpImaging"]),
        .library(name: "SharpVideoIO", targets: ["SharpVideoIO"]),
        .library(name: "SharpNet", targets: ["SharpNet"]),
        .library(name: "SharpPipeline", targets: ["SharpPipeline"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // MARK: C shims
        .systemLibrary(
            name: "CFFmpeg",
            path: "Sources/CFFmpeg",
            pkgConfig: "libavformat libavcodec libswscale libavutil",
            providers: [.apt(["libavcodec-dev", "libavformat-dev", "libswscale-dev", "libavutil-dev", "pkg-config"])]
        ),
        .target(name: "CSharpKernels", path: "Sources/CSharpKernels", cSettings: hotC),
        .systemLibrary(name: "CV4L2", path: "Sources/CV4L2"),
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .target(name: "CDefaultWeights", path: "Sources/CDefaultWeights", exclude: ["default-student.scw"]),
        .target(name: "CJPEGCodec", path: "Sources/CJPEGCodec", cSettings: hotC, linkerSettings: [.linkedLibrary("jpeg")]),

        // MARK: Libraries
        .target(name: "SharpSupport"),
        .target(name: "SharpFrames", dependencies: ["CSharpKernels"], swiftSettings: hotSwift),
        .target(name: "SharpImaging", dependencies: ["SharpFrames", "CSharpKernels"], swiftSettings: hotSwift),
        .target(name: "SharpNet", dependencies: ["SharpFrames", "SharpImaging", "CSharpKernels", "CDefaultWeights"], swiftSettings: hotSwift),
        .target(
            name: "SharpTraining",
            dependencies: ["SharpNet", "SharpFrames", "SharpImaging", "SharpVideoIO", "SharpSupport", "COpenBLAS", "CJPEGCodec"],
            swiftSettings: hotSwift
        ),
        .target(
            name: "SharpVideoIO",
            dependencies: ["SharpFrames", "CFFmpeg", "CV4L2", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "SharpPipeline",
            dependencies: [
                "SharpFrames", "SharpImaging", "SharpVideoIO", "SharpNet", "SharpSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: hotSwift
        ),

        // MARK: Executables
        .executableTarget(
            name: "sharpcamd",
            dependencies: [
                "SharpPipeline", "SharpVideoIO", "SharpFrames", "SharpImaging", "SharpNet", "SharpSupport", "CSharpKernels",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "sharpcam-train",
            dependencies: [
                "SharpNet", "SharpTraining", "SharpFrames", "SharpVideoIO", "SharpSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(name: "CBenchSupport", dependencies: ["CSharpKernels"], path: "benchmarks/CBenchSupport", cSettings: hotC),
        .executableTarget(
            name: "sharpcam-bench",
            dependencies: [
                "SharpFrames", "SharpImaging", "SharpVideoIO", "SharpPipeline", "SharpNet", "CSharpKernels", "CBenchSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "benchmarks/sharpcam-bench"
        ),

        // MARK: Tests
        .target(name: "TestSupport", dependencies: ["SharpFrames", "SharpVideoIO"], path: "Tests/TestSupport"),
        .testTarget(name: "SharpFramesTests", dependencies: ["SharpFrames", "CSharpKernels", "TestSupport"]),
        .testTarget(name: "SharpImagingTests", dependencies: ["SharpImaging", "SharpFrames", "CSharpKernels", "TestSupport"]),
        .testTarget(name: "SharpVideoIOTests", dependencies: ["SharpVideoIO", "SharpFrames", "TestSupport"]),
        .testTarget(name: "SharpPipelineTests", dependencies: ["SharpPipeline", "SharpSupport", "SharpImaging", "SharpVideoIO", "SharpFrames", "TestSupport"]),
        .testTarget(name: "SharpTrainingTests", dependencies: ["SharpTraining", "SharpNet", "SharpFrames", "SharpPipeline", "TestSupport"]),
        .testTarget(name: "SharpNetTests", dependencies: ["SharpNet", "SharpFrames", "SharpImaging", "SharpVideoIO", "CSharpKernels", "TestSupport"]),
        .testTarget(name: "sharpcamdTests", dependencies: ["sharpcamd", "sharpcam-train", "SharpPipeline", "SharpVideoIO", "SharpFrames", "TestSupport"]),
    ]
)
