import ArgumentParser
import CSharpKernels
import Dispatch
import Foundation
import Glibc
import Logging
import SharpFrames
import SharpImaging
import SharpNet
import SharpPipeline
import SharpSupport
import SharpVideoIO

enum ProcessingModeArgument: String, CaseIterable {
    case classic, bypass, nn
    var mode: ProcessingMode { ProcessingMode(rawValue: rawValue)! }
}

enum PrecisionArgument: String, CaseIterable {
    case fp32, fp16, int8
    var value: FusedStudentEngine.Precision { FusedStudentEngine.Precision(rawValue: rawValue)! }
}

enum VideoCodecArgument: String, CaseIterable {
    case h264, ffv1
    var codec: VideoCodec { VideoCodec(rawValue: rawValue)! }
}

@main
struct SharpCamDaemon: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sharpcamd",
        abstract: "Sharpens webcam video live (into a v4l2loopback camera), video files and pictures.",
        discussion: """
        Live:  sharpcamd [--input CAMERA|FILE|demo] [--output /dev/video10]
               Reads a camera (device, /dev/v4l/by-id/... link or card name), a file or URL
               (played at its frame rate), or the generated demo clip, and feeds the loopback
               device that video-call apps list as a camera. Settings come from --config (default
               /etc/sharpcam/sharpcamd.conf, then ~/.config/sharpcam/sharpcamd.conf) with
               command-line flags taking precedence. SIGHUP reloads the configuration and the
               model; SIGTERM/SIGINT stop cleanly.
        Files: sharpcamd --input IN --output OUT
               IN and OUT may be .y4m, any video FFmpeg reads/writes (.mp4, .mkv, .mov, .avi,
               .nut...), or a picture (.png, .jpg). --demo uses a generated clip as input.
        """)

    @Option(name: .shortAndLong, help: "Camera, input file/URL/picture, or 'demo'.")
    var input: String?

    @Option(name: .shortAndLong, help: "Output file/picture, or a v4l2loopback device for live mode (default /dev/video10; 'null' discards frames).")
    var output: String?

    @Option(help: "Configuration file (key = value lines; see systemd/sharpcamd.conf).")
    var config: String?

    @Flag(help: "List cameras and loopback devices with their formats.")
    var listDevices = false

    @Option(help: "Processing: nn (the sharpening network; default), classic (unsharp mask on luma) or bypass.")
    var mode: ProcessingModeArgument?

    @Option(help: "Weights file (.scw) for --mode nn (default: the built-in student, 'builtin').")
    var model: String?

    @Option(help: "Network precision: fp32, fp16 or int8 (default: int8 on AVX2 CPUs when the model is calibrated, else fp32).")
    var precision: PrecisionArgument?

    @Option(help: "Threads for the network (default: all cores).")
    var threads: Int?

    @Option(help: "How much of the correction to apply, 0...1.")
    var strength: Float?

    @Option(help: "Classic mode: Gaussian radius (σ, pixels) of the unsharp mask.")
    var radius: Double?

    @Option(help: "Classic mode: unsharp amount at strength 1.")
    var amount: Float?

    @Option(help: "Frame size WIDTHxHEIGHT (files: scale to it; live: camera and output size, default 1280x720).")
    var size: FrameSize?

    @Option(help: "Live: frame rate of the camera and the output (default 30).")
    var fps: Double?

    @Option(help: "Live: loopback pixel format, yuyv (default) or i420.")
    var format: String?

    @Flag(inversion: .prefixedNo, help: "Live: release the camera while no app uses the loopback (default on).")
    var onDemand: Bool?

    @Flag(inversion: .prefixedNo, help: "Live: loop file inputs (default on).")
    var loop: Bool?

    @Option(help: "Files: process at most N frames.")
    var frames: Int?

    @Option(help: "Files: video codec, h264 (default for .mp4/.mkv/.mov) or ffv1 (lossless; default for .nut).")
    var codec: VideoCodecArgument?

    @Flag(inversion: .prefixedNo, help: "Files: write input and result side by side (default with --demo).")
    var sideBySide: Bool?

    @Flag(help: "Files: use a generated 1280x720 test clip (soft, like a cheap webcam) as input.")
    var demo = false

    @Flag(name: .shortAndLong, help: "No progress bar; warnings and errors only.")
    var quiet = false

    @Flag(name: .shortAndLong, help: "More detail in the log.")
    var verbose = false

    var isLiveMode: Bool { !demo && !listDevices && (output == nil || output!.hasPrefix("/dev/") || output == LiveConfiguration.nullOutput) }

    func validate() throws {
        if let strength, !(0...1).contains(strength) { throw ValidationError("--strength must be between 0 and 1") }
        if let radius, radius <= 0 || radius > 50 { throw ValidationError("--radius must be in (0, 50] pixels") }
        if let amount, amount < 0 || amount > 10 { throw ValidationError("--amount must be in [0, 10]") }
        if let frames, frames < 1 { throw ValidationError("--frames must be at least 1") }
        if let threads, threads < 1 || threads > 64 { throw ValidationError("--threads must be 1...64") }
        if demo && input != nil { throw ValidationError("--demo and --input are exclusive") }
        if let mode, mode != .nn, model != nil { throw ValidationError("--model is only used with --mode nn") }
        if !isLiveMode && !demo && !listDevices && input == nil { throw ValidationError("missing --input (or --demo)") }
    }

    func run() throws {
        let logger = makeLogger()
        logger.debug("kernels: \(String(cString: sc_pixels().pointee.name))")
        if listDevices { return printDevices() }
        do {
            if isLiveMode { try runLive(logger) } else { try runFile(logger) }
        } catch let error as ExitCode {
            throw error
        } catch is CancelledError {
            StandardError.write("sharpcamd: interrupted; no output written\n")
            throw ExitCode(130)
        } catch {
            StandardError.write("sharpcamd: error: \(error)\n")
            throw ExitCode(1)
        }
    }

    // MARK: Settings

    /// Processing settings: defaults, then the configuration file (live mode), then flags.
    func processingSettings(base: ProcessingSettings = ProcessingSettings(threads: ProcessInfo.processInfo.activeProcessorCount)) -> ProcessingSettings {
        var p = base
        if let model { p.model = model; if mode == nil { p.mode = .nn } }
        if let mode { p.mode = mode.mode }
        if let strength { p.strength = strength }
        if let precision { p.precision = precision.value }
        if let threads { p.threads = threads }
        if let radius { p.classic.sigma = radius }
        if let amount { p.classic.amount = amount }
        return p
    }

    // MARK: File mode

    func runFile(_ logger: Logger) throws {
        let cancellation = CancellationFlag()
        let signals = [SIGINT, SIGTERM].map { sig -> DispatchSourceSignal in
            signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler { cancellation.cancel() }
            s.resume()
            return s
        }
        defer { signals.forEach { $0.cancel() } }
        let outputPath = output ?? "sharpcam-demo.mp4"
        let source: FrameSource
        let sourceName: String
        if demo {
            source = SyntheticClipSource()
            sourceName = "generated demo clip"
        } else {
            let path = input!
            try MediaFiles.checkDistinct(input: path, output: outputPath)
            source = try MediaFiles.openSource(path, logger: logger)
            sourceName = path
        }
        logger.info("\(sourceName): \(source.info)")
        let processor = try processingSettings().makeProcessor()
        let job = FileJob(source: source, sourceName: sourceName, processor: processor,
                          options: .init(output: outputPath, size: size.map { ($0.width, $0.height) }, maxFrames: frames,
                                         sideBySide: sideBySide ?? demo, codec: codec?.codec, showProgress: !quiet),
                          logger: logger)
        let summary = try job.run(cancellation: cancellation)
        logger.info("wrote \(outputPath): \(summary.frames) frame\(summary.frames == 1 ? "" : "s") \(summary.format.width)x\(summary.format.height) in \(String(format1: summary.seconds)) s (\(String(format1: summary.framesPerSecond)) fps, \(processor.name))")
    }

    // MARK: Live mode

    static let systemConfig = "/etc/sharpcam/sharpcamd.conf"

    /// The configuration file to read: --config (must exist), else the system one, else the user one.
    func configurationFile() -> String? {
        if let config { return config }
        if access(Self.systemConfig, R_OK) == 0 { return Self.systemConfig }
        let home = ProcessInfo.processInfo.environment["XDG_CONFIG_HOME"] ?? ((ProcessInfo.processInfo.environment["HOME"] ?? "/") + "/.config")
        let user = home + "/sharpcam/sharpcamd.conf"
        return access(user, R_OK) == 0 ? user : nil
    }

    func liveConfiguration() throws -> LiveConfiguration {
        var c = LiveConfiguration()
        c.processing.threads = ProcessInfo.processInfo.activeProcessorCount
        if let path = configurationFile() {
            let text: String
            do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
                throw ConfigurationError("\(path): cannot read the configuration file (\(error.localizedDescription))")
            }
            for entry in try LiveConfiguration.parse(text, path: path) { try c.apply(entry.key, entry.value, origin: entry.origin) }
        }
        if let input { c.input = input }
        if let output { c.output = output }
        if let size { c.width = size.width; c.height = size.height }
        if let fps { try c.apply("fps", String(fps), origin: "--fps") }
        if let format { try c.apply("format", format, origin: "--format") }
        if let onDemand { c.onDemand = onDemand }
        if let loop { c.loop = loop }
        c.processing = processingSettings(base: c.processing)
        if let problem = c.validationError { throw ConfigurationError(problem) }
        return c
    }

    func runLive(_ logger: Logger) throws {
        let c = try liveConfiguration()
        let daemon = LiveDaemon(configuration: c, logger: logger) { try self.liveConfiguration() }
        let handlers: [(Int32, @Sendable () -> Void)] = [(SIGHUP, { daemon.requestReload() }), (SIGTERM, { daemon.requestStop() }), (SIGINT, { daemon.requestStop() })]
        let signals = handlers.map { (sig, action) -> DispatchSourceSignal in
            signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler(handler: action)
            s.resume()
            return s
        }
        defer { signals.forEach { $0.cancel() } }
        try daemon.run()
    }

    // MARK: Devices

    func printDevices() {
        let all = DeviceDiscovery.list()
        if all.isEmpty {
            print("no video devices (/dev/video*): no camera is connected and v4l2loopback is not loaded (sudo modprobe v4l2loopback video_nr=10 card_label=SharpCam exclusive_caps=1)")
            return
        }
        let groups: [(String, [DeviceDiscovery.Entry])] = [
            ("Cameras", all.filter { $0.problem == nil && $0.isCapture && !$0.isLoopback }),
            ("Loopback devices (SharpCam output)", all.filter { $0.problem == nil && $0.isLoopback }),
            ("Other", all.filter { $0.problem == nil && !$0.isLoopback && !$0.isCapture }),
            ("Unavailable", all.filter { $0.problem != nil }),
        ]
        for (title, entries) in groups where !entries.isEmpty {
            print("\(title):")
            for e in entries {
                if let p = e.problem { print("  \(e.path): \(p)"); continue }
                print("  \(e.path)  \"\(e.card)\" (\(e.driver))")
                for f in e.formats { print("      \(f)") }
            }
        }
    }

    func makeLogger() -> Logger {
        let level: Logger.Level = verbose ? .debug : (quiet ? .warning : .info)
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = level
            return h
        }
        var logger = Logger(label: "sharpcamd")
        logger.logLevel = level
        return logger
    }
}

extension String {
    /// A number with one decimal.
    init(format1 value: Double) {
        let tenths = Int((value * 10).rounded())
        self = "\(tenths / 10).\(abs(tenths % 10))"
    }
}
