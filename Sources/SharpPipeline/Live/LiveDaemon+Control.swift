import Foundation
import Glibc
import SharpFrames
import SharpSupport

extension LiveDaemon {
    /// Answers one control request (on the control socket's or web console's thread; never on
    /// the frame path).
    public func handle(_ request: ControlRequest) -> ControlReply {
        switch request {
        case .status: return .ok(controlStatus().json())
        case .set(let key, let value):
            do {
                return .ok(Array(try set(key, value).utf8))
            } catch {
                return .error("\(error)")
            }
        case .snapshot:
            switch sideBySide(timeoutNanos: 2_000_000_000) {
            case .success(let frame): return .ok(ControlFrame.encode(frame))
            case .failure(let error): return .error(error.description)
            }
        case .web:
            guard let url = webConsoleURL else {
                return .error("the web console is off (start sharpcamd with --web 8740, or set web = 127.0.0.1:8740)")
            }
            return .ok(Array(url.utf8))
        }
    }

    /// The next processed frame's input and output side by side (copied off the frame path,
    /// composed on the caller's thread). `viewer`: a page shows it live, so the camera is kept
    /// (or taken) as for a consumer.
    public func sideBySide(timeoutNanos: UInt64, viewer: Bool = false) -> Result<Frame, ControlProtocolError> {
        guard let stages else { return .failure(ControlProtocolError("the daemon is stopping")) }
        if viewer {
            stages.demand?.viewerSeen()
            stages.capture.poke()
        }
        let c = configuration
        guard let pair = stages.processing.snapshot(format: c.outputFrameFormat, timeoutNanos: timeoutNanos) else {
            let why = stages.capture.current.source == nil ? "camera \(stages.capture.current.problem)" : "busy"
            let seconds = String(format: "%g", Double(timeoutNanos) / 1e9)
            return .failure(
                ControlProtocolError(
                    "no frame was processed in the last \(seconds) s (\(why)); open the camera in an app and try again")
            )
        }
        guard let composer = SideBySideComposer(input: pair.input.format) else {
            return .failure(ControlProtocolError("the frame is too wide for a side-by-side picture"))
        }
        let composed = composer.compose(pair.input, pair.output)
        composed.colorSpace = pair.output.colorSpace
        return .success(composed)
    }

    /// Changes `strength` or `mode` on the running daemon: the next frame uses it.
    func set(_ key: String, _ value: String) throws -> String {
        guard let stages else { throw ConfigurationError("the daemon is stopping") }
        return try settingsLock.withLock {
            var c = configuration
            _ = try c.processing.apply(key, value, origin: "ctl set \(key)")
            switch key {
            case "strength":
                stages.processing.setStrength(c.processing.strength)
            default:
                if c.processing != configuration.processing {
                    stages.processing.replaceProcessor(try c.processing.makeProcessor())
                }
            }
            configuration.processing = c.processing
            let name = stages.processing.processorName
            logger.notice("ctl set \(key) \(value): \(name)")
            return name
        }
    }

    /// The daemon's state for `sharpcamd ctl status`.
    public func controlStatus() -> ControlStatus {
        let c = configuration, s = statistics
        let capture = stages?.capture.current
        let consumers = stages?.demand?.consumers
        var latency: [String: ControlStatus.Latency] = [:]
        for (key, r) in [
            ("ring_wait", s.queueing), ("processing", s.processing), ("output", s.output),
            ("end_to_end", s.endToEnd),
        ] {
            if let p = r.percentiles() { latency[key] = .init(p50Ms: p.p50, p99Ms: p.p99) }
        }
        let p = c.processing
        return ControlStatus(
            version: SharpCamVersion.string, pid: getpid(),
            uptimeSeconds: monotonicSeconds(since: startNanos),
            input: c.input ?? "first camera", source: capture?.source,
            camera: capture.map { $0.source != nil ? "held" : $0.problem } ?? "not started",
            output: c.output, consumers: consumers,
            size: "\(c.width)x\(c.height)", frameRate: c.frameRate.doubleValue, outputFormat: "\(c.outputFormat)",
            fit: "\(c.fit)", mode: p.mode.rawValue, model: p.model ?? "builtin",
            precision: p.precision?.rawValue ?? "default", strength: p.strength, processor: processorName,
            fps: usage.countPerSecond, latency: latency,
            captured: s.captured.count, processed: s.processed.count, written: s.written.count,
            skipped: s.skipped.count, dropped: droppedFrames, placeholders: s.placeholders.count,
            cpuPercent: usage.cpuPercent, rssMiB: Double(ProcessUsage.residentBytes()) / 1_048_576,
            controlSocket: controlPath ?? "none")
    }
}
