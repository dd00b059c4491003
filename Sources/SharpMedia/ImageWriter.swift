import CFFmpeg
import SharpFrames

/// Writes one still picture: PNG (lossless RGB) or JPEG (4:2:0 full range, quality ~95),
/// chosen by the extension; encoded with libavcodec and written through `AtomicOutputFile`.
///
/// Invariant: exactly one frame per file; a second `write` is refused with a message, and the
/// file exists under its final name only after `finish()`.
public final class ImageWriter: FrameSink {
    public enum Kind: Sendable { case png, jpeg }

    public let path: String
    public let kind: Kind
    private let output: AtomicOutputFile
    private var encoded: [UInt8]?
    private var written = false
    private var closed = false

    public init(path: String) throws {
        _ = FFmpeg.configureLogging
        self.path = path
        switch AtomicOutputFile.fileExtension(of: path) {
        case "png": kind = .png
        case "jpg", "jpeg": kind = .jpeg
        default: throw MediaError(.unsupported, path: path, "image output must be .png or .jpg")
        }
        output = try AtomicOutputFile(finalPath: path)
    }

    public func write(_ frame: Frame) throws {
        precondition(!closed, "ImageWriter: write after finish/abort")
        if written {
            abort()
            throw MediaError(
                .unsupported, path: path,
                """
                an image file holds one picture but the input has more frames (pass --frames 1 to take the first, \
                or write a video)
                """
            )
        }
        do {
            encoded = try encode(frame)
            written = true
        } catch {
            abort()
            throw error
        }
    }

    private func encode(_ frame: Frame) throws -> [UInt8] { try Self.encode(frame, as: kind, name: path) }

    /// `frame` encoded as a PNG or JPEG file's bytes, in memory; `name` (a path or a request)
    /// names it in errors.
    public static func encode(_ frame: Frame, as kind: Kind, name path: String) throws -> [UInt8] {
        _ = FFmpeg.configureLogging
        let id = kind == .png ? AV_CODEC_ID_PNG : AV_CODEC_ID_MJPEG
        guard let encoder = avcodec_find_encoder(id) else {
            throw MediaError(
                .unsupported, path: path, "this FFmpeg build has no \(kind == .png ? "PNG" : "JPEG") encoder")
        }
        var cc = avcodec_alloc_context3(encoder)
        var picture = av_frame_alloc()
        var packet = av_packet_alloc()
        defer { avcodec_free_context(&cc); av_frame_free(&picture); av_packet_free(&packet) }
        guard let cc, let picture, let packet else { throw MediaError(.writeFailed, path: path, "out of memory") }
        let pix = kind == .png ? AV_PIX_FMT_RGB24 : AV_PIX_FMT_YUVJ420P
        cc.pointee.width = Int32(frame.width)
        cc.pointee.height = Int32(frame.height)
        cc.pointee.pix_fmt = pix
        cc.pointee.time_base = AVRational(num: 1, den: 25)
        cc.pointee.color_range = AVCOL_RANGE_JPEG
        if kind == .jpeg {
            cc.pointee.flags |= AV_CODEC_FLAG_QSCALE
            cc.pointee.global_quality = FF_QP2LAMBDA * 2
            cc.pointee.colorspace = AVCOL_SPC_BT470BG
        }
        var r = avcodec_open2(cc, encoder, nil)
        if r < 0 {
            throw MediaError(
                .unsupported, path: path, "cannot open the image encoder for \(frame.format): \(FFmpeg.errorString(r))")
        }
        picture.pointee.format = pix.rawValue
        picture.pointee.width = Int32(frame.width)
        picture.pointee.height = Int32(frame.height)
        picture.pointee.color_range = AVCOL_RANGE_JPEG
        r = av_frame_get_buffer(picture, 0)
        if r < 0 { throw MediaError(.writeFailed, path: path, "out of memory") }
        if kind == .png {
            // Own YUV → RGB conversion (the one the maps and tests use), then copy rows.
            let rgb: Frame
            if frame.pixelFormat == .rgb24 {
                rgb = frame
            } else {
                rgb = Frame(format: frame.format.with(.rgb24), colorSpace: frame.colorSpace)
                frame.convert(into: rgb)
            }
            FFmpeg.copyPlanes(from: rgb, into: picture)
        } else {
            let jpegSpace = ColorSpace.bt601Full
            if frame.pixelFormat == .i420 && frame.colorSpace == jpegSpace {
                FFmpeg.copyPlanes(from: frame, into: picture)
            } else {
                guard
                    let bridge = SwsBridge(
                        srcWidth: frame.width, srcHeight: frame.height, srcFormat: frame.pixelFormat.avPixelFormat,
                        srcSpace: frame.colorSpace, dstWidth: frame.width, dstHeight: frame.height,
                        dstFormat: AV_PIX_FMT_YUV420P, dstSpace: jpegSpace,
                        flags: SWS_POINT | SWS_ACCURATE_RND | SWS_BITEXACT)
                else {
                    throw MediaError(.unsupported, path: path, "cannot convert \(frame.pixelFormat) for JPEG")
                }
                bridge.convert(frame, into: picture)
            }
        }
        r = avcodec_send_frame(cc, picture)
        if r >= 0 { r = avcodec_send_frame(cc, nil) }
        if r < 0 { throw MediaError(.writeFailed, path: path, "encoding failed: \(FFmpeg.errorString(r))") }
        var bytes = [UInt8]()
        while true {
            let rr = avcodec_receive_packet(cc, packet)
            if rr == FFmpeg.eof || rr == FFmpeg.eagain { break }
            if rr < 0 { throw MediaError(.writeFailed, path: path, "encoding failed: \(FFmpeg.errorString(rr))") }
            bytes.append(contentsOf: UnsafeBufferPointer(start: packet.pointee.data, count: Int(packet.pointee.size)))
            av_packet_unref(packet)
        }
        if bytes.isEmpty { throw MediaError(.writeFailed, path: path, "the encoder produced no data") }
        return bytes
    }

    public func finish() throws {
        precondition(!closed, "ImageWriter: finish twice")
        guard let encoded else { abort(); throw MediaError(.writeFailed, path: path, "no picture to write") }
        do {
            let file = try BufferedFile(path: output.writePath, mode: .write, displayPath: path)
            try encoded.withUnsafeBufferPointer { try file.write($0.baseAddress!, count: $0.count) }
            try file.closeFile()
            closed = true
            try output.commit()
        } catch {
            abort()
            throw error
        }
    }

    public func abort() {
        guard !closed else { return }
        closed = true
        output.discard()
    }
}
