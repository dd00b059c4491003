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
    /// Row bands processed in parallel (each with its own scratch rows).
    public let threads: Int

    /// The chroma grid of the last frame size and its float planes: guide, luma change, channels
    /// and slopes (`ChromaTransfer+Solve` says what they hold).
    var gridWidth = 0, gridHeight = 0, channelCount = 0
    var guide: UnsafeMutablePointer<Float>?
    var change: UnsafeMutablePointer<Float>?
    var channelPlanes: UnsafeMutablePointer<Float>?
    var coefficients: UnsafeMutablePointer<Float>?
    /// Per band: column sums (2 + 2·channels rows of the grid width), then window sums and three
    /// scratch rows.
    var bandScratch: [UnsafeMutablePointer<Float>] = []
    /// changedRows[y]: how many rows above y have a luma change (rows far from any are skipped).
    var changedRows: UnsafeMutablePointer<Int>?
    /// The threads that run the bands, and the job they run (set by `apply` for its duration).
    private let pool: OpaquePointer?
    private var job: Job?

    private struct Job {
        enum Pass { case gather, solve, apply }
        var pass: Pass
        let input: Frame, output: Frame
        let bands: Int, rx: Int, ry: Int, bias: Float

        func rows(_ band: Int, height h: Int) -> Range<Int> { (band * h / bands)..<((band + 1) * h / bands) }
    }

    public init(settings: Settings = .default, threads: Int = 2) {
        precondition(settings.radius >= 1 && settings.epsilon > 0, "ChromaTransfer: radius ≥ 1 and ε > 0")
        self.settings = settings
        // Without a pool (threads could not start) the bands run one after another.
        pool = threads > 1 ? sc_pool_create(Int32(threads)) : nil
        self.threads = pool == nil ? 1 : threads
    }

    deinit {
        if let pool { sc_pool_destroy(pool) }
        release()
    }

    /// Rewrites the colour of `output` (whose luma a sharpener has changed; its colour still
    /// equal to `input`'s) from the luma change. Frames of the same format, distinct.
    public func apply(input: Frame, output: Frame) {
        precondition(input.format == output.format && input !== output, "ChromaTransfer: needs two distinct frames of one format")
        let g = Self.grid(of: input.format)
        prepare(width: g.width, height: g.height, channels: g.channels)
        let rx = max(1, Int((Double(settings.radius) / Double(g.sx)).rounded()))
        let ry = max(1, Int((Double(settings.radius) / Double(g.sy)).rounded()))
        let bias: Float = input.pixelFormat == .rgb24 ? 1 : 0
        // Bands of at least 16 rows; each pass finishes on every band before the next starts
        // (pass 2 reads slopes of the rows around its band).
        job = Job(pass: .gather, input: input, output: output, bands: min(threads, max(1, g.height / 16)), rx: rx, ry: ry, bias: bias)
        defer { job = nil }
        runPass(.gather)
        countChangedRows()
        runPass(.solve)
        runPass(.apply)
    }

    private func runPass(_ pass: Job.Pass) {
        job!.pass = pass
        guard let pool, job!.bands > 1 else {
            for b in 0..<job!.bands { runBand(b) }
            return
        }
        sc_pool_run(pool, { ctx, index, _ in
            let me = Unmanaged<ChromaTransfer>.fromOpaque(ctx!).takeUnretainedValue()
            me.runBand(Int(index))
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// One band of the current pass (bands beyond the job's count have nothing to do).
    private func runBand(_ band: Int) {
        let j = job!
        guard band < j.bands else { return }
        let rows = j.rows(band, height: gridHeight)
        switch j.pass {
        case .gather: gather(j.input, j.output, rows: rows)
        case .solve: solveCoefficients(rows: rows, rx: j.rx, ry: j.ry, bias: j.bias, scratch: bandScratch[band])
        case .apply:
            averageAndApply(rows: rows, rx: j.rx, ry: j.ry, scratch: bandScratch[band])
            scatter(j.output, rows: rows)
        }
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

    private func prepare(width: Int, height: Int, channels: Int) {
        if width == gridWidth && height == gridHeight && channels == channelCount { return }
        release()
        gridWidth = width; gridHeight = height; channelCount = channels
        let n = width * height
        guide = .allocate(capacity: n)
        change = .allocate(capacity: n)
        channelPlanes = .allocate(capacity: n * channels)
        coefficients = .allocate(capacity: n * channels)
        bandScratch = (0..<threads).map { _ in .allocate(capacity: width * (2 * (2 + 2 * channels) + 3)) }
        changedRows = .allocate(capacity: height + 1)
    }

    private func release() {
        guide?.deallocate(); change?.deallocate(); channelPlanes?.deallocate(); coefficients?.deallocate()
        changedRows?.deallocate()
        for p in bandScratch { p.deallocate() }
        bandScratch = []
    }
}
