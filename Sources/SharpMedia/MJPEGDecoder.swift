import CFFmpeg
import SharpFrames

/// Decodes single Motion-JPEG pictures (a camera's compressed frames) into YUYV frames with
/// libavcodec, converting whatever chroma layout the JPEG has.
///
/// Invariant: one caller at a time; a damaged or wrongly sized picture is reported as a problem
/// string and the frame is left unspecified, never half-converted into a "good" one.
public final class MJPEGDecoder {
    private var context: UnsafeMutablePointer<AVCodecContext>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var decoded: UnsafeMutablePointer<AVFrame>?
    private var bridge: SwsBridge?

    /// - Parameter path: the device the pictures come from (named in errors).
    public init(path: String) throws {
        _ = FFmpeg.configureLogging
        guard let codec = avcodec_find_decoder(AV_CODEC_ID_MJPEG), let cc = avcodec_alloc_context3(codec) else {
            throw MediaError(.unsupported, path: path, "this FFmpeg build has no MJPEG decoder")
        }
        context = cc
        packet = av_packet_alloc()
        decoded = av_frame_alloc()
        if avcodec_open2(cc, codec, nil) < 0 || packet == nil || decoded == nil {
            throw MediaError(.unsupported, path: path, "cannot open the MJPEG decoder")
        }
    }

    deinit {
        if context != nil { avcodec_free_context(&context) }
        if packet != nil { av_packet_free(&packet) }
        if decoded != nil { av_frame_free(&decoded) }
    }

    /// Decodes one picture of `bytes` bytes into the YUYV `frame`; returns a problem
    /// description on failure (nil: decoded).
    public func decode(_ data: UnsafeMutableRawPointer, bytes: Int, into frame: Frame) -> String? {
        guard let cc = context, let pkt = packet, let out = decoded else { return "no decoder" }
        pkt.pointee.data = data.assumingMemoryBound(to: UInt8.self)
        pkt.pointee.size = Int32(bytes)
        var r = avcodec_send_packet(cc, pkt)
        pkt.pointee.data = nil
        pkt.pointee.size = 0
        if r < 0 { return "MJPEG decoding failed: \(FFmpeg.errorString(r))" }
        r = avcodec_receive_frame(cc, out)
        if r < 0 { return "MJPEG decoding failed: \(FFmpeg.errorString(r))" }
        defer { av_frame_unref(out) }
        if sc_frame_is_corrupt(out) != 0 { return "damaged MJPEG data" }
        let w = Int(out.pointee.width), h = Int(out.pointee.height)
        guard w == frame.width && h == frame.height else {
            return "MJPEG picture is \(w)x\(h), expected \(frame.width)x\(frame.height)"
        }
        let fmt = AVPixelFormat(rawValue: out.pointee.format)
        if bridge == nil || bridge!.srcFormat != fmt {
            guard
                let b = SwsBridge(
                    srcWidth: w, srcHeight: h, srcFormat: fmt, srcSpace: .bt601Full, dstWidth: w, dstHeight: h,
                    dstFormat: AV_PIX_FMT_YUYV422, dstSpace: .bt601Full, flags: SWS_POINT)
            else {
                return "cannot convert \(FFmpeg.name(fmt))"
            }
            bridge = b
        }
        bridge!.convert(UnsafePointer(out), into: frame)
        return nil
    }
}
