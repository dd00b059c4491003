import ArgumentParser
import CSharpKernels
import Dispatch
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

enum VideoCodecArgument: String, CaseIterable {
    case h264, ffv1
    var codec: VideoCodec { VideoCodec(rawValue: rawValue)! }
}

@main
struct SharpCamDaemon: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sharpcamd",
        abstract: "Sharpens webcam video, video files and pictures.",
        discussion: """
        File and image mode: sharpcamd --input IN --output OUT
          IN and OUT may be .y4m, any video FFmpeg reads/writes (.mp4, .mkv, .mov, .avi, .nut...),
          or a picture (.png, .jpg) for a single image. --demo uses a generated clip as input.
        """)

    @Option(name: .shortAndLong, help: "Input file, URL or picture.")
    var input: String?

    @Option(name: .shortAndLong, help: "Output file or picture (written atomically).")
    var output: String?

    @Option(help: "Processing: classic (unsharp mask on luma), nn (network from --model) or bypass. Default: nn with --model, else classic.")
    var mode: ProcessingModeArgument?

    @Option(help: "Weights file (.scw) for --mode nn.")
    var model: String?

    @Option(help: "How much of the correction to apply, 0...1.")
    var strength: Float = 1

    @Option(help: "Classic mode: Gaussian radius (σ, pixels) of the unsharp mask.")
    var radius: Double = UnsharpMask.Settings.default.sigma

    @Option(help: "Classic mode: unsharp amount at strength 1.")
    var amount: Float = UnsharpMask.Settings.default.amount

    @Option(help: "Scale frames to WIDTHxHEIGHT before processing.")
    var size: FrameSize?

    @Option(help: "Process at most N frames.")
    var frames: Int?

    @Option(help: "Video codec: h264 (default for .mp4/.mkv/.mov) or ffv1 (lossless; default for .nut).")
    var codec: VideoCodecArgument?

    @Flag(inversion: .prefixedNo, help: "Write input and result side by side (default with --demo).")
    var sideBySide: Bool?

    @Flag(help: "Use a generated 1280x720 test clip (soft, like a cheap webcam) as input.")
    var demo = false

    @Flag(name: .shortAndLong, help: "No progress bar; warnings and errors only.")
    var quiet = false

    @Flag(name: .shortAndLong, help: "More detail in the log.")
    var verbose = false

    func validate() throws {
        if !(0...1).contains(strength) { throw ValidationError("--strength must be between 0 and 1") }
        if radius <= 0 || radius > 50 { throw ValidationError("--radius must be in (0, 50] pixels") }
        if amount < 0 || amount > 10 { throw ValidationError("--amount must be in [0, 10]") }
        if let frames, frames < 1 { throw ValidationError("--frames must be at least 1") }
        if demo && input != nil { throw ValidationError("--demo and --input are exclusive") }
        if !demo && input == nil { throw ValidationError("missing --input (or --demo)") }
        if !demo && output == nil { throw ValidationError("missing --output") }
        if mode == .nn && model == nil { throw ValidationError("--mode nn needs --model FILE") }
        if let mode, mode != .nn, model != nil { throw ValidationError("--model is only used with --mode nn") }
    }

    var resolvedMode: ProcessingMode { mode?.mode ?? (model != nil ? .nn : .classic) }

    func run() throws {
        let logger = makeLogger()
        logger.debug("kernels: \(String(cString: sc_pixels().pointee.name))")
        let cancellation = CancellationFlag()
        let signals = installSignalHandlers(cancellation)
        defer { signals.forEach { $0.cancel() } }

        let outputPath = output ?? "sharpcam-demo.mp4"
        do {
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
            let processor: FrameProcessor = switch resolvedMode {
            case .classic: ClassicProcessor(settings: UnsharpMask.Settings(sigma: radius, amount: amount), strength: strength)
            case .bypass: BypassProcessor()
            case .nn: NetworkProcessor(weights: try WeightsFile.load(model!), strength: strength)
            }
            let job = FileJob(source: source, sourceName: sourceName, processor: processor,
                              options: .init(output: outputPath, size: size.map { ($0.width, $0.height) }, maxFrames: frames,
                                             sideBySide: sideBySide ?? demo, codec: codec?.codec, showProgress: !quiet),
                              logger: logger)
            let summary = try job.run(cancellation: cancellation)
            logger.info("wrote \(outputPath): \(summary.frames) frame\(summary.frames == 1 ? "" : "s") \(summary.format.width)x\(summary.format.height) in \(String(format1: summary.seconds)) s (\(String(format1: summary.framesPerSecond)) fps, \(processor.name))")
        } catch let error as MediaError {
            StandardError.write("sharpcamd: error: \(error)\n")
            throw ExitCode(1)
        } catch let error as WeightsFileError {
            StandardError.write("sharpcamd: error: \(error)\n")
            throw ExitCode(1)
        } catch is CancelledError {
            StandardError.write("sharpcamd: interrupted; no output written\n")
            throw ExitCode(130)
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

    /// SIGINT/SIGTERM set the cancellation flag; the job stops after the current frame and
    /// removes its partial output.
    func installSignalHandlers(_ flag: CancellationFlag) -> [DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { sig in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { flag.cancel() }
            source.resume()
            return source
        }
    }
}

extension String {
    /// A number with one decimal.
    init(format1 value: Double) {
        let tenths = Int((value * 10).rounded())
        self = "\(tenths / 10).\(abs(tenths % 10))"
    }
}
