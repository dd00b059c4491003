// SharpCam's PipeWire helper: a camera node SharpCam feeds (output), a camera it reads
// (input), and a list of camera nodes. PipeWire's SPA format PODs are C macros and inline
// functions, and its callbacks run on PipeWire's own thread; this file keeps both on the C
// side behind opaque handles and plain-C calls that Swift can use directly.
//
// Every function is thread-safe; none allocates per frame.
#ifndef SHARPCAM_PIPEWIRE_H
#define SHARPCAM_PIPEWIRE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Pixel formats on PipeWire streams.
enum sc_pw_format { SC_PW_NONE = 0, SC_PW_YUY2 = 1, SC_PW_I420 = 2, SC_PW_NV12 = 3, SC_PW_MJPG = 4 };

/// Connection and stream states.
enum sc_pw_state {
    SC_PW_DISCONNECTED = -1, ///< no PipeWire (daemon gone or restarted): reconnect
    SC_PW_IDLE = 0, ///< connected, no consumer linked (output) / not streaming (input)
    SC_PW_STREAMING = 1 ///< linked and running
};

// MARK: Output (a camera node)

typedef struct sc_pw_output sc_pw_output;

/// Connects to PipeWire and publishes a Video/Source node (media.role Camera) named
/// `node_name` / `description`, offering YUY2, I420 and NV12 at `width`×`height` and the
/// rate `fps_num`/`fps_den`, `preferred` first. NULL on failure, with a message in `err`.
sc_pw_output *sc_pw_output_new(const char *node_name, const char *description, uint32_t width, uint32_t height,
                               uint32_t fps_num, uint32_t fps_den, enum sc_pw_format preferred, char *err,
                               size_t err_len);
void sc_pw_output_free(sc_pw_output *o);
/// Drops the connection and connects again (after PipeWire restarted). 0 on success, else -1
/// with a message in `err`.
int sc_pw_output_reconnect(sc_pw_output *o, char *err, size_t err_len);
enum sc_pw_state sc_pw_output_state(sc_pw_output *o);
/// The node's id in the graph (SPA_ID_INVALID before it is known).
uint32_t sc_pw_output_node_id(sc_pw_output *o);
/// The format the consumer negotiated (SC_PW_NONE before negotiation).
enum sc_pw_format sc_pw_output_format(sc_pw_output *o);
/// Links from this node to consumers (as the registry reports them).
int sc_pw_output_links(sc_pw_output *o);

/// Writes one YUYV frame (rows of `stride` bytes) into the next free PipeWire buffer,
/// converting to the negotiated format, and hands it to the graph. Returns 1 when written,
/// 0 when no buffer was free or no consumer negotiated a format (the frame is dropped),
/// -1 when disconnected.
int sc_pw_output_write_yuyv(sc_pw_output *o, const uint8_t *yuyv, size_t stride, int64_t pts_ns);
/// The same for an I420 frame (three planes).
int sc_pw_output_write_i420(sc_pw_output *o, const uint8_t *y, size_t y_stride, const uint8_t *u, size_t u_stride,
                            const uint8_t *v, size_t v_stride, int64_t pts_ns);

// MARK: Input (a camera node read through PipeWire)

typedef struct sc_pw_input sc_pw_input;

/// What `sc_pw_input_read` delivered.
struct sc_pw_frame_info {
    enum sc_pw_format format;
    uint32_t width, height;
    uint32_t stride; ///< bytes per row of the first plane (0 for MJPG)
    uint32_t size; ///< bytes copied
    uint64_t sequence;
};

/// Connects a capture stream to the camera node `target` (node id, serial, node.name or
/// description; NULL: the first Video/Source that is not named `exclude`), asking for
/// `width`×`height` at the rate given, in YUY2, NV12, I420 or MJPG. NULL with a message in
/// `err` when PipeWire or the node is missing.
sc_pw_input *sc_pw_input_new(const char *target, const char *exclude, uint32_t width, uint32_t height, uint32_t fps_num,
                             uint32_t fps_den, char *err, size_t err_len);
void sc_pw_input_free(sc_pw_input *in);
/// The node read (its node.name), for logs.
const char *sc_pw_input_node_name(sc_pw_input *in);
/// Waits up to `timeout_ms` for a frame newer than the last one read and copies it into
/// `dst` (at most `capacity` bytes). Returns 1 with `info` filled, 0 on timeout, -1 when the
/// camera node or PipeWire is gone (message in `err`).
int sc_pw_input_read(sc_pw_input *in, int timeout_ms, uint8_t *dst, size_t capacity, struct sc_pw_frame_info *info,
                     char *err, size_t err_len);

// MARK: Listing camera nodes

struct sc_pw_node {
    uint32_t id;
    uint64_t serial;
    char name[128];
    char description[128];
    char media_class[64];
    char role[32];
};

/// The Video/Source nodes in the graph (at most `max`). Returns how many, or -1 with a
/// message in `err` when PipeWire cannot be reached.
int sc_pw_list_video_sources(struct sc_pw_node *out, int max, char *err, size_t err_len);

#ifdef __cplusplus
}
#endif
#endif
