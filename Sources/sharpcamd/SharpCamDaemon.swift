import ArgumentParser
import Foundation
import Logging
import SharpCommandLine
import SharpDevices
import SharpMedia
import SharpNet
import SharpPipeline
import SharpSupport
import SharpWebConsole

extension ProcessingMode: ExpressibleByArgument {}

@main
struct SharpCamDaemon: SharpCamCommand {
    static let toolName = "sharpcamd"
    static let configuration = CommandConfiguration(
        commandName: "sharpcamd",
        abstract: "Sharpens webcam video live (into a v4l2loopback camera), video files and pictures.",
        usage: """
            sharpcamd [--input CAMERA|FILE|demo] [--output DEVICE|FILE] [options]
            sharpcamd ctl status|set|snapshot ...
            sharpcamd doctor
            """,
        discussion: """
            Live:  sharpcamd [--input CAMERA|FILE|demo] [--output /dev/video10]
              Reads a camera (device, /dev/v4l/by-id/... link or card name), a
              file or URL (played at its frame rate), or the generated demo clip,
              and feeds the loopback device that video-call apps list as a camera.
              Settings: /etc/sharpcam/sharpcamd.conf, then
              ~/.config/sharpcam/sharpcamd.conf, then --config FILE, then flags,
              each overriding the one before. While it runs, `sharpcamd ctl`
              shows its state and changes the strength or mode; SIGHUP reloads
              the configuration and the model; SIGTERM/SIGINT stop it cleanly.
            Files: sharpcamd --input IN --output OUT
              IN and OUT: .y4m, any video FFmpeg reads/writes (.mp4, .mkv, .mov,
              .avi, .nut...) or a picture (.png, .jpg). --demo uses a generated
              clip as input.
            Check the set-up with `sharpcamd doctor`.
            """,
        version: SharpCamVersion.string,
        subcommands: [ControlCommand.self, DoctorCommand.self])

    @Option(name: .shortAndLong, help: "Camera, input file/URL/picture, or 'demo'.")
    var input: String?

    @Option(
        name: .shortAndLong,
        help:
            """
            Output file/picture, or a v4l2loopback device for live mode (default /dev/video10; 'null' discards \
            frames).
            """
    )
    var output: String?

    @Option(help: "Configuration file (key = value lines; see systemd/sharpcamd.conf).")
    var config: String?

    @Option(
        help: """
            Live: control socket for `sharpcamd ctl`, or 'off' (default: $XDG_RUNTIME_DIR/sharpcam/control, or \
            /run/sharpcam/control for the system service).
            """)
    var control: String?

    @Option(
        help: """
            Live: serve the web console (live view, strength, pictures) on [ADDR:]PORT, e.g. 8740; \
            loopback unless an address is given (default off; `sharpcamd ctl web` prints its address).
            """)
    var web: String?

    @Flag(help: "List cameras and loopback devices with their formats.")
    var listDevices = false

    @Option(help: "Processing: nn (the sharpening network; default), classic (unsharp mask on luma) or bypass.")
    var mode: ProcessingMode?

    @Option(help: "Weights file (.scw) for --mode nn (default: the built-in student, 'builtin').")
    var model: String?

    @Option(
        help:
            """
            Network precision: fp32, fp16 or int8 (default: int8 on AVX2 CPUs when the model is calibrated, else \
            fp32).
            """
    )
    var precision: FusedStudentEngine.Precision?

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

    @Option(
        help: """
            A picture of another aspect ratio than --size: crop (fill, centred; default), pad (black bars) or \
            stretch.
            """)
    var fit: FrameFit?

    @Option(help: "Live: camera pixel format to ask for, a FOURCC such as MJPG or NV12 (default: auto).")
    var cameraFormat: String?

    @Option(help: "Live: camera mode WIDTHxHEIGHT to ask for (default: the output's size or aspect ratio).")
    var cameraSize: String?

    @Option(help: "Live: frame rate of the camera and the output (default 30).")
    var fps: Double?

    @Option(help: "Live: loopback pixel format, yuyv (default) or i420.")
    var format: String?

    @Option(help: "Live: seconds without a new frame before the output shows the \"no camera\" card (default 2).")
    var stallTimeout: Double?

    @Option(name: .customLong("idle-fps"), help: "Live: output rate while no app watches (default 1).")
    var idleFPS: Double?

    @Option(help: "Live: seconds between statistics lines in the log (default 30).")
    var statsInterval: Double?

    @Flag(inversion: .prefixedNo, help: "Live: release the camera while no app uses the loopback (default on).")
    var onDemand: Bool?

    @Flag(inversion: .prefixedNo, help: "Live: loop file inputs (default on).")
    var loop: Bool?

    @Flag(
        inversion: .prefixedNo,
        help: "nn: average the correction over frames where the picture is still (less flicker; default on).")
    var temporal: Bool?

    @Option(help: "Files: process at most N frames.")
    var frames: Int?

    @Option(help: "Files: video codec, h264 (default for .mp4/.mkv/.mov) or ffv1 (lossless; default for .nut).")
    var codec: VideoCodec?

    @Flag(inversion: .prefixedNo, help: "Files: write input and result side by side (default with --demo).")
    var sideBySide: Bool?

    @Flag(help: "Files: use a generated 1280x720 test clip (soft, like a cheap webcam) as input.")
    var demo = false

    @Flag(
        help: """
            Files: fail on the first damaged frame or a truncated input (default: damaged frames are skipped and \
            reported, and the job succeeds).
            """)
    var strict = false

    @Option(help: "Largest picture or video frame accepted, in pixels (default 40000000: above 8K UHD).")
    var maxPixels: Int?

    @Flag(name: .shortAndLong, help: "No progress bar; warnings and errors only.")
    var quiet = false

    @Flag(name: .shortAndLong, help: "More detail in the log.")
    var verbose = false

    var isLiveMode: Bool {
        !demo && !listDevices && (output.map(LiveConfiguration.isLiveOutput) ?? true)
    }

    var interruptedMessage: String { "interrupted; no output written" }

    func validate() throws {
        let numbers: [(NumericSetting, Double?)] = [
            (.strength, strength.map(Double.init)), (.radius, radius), (.amount, amount.map(Double.init)),
            (.threads, threads.map(Double.init)), (.fps, fps), (.stallTimeout, stallTimeout), (.idleFPS, idleFPS),
            (.statsInterval, statsInterval),
        ]
        for case (let setting, let value?) in numbers {
            if let problem = setting.problem(with: value) { throw ValidationError("--\(problem)") }
        }
        if let frames, frames < 1 { throw ValidationError("--frames must be at least 1") }
        if let maxPixels, maxPixels < 1 { throw ValidationError("--max-pixels must be at least 1") }
        if demo && input != nil { throw ValidationError("--demo and --input are exclusive") }
        if let mode, mode != .nn, model != nil { throw ValidationError("--model is only used with --mode nn") }
        if !isLiveMode && !demo && !listDevices && input == nil { throw ValidationError("missing --input (or --demo)") }
    }

    func execute() throws {
        let logger = DaemonLog.makeLogger(label: "sharpcamd", level: verbose ? .debug : (quiet ? .warning : .info))
        if listDevices { return print(DeviceDiscovery.report() + PipeWireNodes.report(), terminator: "") }
        for flag in flagsUnusedInThisMode { logger.warning("\(flag)") }
        if isLiveMode { try runLive(logger) } else { try runFile(logger) }
    }

    /// Flags given that do nothing in the mode chosen (each a warning: "--fps has no effect ...").
    var flagsUnusedInThisMode: [String] {
        let liveOnly: [(String, Bool)] = [
            ("--config", config != nil), ("--control", control != nil), ("--web", web != nil), ("--fps", fps != nil),
            ("--format", format != nil),
            ("--camera-format", cameraFormat != nil), ("--camera-size", cameraSize != nil),
            ("--stall-timeout", stallTimeout != nil),
            ("--idle-fps", idleFPS != nil), ("--stats-interval", statsInterval != nil),
            ("--on-demand/--no-on-demand", onDemand != nil), ("--loop/--no-loop", loop != nil),
        ]
        let fileOnly: [(String, Bool)] = [
            ("--frames", frames != nil), ("--codec", codec != nil),
            ("--side-by-side/--no-side-by-side", sideBySide != nil),
            ("--strict", strict), ("--max-pixels", maxPixels != nil),
        ]
        if listDevices {
            return (liveOnly + fileOnly).filter(\.1).map { "\($0.0) has no effect with --list-devices" }
        }
        return isLiveMode
            ? fileOnly.filter(\.1).map { "\($0.0) has no effect in live mode (it applies to file jobs)" }
            : liveOnly.filter(\.1).map { "\($0.0) has no effect when processing a file (it applies to live mode)" }
    }

    /// The processing flags as settings (applied after the configuration file's).
    var processingFlags: [ConfigurationSetting] {
        var s: [ConfigurationSetting] = []
        if model != nil && mode == nil { s.append(ConfigurationSetting("mode", "nn", origin: "--model")) }
        if let model { s.append(ConfigurationSetting("model", model, origin: "--model")) }
        if let mode { s.append(ConfigurationSetting("mode", mode.rawValue, origin: "--mode")) }
        if let strength { s.append(ConfigurationSetting("strength", "\(strength)", origin: "--strength")) }
        if let precision { s.append(ConfigurationSetting("precision", precision.rawValue, origin: "--precision")) }
        if let threads { s.append(ConfigurationSetting("threads", "\(threads)", origin: "--threads")) }
        if let radius { s.append(ConfigurationSetting("radius", "\(radius)", origin: "--radius")) }
        if let amount { s.append(ConfigurationSetting("amount", "\(amount)", origin: "--amount")) }
        if let temporal {
            s.append(ConfigurationSetting("temporal", temporal ? "yes" : "no", origin: "--temporal"))
        }
        return s
    }

    /// The live flags as settings (applied after the configuration file's).
    var liveFlags: [ConfigurationSetting] {
        var s: [ConfigurationSetting] = []
        if let input { s.append(ConfigurationSetting("input", input, origin: "--input")) }
        if let output { s.append(ConfigurationSetting("output", output, origin: "--output")) }
        if let size { s.append(ConfigurationSetting("size", size.description, origin: "--size")) }
        if let fps { s.append(ConfigurationSetting("fps", "\(fps)", origin: "--fps")) }
        if let format { s.append(ConfigurationSetting("format", format, origin: "--format")) }
        if let fit { s.append(ConfigurationSetting("fit", fit.rawValue, origin: "--fit")) }
        if let cameraSize { s.append(ConfigurationSetting("camera-size", cameraSize, origin: "--camera-size")) }
        if let cameraFormat { s.append(ConfigurationSetting("camera-format", cameraFormat, origin: "--camera-format")) }
        if let onDemand { s.append(ConfigurationSetting("on-demand", onDemand ? "yes" : "no", origin: "--on-demand")) }
        if let loop { s.append(ConfigurationSetting("loop", loop ? "yes" : "no", origin: "--loop")) }
        if let control { s.append(ConfigurationSetting("control", control, origin: "--control")) }
        if let web { s.append(ConfigurationSetting("web", web, origin: "--web")) }
        if let stallTimeout {
            s.append(ConfigurationSetting("stall-timeout", "\(stallTimeout)", origin: "--stall-timeout"))
        }
        if let idleFPS { s.append(ConfigurationSetting("idle-fps", "\(idleFPS)", origin: "--idle-fps")) }
        if let statsInterval {
            s.append(ConfigurationSetting("stats-interval", "\(statsInterval)", origin: "--stats-interval"))
        }
        return s + processingFlags
    }

    func runFile(_ logger: Logger) throws {
        var settings = ProcessingSettings(threads: ProcessInfo.processInfo.activeProcessorCount)
        for s in processingFlags { _ = try settings.apply(s.key, s.value, origin: s.origin) }
        let outputPath = output ?? "sharpcam-demo.mp4"
        let options = FileJob.Options(
            output: outputPath, size: size.map { ($0.width, $0.height) }, maxFrames: frames,
            sideBySide: sideBySide ?? demo, codec: codec, showProgress: !quiet, fit: fit ?? .crop)
        let cancellation = CancellationFlag()
        let signals = SignalWatcher(cancelling: cancellation)
        defer { signals.cancel() }
        let policy = InputPolicy(
            errorPolicy: strict ? .strict : .lenient, maxPixels: maxPixels ?? InputPolicy.defaultMaxPixels,
            interrupt: cancellation)
        let job = try FileJob.open(
            input: demo ? nil : input, settings: settings, options: options, policy: policy, logger: logger)
        let summary = try job.run(cancellation: cancellation)
        if summary.damagedFrames + summary.missingFrames > 0 {
            logger.warning(
                """
                \(job.sourceName): \(summary.damagedFrames) damaged frame(s) skipped, \(summary.missingFrames) \
                missing at the end (truncated?); the output has \(summary.frames) frame(s) (--strict makes this \
                an error)
                """)
        }
        logger.info(
            """
            wrote \(outputPath): \(summary.frames) frame\(summary.frames == 1 ? "" : "s") \
            \(summary.format.width)x\(summary.format.height) in \(String(format: "%.1f", summary.seconds)) s \
            (\(String(format: "%.1f", summary.framesPerSecond)) fps, \(job.processor.name))
            """
        )
    }

    func liveConfiguration() throws -> LiveConfiguration {
        try LiveConfiguration.load(
            files: LiveConfiguration.filesToRead(explicit: config), overrides: liveFlags,
            threads: ProcessInfo.processInfo.activeProcessorCount)
    }

    func runLive(_ logger: Logger) throws {
        let files = LiveConfiguration.filesToRead(explicit: config)
        logger.info(
            "configuration: \(files.isEmpty ? "defaults and flags" : files.joined(separator: ", ") + ", then flags")")
        let daemon = LiveDaemon(configuration: try liveConfiguration(), logger: logger, handleSignals: true) {
            try self.liveConfiguration()
        }
        let explicitConfig = config
        daemon.additionalServices = { daemon, c in
            guard let address = c.web else { return [] }
            let console = try WebConsole(
                daemon: daemon, address: address,
                saveFile: {
                    // "Save as default" writes where the daemon reads at start: --config, else
                    // the system file for the system service, else the user's file.
                    explicitConfig
                        ?? (daemon.controlPath == ControlSocket.systemPath
                            ? LiveConfiguration.systemFile : LiveConfiguration.userFile())
                }, logger: logger)
            return [console]
        }
        try daemon.run()
    }
}
