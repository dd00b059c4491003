#!/usr/bin/env python3
"""OpenCV oracle for SharpCam's per-frame maps and colour conversions.

usage: opencv_maps.py DIR WIDTH HEIGHT

Reads DIR/rgb.raw (packed RGB24) and DIR/{i420,nv12,yuyv}.raw (BT.601 limited range, even
size) and writes, computed by OpenCV itself:
  grey.raw               cv2.cvtColor(rgb, RGB2GRAY)
  edge_rgb.raw           the seed's edge map on that grey image
  mask_rgb.raw           cv2.inRange(cvtColor(rgb, RGB2HSV), (0,10,0), (180,255,255))
  rgb_FMT.raw            cv2.cvtColor(yuv, COLOR_YUV2RGB_FMT)
  mask_FMT.raw           the HSV mask of rgb_FMT
  edge_FMT.raw           the edge map of the Y plane
  blur15.raw             cv2.GaussianBlur(grey, (0,0) -> ksize 2*ceil(3*1.5)+1, sigma 1.5), BORDER_REFLECT_101
Prints cv2.__version__.
"""
import sys
import numpy as np
import cv2


def edge_map(grey):
    gx = cv2.Sobel(grey, cv2.CV_64F, 1, 0, ksize=3)
    gy = cv2.Sobel(grey, cv2.CV_64F, 0, 1, ksize=3)
    mag = np.sqrt(gx * gx + gy * gy)
    m = mag.max()
    if m == 0:
        return np.zeros(grey.shape, np.uint8)
    return (255.0 * mag / m).astype(np.uint8)


def hsv_mask(rgb):
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    return cv2.inRange(hsv, (0, 10, 0), (180, 255, 255))


def main():
    d, w, h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rgb = np.fromfile(f"{d}/rgb.raw", np.uint8).reshape(h, w, 3)
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    grey.tofile(f"{d}/grey.raw")
    edge_map(grey).tofile(f"{d}/edge_rgb.raw")
    hsv_mask(rgb).tofile(f"{d}/mask_rgb.raw")
    codes = {"i420": (cv2.COLOR_YUV2RGB_I420, (h * 3 // 2, w)),
             "nv12": (cv2.COLOR_YUV2RGB_NV12, (h * 3 // 2, w)),
             "yuyv": (cv2.COLOR_YUV2RGB_YUYV, (h, w, 2))}
    for name, (code, shape) in codes.items():
        yuv = np.fromfile(f"{d}/{name}.raw", np.uint8).reshape(shape)
        out = cv2.cvtColor(yuv, code)
        out.tofile(f"{d}/rgb_{name}.raw")
        hsv_mask(out).tofile(f"{d}/mask_{name}.raw")
        y = yuv[:h, :] if name != "yuyv" else np.ascontiguousarray(yuv[:, :, 0])
        edge_map(np.ascontiguousarray(y)).tofile(f"{d}/edge_{name}.raw")
    k = 2 * int(np.ceil(3 * 1.5)) + 1
    cv2.GaussianBlur(grey, (k, k), 1.5, borderType=cv2.BORDER_REFLECT_101).tofile(f"{d}/blur15.raw")
    print(cv2.__version__)


if __name__ == "__main__":
    main()
