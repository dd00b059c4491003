import CV4L2
import Glibc
import SharpFrames
import SharpMedia
import SharpSupport

/// A v4l2loopback device fed through mmap streaming on its OUTPUT queue (not write(): with
/// exclusive_caps=1, v4l2loopback 0.12.7 loses its capabilities after a write() producer
/// closes). Format (YUYV by default, I420 optional; even width) and frame rate are set once,
/// before consumers open the device; the file descriptor stays open for the sink's life, so
/// the geometry never changes while consumers are attached.
///
/// Invariant: `write` never blocks longer than `writeTimeoutMillis`; a frame with no free
/// buffer in time is dropped and counted.
public final class LoopbackSink: @unchecked Sendable {
    public let device: V4L2Device
    public let format: FrameFormat
    public let frameRate: Rational
    public let writeTimeoutMillis: Int32 = 100
    public private(set) var dropped = 0
    public private(set) var written = 0
    private var unqueued: [Int] = []
    private let bytesPerLine: Int
    private let imageBytes: Int

    /// Seconds `init` keeps trying to set the format while other programs have the device open.
    public static let formatWaitSeconds = 10.0

    /// Opens and configures the loopback. v4l2loopback can only change its buffer size while
    /// the producer is its only user, so while other programs have the device open (a desktop
    /// probing cameras, a consumer opening it early) `VIDIOC_S_FMT` fails with EINVAL: `init`
    /// retries for up to `formatWaitSeconds`, telling `onWait` once who holds the device, and
    /// then fails naming them.
    public init(path: String, format: FrameFormat, frameRate: Rational, onWait: ((String) -> Void)? = nil) throws {
        guard format.pixelFormat == .yuyv || format.pixelFormat == .i420 else {
            throw MediaError(.unsupported, path: path, "the loopback output is YUYV or I420, not \(format.pixelFormat)")
        }
        guard format.width % 2 == 0 else {
            throw MediaError(
                .invalidGeometry, path: path,
                "the loopback width must be even (video-call apps reject odd widths); got \(format.width)")
        }
        let dev: V4L2Device
        do {
            dev = try V4L2Device(path: path)
        } catch let e as MediaError where e.kind == .noDevice {
            throw MediaError(
                .noDevice, path: path,
                """
                no such video device: load the loopback driver, e.g. sudo modprobe v4l2loopback video_nr=10 \
                card_label=SharpCam exclusive_caps=1 (at every boot: /etc/modprobe.d/sharpcam.conf, which install.sh \
                installs); `sharpcamd doctor` checks the set-up
                """
            )
        }
        device = dev
        guard dev.isLoopback || dev.isOutput else {
            throw MediaError(
                .unsupported, path: path,
                """
                is \(dev.driver) \"\(dev.card)\", not a v4l2loopback output device (pick the SharpCam device, see \
                --list-devices)
                """
            )
        }
        guard dev.isOutput else {
            throw MediaError(
                .busy, path: path,
                """
                the loopback device has no output side right now: another producer is feeding it (or a consumer \
                holds it with exclusive_caps=1)
                """
            )
        }
        let set = try LoopbackSink.configure(dev, format: format, onWait: onWait)
        self.format = format
        bytesPerLine =
            set.bytesPerLine > 0 ? set.bytesPerLine : (format.pixelFormat == .yuyv ? format.width * 2 : format.width)
        imageBytes = format.pixelFormat == .yuyv ? bytesPerLine * format.height : format.width * format.height * 3 / 2
        self.frameRate = dev.setFrameRate(V4L2_BUF_TYPE_VIDEO_OUTPUT, frameRate) ?? frameRate
        try dev.mapBuffers(V4L2_BUF_TYPE_VIDEO_OUTPUT, count: 4)
        // Prime every buffer with black so the first consumer sees a valid picture.
        let black = Frame(format: format)
        black.fillGrey(16)
        for b in dev.buffers {
            fill(b, from: black)
            try dev.queue(
                V4L2_BUF_TYPE_VIDEO_OUTPUT, index: b.index, bytesUsed: imageBytes,
                timestampNanos: Int64(monotonicNanos()))
        }
        try dev.streamOn(V4L2_BUF_TYPE_VIDEO_OUTPUT)
    }

    /// Sets the output format, retrying while the driver refuses it (up to `formatWaitSeconds`);
    /// returns what the driver set. Who holds the device is looked up only to say so.
    private static func configure(
        _ dev: V4L2Device, format: FrameFormat,
        onWait: ((String) -> Void)?
    ) throws -> (fourcc: UInt32, width: Int, height: Int, bytesPerLine: Int, sizeImage: Int) {
        let fourcc = format.pixelFormat == .yuyv ? sc_pix_fmt_yuyv() : sc_pix_fmt_yuv420()
        let deadline = monotonicNanos() + UInt64(formatWaitSeconds * 1e9)
        var told = false
        while true {
            let problem: MediaError
            do {
                let set = try dev.setFormat(
                    V4L2_BUF_TYPE_VIDEO_OUTPUT, fourcc: fourcc, width: format.width, height: format.height)
                if set.fourcc == fourcc && set.width == format.width && set.height == format.height { return set }
                problem = MediaError(
                    .busy, path: dev.path,
                    """
                    the loopback keeps \(V4L2Device.fourccString(set.fourcc)) \(set.width)x\(set.height) (a \
                    consumer may hold the old format); asked for \(format)
                    """
                )
            } catch let e as MediaError where e.kind != .noDevice {
                problem = e
            }
            if monotonicNanos() >= deadline {
                let hint = V4L2Device.holderNames(dev.path).map {
                    """
                    ; in use by \($0): v4l2loopback sets its format only while the producer is its only user, so \
                    close them and try again
                    """
                }
                throw MediaError(problem.kind, path: dev.path, problem.problem + (hint ?? ""))
            }
            if !told {
                told = true
                let who = V4L2Device.holderNames(dev.path).map { ", in use by \($0)" } ?? ""
                onWait?(
                    """
                    \(dev.path): cannot set the format yet (\(problem.problem))\(who); retrying for up to \
                    \(Int(formatWaitSeconds)) s
                    """
                )
            }
            usleep(100_000)
        }
    }

    private func fill(_ b: V4L2Device.Buffer, from frame: Frame) {
        let dst = b.base.assumingMemoryBound(to: UInt8.self)
        if frame.pixelFormat == .yuyv {
            for y in 0..<format.height {
                (dst + y * bytesPerLine).update(from: frame.planes[0].row(y), count: frame.planes[0].rowBytes)
            }
        } else {
            var off = 0
            for p in frame.planes {
                for y in 0..<p.rows { (dst + off).update(from: p.row(y), count: p.rowBytes); off += p.rowBytes }
            }
        }
    }

    /// Hands a frame to the loopback (a free buffer is reclaimed first).
    public func write(_ frame: Frame) throws {
        precondition(frame.format == format, "LoopbackSink: frame \(frame.format) != \(format)")
        if unqueued.isEmpty {
            guard let d = try device.dequeue(V4L2_BUF_TYPE_VIDEO_OUTPUT, timeoutMillis: writeTimeoutMillis) else {
                dropped += 1
                return
            }
            unqueued.append(d.index)
        }
        let index = unqueued.removeLast()
        fill(device.buffers[index], from: frame)
        try device.queue(
            V4L2_BUF_TYPE_VIDEO_OUTPUT, index: index, bytesUsed: imageBytes, timestampNanos: Int64(monotonicNanos()))
        written += 1
    }
}
