// Thin C helpers over FFmpeg for what Swift cannot call directly: function-like macros
// (AVERROR, av_err2str, AV_NOPTS_VALUE) and a few accessors. Header-only, static inline.
#ifndef SHARPCAM_CFFMPEG_SHIM_H
#define SHARPCAM_CFFMPEG_SHIM_H

#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libswscale/swscale.h>
#include <libavutil/avutil.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libavutil/display.h>
#include <libavutil/log.h>
#include <errno.h>

static inline int sc_averror(int posix_errno) { return AVERROR(posix_errno); }
static inline int sc_averror_eof(void) { return AVERROR_EOF; }
static inline int sc_averror_eagain(void) { return AVERROR(EAGAIN); }
static inline int sc_averror_invaliddata(void) { return AVERROR_INVALIDDATA; }
static inline int sc_averror_decoder_not_found(void) { return AVERROR_DECODER_NOT_FOUND; }
static inline int sc_averror_stream_not_found(void) { return AVERROR_STREAM_NOT_FOUND; }
static inline int sc_averror_encoder_not_found(void) { return AVERROR_ENCODER_NOT_FOUND; }
static inline int64_t sc_av_nopts_value(void) { return AV_NOPTS_VALUE; }
static inline AVRational sc_av_time_base_q(void) { return AV_TIME_BASE_Q; }

/// Writes FFmpeg's text for an error code into buf (at least AV_ERROR_MAX_STRING_SIZE bytes).
static inline const char *sc_av_err2str(int errnum, char *buf, size_t size) {
    av_strerror(errnum, buf, size);
    return buf;
}
static inline int sc_av_error_max_string_size(void) { return AV_ERROR_MAX_STRING_SIZE; }

/// The rotation (degrees) recorded in a stream's display matrix side data, or 0.
static inline double sc_stream_rotation(const AVStream *st) {
    const uint8_t *sd = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, NULL);
    if (!sd) return 0;
    return av_display_rotation_get((const int32_t *)sd);
}

static inline int sc_avfmt_flag_nofile(void) { return AVFMT_NOFILE; }
static inline int sc_avfmt_globalheader(void) { return AVFMT_GLOBALHEADER; }
static inline int sc_codec_flag_global_header(void) { return AV_CODEC_FLAG_GLOBAL_HEADER; }
static inline int sc_av_ef_explode(void) { return AV_EF_EXPLODE; }
static inline int sc_av_ef_crccheck(void) { return AV_EF_CRCCHECK; }
static inline int sc_av_ef_bitstream(void) { return AV_EF_BITSTREAM; }
static inline int sc_av_ef_buffer(void) { return AV_EF_BUFFER; }
static inline int sc_av_frame_flag_corrupt(void) { return AV_FRAME_FLAG_CORRUPT; }
static inline int sc_avio_flag_write(void) { return AVIO_FLAG_WRITE; }
static inline int sc_sws_bicubic(void) { return SWS_BICUBIC; }
static inline int sc_sws_area(void) { return SWS_AREA; }
static inline int sc_sws_accurate_rnd(void) { return SWS_ACCURATE_RND; }
static inline int sc_sws_full_chr_h_int(void) { return SWS_FULL_CHR_H_INT; }
static inline int sc_sws_bitexact(void) { return SWS_BITEXACT; }

/// The frame's decode-error flags (decode_error_flags) and corrupt flag.
static inline int sc_frame_is_corrupt(const AVFrame *f) {
    return (f->flags & AV_FRAME_FLAG_CORRUPT) != 0 || f->decode_error_flags != 0;
}

#endif
