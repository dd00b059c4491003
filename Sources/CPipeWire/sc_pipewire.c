// SharpCam's PipeWire helper (see include/sc_pipewire.h). All PipeWire objects live on one
// pw_thread_loop per handle; callers take the loop's lock around every PipeWire call, and the
// callbacks (run on the loop's thread with the lock held) only record state and signal.
#include "sc_pipewire.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <pipewire/pipewire.h>
#include <spa/param/video/format-utils.h>
#include <spa/utils/result.h>

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static void init_pipewire(void) { pw_init(NULL, NULL); }

static void set_error(char *err, size_t len, const char *fmt, const char *a, const char *b) {
    if (err && len) snprintf(err, len, fmt, a ? a : "", b ? b : "");
}

/// Where libpipewire looks for the daemon, for error messages.
static void socket_description(char *out, size_t len) {
    const char *remote = getenv("PIPEWIRE_REMOTE");
    const char *dir = getenv("PIPEWIRE_RUNTIME_DIR");
    if (!dir) dir = getenv("XDG_RUNTIME_DIR");
    if (remote && remote[0] == '/')
        snprintf(out, len, "%s", remote);
    else if (dir)
        snprintf(out, len, "%s/%s ($XDG_RUNTIME_DIR=%s)", dir, remote ? remote : "pipewire-0", dir);
    else
        snprintf(out, len, "pipewire-0 ($XDG_RUNTIME_DIR is not set: not in a user session)");
}

// MARK: Connection (thread loop, context, core, registry)

#define MAX_LINKS 256

struct conn {
    struct pw_thread_loop *loop;
    struct pw_context *context;
    struct pw_core *core;
    struct spa_hook core_listener;
    struct pw_registry *registry;
    struct spa_hook registry_listener;
    int disconnected;
    int pending_sync, synced;
    // Links in the graph: (link id, output node id).
    uint32_t link_ids[MAX_LINKS], link_out[MAX_LINKS];
    int link_count;
    // Nodes seen (for listing and target resolution).
    struct sc_pw_node *nodes;
    int node_count, node_max;
    // A node whose removal is watched (input target), and whether it went.
    uint32_t watched_node;
    int watched_gone;
};

static void on_core_done(void *data, uint32_t id, int seq) {
    struct conn *c = data;
    if (id == PW_ID_CORE && seq == c->pending_sync) {
        c->synced = 1;
        pw_thread_loop_signal(c->loop, false);
    }
}

static void on_core_error(void *data, uint32_t id, int seq, int res, const char *message) {
    (void)seq;
    (void)message;
    struct conn *c = data;
    if (id == PW_ID_CORE && res == -EPIPE) {
        c->disconnected = 1;
        pw_thread_loop_signal(c->loop, false);
    }
}

static const struct pw_core_events core_events = {
    PW_VERSION_CORE_EVENTS,
    .done = on_core_done,
    .error = on_core_error,
};

static void copy_prop(char *dst, size_t len, const struct spa_dict *props, const char *key) {
    const char *v = props ? spa_dict_lookup(props, key) : NULL;
    snprintf(dst, len, "%s", v ? v : "");
}

static void on_global(void *data, uint32_t id, uint32_t permissions, const char *type, uint32_t version,
                      const struct spa_dict *props) {
    (void)permissions;
    (void)version;
    struct conn *c = data;
    if (strcmp(type, PW_TYPE_INTERFACE_Link) == 0) {
        const char *out = props ? spa_dict_lookup(props, PW_KEY_LINK_OUTPUT_NODE) : NULL;
        if (out && c->link_count < MAX_LINKS) {
            c->link_ids[c->link_count] = id;
            c->link_out[c->link_count] = (uint32_t)strtoul(out, NULL, 10);
            c->link_count++;
        }
    } else if (strcmp(type, PW_TYPE_INTERFACE_Node) == 0 && c->nodes && c->node_count < c->node_max) {
        const char *cls = props ? spa_dict_lookup(props, PW_KEY_MEDIA_CLASS) : NULL;
        if (cls && strcmp(cls, "Video/Source") == 0) {
            struct sc_pw_node *n = &c->nodes[c->node_count++];
            memset(n, 0, sizeof *n);
            n->id = id;
            const char *serial = spa_dict_lookup(props, PW_KEY_OBJECT_SERIAL);
            n->serial = serial ? strtoull(serial, NULL, 10) : 0;
            copy_prop(n->name, sizeof n->name, props, PW_KEY_NODE_NAME);
            copy_prop(n->description, sizeof n->description, props, PW_KEY_NODE_DESCRIPTION);
            copy_prop(n->media_class, sizeof n->media_class, props, PW_KEY_MEDIA_CLASS);
            copy_prop(n->role, sizeof n->role, props, PW_KEY_MEDIA_ROLE);
        }
    }
}

static void on_global_remove(void *data, uint32_t id) {
    struct conn *c = data;
    for (int i = 0; i < c->link_count; i++) {
        if (c->link_ids[i] == id) {
            c->link_count--;
            c->link_ids[i] = c->link_ids[c->link_count];
            c->link_out[i] = c->link_out[c->link_count];
            break;
        }
    }
    if (id == c->watched_node) {
        c->watched_gone = 1;
        pw_thread_loop_signal(c->loop, false);
    }
}

static const struct pw_registry_events registry_events = {
    PW_VERSION_REGISTRY_EVENTS,
    .global = on_global,
    .global_remove = on_global_remove,
};

/// Connects; on failure everything is released and `err` says what was tried.
static int conn_open(struct conn *c, const char *loop_name, char *err, size_t err_len) {
    pthread_once(&init_once, init_pipewire);
    c->loop = pw_thread_loop_new(loop_name, NULL);
    if (!c->loop) {
        set_error(err, err_len, "cannot create a PipeWire thread loop%s%s", NULL, NULL);
        return -1;
    }
    c->context = pw_context_new(pw_thread_loop_get_loop(c->loop), NULL, 0);
    if (!c->context || pw_thread_loop_start(c->loop) != 0) {
        set_error(err, err_len, "cannot start PipeWire's loop%s%s", NULL, NULL);
        if (c->context) pw_context_destroy(c->context);
        pw_thread_loop_destroy(c->loop);
        c->loop = NULL;
        c->context = NULL;
        return -1;
    }
    pw_thread_loop_lock(c->loop);
    c->core = pw_context_connect(c->context, NULL, 0);
    if (!c->core) {
        int e = errno;
        pw_thread_loop_unlock(c->loop);
        char where[512];
        socket_description(where, sizeof where);
        set_error(err, err_len,
                  "cannot connect to PipeWire at %s: %s; is PipeWire running in this session? (systemctl --user "
                  "start pipewire wireplumber)",
                  where, strerror(e));
        pw_thread_loop_stop(c->loop);
        pw_context_destroy(c->context);
        pw_thread_loop_destroy(c->loop);
        c->loop = NULL;
        c->context = NULL;
        return -1;
    }
    pw_core_add_listener(c->core, &c->core_listener, &core_events, c);
    c->registry = pw_core_get_registry(c->core, PW_VERSION_REGISTRY, 0);
    pw_registry_add_listener(c->registry, &c->registry_listener, &registry_events, c);
    c->disconnected = 0;
    pw_thread_loop_unlock(c->loop);
    return 0;
}

/// Waits (lock held) until the server has answered everything sent so far; 0 or -1.
static int conn_roundtrip(struct conn *c, int timeout_s) {
    c->synced = 0;
    c->pending_sync = pw_core_sync(c->core, PW_ID_CORE, 0);
    struct timespec deadline;
    pw_thread_loop_get_time(c->loop, &deadline, (int64_t)timeout_s * SPA_NSEC_PER_SEC);
    while (!c->synced && !c->disconnected) {
        if (pw_thread_loop_timed_wait_full(c->loop, &deadline) != 0) return -1;
    }
    return c->synced ? 0 : -1;
}

/// Releases the core (lock held by the caller is released and the loop stopped).
static void conn_close_core(struct conn *c) {
    if (c->registry) {
        spa_hook_remove(&c->registry_listener);
        pw_proxy_destroy((struct pw_proxy *)c->registry);
        c->registry = NULL;
    }
    if (c->core) {
        spa_hook_remove(&c->core_listener);
        pw_core_disconnect(c->core);
        c->core = NULL;
    }
    c->link_count = 0;
}

static void conn_free(struct conn *c) {
    if (!c->loop) return;
    pw_thread_loop_lock(c->loop);
    conn_close_core(c);
    pw_thread_loop_unlock(c->loop);
    pw_thread_loop_stop(c->loop);
    pw_context_destroy(c->context);
    pw_thread_loop_destroy(c->loop);
    c->loop = NULL;
}

static enum sc_pw_format from_spa(uint32_t f) {
    switch (f) {
    case SPA_VIDEO_FORMAT_YUY2:
        return SC_PW_YUY2;
    case SPA_VIDEO_FORMAT_I420:
        return SC_PW_I420;
    case SPA_VIDEO_FORMAT_NV12:
        return SC_PW_NV12;
    default:
        return SC_PW_NONE;
    }
}

static uint32_t to_spa(enum sc_pw_format f) {
    switch (f) {
    case SC_PW_YUY2:
        return SPA_VIDEO_FORMAT_YUY2;
    case SC_PW_I420:
        return SPA_VIDEO_FORMAT_I420;
    case SC_PW_NV12:
        return SPA_VIDEO_FORMAT_NV12;
    default:
        return SPA_VIDEO_FORMAT_UNKNOWN;
    }
}

// MARK: Output

struct sc_pw_output {
    struct conn c;
    struct pw_stream *stream;
    struct spa_hook stream_listener;
    char node_name[128], description[128];
    uint32_t width, height, fps_num, fps_den;
    enum sc_pw_format preferred;
    enum sc_pw_format format;
    uint32_t stride[3], offset[3], size;
    enum pw_stream_state state;
    uint64_t sequence;
};

static void output_layout(struct sc_pw_output *o) {
    uint32_t w = o->width, h = o->height, cw = (w + 1) / 2, ch = (h + 1) / 2;
    memset(o->stride, 0, sizeof o->stride);
    memset(o->offset, 0, sizeof o->offset);
    switch (o->format) {
    case SC_PW_YUY2:
        o->stride[0] = cw * 4;
        o->size = o->stride[0] * h;
        break;
    case SC_PW_I420:
        o->stride[0] = w;
        o->stride[1] = o->stride[2] = cw;
        o->offset[1] = w * h;
        o->offset[2] = w * h + cw * ch;
        o->size = w * h + 2 * cw * ch;
        break;
    case SC_PW_NV12:
        o->stride[0] = w;
        o->stride[1] = cw * 2;
        o->offset[1] = w * h;
        o->size = w * h + cw * 2 * ch;
        break;
    default:
        o->size = 0;
    }
}

static void on_output_state(void *data, enum pw_stream_state old, enum pw_stream_state state, const char *error) {
    (void)old;
    (void)error;
    struct sc_pw_output *o = data;
    o->state = state;
    pw_thread_loop_signal(o->c.loop, false);
}

static void on_output_param(void *data, uint32_t id, const struct spa_pod *param) {
    struct sc_pw_output *o = data;
    if (id != SPA_PARAM_Format) return;
    if (!param) {
        o->format = SC_PW_NONE;
        return;
    }
    struct spa_video_info_raw info;
    memset(&info, 0, sizeof info);
    if (spa_format_video_raw_parse(param, &info) < 0) return;
    o->format = from_spa(info.format);
    output_layout(o);
    uint8_t buffer[1024];
    struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buffer, sizeof buffer);
    const struct spa_pod *params[2];
    params[0] = spa_pod_builder_add_object(
        &b, SPA_TYPE_OBJECT_ParamBuffers, SPA_PARAM_Buffers, SPA_PARAM_BUFFERS_buffers,
        SPA_POD_CHOICE_RANGE_Int(4, 2, 8), SPA_PARAM_BUFFERS_blocks, SPA_POD_Int(1), SPA_PARAM_BUFFERS_size,
        SPA_POD_Int(o->size), SPA_PARAM_BUFFERS_stride, SPA_POD_Int(o->stride[0]), SPA_PARAM_BUFFERS_dataType,
        SPA_POD_CHOICE_FLAGS_Int((1 << SPA_DATA_MemPtr) | (1 << SPA_DATA_MemFd)));
    params[1] = spa_pod_builder_add_object(&b, SPA_TYPE_OBJECT_ParamMeta, SPA_PARAM_Meta, SPA_PARAM_META_type,
                                           SPA_POD_Id(SPA_META_Header), SPA_PARAM_META_size,
                                           SPA_POD_Int(sizeof(struct spa_meta_header)));
    pw_stream_update_params(o->stream, params, 2);
}

static const struct pw_stream_events output_events = {
    PW_VERSION_STREAM_EVENTS,
    .state_changed = on_output_state,
    .param_changed = on_output_param,
};

/// Creates and connects the stream (lock held).
static int output_connect_stream(struct sc_pw_output *o, char *err, size_t err_len) {
    struct pw_properties *props =
        pw_properties_new(PW_KEY_MEDIA_TYPE, "Video", PW_KEY_MEDIA_CATEGORY, "Capture", PW_KEY_MEDIA_ROLE, "Camera",
                          PW_KEY_MEDIA_CLASS, "Video/Source", PW_KEY_NODE_NAME, o->node_name, PW_KEY_NODE_DESCRIPTION,
                          o->description, PW_KEY_NODE_NICK, o->description, NULL);
    o->stream = pw_stream_new(o->c.core, o->node_name, props);
    if (!o->stream) {
        set_error(err, err_len, "cannot create a PipeWire stream: %s%s", strerror(errno), NULL);
        return -1;
    }
    pw_stream_add_listener(o->stream, &o->stream_listener, &output_events, o);
    enum sc_pw_format order[3] = {o->preferred, o->preferred == SC_PW_YUY2 ? SC_PW_I420 : SC_PW_YUY2, SC_PW_NV12};
    if (o->preferred == SC_PW_NV12) order[2] = SC_PW_I420;
    uint8_t buffer[1024];
    struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buffer, sizeof buffer);
    const struct spa_pod *params[1];
    struct spa_rectangle size = SPA_RECTANGLE(o->width, o->height);
    struct spa_fraction fps = SPA_FRACTION(o->fps_num, o->fps_den);
    params[0] = spa_pod_builder_add_object(
        &b, SPA_TYPE_OBJECT_Format, SPA_PARAM_EnumFormat, SPA_FORMAT_mediaType, SPA_POD_Id(SPA_MEDIA_TYPE_video),
        SPA_FORMAT_mediaSubtype, SPA_POD_Id(SPA_MEDIA_SUBTYPE_raw), SPA_FORMAT_VIDEO_format,
        SPA_POD_CHOICE_ENUM_Id(4, to_spa(order[0]), to_spa(order[0]), to_spa(order[1]), to_spa(order[2])),
        SPA_FORMAT_VIDEO_size, SPA_POD_Rectangle(&size), SPA_FORMAT_VIDEO_framerate, SPA_POD_Fraction(&fps));
    int r = pw_stream_connect(o->stream, PW_DIRECTION_OUTPUT, PW_ID_ANY,
                              PW_STREAM_FLAG_DRIVER | PW_STREAM_FLAG_MAP_BUFFERS, params, 1);
    if (r < 0) {
        set_error(err, err_len, "cannot publish the PipeWire node: %s%s", spa_strerror(r), NULL);
        spa_hook_remove(&o->stream_listener);
        pw_stream_destroy(o->stream);
        o->stream = NULL;
        return -1;
    }
    // Wait until the server knows the node (or refuses it).
    struct timespec deadline;
    pw_thread_loop_get_time(o->c.loop, &deadline, 5 * SPA_NSEC_PER_SEC);
    while (o->state == PW_STREAM_STATE_CONNECTING || o->state == PW_STREAM_STATE_UNCONNECTED) {
        if (o->c.disconnected || pw_thread_loop_timed_wait_full(o->c.loop, &deadline) != 0) break;
    }
    if (o->state == PW_STREAM_STATE_ERROR || o->c.disconnected || pw_stream_get_node_id(o->stream) == SPA_ID_INVALID) {
        set_error(err, err_len, "PipeWire did not accept the node%s%s", NULL, NULL);
        spa_hook_remove(&o->stream_listener);
        pw_stream_destroy(o->stream);
        o->stream = NULL;
        return -1;
    }
    conn_roundtrip(&o->c, 2);
    return 0;
}

sc_pw_output *sc_pw_output_new(const char *node_name, const char *description, uint32_t width, uint32_t height,
                               uint32_t fps_num, uint32_t fps_den, enum sc_pw_format preferred, char *err,
                               size_t err_len) {
    if (width < 2 || height < 2 || fps_num == 0 || fps_den == 0) {
        set_error(err, err_len, "invalid PipeWire stream geometry%s%s", NULL, NULL);
        return NULL;
    }
    struct sc_pw_output *o = calloc(1, sizeof *o);
    if (!o) return NULL;
    snprintf(o->node_name, sizeof o->node_name, "%s", node_name);
    snprintf(o->description, sizeof o->description, "%s", description);
    o->width = width;
    o->height = height;
    o->fps_num = fps_num;
    o->fps_den = fps_den;
    o->preferred = preferred == SC_PW_NONE || preferred == SC_PW_MJPG ? SC_PW_YUY2 : preferred;
    o->c.watched_node = SPA_ID_INVALID;
    if (conn_open(&o->c, "sharpcam-pw-out", err, err_len) != 0) {
        free(o);
        return NULL;
    }
    pw_thread_loop_lock(o->c.loop);
    int r = output_connect_stream(o, err, err_len);
    pw_thread_loop_unlock(o->c.loop);
    if (r != 0) {
        conn_free(&o->c);
        free(o);
        return NULL;
    }
    return o;
}

static void output_drop_stream(struct sc_pw_output *o) {
    if (o->stream) {
        spa_hook_remove(&o->stream_listener);
        pw_stream_destroy(o->stream);
        o->stream = NULL;
    }
    o->format = SC_PW_NONE;
    o->state = PW_STREAM_STATE_UNCONNECTED;
}

void sc_pw_output_free(sc_pw_output *o) {
    if (!o) return;
    pw_thread_loop_lock(o->c.loop);
    output_drop_stream(o);
    pw_thread_loop_unlock(o->c.loop);
    conn_free(&o->c);
    free(o);
}

int sc_pw_output_reconnect(sc_pw_output *o, char *err, size_t err_len) {
    pw_thread_loop_lock(o->c.loop);
    output_drop_stream(o);
    conn_close_core(&o->c);
    o->c.core = pw_context_connect(o->c.context, NULL, 0);
    if (!o->c.core) {
        int e = errno;
        pw_thread_loop_unlock(o->c.loop);
        char where[512];
        socket_description(where, sizeof where);
        set_error(err, err_len, "cannot connect to PipeWire at %s: %s", where, strerror(e));
        return -1;
    }
    o->c.disconnected = 0;
    pw_core_add_listener(o->c.core, &o->c.core_listener, &core_events, &o->c);
    o->c.registry = pw_core_get_registry(o->c.core, PW_VERSION_REGISTRY, 0);
    pw_registry_add_listener(o->c.registry, &o->c.registry_listener, &registry_events, &o->c);
    int r = output_connect_stream(o, err, err_len);
    pw_thread_loop_unlock(o->c.loop);
    return r;
}

enum sc_pw_state sc_pw_output_state(sc_pw_output *o) {
    pw_thread_loop_lock(o->c.loop);
    enum sc_pw_state s = o->c.disconnected || !o->stream || o->state == PW_STREAM_STATE_ERROR ? SC_PW_DISCONNECTED
        : o->state == PW_STREAM_STATE_STREAMING                                               ? SC_PW_STREAMING
                                                                                              : SC_PW_IDLE;
    pw_thread_loop_unlock(o->c.loop);
    return s;
}

uint32_t sc_pw_output_node_id(sc_pw_output *o) {
    pw_thread_loop_lock(o->c.loop);
    uint32_t id = o->stream ? pw_stream_get_node_id(o->stream) : SPA_ID_INVALID;
    pw_thread_loop_unlock(o->c.loop);
    return id;
}

enum sc_pw_format sc_pw_output_format(sc_pw_output *o) {
    pw_thread_loop_lock(o->c.loop);
    enum sc_pw_format f = o->format;
    pw_thread_loop_unlock(o->c.loop);
    return f;
}

int sc_pw_output_links(sc_pw_output *o) {
    pw_thread_loop_lock(o->c.loop);
    uint32_t id = o->stream ? pw_stream_get_node_id(o->stream) : SPA_ID_INVALID;
    int n = 0;
    for (int i = 0; i < o->c.link_count; i++) n += o->c.link_out[i] == id;
    pw_thread_loop_unlock(o->c.loop);
    return n;
}

/// Dequeues a buffer (lock held); NULL when none is free or nothing is negotiated.
static struct pw_buffer *output_begin(struct sc_pw_output *o, uint8_t **data) {
    if (!o->stream || o->format == SC_PW_NONE || o->state != PW_STREAM_STATE_STREAMING) return NULL;
    struct pw_buffer *b = pw_stream_dequeue_buffer(o->stream);
    if (!b) return NULL;
    struct spa_data *d = &b->buffer->datas[0];
    if (!d->data || d->maxsize < o->size) {
        d->chunk->size = 0;
        pw_stream_queue_buffer(o->stream, b);
        return NULL;
    }
    *data = d->data;
    return b;
}

static void output_end(struct sc_pw_output *o, struct pw_buffer *b, int64_t pts_ns) {
    struct spa_data *d = &b->buffer->datas[0];
    d->chunk->offset = 0;
    d->chunk->size = o->size;
    d->chunk->stride = (int32_t)o->stride[0];
    d->chunk->flags = 0;
    struct spa_meta_header *h = spa_buffer_find_meta_data(b->buffer, SPA_META_Header, sizeof *h);
    if (h) {
        h->pts = pts_ns;
        h->flags = 0;
        h->seq = o->sequence;
        h->dts_offset = 0;
    }
    o->sequence++;
    pw_stream_queue_buffer(o->stream, b);
    pw_stream_trigger_process(o->stream);
}

/// A frame as the pipeline holds it: YUYV (one plane) or I420 (three planes).
struct source_frame {
    int is_i420;
    const uint8_t *plane[3];
    size_t stride[3];
};

/// Writes `f` into `dst` in the negotiated layout (lock held).
static void output_fill(struct sc_pw_output *o, const struct source_frame *f, uint8_t *dst) {
    uint32_t w = o->width, h = o->height, cw = (w + 1) / 2, ch = (h + 1) / 2;
    if (!f->is_i420) {
        const uint8_t *src = f->plane[0];
        size_t stride = f->stride[0];
        if (o->format == SC_PW_YUY2) {
            for (uint32_t y = 0; y < h; y++) memcpy(dst + (size_t)y * o->stride[0], src + y * stride, cw * 4);
            return;
        }
        uint8_t *Y = dst, *U = dst + o->offset[1], *V = dst + o->offset[2];
        for (uint32_t y = 0; y < h; y++) {
            const uint8_t *r0 = src + y * stride;
            uint8_t *yrow = Y + (size_t)y * o->stride[0];
            for (uint32_t x = 0; x < w; x++) yrow[x] = r0[x * 2];
            if (y % 2) continue;
            const uint8_t *r1 = y + 1 < h ? r0 + stride : r0;
            for (uint32_t x = 0; x < cw; x++) {
                uint8_t u = (uint8_t)((r0[x * 4 + 1] + r1[x * 4 + 1] + 1) / 2);
                uint8_t v = (uint8_t)((r0[x * 4 + 3] + r1[x * 4 + 3] + 1) / 2);
                if (o->format == SC_PW_I420) {
                    U[(size_t)(y / 2) * o->stride[1] + x] = u;
                    V[(size_t)(y / 2) * o->stride[2] + x] = v;
                } else {
                    U[(size_t)(y / 2) * o->stride[1] + 2 * x] = u;
                    U[(size_t)(y / 2) * o->stride[1] + 2 * x + 1] = v;
                }
            }
        }
        return;
    }
    const uint8_t *ys = f->plane[0], *us = f->plane[1], *vs = f->plane[2];
    size_t y_stride = f->stride[0], u_stride = f->stride[1], v_stride = f->stride[2];
    if (o->format == SC_PW_YUY2) {
        for (uint32_t y = 0; y < h; y++) {
            uint8_t *row = dst + (size_t)y * o->stride[0];
            const uint8_t *yr = ys + y * y_stride, *ur = us + (y / 2) * u_stride, *vr = vs + (y / 2) * v_stride;
            for (uint32_t x = 0; x < cw; x++) {
                row[x * 4] = yr[2 * x];
                row[x * 4 + 1] = ur[x];
                row[x * 4 + 2] = 2 * x + 1 < w ? yr[2 * x + 1] : yr[2 * x];
                row[x * 4 + 3] = vr[x];
            }
        }
        return;
    }
    for (uint32_t y = 0; y < h; y++) memcpy(dst + (size_t)y * o->stride[0], ys + y * y_stride, w);
    for (uint32_t y = 0; y < ch; y++) {
        if (o->format == SC_PW_I420) {
            memcpy(dst + o->offset[1] + (size_t)y * o->stride[1], us + y * u_stride, cw);
            memcpy(dst + o->offset[2] + (size_t)y * o->stride[2], vs + y * v_stride, cw);
        } else {
            uint8_t *row = dst + o->offset[1] + (size_t)y * o->stride[1];
            for (uint32_t x = 0; x < cw; x++) {
                row[2 * x] = us[y * u_stride + x];
                row[2 * x + 1] = vs[y * v_stride + x];
            }
        }
    }
}

/// Dequeues a buffer, fills it and hands it to the graph: 1 written, 0 dropped (no free buffer,
/// nothing negotiated), -1 disconnected.
static int output_write(struct sc_pw_output *o, const struct source_frame *f, int64_t pts_ns) {
    pw_thread_loop_lock(o->c.loop);
    int r = -1;
    if (!o->c.disconnected && o->stream) {
        uint8_t *dst;
        struct pw_buffer *b = output_begin(o, &dst);
        r = b != NULL;
        if (b) {
            output_fill(o, f, dst);
            output_end(o, b, pts_ns);
        }
    }
    pw_thread_loop_unlock(o->c.loop);
    return r;
}

int sc_pw_output_write_yuyv(sc_pw_output *o, const uint8_t *yuyv, size_t stride, int64_t pts_ns) {
    struct source_frame f = {0, {yuyv, NULL, NULL}, {stride, 0, 0}};
    return output_write(o, &f, pts_ns);
}

int sc_pw_output_write_i420(sc_pw_output *o, const uint8_t *y, size_t y_stride, const uint8_t *u, size_t u_stride,
                            const uint8_t *v, size_t v_stride, int64_t pts_ns) {
    struct source_frame f = {1, {y, u, v}, {y_stride, u_stride, v_stride}};
    return output_write(o, &f, pts_ns);
}

// MARK: Listing

/// Fills `c->nodes` with the Video/Source nodes (lock held, registry bound).
static int collect_nodes(struct conn *c, struct sc_pw_node *out, int max) {
    c->nodes = out;
    c->node_max = max;
    c->node_count = 0;
    // The registry replays every global after binding; one roundtrip later all are known.
    int r = conn_roundtrip(c, 3);
    c->nodes = NULL;
    return r == 0 ? c->node_count : -1;
}

int sc_pw_list_video_sources(struct sc_pw_node *out, int max, char *err, size_t err_len) {
    struct conn c;
    memset(&c, 0, sizeof c);
    c.watched_node = SPA_ID_INVALID;
    // Nodes arrive with the registry's first events: bind it with the list armed.
    pthread_once(&init_once, init_pipewire);
    c.nodes = out;
    c.node_max = max;
    if (conn_open(&c, "sharpcam-pw-list", err, err_len) != 0) return -1;
    pw_thread_loop_lock(c.loop);
    int n = conn_roundtrip(&c, 3) == 0 ? c.node_count : -1;
    c.nodes = NULL;
    pw_thread_loop_unlock(c.loop);
    if (n < 0) set_error(err, err_len, "PipeWire did not answer%s%s", NULL, NULL);
    conn_free(&c);
    return n;
}

// MARK: Input

struct sc_pw_input {
    struct conn c;
    struct pw_stream *stream;
    struct spa_hook stream_listener;
    char node_name[128];
    enum pw_stream_state state;
    enum sc_pw_format format;
    uint32_t width, height, stride;
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    uint8_t *staging;
    size_t staging_capacity, staging_size;
    uint64_t sequence, read_sequence;
    int failed;
};

static void on_input_state(void *data, enum pw_stream_state old, enum pw_stream_state state, const char *error) {
    (void)old;
    (void)error;
    struct sc_pw_input *in = data;
    in->state = state;
    pthread_mutex_lock(&in->mutex);
    if (state == PW_STREAM_STATE_ERROR || state == PW_STREAM_STATE_UNCONNECTED) in->failed = 1;
    pthread_cond_broadcast(&in->cond);
    pthread_mutex_unlock(&in->mutex);
    pw_thread_loop_signal(in->c.loop, false);
}

static void on_input_param(void *data, uint32_t id, const struct spa_pod *param) {
    struct sc_pw_input *in = data;
    if (id != SPA_PARAM_Format || !param) return;
    uint32_t media_type, media_subtype;
    if (spa_format_parse(param, &media_type, &media_subtype) < 0 || media_type != SPA_MEDIA_TYPE_video) return;
    uint32_t w = 0, h = 0;
    enum sc_pw_format f = SC_PW_NONE;
    if (media_subtype == SPA_MEDIA_SUBTYPE_raw) {
        struct spa_video_info_raw info;
        memset(&info, 0, sizeof info);
        if (spa_format_video_raw_parse(param, &info) < 0) return;
        f = from_spa(info.format);
        w = info.size.width;
        h = info.size.height;
    } else if (media_subtype == SPA_MEDIA_SUBTYPE_mjpg) {
        struct spa_video_info_mjpg info;
        memset(&info, 0, sizeof info);
        if (spa_format_video_mjpg_parse(param, &info) < 0) return;
        f = SC_PW_MJPG;
        w = info.size.width;
        h = info.size.height;
    }
    if (f == SC_PW_NONE || w == 0 || h == 0 || w > 16384 || h > 16384) return;
    size_t need = (size_t)(w + 1) * (h + 1) * 2 + 4096;
    pthread_mutex_lock(&in->mutex);
    if (need > in->staging_capacity) {
        free(in->staging);
        in->staging = malloc(need);
        in->staging_capacity = in->staging ? need : 0;
    }
    in->format = f;
    in->width = w;
    in->height = h;
    in->stride = f == SC_PW_YUY2 ? (w + 1) / 2 * 4 : f == SC_PW_MJPG ? 0 : w;
    pthread_mutex_unlock(&in->mutex);
}

static void on_input_process(void *data) {
    struct sc_pw_input *in = data;
    struct pw_buffer *b = pw_stream_dequeue_buffer(in->stream);
    if (!b) return;
    // Planes may come as one block or one block each: they are copied one after the other.
    pthread_mutex_lock(&in->mutex);
    size_t used = 0;
    int ok = in->staging != NULL;
    for (uint32_t i = 0; ok && i < b->buffer->n_datas; i++) {
        struct spa_data *d = &b->buffer->datas[i];
        if (!d->data || !d->chunk || d->maxsize == 0) {
            ok = i > 0;
            break;
        }
        uint32_t offset = d->chunk->offset % d->maxsize;
        uint32_t size = d->chunk->size;
        if (size > d->maxsize - offset) size = d->maxsize - offset;
        if (used + size > in->staging_capacity) {
            ok = 0;
            break;
        }
        memcpy(in->staging + used, (uint8_t *)d->data + offset, size);
        if (i == 0 && in->format != SC_PW_MJPG && d->chunk->stride > 0) in->stride = (uint32_t)d->chunk->stride;
        used += size;
    }
    if (ok && used > 0) {
        in->staging_size = used;
        in->sequence++;
        pthread_cond_broadcast(&in->cond);
    }
    pthread_mutex_unlock(&in->mutex);
    pw_stream_queue_buffer(in->stream, b);
}

static const struct pw_stream_events input_events = {
    PW_VERSION_STREAM_EVENTS,
    .state_changed = on_input_state,
    .param_changed = on_input_param,
    .process = on_input_process,
};

/// The node `target` names (id, serial, name or description; exact, then case-insensitive
/// prefix of name or description), or the first that is not `exclude`.
static const struct sc_pw_node *find_node(const struct sc_pw_node *nodes, int n, const char *target,
                                          const char *exclude) {
    if (!target || !target[0]) {
        for (int i = 0; i < n; i++)
            if (!exclude || strcmp(nodes[i].name, exclude) != 0) return &nodes[i];
        return NULL;
    }
    char *end;
    unsigned long long number = strtoull(target, &end, 10);
    for (int i = 0; i < n; i++) {
        if (*end == 0 && (nodes[i].id == number || nodes[i].serial == number)) return &nodes[i];
        if (strcmp(nodes[i].name, target) == 0 || strcmp(nodes[i].description, target) == 0) return &nodes[i];
    }
    size_t len = strlen(target);
    for (int i = 0; i < n; i++)
        if (strncasecmp(nodes[i].name, target, len) == 0 || strncasecmp(nodes[i].description, target, len) == 0)
            return &nodes[i];
    return NULL;
}

sc_pw_input *sc_pw_input_new(const char *target, const char *exclude, uint32_t width, uint32_t height, uint32_t fps_num,
                             uint32_t fps_den, char *err, size_t err_len) {
    struct sc_pw_input *in = calloc(1, sizeof *in);
    if (!in) return NULL;
    pthread_mutex_init(&in->mutex, NULL);
    pthread_cond_init(&in->cond, NULL);
    in->c.watched_node = SPA_ID_INVALID;
    struct sc_pw_node nodes[64];
    in->c.nodes = nodes;
    in->c.node_max = 64;
    if (conn_open(&in->c, "sharpcam-pw-in", err, err_len) != 0) goto fail_early;
    pw_thread_loop_lock(in->c.loop);
    int n = conn_roundtrip(&in->c, 3) == 0 ? in->c.node_count : -1;
    in->c.nodes = NULL;
    const struct sc_pw_node *node = n > 0 ? find_node(nodes, n, target, exclude) : NULL;
    if (!node) {
        char names[512] = "";
        for (int i = 0; i < n && i < 8; i++) {
            if (exclude && strcmp(nodes[i].name, exclude) == 0) continue;
            size_t used = strlen(names);
            snprintf(names + used, sizeof names - used, "%s%s", used ? ", " : "", nodes[i].name);
        }
        char what[256];
        snprintf(what, sizeof what, "%s", target && target[0] ? target : "any camera");
        set_error(err, err_len, "no PipeWire camera node matches '%s' (camera nodes: %s)", what,
                  names[0] ? names : "none");
        pw_thread_loop_unlock(in->c.loop);
        goto fail;
    }
    snprintf(in->node_name, sizeof in->node_name, "%s", node->name);
    in->c.watched_node = node->id;
    char serial[32];
    snprintf(serial, sizeof serial, "%llu", (unsigned long long)node->serial);
    struct pw_properties *props =
        pw_properties_new(PW_KEY_MEDIA_TYPE, "Video", PW_KEY_MEDIA_CATEGORY, "Capture", PW_KEY_MEDIA_ROLE, "Camera",
                          PW_KEY_NODE_NAME, "sharpcam-input", PW_KEY_NODE_DONT_RECONNECT, "true", NULL);
    pw_properties_set(props, PW_KEY_TARGET_OBJECT, node->serial ? serial : node->name);
    in->stream = pw_stream_new(in->c.core, "sharpcam-input", props);
    if (!in->stream) {
        set_error(err, err_len, "cannot create a PipeWire stream: %s%s", strerror(errno), NULL);
        pw_thread_loop_unlock(in->c.loop);
        goto fail;
    }
    pw_stream_add_listener(in->stream, &in->stream_listener, &input_events, in);
    uint8_t buffer[2048];
    struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buffer, sizeof buffer);
    const struct spa_pod *params[2];
    struct spa_rectangle size = SPA_RECTANGLE(width, height), min_size = SPA_RECTANGLE(1, 1),
                         max_size = SPA_RECTANGLE(16384, 16384);
    struct spa_fraction fps = SPA_FRACTION(fps_num, fps_den), min_fps = SPA_FRACTION(0, 1),
                        max_fps = SPA_FRACTION(1000, 1);
    params[0] = spa_pod_builder_add_object(
        &b, SPA_TYPE_OBJECT_Format, SPA_PARAM_EnumFormat, SPA_FORMAT_mediaType, SPA_POD_Id(SPA_MEDIA_TYPE_video),
        SPA_FORMAT_mediaSubtype, SPA_POD_Id(SPA_MEDIA_SUBTYPE_raw), SPA_FORMAT_VIDEO_format,
        SPA_POD_CHOICE_ENUM_Id(4, SPA_VIDEO_FORMAT_YUY2, SPA_VIDEO_FORMAT_YUY2, SPA_VIDEO_FORMAT_NV12,
                               SPA_VIDEO_FORMAT_I420),
        SPA_FORMAT_VIDEO_size, SPA_POD_CHOICE_RANGE_Rectangle(&size, &min_size, &max_size), SPA_FORMAT_VIDEO_framerate,
        SPA_POD_CHOICE_RANGE_Fraction(&fps, &min_fps, &max_fps));
    params[1] = spa_pod_builder_add_object(
        &b, SPA_TYPE_OBJECT_Format, SPA_PARAM_EnumFormat, SPA_FORMAT_mediaType, SPA_POD_Id(SPA_MEDIA_TYPE_video),
        SPA_FORMAT_mediaSubtype, SPA_POD_Id(SPA_MEDIA_SUBTYPE_mjpg), SPA_FORMAT_VIDEO_size,
        SPA_POD_CHOICE_RANGE_Rectangle(&size, &min_size, &max_size), SPA_FORMAT_VIDEO_framerate,
        SPA_POD_CHOICE_RANGE_Fraction(&fps, &min_fps, &max_fps));
    int r = pw_stream_connect(in->stream, PW_DIRECTION_INPUT, PW_ID_ANY,
                              PW_STREAM_FLAG_AUTOCONNECT | PW_STREAM_FLAG_MAP_BUFFERS, params, 2);
    if (r < 0) {
        set_error(err, err_len, "cannot connect to the camera node: %s%s", spa_strerror(r), NULL);
        pw_thread_loop_unlock(in->c.loop);
        goto fail;
    }
    pw_thread_loop_unlock(in->c.loop);
    return in;
fail:
    if (in->stream) {
        pw_thread_loop_lock(in->c.loop);
        spa_hook_remove(&in->stream_listener);
        pw_stream_destroy(in->stream);
        pw_thread_loop_unlock(in->c.loop);
    }
    conn_free(&in->c);
fail_early:
    pthread_mutex_destroy(&in->mutex);
    pthread_cond_destroy(&in->cond);
    free(in);
    return NULL;
}

void sc_pw_input_free(sc_pw_input *in) {
    if (!in) return;
    pw_thread_loop_lock(in->c.loop);
    if (in->stream) {
        spa_hook_remove(&in->stream_listener);
        pw_stream_destroy(in->stream);
        in->stream = NULL;
    }
    pw_thread_loop_unlock(in->c.loop);
    conn_free(&in->c);
    pthread_mutex_destroy(&in->mutex);
    pthread_cond_destroy(&in->cond);
    free(in->staging);
    free(in);
}

const char *sc_pw_input_node_name(sc_pw_input *in) { return in->node_name; }

int sc_pw_input_read(sc_pw_input *in, int timeout_ms, uint8_t *dst, size_t capacity, struct sc_pw_frame_info *info,
                     char *err, size_t err_len) {
    // Gone: the camera node was removed, PipeWire went away, or the stream failed.
    pw_thread_loop_lock(in->c.loop);
    int gone = in->c.watched_gone, disconnected = in->c.disconnected;
    pw_thread_loop_unlock(in->c.loop);
    if (gone || disconnected) {
        set_error(err, err_len, "%s%s", disconnected ? "PipeWire went away" : "the camera node disappeared", NULL);
        return -1;
    }
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&in->mutex);
    while (in->sequence == in->read_sequence && !in->failed) {
        if (pthread_cond_timedwait(&in->cond, &in->mutex, &deadline) == ETIMEDOUT) break;
    }
    if (in->failed) {
        pthread_mutex_unlock(&in->mutex);
        set_error(err, err_len, "the camera stream stopped (node removed or refused)%s%s", NULL, NULL);
        return -1;
    }
    if (in->sequence == in->read_sequence) {
        pthread_mutex_unlock(&in->mutex);
        return 0;
    }
    size_t n = in->staging_size < capacity ? in->staging_size : capacity;
    memcpy(dst, in->staging, n);
    info->format = in->format;
    info->width = in->width;
    info->height = in->height;
    info->stride = in->stride;
    info->size = (uint32_t)n;
    info->sequence = in->sequence;
    in->read_sequence = in->sequence;
    pthread_mutex_unlock(&in->mutex);
    return 1;
}
