import CFFmpeg
import Glibc
import SharpSupport

/// What an input may make SharpCam do, and how long it may take: the rules every file, pipe
/// and URL is opened under.
///
/// - Local paths open with FFmpeg's `file` protocol only and with container and picture
///   demuxers only (`localDemuxers`): a playlist (HLS), a concat list or any other text that
///   names further files is refused, whatever its extension.
/// - URLs are recognised only as `scheme://…` with a scheme in `urlSchemes`; they may use the
///   network protocols in `urlProtocols` (never `file`), with a read timeout.
/// - Pictures and video frames larger than `maxPixels` are refused before they are decoded.
/// - A FIFO is opened without blocking and waited for (interruptibly) until a writer sends data.
/// - `interrupt` (SIGINT/SIGTERM, or the live daemon stopping) ends any wait inside FFmpeg.
///
/// Invariant: immutable; `checkURL` and the whitelists are the only way an input reaches FFmpeg.
public struct InputPolicy: Sendable {
    public var errorPolicy: FFmpegSource.ErrorPolicy
    /// The largest picture accepted (width × height); default 40 megapixels (above 8K UHD).
    public var maxPixels: Int
    /// Seconds a URL may take to open (connect, answer, first bytes) and between reads.
    public var networkTimeout: Double
    public var interrupt: CancellationFlag?

    public static let defaultMaxPixels = 40_000_000

    public init(
        errorPolicy: FFmpegSource.ErrorPolicy = .lenient, maxPixels: Int = InputPolicy.defaultMaxPixels,
        networkTimeout: Double = 15, interrupt: CancellationFlag? = nil
    ) {
        self.errorPolicy = errorPolicy
        self.maxPixels = maxPixels
        self.networkTimeout = networkTimeout
        self.interrupt = interrupt
    }

    /// URL schemes accepted as inputs (docs/USAGE.md, "Inputs").
    public static let urlSchemes: Set<String> = [
        "http", "https", "rtsp", "rtsps", "rtmp", "rtmps", "rtp", "udp", "srt",
    ]
    /// FFmpeg protocols a URL input may use (playlists over HTTP included; never `file`).
    static let urlProtocols = "http,https,tls,tcp,udp,rtp,srtp,rtsp,rtsps,rtmp,rtmps,rtmpt,srt,crypto,hls"
    /// FFmpeg demuxers a local file may be read with: containers, elementary video streams and
    /// pictures; no playlist, concat or other demuxer that opens further files.
    static let localDemuxers = [
        "mov", "mp4", "matroska", "webm", "avi", "flv", "mpegts", "mpeg", "mpegvideo", "ogg", "nut", "asf",
        "yuv4mpegpipe", "h264", "hevc", "mjpeg", "m4v", "vc1", "dv", "mxf", "ivf", "obu", "av1", "image2",
        "png_pipe", "jpeg_pipe", "bmp_pipe", "webp_pipe", "tiff_pipe", "gif", "gif_pipe", "pgm_pipe", "ppm_pipe",
        "pam_pipe", "pgmyuv_pipe", "qoi_pipe", "j2k_pipe", "jpegls_pipe", "dpx_pipe", "exr_pipe", "sgi_pipe",
        "xwd_pipe", "pcx_pipe", "tga", "psd_pipe", "svg_pipe", "cri_pipe", "photocd_pipe", "pictor_pipe",
        // Audio-only files are read far enough to say they hold no video.
        "wav", "mp3", "flac", "aac", "aiff", "w64", "caf", "amr",
    ].joined(separator: ",")

    /// Whether `path` is a URL (`scheme://…`) rather than a local path.
    public static func isURL(_ path: String) -> Bool { path.contains("://") }

    /// Refuses URLs whose scheme is not an accepted input (e.g. `file://`, `concat:`).
    public static func checkURL(_ url: String) throws {
        let scheme = String(url.prefix { $0 != ":" }).lowercased()
        guard urlSchemes.contains(scheme) else {
            let accepted = urlSchemes.sorted().joined(separator: ", ")
            throw MediaError(
                .unsupported, path: url,
                "unsupported URL scheme '\(scheme)' (inputs are local paths or \(accepted) URLs)")
        }
    }

    /// The refusal for a picture of `width`×`height` above the limit, or nil.
    func pixelProblem(width: Int, height: Int) -> String? {
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        guard overflow || pixels > maxPixels else { return nil }
        return """
            picture is \(width)x\(height), more than the \(maxPixels / 1_000_000) megapixel limit \
            (--max-pixels raises it)
            """
    }

    /// Opens a FIFO without blocking and waits until a writer has sent data (or `interrupt`
    /// fires). The returned descriptor stays non-blocking, so FFmpeg's reads can be
    /// interrupted too.
    func openFIFO(_ path: String) throws -> Int32 {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        if fd < 0 { throw MediaError(.unreadable, path: path, "cannot open: \(String(cString: strerror(errno)))") }
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            if interrupt?.isCancelled == true {
                close(fd)
                throw CancelledError()
            }
            p.revents = 0
            if poll(&p, 1, 100) > 0 && (p.revents & Int16(POLLIN)) != 0 { return fd }
            if (p.revents & Int16(POLLHUP)) != 0 {
                close(fd)
                throw MediaError(.corrupt, path: path, "the pipe was closed before any data arrived")
            }
        }
    }
}

/// What FFmpeg's interrupt callback consults: the job's cancellation flag and, while opening,
/// a deadline.
final class InterruptState: @unchecked Sendable {
    let flag: CancellationFlag?
    private let lock = ConditionLock()
    private var deadline: UInt64?
    private(set) var timedOut = false

    init(flag: CancellationFlag?) { self.flag = flag }

    func setDeadline(seconds: Double?) {
        lock.withLock { deadline = seconds.map { monotonicNanos() + UInt64($0 * 1e9) } }
    }

    var shouldStop: Bool {
        if flag?.isCancelled == true { return true }
        return lock.withLock {
            if let deadline, monotonicNanos() > deadline { timedOut = true }
            return timedOut
        }
    }

    var cancelled: Bool { flag?.isCancelled == true }

    /// The callback FFmpeg polls during blocking work (opaque: an unretained InterruptState).
    static let callback: @convention(c) (UnsafeMutableRawPointer?) -> Int32 = { opaque in
        guard let opaque else { return 0 }
        return Unmanaged<InterruptState>.fromOpaque(opaque).takeUnretainedValue().shouldStop ? 1 : 0
    }
}
