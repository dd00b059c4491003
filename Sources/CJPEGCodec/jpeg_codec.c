#include "CJPEGCodec.h"
#include <stdio.h>
#include <jpeglib.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    char *message;
    size_t message_size;
} sc_jpeg_error;

static void sc_jpeg_error_exit(j_common_ptr cinfo) {
    sc_jpeg_error *e = (sc_jpeg_error *)cinfo->err;
    char text[JMSG_LENGTH_MAX];
    e->base.format_message(cinfo, text);
    if (e->message && e->message_size) snprintf(e->message, e->message_size, "libjpeg: %s", text);
    longjmp(e->jump, 1);
}

int sc_jpeg_roundtrip(const uint8_t *rgb, int width, int height, int quality, uint8_t *out, char *err,
                      size_t err_size) {
    struct jpeg_compress_struct c;
    struct jpeg_decompress_struct d;
    sc_jpeg_error ce, de;
    unsigned char *buffer = NULL;
    unsigned long size = 0;
    volatile int c_created = 0, d_created = 0;

    memset(&c, 0, sizeof c);
    memset(&d, 0, sizeof d);
    c.err = jpeg_std_error(&ce.base);
    ce.base.error_exit = sc_jpeg_error_exit;
    ce.message = err;
    ce.message_size = err_size;
    if (setjmp(ce.jump)) {
        if (c_created) jpeg_destroy_compress(&c);
        free(buffer);
        return 1;
    }
    jpeg_create_compress(&c);
    c_created = 1;
    jpeg_mem_dest(&c, &buffer, &size);
    c.image_width = (JDIMENSION)width;
    c.image_height = (JDIMENSION)height;
    c.input_components = 3;
    c.in_color_space = JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, quality, TRUE);
    jpeg_start_compress(&c, TRUE);
    while (c.next_scanline < c.image_height) {
        JSAMPROW row = (JSAMPROW)(rgb + (size_t)c.next_scanline * (size_t)width * 3);
        jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    c_created = 0;

    d.err = jpeg_std_error(&de.base);
    de.base.error_exit = sc_jpeg_error_exit;
    de.message = err;
    de.message_size = err_size;
    if (setjmp(de.jump)) {
        if (d_created) jpeg_destroy_decompress(&d);
        free(buffer);
        return 2;
    }
    jpeg_create_decompress(&d);
    d_created = 1;
    jpeg_mem_src(&d, buffer, size);
    jpeg_read_header(&d, TRUE);
    d.out_color_space = JCS_RGB;
    jpeg_start_decompress(&d);
    while (d.output_scanline < d.output_height) {
        JSAMPROW row = (JSAMPROW)(out + (size_t)d.output_scanline * (size_t)width * 3);
        jpeg_read_scanlines(&d, &row, 1);
    }
    jpeg_finish_decompress(&d);
    jpeg_destroy_decompress(&d);
    free(buffer);
    return 0;
}
