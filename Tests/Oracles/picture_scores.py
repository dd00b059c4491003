#!/usr/bin/env python3
"""Oracle for the web console's picture scores: usage picture_scores.py INPUT RESULT REFERENCE

Prints JSON {psnr_input, psnr_result, ssim_input, ssim_result}: PSNR and SSIM (scikit-image,
gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=255) of INPUT and
RESULT against REFERENCE, on 8-bit BT.601 luma round(0.299 R + 0.587 G + 0.114 B).
"""
import json
import sys
import numpy as np
import cv2
from skimage.metrics import peak_signal_noise_ratio, structural_similarity


def luma(path):
    bgr = cv2.imread(path, cv2.IMREAD_COLOR)
    if bgr is None:
        sys.exit(f"cannot read {path}")
    x = bgr.astype(np.float64)
    return np.floor(0.299 * x[..., 2] + 0.587 * x[..., 1] + 0.114 * x[..., 0] + 0.5)


a, b, r = (luma(p) for p in sys.argv[1:4])
out = {}
for name, x in (("input", a), ("result", b)):
    out["psnr_" + name] = peak_signal_noise_ratio(r, x, data_range=255)
    out["ssim_" + name] = structural_similarity(x, r, gaussian_weights=True, sigma=1.5,
                                                use_sample_covariance=False, data_range=255)
print(json.dumps(out))
