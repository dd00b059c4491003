import CSharpKernels
import SharpFrames

/// Carries a luma-only sharpening into the colour channels.
///
/// SharpCam's networks sharpen luma; a blurred frame's chroma is just as blurred, so colour
/// edges stay soft (on the p256 protocol the chroma alone keeps luma-only sharpening 0.4 dB
/// under sharpening every RGB channel). This pass gives each chroma sample the luma change
/// scaled by how chroma follows luma around it in the *input* frame, the linear coefficient of
/// a guided filter:
///
///     a = (cov(Y, C) + b·ε) / (var(Y) + ε)   over a (2r+1)² window,   C' = C + mean(a) · ΔY
///
/// with ΔY the change the sharpener made to luma (averaged over the luma samples a subsampled
/// chroma sample covers). YUV frames transfer into Cb and Cr (b = 0: grey and flat regions keep
/// their chroma); RGB frames into R, G and B (b = 1: the same thing written in RGB, where a grey
/// region gets ΔY on every channel as before). Window means are taken over the samples inside
/// the frame.
///
/// Invariant: only chroma (YUV) or R, G, B (RGB) of `output` are written, and only where the
/// luma of `output` differs from the luma of `input` near them: where the sharpener left luma
/// alone the output's colour is the input's, byte for byte. After the first frame of a size,
/// `apply` allocates nothing.
public final class ChromaTransfer: @unchecked Sendable {
    /// Window radius (in luma pixels) and regulariser ε (in 8-bit code values squared).
    public struct Settings: Sendable, Equatable {
        public var radius: Int
        public var epsilon: Float
        public init(radius: Int, epsilon: Float) {
            self.radius = radius
            self.epsilon = epsilon
        }

        /// Chosen on the training photos (p256 and webcam degradations of the shipped student's
        /// output; radius 2-4 and ε 3-30 were within 0.01 dB of each other).
        public static let `default` = Settings(radius: 3, epsilon: 10)
    }

    public let settings: Settings
    /// Row bands processed in parallel (each with its own rings).
    public let threads: Int

    /// The chroma grid of the frames being processed, the window radii on it and the per-band
    /// working memory (`ChromaTransfer+Solve` says what it holds).
    var gridWidth = 0, gridHeight = 0, channelCount = 0, radiusX = 0, radiusY = 0
    var bandMemory: [UnsafeMutablePointer<Float>] = []
    var bandFlags: [UnsafeMutablePointer<Bool>] = []
    var bandDeferred: [UnsafeMutablePointer<Int>] = []
    /// The process's shared threads that run the bands (`sc_pool_shared`), and the frames they
    /// work on (set by `apply` for its duration).
    private let pool: OpaquePointer?
    private var job: Job?

    private struct Job {
        let input: Frame, output: Frame
        let bands: Int, bias: Float

        func rows(_ band: Int, height h: Int) -> Range<Int> { (band * h / bands)..<((band + 1) * h / bands) }
    }

    public init(settings: Settings = .default, threads: Int = 2) {
        precondition(settings.radius >= 1 && settings.epsilon > 0, "ChromaTransfer: radius ≥ 1 and ε > 0")
        self.settings = settings
        // Without a pool (threads could not start) the bands run one after another.
        pool = threads > 1 ? sc_pool_shared(Int32(threads)) : nil
        self.threads = pool == nil ? 1 : threads
    }

    deinit { release() }

    /// Rewrites the colour of `output` (whose luma a sharpener has changed; its colour still
    /// equal to `input`'s) from the luma change. Frames of the same format, distinct.
    public func apply(input: Frame, output: Frame) {
        precondition(
            input.format == output.format && input !== output, "ChromaTransfer: needs two distinct frames of one format"
        )
        let g = Self.grid(of: input.format)
        let (rx, ry) = radii(of: g)
        prepare(width: g.width, height: g.height, channels: g.channels, rx: rx, ry: ry)
        // Bands of at least 16 rows, independent of each other: each band works out the rows
        // around it that it needs itself, and keeps back the rows its neighbours read until all
        // bands have finished.
        job = Job(
            input: input, output: output, bands: min(threads, max(1, g.height / 16)),
            bias: input.pixelFormat == .rgb24 ? 1 : 0)
        defer { job = nil }
        if let pool, job!.bands > 1 {
            sc_pool_run(
                pool,
                { ctx, index, _ in
                    let me = Unmanaged<ChromaTransfer>.fromOpaque(ctx!).takeUnretainedValue()
                    me.runBand(Int(index))
                }, Unmanaged.passUnretained(self).toOpaque())
        } else {
            for b in 0..<job!.bands { runBand(b) }
        }
        for b in 0..<job!.bands { writeDeferred(output, memory: bandMemory[b], deferredRows: bandDeferred[b]) }
    }

    /// One band (bands beyond the job's count have nothing to do).
    private func runBand(_ band: Int) {
        let j = job!
        guard band < j.bands else { return }
        transfer(
            j.input, j.output, rows: j.rows(band, height: gridHeight), bias: j.bias, memory: bandMemory[band],
            flags: bandFlags[band],
            deferredRows: bandDeferred[band])
    }

    /// The chroma grid: size, channels and subsampling factors.
    static func grid(of format: FrameFormat) -> (width: Int, height: Int, channels: Int, sx: Int, sy: Int) {
        let w = format.width, h = format.height
        switch format.pixelFormat {
        case .rgb24: return (w, h, 3, 1, 1)
        case .yuyv: return ((w + 1) / 2, h, 2, 2, 1)
        case .i420, .nv12: return ((w + 1) / 2, (h + 1) / 2, 2, 2, 2)
        }
    }

    /// The window radii on the chroma grid: `settings.radius` luma pixels, at least one sample.
    func radii(of grid: (width: Int, height: Int, channels: Int, sx: Int, sy: Int)) -> (rx: Int, ry: Int) {
        (
            max(1, Int((Double(settings.radius) / Double(grid.sx)).rounded())),
            max(1, Int((Double(settings.radius) / Double(grid.sy)).rounded()))
        )
    }

    private func prepare(width: Int, height: Int, channels: Int, rx: Int, ry: Int) {
        if width == gridWidth && height == gridHeight && channels == channelCount && rx == radiusX && ry == radiusY {
            return
        }
        release()
        gridWidth = width; gridHeight = height; channelCount = channels; radiusX = rx; radiusY = ry
        let layout = BandLayout(width: width, channels: channels, ry: ry)
        bandMemory = (0..<threads).map { _ in .allocate(capacity: layout.floats) }
        // 1 / (window columns) depends only on the size: once per band, not per frame.
        for memory in bandMemory {
            let inverse = memory + layout.columnInverses
            for x in 0..<width { inverse[x] = 1 / Float(min(width - 1, x + rx) - max(0, x - rx) + 1) }
        }
        bandFlags = (0..<threads).map { _ in .allocate(capacity: layout.ring) }
        bandDeferred = (0..<threads).map { _ in .allocate(capacity: layout.deferredRows) }
    }

    private func release() {
        for p in bandMemory { p.deallocate() }
        for p in bandFlags { p.deallocate() }
        for p in bandDeferred { p.deallocate() }
        bandMemory = []; bandFlags = []; bandDeferred = []
    }
}
