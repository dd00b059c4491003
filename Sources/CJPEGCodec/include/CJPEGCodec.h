// Baseline JPEG through libjpeg(-turbo) with IJG quality semantics (what cv2.imwrite and PIL
// use): the trainer's compression degradation and the `webcam` evaluation protocol.
#ifndef SHARPCAM_CJPEGCODEC_H
#define SHARPCAM_CJPEGCODEC_H
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Encodes packed RGB (w*h*3 bytes) at IJG `quality` (1..100, 4:2:0, islow DCT) and decodes it
/// back into `out` (w*h*3 bytes). Returns 0 on success; otherwise writes a message into `err`.
int sc_jpeg_roundtrip(const uint8_t *rgb, int width, int height, int quality, uint8_t *out, char *err, size_t err_size);

#ifdef __cplusplus
}
#endif
#endif
