#!/usr/bin/env python3
"""Oracle for the evaluation protocols' building blocks and metrics.

usage: eval_oracle.py DIR

Reads DIR/a.png and DIR/b.png (same size, RGB) and writes DIR/oracle.json with:
  psnr        skimage.metrics.peak_signal_noise_ratio(a, b, data_range=255) over RGB
  ssim        skimage.metrics.structural_similarity on BT.601 luma (float), gaussian_weights=True,
              use_sample_covariance=False, data_range=255
  luma_psnr, chroma_psnr, reference_chroma_psnr
              b against a in full-range BT.601 YCbCr (Y = .299 R + .587 G + .114 B,
              Cb = .564 (B - Y), Cr = .713 (R - Y)): PSNR of Y, of Cb and Cr together, and the RGB
              PSNR of b's Y with a's Cb and Cr (exact inverse, rounded half up, clipped to 8 bits)
and the raw float32 results of OpenCV on a (as RGB float32 in [0, 1]):
  area.raw    cv2.resize(a, (W//3, H//3), interpolation=INTER_AREA)
  linear.raw  cv2.resize(a, (W*2//3 + 1, H//2 + 3), interpolation=INTER_LINEAR)
  blur.raw    cv2.GaussianBlur(a, (21, 21), 2.5, borderType=BORDER_REFLECT_101)
and, from DIR/grey.raw (uint8, H×W):
  clahe.raw   cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(grey)
"""
import json
import sys
import numpy as np
import cv2
from skimage.metrics import peak_signal_noise_ratio, structural_similarity


def luma(x):
    x = x.astype(np.float64)
    return 0.299 * x[..., 0] + 0.587 * x[..., 1] + 0.114 * x[..., 2]


def ycbcr(x):
    x = x.astype(np.float64)
    y = luma(x)
    return y, 0.564 * (x[..., 2] - y), 0.713 * (x[..., 0] - y)


def psnr_of(mse):
    return float(min(100.0, 10 * np.log10(255.0 ** 2 / mse))) if mse > 0 else 100.0


def components(b, a):
    yb, cbb, crb = ycbcr(b)
    ya, cba, cra = ycbcr(a)
    r = yb + cra / 0.713
    bl = yb + cba / 0.564
    g = (yb - 0.299 * r - 0.114 * bl) / 0.587
    mixed = np.clip(np.floor(np.stack([r, g, bl], axis=-1) + 0.5), 0, 255).astype(np.uint8)
    return {
        "luma_psnr": psnr_of(np.mean((yb - ya) ** 2)),
        "chroma_psnr": psnr_of((np.mean((cbb - cba) ** 2) + np.mean((crb - cra) ** 2)) / 2),
        "reference_chroma_psnr": float(peak_signal_noise_ratio(a, mixed, data_range=255)),
    }


def main():
    d = sys.argv[1]
    a = cv2.cvtColor(cv2.imread(f"{d}/a.png"), cv2.COLOR_BGR2RGB)
    b = cv2.cvtColor(cv2.imread(f"{d}/b.png"), cv2.COLOR_BGR2RGB)
    h, w = a.shape[:2]
    result = {
        "psnr": float(peak_signal_noise_ratio(a, b, data_range=255)),
        "ssim": float(structural_similarity(luma(a), luma(b), gaussian_weights=True, use_sample_covariance=False, data_range=255)),
    }
    result.update(components(b, a))
    af = a.astype(np.float32) / 255
    cv2.resize(af, (w // 3, h // 3), interpolation=cv2.INTER_AREA).transpose(2, 0, 1).astype(np.float32).tofile(f"{d}/area.raw")
    cv2.resize(af, (w * 2 // 3 + 1, h // 2 + 3), interpolation=cv2.INTER_LINEAR).transpose(2, 0, 1).astype(np.float32).tofile(f"{d}/linear.raw")
    cv2.GaussianBlur(af, (21, 21), 2.5, borderType=cv2.BORDER_REFLECT_101).transpose(2, 0, 1).astype(np.float32).tofile(f"{d}/blur.raw")
    grey = np.fromfile(f"{d}/grey.raw", np.uint8).reshape(h, w)
    cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(grey).tofile(f"{d}/clahe.raw")
    with open(f"{d}/oracle.json", "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
