import CFFmpeg
import SharpFrames

/// Shared FFmpeg glue: error texts, pixel-format and colour-tag mapping, logging level.
enum FFmpeg {
    /// The data pointers and line sizes of an AVFrame's planes.
    private static func withPlanes<T>(
        of f: UnsafePointer<AVFrame>,
        _ body: (UnsafeBufferPointer<UnsafeMutablePointer<UInt8>?>, UnsafeBufferPointer<Int32>) -> T
    ) -> T {
        withUnsafeBytes(of: f.pointee.data) { raw in
            withUnsafeBytes(of: f.pointee.linesize) { ls in
                body(raw.bindMemory(to: UnsafeMutablePointer<UInt8>?.self), ls.bindMemory(to: Int32.self))
            }
        }
    }

    /// Copies `frame`'s planes row by row into `dst`'s, which has the same layout and size
    /// (its strides may differ).
    static func copyPlanes(from frame: Frame, into dst: UnsafeMutablePointer<AVFrame>) {
        withPlanes(of: dst) { ptrs, strides in
            for (i, plane) in frame.planes.enumerated() {
                guard let base = ptrs[i] else { continue }
                for y in 0..<plane.rows {
                    (base + y * Int(strides[i])).update(from: plane.row(y), count: plane.rowBytes)
                }
            }
        }
    }

    /// Copies `src`'s planes row by row into `frame`'s, which has the same layout and size.
    static func copyPlanes(from src: UnsafePointer<AVFrame>, into frame: Frame) {
        withPlanes(of: src) { ptrs, strides in
            for (i, plane) in frame.planes.enumerated() {
                guard let base = ptrs[i] else { continue }
                for y in 0..<plane.rows { plane.row(y).update(from: base + y * Int(strides[i]), count: plane.rowBytes) }
            }
        }
    }

    /// FFmpeg's text for an error code.
    static func errorString(_ code: Int32) -> String {
        var buf = [CChar](repeating: 0, count: Int(sc_av_error_max_string_size()))
        return buf.withUnsafeMutableBufferPointer { String(cString: sc_av_err2str(code, $0.baseAddress, $0.count)) }
    }

    static let eagain = sc_averror_eagain()
    static let eof = sc_averror_eof()

    /// Keeps FFmpeg's own log quiet unless SHARPCAM_FFMPEG_LOG asks for it (error, warning,
    /// info, debug): SharpCam reports problems itself, one line per failure.
    static let configureLogging: Void = {
        let level: Int32
        switch getenvString("SHARPCAM_FFMPEG_LOG") {
        case "error": level = AV_LOG_ERROR
        case "warning": level = AV_LOG_WARNING
        case "info": level = AV_LOG_INFO
        case "debug": level = AV_LOG_DEBUG
        default: level = AV_LOG_QUIET
        }
        av_log_set_level(level)
    }()

    static func getenvString(_ name: String) -> String? {
        guard let p = getenv(name) else { return nil }
        return String(cString: p)
    }

    static func avColorSpace(_ m: ColorMatrix) -> AVColorSpace {
        m == .bt709 ? AVCOL_SPC_BT709 : AVCOL_SPC_SMPTE170M
    }

    static func avColorRange(_ r: ColorRange) -> AVColorRange {
        r == .full ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG
    }

    static func swsColorspace(_ m: ColorMatrix) -> Int32 {
        m == .bt709 ? SWS_CS_ITU709 : SWS_CS_ITU601
    }

    /// The colour space a decoded frame declares, filling gaps with the usual defaults.
    static func colorSpace(of frame: UnsafePointer<AVFrame>, pixelFormat: AVPixelFormat) -> ColorSpace {
        var space = ColorSpace.videoDefault(height: Int(frame.pointee.height))
        switch frame.pointee.colorspace {
        case AVCOL_SPC_BT709: space.matrix = .bt709
        case AVCOL_SPC_BT470BG, AVCOL_SPC_SMPTE170M, AVCOL_SPC_FCC, AVCOL_SPC_SMPTE240M: space.matrix = .bt601
        default: break
        }
        let fullRangeFormats: [AVPixelFormat] = [
            AV_PIX_FMT_YUVJ420P, AV_PIX_FMT_YUVJ422P, AV_PIX_FMT_YUVJ444P, AV_PIX_FMT_YUVJ440P, AV_PIX_FMT_YUVJ411P,
        ]
        if frame.pointee.color_range == AVCOL_RANGE_JPEG || fullRangeFormats.contains(pixelFormat) {
            space.range = .full
        }
        if fullRangeFormats.contains(pixelFormat), frame.pointee.colorspace == AVCOL_SPC_UNSPECIFIED {
            space.matrix = .bt601  // JPEG pictures are BT.601 full range
        }
        return space
    }

    /// Whether a pixel format carries RGB (or grey/palette) rather than YUV samples.
    static func isRGBLike(_ f: AVPixelFormat) -> Bool {
        guard let d = av_pix_fmt_desc_get(f) else { return false }
        let flags = d.pointee.flags
        if flags & UInt64(AV_PIX_FMT_FLAG_RGB) != 0 || flags & UInt64(AV_PIX_FMT_FLAG_PAL) != 0 { return true }
        return d.pointee.nb_components <= 2  // grey, grey+alpha
    }

    static func hasAlpha(_ f: AVPixelFormat) -> Bool {
        guard let d = av_pix_fmt_desc_get(f) else { return false }
        return d.pointee.flags & UInt64(AV_PIX_FMT_FLAG_ALPHA) != 0
    }

    static func name(_ f: AVPixelFormat) -> String {
        av_get_pix_fmt_name(f).map { String(cString: $0) } ?? "pixel format \(f.rawValue)"
    }
}

extension PixelFormat {
    /// The FFmpeg pixel format with this layout (range is signalled separately).
    var avPixelFormat: AVPixelFormat {
        switch self {
        case .yuyv: return AV_PIX_FMT_YUYV422
        case .i420: return AV_PIX_FMT_YUV420P
        case .nv12: return AV_PIX_FMT_NV12
        case .rgb24: return AV_PIX_FMT_RGB24
        }
    }

    /// SharpCam's layout for an FFmpeg pixel format whose samples can be copied as they are.
    init?(exactly f: AVPixelFormat) {
        switch f {
        case AV_PIX_FMT_YUYV422: self = .yuyv
        case AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUVJ420P: self = .i420
        case AV_PIX_FMT_NV12: self = .nv12
        case AV_PIX_FMT_RGB24: self = .rgb24
        default: return nil
        }
    }
}

#if canImport(Glibc)
    import Glibc
#endif
