import CFFmpeg
import SharpFrames

/// Encodes I420 frames as one H.264 stream with libx264 at a given CRF and decodes it again,
/// in memory: what a video call's codec does to a webcam picture (4:2:0, blocking and ringing
/// at call bitrates), for training and evaluation (`sharpcam-train`'s `call` degradations).
/// One keyframe, then P-frames (as a call sends them); `preset` veryfast, `tune zerolatency`
/// (no B-frames, no look-ahead: a call's encoder).
///
/// Invariant: the same frames and CRF give the same bytes (libx264 single-threaded, no
/// randomness); the output has the input's count, size and colour space.
public enum H264RoundTrip {
    /// - Parameter frames: I420 frames of one even size.
    public static func apply(_ frames: [Frame], crf: Int) throws -> [Frame] {
        guard let first = frames.first else { return [] }
        let w = first.width, h = first.height
        precondition(
            frames.allSatisfy { $0.pixelFormat == .i420 && $0.width == w && $0.height == h } && w % 2 == 0
                && h % 2 == 0, "H264RoundTrip: I420 frames of one even size")
        _ = FFmpeg.configureLogging
        let name = "H.264 round trip (CRF \(crf))"
        guard let encoder = avcodec_find_encoder_by_name("libx264"),
            let decoder = avcodec_find_decoder(AV_CODEC_ID_H264)
        else { throw MediaError(.unsupported, path: name, "this FFmpeg build has no libx264 encoder or H.264 decoder") }
        var enc = avcodec_alloc_context3(encoder), dec = avcodec_alloc_context3(decoder)
        var picture = av_frame_alloc(), decoded = av_frame_alloc(), packet = av_packet_alloc()
        defer {
            avcodec_free_context(&enc); avcodec_free_context(&dec)
            av_frame_free(&picture); av_frame_free(&decoded); av_packet_free(&packet)
        }
        guard let enc, let dec, let picture, let decoded, let packet else {
            throw MediaError(.writeFailed, path: name, "out of memory")
        }
        let space = first.colorSpace
        enc.pointee.width = Int32(w)
        enc.pointee.height = Int32(h)
        enc.pointee.pix_fmt = AV_PIX_FMT_YUV420P
        enc.pointee.time_base = AVRational(num: 1, den: 30)
        enc.pointee.gop_size = 600
        enc.pointee.max_b_frames = 0
        enc.pointee.thread_count = 1
        enc.pointee.colorspace = FFmpeg.avColorSpace(space.matrix)
        enc.pointee.color_range = FFmpeg.avColorRange(space.range)
        var opts: OpaquePointer?
        av_dict_set(&opts, "crf", String(crf), 0)
        av_dict_set(&opts, "preset", "veryfast", 0)
        av_dict_set(&opts, "tune", "zerolatency", 0)
        var r = avcodec_open2(enc, encoder, &opts)
        av_dict_free(&opts)
        if r < 0 { throw MediaError(.unsupported, path: name, "cannot open libx264: \(FFmpeg.errorString(r))") }
        dec.pointee.thread_count = 1
        r = avcodec_open2(dec, decoder, nil)
        if r < 0 { throw MediaError(.unsupported, path: name, "cannot open the decoder: \(FFmpeg.errorString(r))") }
        picture.pointee.format = AV_PIX_FMT_YUV420P.rawValue
        picture.pointee.width = Int32(w)
        picture.pointee.height = Int32(h)
        r = av_frame_get_buffer(picture, 0)
        if r < 0 { throw MediaError(.writeFailed, path: name, "out of memory") }

        var out: [Frame] = []
        func drainDecoder() throws {
            while true {
                let rr = avcodec_receive_frame(dec, decoded)
                if rr == FFmpeg.eagain || rr == FFmpeg.eof { return }
                if rr < 0 { throw MediaError(.corrupt, path: name, "decoding failed: \(FFmpeg.errorString(rr))") }
                let f = Frame(format: first.format, colorSpace: space)
                FFmpeg.copyPlanes(from: UnsafePointer(decoded), into: f)
                av_frame_unref(decoded)
                out.append(f)
            }
        }
        func drainEncoder() throws {
            while true {
                let rr = avcodec_receive_packet(enc, packet)
                if rr == FFmpeg.eagain || rr == FFmpeg.eof { return }
                if rr < 0 { throw MediaError(.writeFailed, path: name, "encoding failed: \(FFmpeg.errorString(rr))") }
                let sr = avcodec_send_packet(dec, packet)
                av_packet_unref(packet)
                if sr < 0 { throw MediaError(.corrupt, path: name, "decoding failed: \(FFmpeg.errorString(sr))") }
                try drainDecoder()
            }
        }
        for (n, frame) in frames.enumerated() {
            r = av_frame_make_writable(picture)
            if r < 0 { throw MediaError(.writeFailed, path: name, "out of memory") }
            FFmpeg.copyPlanes(from: frame, into: picture)
            picture.pointee.pts = Int64(n)
            r = avcodec_send_frame(enc, picture)
            if r < 0 { throw MediaError(.writeFailed, path: name, "encoding failed: \(FFmpeg.errorString(r))") }
            try drainEncoder()
        }
        avcodec_send_frame(enc, nil)
        try drainEncoder()
        avcodec_send_packet(dec, nil)
        try drainDecoder()
        guard out.count == frames.count else {
            throw MediaError(.corrupt, path: name, "decoded \(out.count) of \(frames.count) frames")
        }
        return out
    }
}
