import Glibc
import Logging
import SharpDevices
import SharpFrames
import SharpMedia
import SharpSupport

/// The capture stage: opens the configured source (camera, file/URL paced at its rate, or
/// the generated clip), converts frames to the output geometry when they differ, and
/// publishes them into the `FrameRing` (newest wins). A vanished or missing camera is
/// retried with backoff (0.25 s doubling to 5 s) and picked up again when it returns; while
/// `wanted()` is false (no consumers), the camera is released.
///
/// Invariant: one thread calls `run()`; it returns after `stop()`.
public final class CaptureService: Service, @unchecked Sendable {
    public let name = "capture"
    public let configuration: LiveConfiguration
    private let ring: FrameRing
    private let statistics: LiveStatistics
    private let logger: Logger
    private let wanted: () -> Bool
    private let stopFlag = CancellationFlag()
    /// How files and URLs are opened: lenient (damaged frames are dropped and counted), and
    /// interrupted by `stop()` (a FIFO without a writer, a URL that never answers).
    var inputPolicy: InputPolicy { InputPolicy(errorPolicy: .lenient, interrupt: stopFlag) }
    private let wake = ConditionLock()
    private let stateLock = ConditionLock()
    private var state = (source: String?.none, problem: "not started")

    /// The source open now (nil while released or missing) and, without one, why.
    public var current: (source: String?, problem: String) { stateLock.withLock { state } }
    private func setState(_ source: String?, _ problem: String) { stateLock.withLock { state = (source, problem) } }

    /// Frames of the demo clip kept in memory (1.6 s back and forth at 30 fps).
    public static let demoFrames = 24

    public init(
        configuration: LiveConfiguration, ring: FrameRing, statistics: LiveStatistics, logger: Logger,
        wanted: @escaping () -> Bool
    ) {
        self.configuration = configuration
        self.ring = ring
        self.statistics = statistics
        self.logger = logger
        self.wanted = wanted
    }

    public func stop() {
        stopFlag.cancel()
        poke()
    }

    /// Wakes the thread when `wanted()` may have changed.
    public func poke() { wake.withLock { wake.broadcast() } }

    private func sleep(seconds: Double) {
        let deadline = monotonicNanos() + UInt64(seconds * 1e9)
        wake.withLock { _ = wake.wait(untilMonotonicNanos: deadline) }
    }

    /// Opens the configured input.
    func openSource() throws -> LiveSource {
        let c = configuration
        switch c.input {
        case nil:
            // No input configured: the first camera; without one, the "no camera" card (the
            // demo clip only when asked for, `input = demo`).
            guard let camera = DeviceDiscovery.firstCamera() else {
                throw MediaError(.noDevice, path: "camera", "no camera is connected")
            }
            return try openCamera(camera)
        case let spec? where spec == "pipewire" || spec.hasPrefix("pipewire:"):
            // A camera node in PipeWire (libcamera and IPU6 cameras), never SharpCam's own output.
            let target = spec == "pipewire" ? nil : String(spec.dropFirst("pipewire:".count))
            return try PipeWireCapture(
                target: target, exclude: c.pipeWireName, width: c.requestedCameraSize.width,
                height: c.requestedCameraSize.height, rate: c.frameRate, logger: logger)
        case "demo":
            let (w, h, target) = (c.width, c.height, ring.format)
            // Rendered once (about half a second), then played back and forth: a frame copy each.
            return try PacedSource(name: "generated clip", loop: true) {
                let scene = SyntheticClipSource(width: w, height: h, frames: 300)
                return try PrerenderedClip(scene, count: CaptureService.demoFrames, format: target)
            }
        case let spec? where spec.hasPrefix("/dev/") || (!InputPolicy.isURL(spec) && access(spec, F_OK) != 0):
            // A device, or a name that is not a file: a camera's card name (dots allowed).
            guard let path = DeviceDiscovery.resolveCamera(spec) else {
                let names = DeviceDiscovery.cameraNames()
                let known = names.isEmpty ? "no camera is connected" : "cameras: " + names.joined(separator: ", ")
                throw MediaError(.noDevice, path: spec, "no such camera or file (\(known))")
            }
            return try openCamera(path)
        case let path?:
            return try PacedSource(name: path, loop: c.loop) {
                try MediaFiles.openSource(path, input: self.inputPolicy, logger: self.logger)
            }
        }
    }

    func openCamera(_ path: String) throws -> V4L2Capture {
        let c = configuration
        let size = c.requestedCameraSize
        return try V4L2Capture(
            path: path, width: size.width, height: size.height, rate: c.frameRate,
            preferredFormat: c.cameraFormat.flatMap(CapturePlan.fourcc), logger: logger)
    }

    public func run() throws {
        let target = ring.format
        var source: LiveSource?
        var staging: Frame?
        var resizer: FrameResizer?
        var backoff = 0.25
        var lastError = ""
        var ended = false
        while !stopFlag.isCancelled {
            if !wanted() || ended {
                if let s = source {
                    logger.info("\(s.name): released (no consumers)")
                    source = nil
                }
                setState(nil, ended ? "input ended" : "released (no consumers)")
                sleep(seconds: 0.5)
                continue
            }
            if source == nil {
                do {
                    let s = try openSource()
                    source = s
                    if s.info.format == target {
                        staging = nil; resizer = nil
                    } else {
                        staging = Frame(format: s.info.format, colorSpace: s.info.colorSpace)
                        resizer = try FrameResizer(
                            from: s.info.format, to: target, colorSpace: s.info.colorSpace, fit: configuration.fit)
                    }
                    let fitted = resizer.map { r in " → \(target) (\(r.fit): \(r.placement))" } ?? ""
                    logger.info("\(s.name): \(s.info)\(fitted)")
                    backoff = 0.25
                    lastError = ""
                    setState(s.name, "")
                } catch {
                    let message = "\(error)"
                    if message != lastError { logger.warning("\(message); retrying"); lastError = message }
                    setState(nil, "missing: \(message)")
                    sleep(seconds: backoff)
                    backoff = min(backoff * 2, 5)
                    continue
                }
            }
            let frame = ring.acquireForWriting()
            do {
                let into = staging ?? frame
                let damagedBefore = source!.damagedFrames
                let read = try source!.next(into: into, timeoutMillis: 200)
                let damaged = source!.damagedFrames - damagedBefore
                if damaged > 0 {
                    statistics.skipped.increment(by: UInt64(damaged))
                    logger.debug("\(source!.name): dropped \(damaged) damaged frame(s)")
                }
                switch read {
                case .frame:
                    if let resizer, let staging {
                        resizer.resize(staging, into: frame)
                        frame.colorSpace = staging.colorSpace
                    }
                    ring.publish(frame)
                    statistics.captured.increment()
                case .timeout:
                    ring.abandonWrite(frame)
                case .skipped(let why):
                    ring.abandonWrite(frame)
                    statistics.skipped.increment()
                    logger.debug("\(source!.name): skipped a frame: \(why)")
                case .ended:
                    ring.abandonWrite(frame)
                    logger.notice("\(source!.name): input ended; the output keeps its last frame")
                    source = nil
                    ended = true
                }
            } catch {
                ring.abandonWrite(frame)
                logger.warning("\(error); reopening")
                source = nil
                lastError = "\(error)"
                sleep(seconds: backoff)
            }
        }
    }
}
