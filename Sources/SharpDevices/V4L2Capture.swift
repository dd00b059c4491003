import CV4L2
import Glibc
import Logging
import SharpFrames
import SharpMedia

/// A V4L2 camera streamed through mmap'ed buffers. The format comes from `CapturePlan`:
/// YUYV is copied, MJPEG decoded with libavcodec (chosen above 640×480 when offered), and any
/// other format the camera offers (NV12, UYVY, RGB, Bayer, vendor formats) — or a camera
/// libv4lconvert knows to be mounted upside down — is converted to I420 by libv4lconvert. It
/// sets the FOURCC, then the size (preferring the output's aspect ratio), then the frame rate.
/// Frames keep the kernel's timestamps and sequence numbers.
///
/// Invariant: a damaged frame is skipped (`.skipped`), never delivered; a vanished device
/// throws `.noDevice` so the caller can retry; no allocation per frame.
public final class V4L2Capture: LiveSource {
    public let info: StreamInfo
    public let name: String
    public let device: V4L2Device
    public let fourcc: UInt32
    public let plan: CapturePlan
    private let bytesPerLine: Int
    private let sizeImage: Int
    private let decoder: MJPEGDecoder?
    private let converter: OpaquePointer?
    private let converted: UnsafeMutablePointer<UInt8>?
    public private(set) var skipped = 0

    public static let mjpegAbovePixels = CapturePlan.mjpegAbovePixels

    /// Opens `path` and starts streaming `width`×`height` at `rate` (or the nearest the camera
    /// offers), in `preferredFormat` (a FOURCC the camera offers) when given.
    public init(
        path: String, width: Int, height: Int, rate: Rational, preferredFormat: UInt32? = nil, logger: Logger? = nil
    ) throws {
        device = try V4L2Device(path: path)
        guard device.isCapture else {
            throw MediaError(
                .unsupported, path: path, "is not a camera (\(device.driver) \"\(device.card)\" has no video capture)")
        }
        guard device.supportsStreaming else {
            throw MediaError(.unsupported, path: path, "does not support streaming I/O")
        }
        let offered = device.formats(V4L2_BUF_TYPE_VIDEO_CAPTURE)
        var plan: CapturePlan
        do {
            plan = try CapturePlan.choose(
                offered: offered.map { ($0.fourcc, $0.sizes) }, preferred: preferredFormat, width: width,
                height: height)
        } catch {
            throw MediaError(.unsupported, path: path, error.description)
        }
        let set = try device.setFormat(
            V4L2_BUF_TYPE_VIDEO_CAPTURE, fourcc: plan.fourcc, width: plan.width, height: plan.height)
        guard set.fourcc == plan.fourcc else {
            throw MediaError(
                .unsupported, path: path,
                """
                the camera refused \(V4L2Device.fourccString(plan.fourcc)) (it chose \
                \(V4L2Device.fourccString(set.fourcc)))
                """
            )
        }
        plan.width = set.width
        plan.height = set.height
        fourcc = set.fourcc
        bytesPerLine = set.bytesPerLine
        sizeImage = set.sizeImage
        var converter: OpaquePointer? = nil
        if plan.decoding != .mjpeg {
            converter = v4lconvert_create(device.fd)
            if plan.decoding == .copy, let c = converter,
                sc_v4lconvert_needs_fixing(
                    c, fourcc, UInt32(set.width), UInt32(set.height), UInt32(set.bytesPerLine))
                    != 0
            {
                plan.decoding = .convert  // an upside-down sensor in libv4lconvert's table
            }
            if plan.decoding == .copy, let c = converter {
                v4lconvert_destroy(c)
                converter = nil
            }
        }
        self.plan = plan
        let actualRate = device.setFrameRate(V4L2_BUF_TYPE_VIDEO_CAPTURE, rate) ?? rate
        let pixelFormat: PixelFormat = plan.decoding == .convert ? .i420 : .yuyv
        guard set.width % 2 == 0, set.height % 2 == 0 || plan.decoding != .convert,
            let format = FrameFormat(pixelFormat, width: set.width, height: set.height)
        else {
            throw MediaError(
                .invalidGeometry, path: path, "the camera reports a frame size of \(set.width)x\(set.height)")
        }
        if plan.decoding == .convert {
            guard converter != nil else {
                throw MediaError(
                    .unsupported, path: path,
                    "libv4lconvert cannot read \(V4L2Device.fourccString(fourcc)) from this camera")
            }
            converted = .allocate(capacity: set.width * set.height * 3 / 2)
        } else {
            converted = nil
        }
        self.converter = converter
        name = "\(path) (\(device.card))"
        info = StreamInfo(
            format: format, colorSpace: plan.decoding == .mjpeg ? .bt601Full : .bt601Limited, frameRate: actualRate,
            frameCount: nil, codecName: V4L2Device.fourccString(fourcc))
        decoder = plan.decoding == .mjpeg ? try MJPEGDecoder(path: path) : nil
        try device.mapBuffers(V4L2_BUF_TYPE_VIDEO_CAPTURE, count: 4)
        for b in device.buffers { try device.queue(V4L2_BUF_TYPE_VIDEO_CAPTURE, index: b.index) }
        try device.streamOn(V4L2_BUF_TYPE_VIDEO_CAPTURE)
        let how = plan.decoding == .convert ? " converted by libv4lconvert" : ""
        logger?.info(
            """
            \(name): capturing \(V4L2Device.fourccString(fourcc)) \(format.width)x\(format.height) at \
            \(actualRate) fps\(how)
            """
        )
    }

    deinit {
        device.streamOff()
        if let converter { v4lconvert_destroy(converter) }
        converted?.deallocate()
    }

    public func next(into frame: Frame, timeoutMillis: Int32) throws -> LiveRead {
        precondition(frame.format == info.format, "V4L2Capture: frame format \(frame.format) != \(info.format)")
        guard let d = try device.dequeue(V4L2_BUF_TYPE_VIDEO_CAPTURE, timeoutMillis: timeoutMillis) else {
            return .timeout
        }
        defer { try? device.queue(V4L2_BUF_TYPE_VIDEO_CAPTURE, index: d.index) }
        if d.hasError { skipped += 1; return .skipped("the driver flagged frame \(d.sequence) as damaged") }
        let buffer = device.buffers[d.index]
        if let converter, let converted {
            let (w, h) = (info.format.width, info.format.height)
            let n = sc_v4lconvert_to_i420(
                converter, fourcc, UInt32(w), UInt32(h), UInt32(bytesPerLine),
                UInt32(sizeImage), buffer.base.assumingMemoryBound(to: UInt8.self), Int32(d.bytesUsed), converted,
                Int32(w * h * 3 / 2))
            guard n == w * h * 3 / 2 else {
                skipped += 1
                let why = String(cString: v4lconvert_get_error_message(converter))
                return .skipped("frame \(d.sequence): libv4lconvert: \(why)")
            }
            var src = UnsafePointer(converted)
            for (p, plane) in frame.planes.enumerated() {
                let rowBytes = p == 0 ? w : w / 2
                for y in 0..<plane.rows {
                    plane.row(y).update(from: src, count: rowBytes)
                    src += rowBytes
                }
            }
        } else if let decoder {
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
