import CFFmpeg
import SharpFrames

/// The video codecs SharpCam writes.
public enum VideoCodec: String, Sendable, CaseIterable {
    /// H.264 through libx264 (CRF 18): small files every player opens.
    case h264
    /// FFV1: lossless, for measurements and further processing (.mkv, .avi, .nut).
    case ffv1
}

/// Encodes frames into any container FFmpeg writes by extension (.mp4, .mkv, .mov, .avi, .nut...).
///
/// H.264 is written as yuv420p (yuv444p when a dimension is odd, which 4:2:0 cannot carry);
/// FFV1 keeps the frame's own sampling (4:2:0, 4:2:2 for YUYV, BGR0 for RGB), so it is exact.
/// Timestamps are the frame index at the stream's rate (constant frame rate output).
///
/// Invariant: the file appears under its final name only after `finish()`; a failure or
/// `abort()` leaves nothing behind.
public final class FFmpegVideoSink: FrameSink {
    public let path: String
    public let codec: VideoCodec
    private let output: AtomicOutputFile
    private var formatContext: UnsafeMutablePointer<AVFormatContext>?
    private var codecContext: UnsafeMutablePointer<AVCodecContext>?
    private var stream: UnsafeMutablePointer<AVStream>?
    private var encoderFrame: UnsafeMutablePointer<AVFrame>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private let format: FrameFormat
    private var bridge: SwsBridge?
    private var nextPTS: Int64 = 0
    private var closed = false

    public init(
        path: String, info: StreamInfo, codec requested: VideoCodec? = nil, crf: Int = 18, preset: String = "veryfast"
    ) throws {
        _ = FFmpeg.configureLogging
        self.path = path
        format = info.format
        guard let oformat = av_guess_format(nil, path, nil) else {
            let ext = AtomicOutputFile.fileExtension(of: path)
            throw MediaError(
                .unsupported, path: path,
                ext.isEmpty
                    ? "no file extension to choose an output format from (use .mp4, .mkv, .y4m, .png...)"
                    : "unsupported output format '.\(ext)' (use .mp4, .mkv, .mov, .avi, .nut, .y4m, .png or .jpg)")
        }
        let ext = AtomicOutputFile.fileExtension(of: path)
        let chosen = requested ?? (ext == "nut" ? .ffv1 : .h264)
        codec = chosen
        let encoder: UnsafePointer<AVCodec>? =
            chosen == .h264
            ? (avcodec_find_encoder_by_name("libx264") ?? avcodec_find_encoder(AV_CODEC_ID_H264))
            : avcodec_find_encoder(AV_CODEC_ID_FFV1)
        guard let encoder else {
            throw MediaError(.unsupported, path: path, "this FFmpeg build has no \(chosen.rawValue) encoder")
        }
        if avformat_query_codec(oformat, encoder.pointee.id, FF_COMPLIANCE_NORMAL) != 1 {
            throw MediaError(.unsupported, path: path, "a .\(ext) file cannot hold \(chosen.rawValue) video (use .mkv)")
        }
        output = try AtomicOutputFile(finalPath: path)
        do {
            try open(oformat: oformat, encoder: encoder, info: info, crf: crf, preset: preset)
        } catch {
            releaseAll()
            output.discard()
            throw error
        }
    }

    private func open(
        oformat: UnsafePointer<AVOutputFormat>, encoder: UnsafePointer<AVCodec>, info: StreamInfo, crf: Int,
        preset: String
    ) throws {
        let chosen = codec
        var ctx: UnsafeMutablePointer<AVFormatContext>?
        var r = avformat_alloc_output_context2(&ctx, oformat, nil, output.writePath)
        guard r >= 0, let ctx else {
            throw MediaError(.writeFailed, path: path, "cannot set up the muxer: \(FFmpeg.errorString(r))")
        }
        formatContext = ctx

        guard let st = avformat_new_stream(ctx, nil), let cc = avcodec_alloc_context3(encoder) else {
            throw MediaError(.writeFailed, path: path, "cannot create the video stream")
        }
        stream = st
        codecContext = cc
        let rate = info.frameRate ?? Rational(30, 1)
        cc.pointee.width = Int32(format.width)
        cc.pointee.height = Int32(format.height)
        cc.pointee.time_base = AVRational(num: Int32(rate.den), den: Int32(rate.num))
        cc.pointee.framerate = AVRational(num: Int32(rate.num), den: Int32(rate.den))
        cc.pointee.sample_aspect_ratio = AVRational(num: 1, den: 1)
        let odd = format.width % 2 == 1 || format.height % 2 == 1
        let pix: AVPixelFormat
        switch chosen {
        case .h264: pix = odd ? AV_PIX_FMT_YUV444P : AV_PIX_FMT_YUV420P
        case .ffv1:
            switch format.pixelFormat {
            case .yuyv: pix = AV_PIX_FMT_YUV422P
            case .rgb24: pix = AV_PIX_FMT_BGR0
            default: pix = AV_PIX_FMT_YUV420P
            }
        }
        cc.pointee.pix_fmt = pix
        let space = info.colorSpace
        cc.pointee.colorspace = FFmpeg.avColorSpace(space.matrix)
        cc.pointee.color_range = FFmpeg.avColorRange(space.range)
        cc.pointee.color_primaries = space.matrix == .bt709 ? AVCOL_PRI_BT709 : AVCOL_PRI_SMPTE170M
        cc.pointee.color_trc = space.matrix == .bt709 ? AVCOL_TRC_BT709 : AVCOL_TRC_SMPTE170M
        cc.pointee.thread_count = 0
        if oformat.pointee.flags & sc_avfmt_globalheader() != 0 {
            cc.pointee.flags |= sc_codec_flag_global_header()
        }
        var opts: OpaquePointer?
        if chosen == .h264 {
            av_dict_set(&opts, "crf", String(crf), 0)
            av_dict_set(&opts, "preset", preset, 0)
        } else {
            av_dict_set(&opts, "level", "3", 0)
            av_dict_set(&opts, "slicecrc", "1", 0)
        }
        r = avcodec_open2(cc, encoder, &opts)
        av_dict_free(&opts)
        if r < 0 {
            throw MediaError(
                .unsupported, path: path,
                "cannot open the \(chosen.rawValue) encoder for \(format): \(FFmpeg.errorString(r))")
        }
        r = avcodec_parameters_from_context(st.pointee.codecpar, cc)
        if r < 0 { throw MediaError(.writeFailed, path: path, "cannot configure the stream: \(FFmpeg.errorString(r))") }
        st.pointee.time_base = cc.pointee.time_base
        st.pointee.avg_frame_rate = cc.pointee.framerate

        r = avio_open(&ctx.pointee.pb, output.writePath, sc_avio_flag_write())
        if r < 0 {
            throw MediaError(.writeFailed, path: path, "cannot create the output file: \(FFmpeg.errorString(r))")
        }
        r = avformat_write_header(ctx, nil)
        if r < 0 {
            throw MediaError(.writeFailed, path: path, "cannot write the container header: \(FFmpeg.errorString(r))")
        }

        guard let ef = av_frame_alloc(), let pk = av_packet_alloc() else {
            throw MediaError(.writeFailed, path: path, "out of memory")
        }
        encoderFrame = ef
        packet = pk
        ef.pointee.format = pix.rawValue
        ef.pointee.width = Int32(format.width)
        ef.pointee.height = Int32(format.height)
        ef.pointee.colorspace = cc.pointee.colorspace
        ef.pointee.color_range = cc.pointee.color_range
        r = av_frame_get_buffer(ef, 0)
        if r < 0 { throw MediaError(.writeFailed, path: path, "out of memory for the encoder frame") }
        guard
            let b = SwsBridge(
                srcWidth: format.width, srcHeight: format.height, srcFormat: format.pixelFormat.avPixelFormat,
                srcSpace: space,
                dstWidth: format.width, dstHeight: format.height, dstFormat: pix, dstSpace: space,
                flags: SWS_POINT | SWS_ACCURATE_RND | SWS_BITEXACT)
        else {
            throw MediaError(.unsupported, path: path, "cannot convert \(format.pixelFormat) to \(FFmpeg.name(pix))")
        }
        bridge = b
    }

    deinit { releaseAll() }

    private func releaseAll() {
        if codecContext != nil { avcodec_free_context(&codecContext) }
        if let ctx = formatContext {
            if ctx.pointee.pb != nil { avio_closep(&ctx.pointee.pb) }
            avformat_free_context(ctx)
            formatContext = nil
        }
        if encoderFrame != nil { av_frame_free(&encoderFrame) }
        if packet != nil { av_packet_free(&packet) }
    }

    public func write(_ frame: Frame) throws {
        precondition(!closed, "FFmpegVideoSink: write after finish/abort")
        guard frame.format == format else {
            abort()
            throw MediaError(
                .invalidGeometry, path: path, "frame \(frame.sequence) is \(frame.format), the stream is \(format)")
        }
        guard let ef = encoderFrame, let cc = codecContext else { return }
        var r = av_frame_make_writable(ef)
        if r < 0 { abort(); throw MediaError(.writeFailed, path: path, "out of memory") }
        bridge!.convert(frame, into: ef)
        ef.pointee.pts = nextPTS
        nextPTS += 1
        r = avcodec_send_frame(cc, ef)
        if r < 0 {
            abort();
            throw MediaError(
                .writeFailed, path: path, "encoding frame \(frame.sequence) failed: \(FFmpeg.errorString(r))")
        }
        try drain()
    }

    private func drain() throws {
        guard let cc = codecContext, let pk = packet, let ctx = formatContext else { return }
        while true {
            let r = avcodec_receive_packet(cc, pk)
            if r == FFmpeg.eagain || r == FFmpeg.eof { return }
            if r < 0 { abort(); throw MediaError(.writeFailed, path: path, "encoder failed: \(FFmpeg.errorString(r))") }
            av_packet_rescale_ts(pk, cc.pointee.time_base, stream!.pointee.time_base)
            pk.pointee.stream_index = stream!.pointee.index
            let w = av_interleaved_write_frame(ctx, pk)
            if w < 0 {
                abort();
                throw MediaError(.writeFailed, path: path, "cannot write to the file: \(FFmpeg.errorString(w))")
            }
        }
    }

    public func finish() throws {
        precondition(!closed, "FFmpegVideoSink: finish twice")
        guard let cc = codecContext, let ctx = formatContext else { return }
        if nextPTS == 0 { abort(); throw MediaError(.writeFailed, path: path, "no frames to write") }
        avcodec_send_frame(cc, nil)
        try drain()
        var r = av_write_trailer(ctx)
        if r < 0 {
            abort(); throw MediaError(.writeFailed, path: path, "cannot finish the file: \(FFmpeg.errorString(r))")
        }
        r = avio_closep(&ctx.pointee.pb)
        if r < 0 {
            abort(); throw MediaError(.writeFailed, path: path, "cannot close the file: \(FFmpeg.errorString(r))")
        }
        releaseAll()
        closed = true
        try output.commit()
    }

    public func abort() {
        guard !closed else { return }
        closed = true
        releaseAll()
        output.discard()
    }
}
