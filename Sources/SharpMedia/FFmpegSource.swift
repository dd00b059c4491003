import CFFmpeg
import Glibc
import Logging
import SharpFrames
import SharpSupport

/// Decodes any file or URL FFmpeg can open (video files, streams, PNG/JPEG stills) into
/// SharpCam frames.
///
/// The delivered layout follows the decoder's: 4:2:0 YUV (8-bit, any range) → I420, NV12 →
/// NV12, YUYV → YUYV, RGB/grey/palette pictures → RGB24; everything else (4:2:2/4:4:4 planar,
/// high bit depth) is converted to I420 with libswscale. Frames are stored as coded: a
/// display-rotation tag is reported, not applied. Mid-stream size changes are scaled back to
/// the first frame's size.
///
/// Invariant: in `.strict` mode any decoding error, corrupt frame or missing frames at the
/// end is thrown as a `MediaError` naming the file and frame; in `.lenient` mode (live use)
/// bad frames are skipped and counted in `damagedFrames`, frames missing at the end in
/// `missingFrames`.
public final class FFmpegSource: FrameSource {
    public enum ErrorPolicy: Sendable { case strict, lenient }

    public let path: String
    public let info: StreamInfo
    public private(set) var damagedFrames = 0
    public private(set) var missingFrames = 0
    /// Degrees of display rotation recorded in the stream (0 when none).
    public let rotation: Double

    private var formatContext: UnsafeMutablePointer<AVFormatContext>?
    private var codecContext: UnsafeMutablePointer<AVCodecContext>?
    private let streamIndex: Int32
    private let timeBase: AVRational
    private let packet: UnsafeMutablePointer<AVPacket>
    private let decoded: UnsafeMutablePointer<AVFrame>
    private let policy: ErrorPolicy
    private var bridge: SwsBridge?
    private var draining = false
    private var finished = false
    private var delivered: UInt64 = 0
    private var expectedFrames: Int?
    private var firstPTS: Int64?
    /// Decoder errors FFmpeg had logged by the last frame (`FFmpegLog`).
    private var decoderErrorsSeen = 0
    /// The FIFO descriptor this source opened (closed with it), or -1.
    private let ownedFD: Int32
    /// Consulted by FFmpeg's interrupt callback; lives as long as the format context.
    private let interruptState: InterruptState

    /// Opens with the strict or lenient policy and the default limits (pictures for training,
    /// tests).
    public convenience init(path: String, policy: ErrorPolicy = .strict, logger: Logger? = nil) throws {
        try self.init(path: path, input: InputPolicy(errorPolicy: policy), logger: logger)
    }

    /// Opens `path` (a local file, FIFO or URL) under `input`'s rules.
    public init(path: String, input: InputPolicy, logger: Logger? = nil) throws {
        _ = FFmpeg.configureLogging
        self.path = path
        self.policy = input.errorPolicy
        let isURL = InputPolicy.isURL(path)
        if isURL { try InputPolicy.checkURL(path) }
        var st = stat()
        let isFIFO = !isURL && stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFIFO
        let fifo = isFIFO ? try input.openFIFO(path) : -1
        ownedFD = fifo
        interruptState = InterruptState(flag: input.interrupt)
        var ctx: UnsafeMutablePointer<AVFormatContext>? = avformat_alloc_context()
        guard let allocated = ctx else { throw MediaError(.unreadable, path: path, "out of memory") }
        allocated.pointee.interrupt_callback.callback = InterruptState.callback
        allocated.pointee.interrupt_callback.opaque = Unmanaged.passUnretained(interruptState).toOpaque()
        var options: OpaquePointer?
        if isURL {
            av_dict_set(&options, "protocol_whitelist", InputPolicy.urlProtocols, 0)
            av_dict_set(&options, "rw_timeout", String(Int(input.networkTimeout * 1e6)), 0)
            interruptState.setDeadline(seconds: input.networkTimeout)
        } else {
            av_dict_set(&options, "protocol_whitelist", isFIFO ? "pipe" : "file", 0)
            av_dict_set(&options, "format_whitelist", InputPolicy.localDemuxers, 0)
        }
        var r = avformat_open_input(&ctx, isFIFO ? "pipe:\(fifo)" : path, nil, &options)
        av_dict_free(&options)
        if r < 0 {
            if interruptState.cancelled { throw CancelledError() }
            if interruptState.timedOut {
                throw MediaError(.unreadable, path: path, "no answer within \(Int(input.networkTimeout)) s")
            }
            if r == sc_averror_invaliddata() || r == sc_averror(EINVAL) || r == sc_averror(ENOSYS),
                !isURL, let hint = FFmpegSource.refusedFormatHint(path)
            {
                throw MediaError(.unsupported, path: path, hint)
            }
            throw FFmpegSource.openError(r, path: path)
        }
        var codec: UnsafeMutablePointer<AVCodecContext>?
        let newPacket = av_packet_alloc()!, newFrame = av_frame_alloc()!
        var cleanup = true
        defer { if cleanup { FFmpegSource.release(&ctx, &codec, newPacket, newFrame) } }

        // Refuse oversized pictures before any decoder allocates them: the demuxer's header
        // says the size for most formats; the probing decoders get the limit too.
        for i in 0..<Int(ctx!.pointee.nb_streams) {
            let par = ctx!.pointee.streams[i]!.pointee.codecpar!
            if let problem = input.pixelProblem(width: Int(par.pointee.width), height: Int(par.pointee.height)) {
                throw MediaError(.invalidGeometry, path: path, problem)
            }
        }
        let streamCount = Int(ctx!.pointee.nb_streams)
        var probeOptions = [OpaquePointer?](repeating: nil, count: max(1, streamCount))
        for i in probeOptions.indices { av_dict_set(&probeOptions[i], "max_pixels", String(input.maxPixels), 0) }
        defer { for i in probeOptions.indices { av_dict_free(&probeOptions[i]) } }
        r = probeOptions.withUnsafeMutableBufferPointer { avformat_find_stream_info(ctx, $0.baseAddress) }
        if r < 0 {
            if interruptState.cancelled { throw CancelledError() }
            throw MediaError(.corrupt, path: path, "cannot read stream information: \(FFmpeg.errorString(r))")
        }
        interruptState.setDeadline(seconds: nil)
        var decoderPtr: UnsafePointer<AVCodec>?
        let best = av_find_best_stream(ctx, AVMEDIA_TYPE_VIDEO, -1, -1, &decoderPtr, 0)
        if best < 0 {
            if best == sc_averror_decoder_not_found() {
                throw MediaError(
                    .unsupported, path: path, "unsupported video codec (no decoder for it in this FFmpeg build)")
            }
            throw MediaError(.unsupported, path: path, "contains no video stream or picture")
        }
        streamIndex = best
        let stream = ctx!.pointee.streams[Int(best)]!
        let par = stream.pointee.codecpar!
        guard let decoder = decoderPtr else {
            let name = String(cString: avcodec_get_name(par.pointee.codec_id))
            throw MediaError(
                .unsupported, path: path, "unsupported video codec '\(name)' (no decoder in this FFmpeg build)")
        }
        guard let cc = avcodec_alloc_context3(decoder) else {
            throw MediaError(.unreadable, path: path, "cannot allocate a decoder")
        }
        codec = cc
        r = avcodec_parameters_to_context(cc, par)
        if r < 0 {
            throw MediaError(
                .unsupported, path: path, "decoder rejects the stream parameters: \(FFmpeg.errorString(r))")
        }
        cc.pointee.thread_count = 0
        // Slice threads only: FFmpeg 5.1's frame threading aborts (an assertion in
        // decode.c) when a damaged frame fails with AV_EF_EXPLODE (truncated MPEG-4 in .nut).
        cc.pointee.thread_type = Int32(FF_THREAD_SLICE)
        cc.pointee.max_pixels = Int64(input.maxPixels)
        // Damage is detected in both policies (strict fails, lenient skips and counts): the
        // decoder reports what it would otherwise conceal (a truncated JPEG's grey rows).
        cc.pointee.err_recognition |=
            sc_av_ef_crccheck() | sc_av_ef_bitstream() | sc_av_ef_buffer() | sc_av_ef_explode()
        r = avcodec_open2(cc, decoder, nil)
        if r < 0 {
            throw MediaError(
                .unsupported, path: path,
                "cannot open the \(String(cString: decoder.pointee.name)) decoder: \(FFmpeg.errorString(r))")
        }

        let width = Int(par.pointee.width), height = Int(par.pointee.height)
        if let problem = input.pixelProblem(width: width, height: height) {
            throw MediaError(.invalidGeometry, path: path, problem)
        }
        if width <= 0 || height <= 0 {
            // The probing decoder refuses pictures above the limit before allocating them.
            if !isURL, let declared = PictureHeader.declaredSize(ofFileAt: path),
                let problem = input.pixelProblem(width: declared.width, height: declared.height)
            {
                throw MediaError(.invalidGeometry, path: path, problem)
            }
            throw MediaError(.corrupt, path: path, "cannot determine the picture size (damaged or truncated file)")
        }
        guard let geometry = FrameFormat(.i420, width: width, height: height) else {
            throw MediaError(
                .invalidGeometry, path: path,
                """
                picture size \(width)x\(height) is larger than SharpCam supports (\(FrameFormat.maxDimension) per \
                side)
                """
            )
        }
        let avFormat = AVPixelFormat(rawValue: par.pointee.format)
        guard avFormat != AV_PIX_FMT_NONE else {
            throw MediaError(
                .corrupt, path: path, "the decoder could not determine the pixel format (damaged or empty stream)")
        }
        let layout: PixelFormat = PixelFormat(exactly: avFormat) ?? (FFmpeg.isRGBLike(avFormat) ? .rgb24 : .i420)
        if FFmpeg.hasAlpha(avFormat) {
            logger?.notice("\(path): the alpha channel is dropped (SharpCam works on opaque pictures)")
        }

        let iformat = String(cString: ctx!.pointee.iformat.pointee.name)
        let isStill = iformat.hasSuffix("_pipe") || iformat == "image2"
        var rate: Rational?
        let afr = stream.pointee.avg_frame_rate
        if afr.num > 0 && afr.den > 0 {
            rate = Rational(Int(afr.num), Int(afr.den))
        } else if stream.pointee.r_frame_rate.num > 0 && stream.pointee.r_frame_rate.den > 0 {
            rate = Rational(Int(stream.pointee.r_frame_rate.num), Int(stream.pointee.r_frame_rate.den))
        }
        var count: Int? = stream.pointee.nb_frames > 0 ? Int(stream.pointee.nb_frames) : nil
        if count == nil, let rate, stream.pointee.duration > 0 {
            let seconds =
                Double(stream.pointee.duration) * Double(stream.pointee.time_base.num)
                / Double(stream.pointee.time_base.den)
            count = Int((seconds * rate.doubleValue).rounded())
        } else if count == nil, let rate, ctx!.pointee.duration > 0 {
            count = Int((Double(ctx!.pointee.duration) / 1e6 * rate.doubleValue).rounded())
        }
        if isStill { count = 1; rate = nil }
        timeBase = stream.pointee.time_base
        rotation = sc_stream_rotation(stream)
        expectedFrames = stream.pointee.nb_frames > 0 ? Int(stream.pointee.nb_frames) : nil
        if rotation != 0 {
            logger?.notice(
                "\(path): stream has a \(Int(rotation))° display rotation; SharpCam processes frames as stored")
        }
        // Colour space: what the stream declares (pictures refine it per frame).
        var probe = AVFrame()
        probe.colorspace = par.pointee.color_space
        probe.color_range = par.pointee.color_range
        probe.height = Int32(height)
        // RGB pictures carry the colour space used when they are later converted to YUV:
        // the usual video default for their height.
        let space =
            layout == .rgb24
            ? ColorSpace.videoDefault(height: height)
            : withUnsafePointer(to: &probe) { FFmpeg.colorSpace(of: $0, pixelFormat: avFormat) }
        let codecName = String(cString: decoder.pointee.name)
        info = StreamInfo(
            format: geometry.with(layout), colorSpace: space, frameRate: rate, frameCount: count,
            isStillImage: isStill, codecName: codecName)
        formatContext = ctx
        codecContext = cc
        FFmpegLog.watch(UnsafeMutableRawPointer(cc))
        FFmpegLog.watch(UnsafeMutableRawPointer(ctx))
        packet = newPacket
        decoded = newFrame
        cleanup = false
    }

    deinit {
        FFmpegLog.unwatch(codecContext.map { UnsafeMutableRawPointer($0) })
        FFmpegLog.unwatch(formatContext.map { UnsafeMutableRawPointer($0) })
        FFmpegSource.release(&formatContext, &codecContext, packet, decoded)
        if ownedFD >= 0 { close(ownedFD) }
    }

    /// Why a local file FFmpeg could not open is refused, when its first bytes show a format
    /// SharpCam does not read from local files (a playlist or concat list), or nil.
    static func refusedFormatHint(_ path: String) -> String? {
        guard let f = fopen(path, "rb") else { return nil }
        defer { fclose(f) }
        var head = [UInt8](repeating: 0, count: 4096 + 64)  // AVPROBE_PADDING_SIZE zeros at the end
        let n = fread(&head, 1, 4096, f)
        let text = String(decoding: head.prefix(min(n, 64)), as: UTF8.self).lowercased()
        if text.hasPrefix("#extm3u") {
            return "is an HLS playlist, not a video: playlists are only read from http(s) URLs"
        }
        if text.hasPrefix("ffconcat") || text.hasPrefix("file ") || text.hasPrefix("# ffconcat") {
            return "is a concat list, not a video: SharpCam does not follow lists of other files"
        }
        var score: Int32 = 0
        let name: String? = head.withUnsafeMutableBufferPointer { buf in
            path.withCString { cPath in
                var probe = AVProbeData(filename: cPath, buf: buf.baseAddress, buf_size: Int32(n), mime_type: nil)
                return av_probe_input_format3(&probe, 1, &score).map { String(cString: $0.pointee.name) }
            }
        }
        // Only a confident identification of a format outside the list is worth naming.
        let allowed = Set(InputPolicy.localDemuxers.split(separator: ","))
        guard let name, score >= 50, !name.split(separator: ",").contains(where: allowed.contains) else { return nil }
        return "is a '\(name)' file, a format SharpCam does not read from local files (it can name other files)"
    }

    private static func release(
        _ fmt: inout UnsafeMutablePointer<AVFormatContext>?, _ cc: inout UnsafeMutablePointer<AVCodecContext>?,
        _ packet: UnsafeMutablePointer<AVPacket>?, _ frame: UnsafeMutablePointer<AVFrame>?
    ) {
        if cc != nil { avcodec_free_context(&cc) }
        if fmt != nil { avformat_close_input(&fmt) }
        var p = packet, f = frame
        if p != nil { av_packet_free(&p) }
        if f != nil { av_frame_free(&f) }
    }

    static func openError(_ code: Int32, path: String) -> MediaError {
        if code == sc_averror(ENOENT) { return MediaError(.notFound, path: path, "no such file") }
        if code == sc_averror(EACCES) || code == sc_averror(EPERM) {
            return MediaError(.permissionDenied, path: path, "permission denied")
        }
        if code == sc_averror(EISDIR) { return MediaError(.unreadable, path: path, "is a directory, not a file") }
        if code == sc_averror_invaliddata() {
            return MediaError(
                .corrupt, path: path, "not a recognisable video or image (unknown format or corrupt data)")
        }
        return MediaError(.unreadable, path: path, "cannot open: \(FFmpeg.errorString(code))")
    }

    public func read(into frame: Frame) throws -> Bool {
        precondition(frame.format == info.format, "FFmpegSource: frame format \(frame.format) != \(info.format)")
        guard !finished, let cc = codecContext, let fmt = formatContext else { return false }
        while true {
            let r = avcodec_receive_frame(cc, decoded)
            if r == 0 {
                defer { av_frame_unref(decoded) }
                // Damage the decoder flags, or only logs (and conceals): counted per frame.
                let logged = FFmpegLog.errors(UnsafeMutableRawPointer(cc))
                let concealed = logged > decoderErrorsSeen
                decoderErrorsSeen = logged
                if sc_frame_is_corrupt(decoded) != 0 || concealed {
                    if policy == .strict {
                        throw MediaError(
                            .corrupt, path: path, "frame \(delivered) is damaged (decoder reported errors)")
                    }
                    damagedFrames += 1
                    continue
                }
                try deliver(decoded, into: frame)
                return true
            }
            if r == FFmpeg.eof {
                finished = true
                if FFmpegLog.errors(UnsafeMutableRawPointer(fmt)) > 0, !info.isStillImage, expectedFrames == nil {
                    // The container gives no frame count, but its demuxer reported that the data
                    // ends early: frames are missing (how many is unknown).
                    if policy == .strict {
                        throw MediaError(
                            .truncated, path: path, "truncated: the file ends early after frame \(delivered)")
                    }
                    missingFrames = max(missingFrames, 1)
                }
                if let expected = expectedFrames, Int(delivered) < expected, !info.isStillImage {
                    if policy == .strict {
                        throw MediaError(
                            .truncated, path: path,
                            "truncated: decoded \(delivered) of the \(expected) frames the file declares")
                    }
                    missingFrames = expected - Int(delivered) - damagedFrames
                }
                return false
            }
            if r != FFmpeg.eagain {
                if policy == .lenient { damagedFrames += 1; continue }
                throw decodeFailure(r)
            }
            if draining { finished = true; return false }
            let rr = av_read_frame(fmt, packet)
            if rr == FFmpeg.eof
                || (rr < 0 && fmt.pointee.pb != nil && avio_feof(fmt.pointee.pb) != 0 && rr != sc_averror_invaliddata())
            {
                avcodec_send_packet(cc, nil)
                draining = true
                continue
            }
            if rr < 0 {
                if policy == .lenient { avcodec_send_packet(cc, nil); draining = true; continue }
                throw decodeFailure(rr)
            }
            defer { av_packet_unref(packet) }
            if packet.pointee.stream_index != streamIndex { continue }
            let sr = avcodec_send_packet(cc, packet)
            if sr < 0 && sr != FFmpeg.eagain {
                if policy == .lenient { damagedFrames += 1; continue }
                throw decodeFailure(sr)
            }
        }
    }

    /// A decoding or demuxing error, called truncation when the input is used up.
    private func decodeFailure(_ code: Int32) -> MediaError {
        if let pb = formatContext?.pointee.pb,
            avio_feof(pb) != 0 || (avio_size(pb) > 0 && avio_tell(pb) >= avio_size(pb))
        {
            return MediaError(
                .truncated, path: path,
                "truncated: the file ends inside frame \(delivered) (\(FFmpeg.errorString(code)))")
        }
        return MediaError(.corrupt, path: path, "cannot decode frame \(delivered): \(FFmpeg.errorString(code))")
    }

    private func deliver(_ src: UnsafeMutablePointer<AVFrame>, into frame: Frame) throws {
        let avFormat = AVPixelFormat(rawValue: src.pointee.format)
        let space = FFmpeg.colorSpace(of: src, pixelFormat: avFormat)
        let w = Int(src.pointee.width), h = Int(src.pointee.height)
        if PixelFormat(exactly: avFormat) == frame.pixelFormat && w == frame.width && h == frame.height {
            FFmpeg.copyPlanes(from: UnsafePointer(src), into: frame)
            frame.colorSpace = frame.pixelFormat == .rgb24 ? info.colorSpace : space
        } else {
            let outSpace = frame.pixelFormat == .rgb24 || FFmpeg.isRGBLike(avFormat) ? info.colorSpace : space
            if bridge == nil || bridge!.srcWidth != Int32(w) || bridge!.srcHeight != Int32(h)
                || bridge!.srcFormat != avFormat
            {
                guard
                    let b = SwsBridge(
                        srcWidth: w, srcHeight: h, srcFormat: avFormat, srcSpace: space,
                        dstWidth: frame.width, dstHeight: frame.height, dstFormat: frame.pixelFormat.avPixelFormat,
                        dstSpace: outSpace)
                else {
                    throw MediaError(.unsupported, path: path, "cannot convert \(FFmpeg.name(avFormat)) pictures")
                }
                bridge = b
            }
            bridge!.convert(UnsafePointer(src), into: frame)
            frame.colorSpace = outSpace
        }
        let pts = src.pointee.best_effort_timestamp
        if pts != sc_av_nopts_value() {
            if firstPTS == nil { firstPTS = pts }
            let rel = pts - firstPTS!
            frame.timestamp = Int64(Double(rel) * Double(timeBase.num) / Double(timeBase.den) * 1e9)
        } else if let rate = info.frameRate {
            frame.timestamp = Int64(Double(delivered) * 1e9 / rate.doubleValue)
        }
        frame.sequence = delivered
        delivered += 1
    }
}
