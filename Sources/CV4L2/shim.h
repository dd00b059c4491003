// V4L2 for Swift: the kernel's videodev2.h plus inline wrappers for what Swift cannot call or
// import directly (the variadic ioctl, function-like VIDIOC_* and fourcc macros), and the few
// system calls the capture and loopback code need (mmap, poll, inotify), and libv4lconvert (camera
// formats other than YUYV and MJPEG). Header-only.
#ifndef SHARPCAM_CV4L2_SHIM_H
#define SHARPCAM_CV4L2_SHIM_H

#include <errno.h>
#include <fcntl.h>
#include <libv4lconvert.h>
#include <linux/videodev2.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/// ioctl, retried on EINTR. Returns 0 or -1 with errno set.
static inline int sc_v4l2_ioctl(int fd, unsigned long request, void *arg) {
    int r;
    do { r = ioctl(fd, request, arg); } while (r == -1 && errno == EINTR);
    return r;
}

static inline unsigned long sc_vidioc_querycap(void) { return VIDIOC_QUERYCAP; }
static inline unsigned long sc_vidioc_enum_fmt(void) { return VIDIOC_ENUM_FMT; }
static inline unsigned long sc_vidioc_g_fmt(void) { return VIDIOC_G_FMT; }
static inline unsigned long sc_vidioc_s_fmt(void) { return VIDIOC_S_FMT; }
static inline unsigned long sc_vidioc_try_fmt(void) { return VIDIOC_TRY_FMT; }
static inline unsigned long sc_vidioc_reqbufs(void) { return VIDIOC_REQBUFS; }
static inline unsigned long sc_vidioc_querybuf(void) { return VIDIOC_QUERYBUF; }
static inline unsigned long sc_vidioc_qbuf(void) { return VIDIOC_QBUF; }
static inline unsigned long sc_vidioc_dqbuf(void) { return VIDIOC_DQBUF; }
static inline unsigned long sc_vidioc_streamon(void) { return VIDIOC_STREAMON; }
static inline unsigned long sc_vidioc_streamoff(void) { return VIDIOC_STREAMOFF; }
static inline unsigned long sc_vidioc_g_parm(void) { return VIDIOC_G_PARM; }
static inline unsigned long sc_vidioc_s_parm(void) { return VIDIOC_S_PARM; }
static inline unsigned long sc_vidioc_enum_framesizes(void) { return VIDIOC_ENUM_FRAMESIZES; }
static inline unsigned long sc_vidioc_enum_frameintervals(void) { return VIDIOC_ENUM_FRAMEINTERVALS; }

static inline uint32_t sc_fourcc(char a, char b, char c, char d) { return v4l2_fourcc(a, b, c, d); }
static inline uint32_t sc_pix_fmt_yuyv(void) { return V4L2_PIX_FMT_YUYV; }
static inline uint32_t sc_pix_fmt_mjpeg(void) { return V4L2_PIX_FMT_MJPEG; }
static inline uint32_t sc_pix_fmt_yuv420(void) { return V4L2_PIX_FMT_YUV420; }
static inline uint32_t sc_pix_fmt_nv12(void) { return V4L2_PIX_FMT_NV12; }

static inline void *sc_mmap_shared(int fd, size_t length, off_t offset) {
    void *p = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset);
    return p == MAP_FAILED ? NULL : p;
}

/// Waits for `events` on fd up to `timeout_ms`; returns the revents (0 on timeout, -1 on error).
static inline int sc_poll_one(int fd, short events, int timeout_ms) {
    struct pollfd p = {.fd = fd, .events = events, .revents = 0};
    int r;
    do { r = poll(&p, 1, timeout_ms); } while (r == -1 && errno == EINTR);
    return r <= 0 ? r : p.revents;
}

static inline int sc_errno(void) { return errno; }
static inline int sc_open_rw(const char *path) { return open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC); }
static inline int sc_is_char_device(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISCHR(st.st_mode);
}
/// The character device's (major, minor) packed as major << 32 | minor, or 0.
static inline uint64_t sc_char_device_id(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISCHR(st.st_mode)) return 0;
    return ((uint64_t)major(st.st_rdev) << 32) | minor(st.st_rdev);
}

/// A capture format (what the driver reported) as libv4lconvert wants it.
static inline struct v4l2_format sc_capture_format(uint32_t fourcc, uint32_t width, uint32_t height,
                                                   uint32_t bytes_per_line, uint32_t size_image) {
    struct v4l2_format f;
    memset(&f, 0, sizeof f);
    f.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    f.fmt.pix.pixelformat = fourcc;
    f.fmt.pix.width = width;
    f.fmt.pix.height = height;
    f.fmt.pix.field = V4L2_FIELD_NONE;
    f.fmt.pix.bytesperline = bytes_per_line;
    f.fmt.pix.sizeimage = size_image;
    return f;
}

/// Converts one frame of `src_fourcc` (as set on the device) into contiguous I420 of the same
/// size in `dst` (`width * height * 3 / 2` bytes), applying libv4lconvert's per-camera fixes
/// (upside-down sensors). Returns the bytes written, or -1 (message: v4lconvert_get_error_message).
static inline int sc_v4lconvert_to_i420(struct v4lconvert_data *d, uint32_t src_fourcc, uint32_t width, uint32_t height,
                                        uint32_t bytes_per_line, uint32_t size_image, const uint8_t *src, int src_size,
                                        uint8_t *dst, int dst_size) {
    struct v4l2_format s = sc_capture_format(src_fourcc, width, height, bytes_per_line, size_image);
    struct v4l2_format t = sc_capture_format(V4L2_PIX_FMT_YUV420, width, height, width, width * height * 3 / 2);
    return v4lconvert_convert(d, &s, &t, (unsigned char *)src, src_size, dst, dst_size);
}

/// Whether frames of this format need libv4lconvert even to stay in the same format (a camera in
/// its table of upside-down sensors, or software processing).
static inline int sc_v4lconvert_needs_fixing(struct v4lconvert_data *d, uint32_t fourcc, uint32_t width,
                                             uint32_t height, uint32_t bytes_per_line) {
    struct v4l2_format s = sc_capture_format(fourcc, width, height, bytes_per_line, 0);
    return v4lconvert_needs_conversion(d, &s, &s);
}

#endif
