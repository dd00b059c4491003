import CV4L2
import Glibc
import Logging
import SharpFrames
import SharpMedia

/// A V4L2 camera streamed through mmap'ed buffers. Chooses YUYV, or MJPEG (decoded with
/// libavcodec) when the requested size is above 640×480 and the camera offers it; sets the
/// FOURCC, then the size, then the frame rate. Frames keep the kernel's timestamps and
/// sequence numbers and are always delivered as YUYV.
///
/// Invariant: a damaged frame is skipped (`.skipped`), never delivered; a vanished device
/// throws `.noDevice` so the caller can retry.
public final class V4L2Capture: LiveSource {
    public let info: StreamInfo
    public let name: String
    public let device: V4L2Device
    public let fourcc: UInt32
    private let bytesPerLine: Int
    private let decoder: MJPEGDecoder?
    public private(set) var skipped = 0

    public static let mjpegAbovePixels = 640 * 480

    /// Opens `path` and starts streaming `width`×`height` at `rate` (or the nearest the camera offers).
    public init(path: String, width: Int, height: Int, rate: Rational, logger: Logger? = nil) throws {
        device = try V4L2Device(path: path)
        guard device.isCapture else {
            throw MediaError(
                .unsupported, path: path, "is not a camera (\(device.driver) \"\(device.card)\" has no video capture)")
        }
        guard device.supportsStreaming else {
            throw MediaError(.unsupported, path: path, "does not support streaming I/O")
        }
        let offered = device.formats(V4L2_BUF_TYPE_VIDEO_CAPTURE)
        let hasYUYV = offered.contains { $0.fourcc == sc_pix_fmt_yuyv() }
        let hasMJPEG = offered.contains { $0.fourcc == sc_pix_fmt_mjpeg() }
        guard hasYUYV || hasMJPEG else {
            throw MediaError(
                .unsupported, path: path,
                """
                unsupported camera format: it offers \(offered.map(\.fourccString).joined(separator: ", ")); \
                SharpCam reads YUYV or MJPEG
                """
            )
        }
        let wantMJPEG = hasMJPEG && (!hasYUYV || width * height > Self.mjpegAbovePixels)
        let requested = wantMJPEG ? sc_pix_fmt_mjpeg() : sc_pix_fmt_yuyv()
        let set = try device.setFormat(V4L2_BUF_TYPE_VIDEO_CAPTURE, fourcc: requested, width: width, height: height)
        guard set.fourcc == requested else {
            throw MediaError(
                .unsupported, path: path,
                """
                the camera refused \(V4L2Device.fourccString(requested)) (it chose \
                \(V4L2Device.fourccString(set.fourcc)))
                """
            )
        }
        fourcc = set.fourcc
        bytesPerLine = set.bytesPerLine
        let actualRate = device.setFrameRate(V4L2_BUF_TYPE_VIDEO_CAPTURE, rate) ?? rate
        guard let format = FrameFormat(.yuyv, width: set.width, height: set.height) else {
            throw MediaError(
                .invalidGeometry, path: path, "the camera reports a frame size of \(set.width)x\(set.height)")
        }
        name = "\(path) (\(device.card))"
        info = StreamInfo(
            format: format, colorSpace: wantMJPEG ? .bt601Full : .bt601Limited, frameRate: actualRate, frameCount: nil,
            codecName: V4L2Device.fourccString(fourcc))
        decoder = wantMJPEG ? try MJPEGDecoder(path: path) : nil
        try device.mapBuffers(V4L2_BUF_TYPE_VIDEO_CAPTURE, count: 4)
        for b in device.buffers { try device.queue(V4L2_BUF_TYPE_VIDEO_CAPTURE, index: b.index) }
        try device.streamOn(V4L2_BUF_TYPE_VIDEO_CAPTURE)
        logger?.info(
            """
            \(name): capturing \(V4L2Device.fourccString(fourcc)) \(format.width)x\(format.height) at \
            \(actualRate) fps
            """
        )
    }

    deinit {
        device.streamOff()
    }

    public func next(into frame: Frame, timeoutMillis: Int32) throws -> LiveRead {
        precondition(frame.format == info.format, "V4L2Capture: frame format \(frame.format) != \(info.format)")
        guard let d = try device.dequeue(V4L2_BUF_TYPE_VIDEO_CAPTURE, timeoutMillis: timeoutMillis) else {
            return .timeout
        }
        defer { try? device.queue(V4L2_BUF_TYPE_VIDEO_CAPTURE, index: d.index) }
        if d.hasError { skipped += 1; return .skipped("the driver flagged frame \(d.sequence) as damaged") }
        let buffer = device.buffers[d.index]
        if let decoder {
            if let problem = decoder.decode(buffer.base, bytes: d.bytesUsed, into: frame) {
                skipped += 1
                return .skipped("frame \(d.sequence): \(problem)")
            }
        } else {
            let rowBytes = frame.planes[0].rowBytes
            guard d.bytesUsed >= bytesPerLine * (info.format.height - 1) + rowBytes else {
                skipped += 1
                return .skipped("frame \(d.sequence) is short (\(d.bytesUsed) bytes)")
            }
            let src = buffer.base.assumingMemoryBound(to: UInt8.self)
            for y in 0..<info.format.height {
                frame.planes[0].row(y).update(from: src + y * bytesPerLine, count: rowBytes)
            }
        }
        frame.colorSpace = info.colorSpace
        frame.timestamp = d.timestampNanos
        frame.sequence = UInt64(d.sequence)
        return .frame
    }
}
