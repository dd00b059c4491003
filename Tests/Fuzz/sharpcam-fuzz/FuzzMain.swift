import Foundation

#if FUZZING
    /// libFuzzer's driver (linked by -sanitize=fuzzer).
    @_silgen_name("LLVMFuzzerRunDriver")
    func fuzzerRunDriver(
        _ argc: UnsafeMutablePointer<Int32>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
    ) -> Int32

    nonisolated(unsafe) var fuzzTarget = FuzzTarget.config

    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
        fuzzTarget.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
        return 0
    }

    /// The fuzzing build's entry point (SwiftPM links `main` to `<module>_main`): the target comes
    /// from SHARPCAM_FUZZ_TARGET, the rest of the command line is libFuzzer's.
    @_cdecl("sharpcam_fuzz_main")
    public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
        let name = ProcessInfo.processInfo.environment["SHARPCAM_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(
                Data("set SHARPCAM_FUZZ_TARGET to one of config, weights, y4m, picture, control\n".utf8))
            return 2
        }
        fuzzTarget = target
        var c = argc, v = argv
        return fuzzerRunDriver(&c, &v, fuzzOneInput)
    }
#else
    /// The regular build: replays inputs (the committed corpus and crash regressions) through a
    /// target, so every test run checks them without libFuzzer.
    ///
    ///     sharpcam-fuzz TARGET FILE|DIR...
    @main
    struct FuzzReplay {
        static func main() {
            let args = CommandLine.arguments.dropFirst()
            guard let name = args.first, let target = FuzzTarget(rawValue: name), args.count >= 2 else {
                FileHandle.standardError.write(
                    Data("usage: sharpcam-fuzz config|weights|y4m|picture|control FILE|DIR...\n".utf8))
                exit(2)
            }
            var count = 0
            for path in args.dropFirst() {
                var isDir: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDir)
                let files =
                    isDir.boolValue
                    ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map {
                        "\(path)/\($0)"
                    }
                    : [path]
                for file in files {
                    guard let data = FileManager.default.contents(atPath: file) else { continue }
                    target.run([UInt8](data))
                    count += 1
                }
            }
            print("sharpcam-fuzz: \(target.rawValue): \(count) inputs replayed")
        }
    }
#endif
