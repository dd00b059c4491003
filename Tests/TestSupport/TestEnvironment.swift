import Foundation

/// Where the tests find the repository, real photos, oracles and built executables.
///
/// Real photos come from `scripts/fetch-photos.sh .data/photos test` (the test command in
/// README.md runs it); `SHARPCAM_PHOTOS` points elsewhere. Tests that need photos or the
/// Python oracles fail with a message saying how to get them: they are never skipped.
public enum TestEnvironment {
    public static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("cannot find the repository root above \(#filePath)")
    }()

    /// The committed weights file that `scripts/embed-weights.sh` compiles into the binaries.
    public static var shippedStudent: String {
        repositoryRoot.appendingPathComponent("Sources/CDefaultWeights/default-student.scw").path
    }

    public static var photosDirectory: URL {
        if let p = ProcessInfo.processInfo.environment["SHARPCAM_PHOTOS"] { return URL(fileURLWithPath: p) }
        return repositoryRoot.appendingPathComponent(".data/photos")
    }

    /// The photos the tests use by default: varied content, all from the "test" subset.
    public static let standardPhotos = [
        "skimage_astronaut", "skimage_coffee", "skimage_chelsea", "lomiri16_fig", "lomiri16_bridge",
    ]

    /// Path of photo `name` (without .png); throws a helpful error when it is missing.
    public static func photo(_ name: String) throws -> String {
        let path = photosDirectory.appendingPathComponent("\(name).png").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw TestSetupError("missing test photo \(path): run scripts/fetch-photos.sh \(photosDirectory.path) test")
        }
        return path
    }

    public static var python: String { ProcessInfo.processInfo.environment["SHARPCAM_PYTHON"] ?? "python3" }

    public static func oracle(_ name: String) -> String {
        repositoryRoot.appendingPathComponent("Tests/Oracles/\(name)").path
    }

    /// Directory of the executables built with the tests (the same build as the test bundle).
    public static var productsDirectory: URL {
        let bundle = Bundle.main.bundleURL
        // xctest/swift-testing runners live in the build products directory.
        if FileManager.default.fileExists(atPath: bundle.appendingPathComponent("sharpcamd").path) { return bundle }
        for config in ["debug", "release"] {
            let url = repositoryRoot.appendingPathComponent(".build/\(config)")
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("sharpcamd").path) { return url }
        }
        return bundle
    }

    public static func executable(_ name: String) -> String { productsDirectory.appendingPathComponent(name).path }
}

public struct TestSetupError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}
