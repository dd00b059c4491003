import Logging
import SharpFrames
import SharpMedia
import SharpSupport

/// Sharpens a file, an image or a generated clip into a file: source → (resize) → processor
/// → (side-by-side) → sink, pipelined on three threads (decode, process, encode) through
/// preallocated frames in lossless `FrameRing`s: frames stay in order and none is dropped.
///
/// Invariant: the output exists under its final name only if every requested frame was read,
/// processed and written; any error or cancellation removes the partial output.
public final class FileJob {
    public struct Options: Sendable {
        public var output: String
        /// Target size (nil keeps the source size).
        public var size: (width: Int, height: Int)?
        /// Process at most this many frames.
        public var maxFrames: Int?
        /// Write `input | output` side by side instead of the output alone.
        public var sideBySide: Bool
        public var codec: VideoCodec?
        public var showProgress: Bool
        /// How a picture of another aspect ratio than `size` is fitted (crop, pad, stretch).
        public var fit: FrameFit

        public init(
            output: String, size: (width: Int, height: Int)? = nil, maxFrames: Int? = nil, sideBySide: Bool = false,
            codec: VideoCodec? = nil, showProgress: Bool = false, fit: FrameFit = .crop
        ) {
            self.fit = fit
            self.output = output
            self.size = size
            self.maxFrames = maxFrames
            self.sideBySide = sideBySide
            self.codec = codec
            self.showProgress = showProgress
        }
    }

    /// What a finished run did.
    public struct Summary: Sendable {
        public var frames: Int
        public var seconds: Double
        public var format: FrameFormat
        /// Input frames skipped because they were damaged (lenient reading).
        public var damagedFrames = 0
        /// Input frames the file declares but did not contain (truncated).
        public var missingFrames = 0
        public var framesPerSecond: Double { seconds > 0 ? Double(frames) / seconds : 0 }
    }

    public let source: FrameSource
    public let sourceName: String
    public let processor: FrameProcessor
    public let options: Options
    private let logger: Logger

    public init(source: FrameSource, sourceName: String, processor: FrameProcessor, options: Options, logger: Logger) {
        self.source = source
        self.sourceName = sourceName
        self.processor = processor
        self.options = options
        self.logger = logger
    }

    public func run(cancellation: CancellationFlag = CancellationFlag()) throws -> Summary {
        let info = source.info
        var workFormat = info.format
        if let size = options.size {
            guard let f = FrameFormat(info.format.pixelFormat, width: size.width, height: size.height) else {
                throw MediaError(.invalidGeometry, path: options.output, "invalid --size \(size.width)x\(size.height)")
            }
            workFormat = f
        }
        let outputKind = MediaFiles.kind(ofOutput: options.output)
        let limit = options.maxFrames
        if outputKind == .image, !info.isStillImage, limit != 1 {
            let count = info.frameCount.map { "\($0) frames" } ?? "several frames"
            throw MediaError(
                .unsupported, path: options.output,
                """
                an image file holds one picture but \(sourceName) has \(count) (pass --frames 1 to take the \
                first, or write a video)
                """
            )
        }

        let resizer =
            workFormat == info.format
            ? nil : try FrameResizer(from: info.format, to: workFormat, colorSpace: info.colorSpace, fit: options.fit)
        var composer: SideBySideComposer?
        if options.sideBySide {
            guard let c = SideBySideComposer(input: workFormat) else {
                throw MediaError(
                    .invalidGeometry, path: options.output,
                    """
                    side by side, \(workFormat.width)x\(workFormat.height) would be wider than \
                    \(FrameFormat.maxDimension) pixels
                    """)
            }
            composer = c
        }
        var sinkInfo = info
        sinkInfo.format = composer?.outputFormat ?? workFormat

        let sink = try MediaFiles.openSink(options.output, info: sinkInfo, codec: options.codec)
        let total = [info.frameCount, limit].compactMap { $0 }.min()
        let progress = ProgressBar(total: total, label: "sharpening", enabled: options.showProgress)
        let start = monotonicNanos()
        // Decode → process → encode on three threads, connected by lossless rings (the
        // producer waits for room: order kept, nothing dropped). The encoder runs here.
        let decoded = FrameRing(capacity: 2, format: workFormat, colorSpace: info.colorSpace)
        let processed = FrameRing(capacity: 2, format: sinkInfo.format, colorSpace: info.colorSpace)
        let failure = FirstError()
        let compose = composer
        let decoder = WorkerThread(name: "decode") { [source] in
            defer { decoded.close() }
            let input = resizer == nil ? nil : Frame(format: info.format, colorSpace: info.colorSpace)
            var count = 0
            do {
                while limit.map({ count < $0 }) ?? true, !cancellation.isCancelled, decoded.waitForRoom() {
                    let frame = decoded.acquireForWriting()
                    guard try source.read(into: input ?? frame) else {
                        decoded.abandonWrite(frame)
                        break
                    }
                    if let resizer, let input {
                        resizer.resize(input, into: frame)
                        frame.colorSpace = input.colorSpace
                    }
                    decoded.publish(frame)
                    count += 1
                }
            } catch {
                failure.record(error)
            }
        }
        let worker = WorkerThread(name: "process") { [processor] in
            defer { processed.close() }
            let result = compose == nil ? nil : Frame(format: workFormat, colorSpace: info.colorSpace)
            while case .frame(let frame) = decoded.acquireForReading(timeoutNanos: nil) {
                guard processed.waitForRoom() else {
                    decoded.release(frame)
                    break
                }
                let out = processed.acquireForWriting()
                if let compose, let result {
                    result.colorSpace = frame.colorSpace
                    processor.process(frame, into: result)
                    compose.compose(frame, result, into: out)
                } else {
                    out.colorSpace = frame.colorSpace
                    processor.process(frame, into: out)
                }
                decoded.release(frame)
                processed.publish(out)
            }
        }
        var frames = 0
        do {
            while case .frame(let frame) = processed.acquireForReading(timeoutNanos: nil) {
                defer { processed.release(frame) }
                if cancellation.isCancelled { break }
                try sink.write(frame)
                frames += 1
                progress.update(done: frames)
            }
        } catch {
            failure.record(error)
        }
        // Stop the other stages (on an error or a cancellation) and wait for them.
        decoded.close()
        processed.close()
        while case .frame(let f) = processed.acquireForReading(timeoutNanos: nil) { processed.release(f) }
        decoder.join()
        worker.join()
        do {
            if let error = failure.error { throw error }
            if cancellation.isCancelled { throw CancelledError() }
            if frames == 0 {
                throw MediaError(.corrupt, path: sourceName, "contains no decodable frames")
            }
            try sink.finish()
        } catch {
            progress.finish()
            sink.abort()
            throw error
        }
        progress.finish()
        let seconds = Double(monotonicNanos() - start) / 1e9
        return Summary(
            frames: frames, seconds: seconds, format: sinkInfo.format, damagedFrames: source.damagedFrames,
            missingFrames: source.missingFrames)
    }
}
