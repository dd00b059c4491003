import Logging
import SharpFrames
import SharpMedia
import SharpSupport

/// Sharpens a file, an image or a generated clip into a file: source → (resize) → processor
/// → (side-by-side) → sink, one frame at a time through preallocated frames.
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

        public init(
            output: String, size: (width: Int, height: Int)? = nil, maxFrames: Int? = nil, sideBySide: Bool = false,
            codec: VideoCodec? = nil, showProgress: Bool = false
        ) {
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

        let input = Frame(format: info.format, colorSpace: info.colorSpace)
        let resizer =
            workFormat == info.format
            ? nil : try FrameResizer(from: info.format, to: workFormat, colorSpace: info.colorSpace)
        let work = resizer == nil ? input : Frame(format: workFormat, colorSpace: info.colorSpace)
        let processed = Frame(format: workFormat, colorSpace: info.colorSpace)
        let composer = options.sideBySide ? SideBySideComposer(input: workFormat) : nil
        var sinkInfo = info
        sinkInfo.format = composer?.output.format ?? workFormat

        let sink = try MediaFiles.openSink(options.output, info: sinkInfo, codec: options.codec)
        let total = [info.frameCount, limit].compactMap { $0 }.min()
        let progress = ProgressBar(total: total, label: processor.name, enabled: options.showProgress)
        let start = monotonicNanos()
        var frames = 0
        do {
            while limit.map({ frames < $0 }) ?? true {
                if cancellation.isCancelled { throw CancelledError() }
                guard try source.read(into: input) else { break }
                resizer?.resize(input, into: work)
                processor.process(work, into: processed)
                try sink.write(composer?.compose(work, processed) ?? processed)
                frames += 1
                progress.update(done: frames)
            }
            if frames == 0 {
                throw MediaError(.corrupt, path: sourceName, "contains no decodable frames")
            }
            if cancellation.isCancelled { throw CancelledError() }
            try sink.finish()
        } catch {
            progress.finish()
            sink.abort()
            throw error
        }
        progress.finish()
        let seconds = Double(monotonicNanos() - start) / 1e9
        return Summary(frames: frames, seconds: seconds, format: sinkInfo.format)
    }
}
