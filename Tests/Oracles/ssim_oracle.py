#!/usr/bin/env python3
"""Oracle for StructuralSimilarity: usage ssim_oracle.py A.raw B.raw W H

A and B are uint8 grey pictures (H×W). Prints skimage's SSIM with gaussian_weights=True,
sigma=1.5, use_sample_covariance=False, data_range=255 (the convention SharpCam reports).
"""
import sys
import numpy as np
from skimage.metrics import structural_similarity

w, h = int(sys.argv[3]), int(sys.argv[4])
a = np.fromfile(sys.argv[1], dtype=np.uint8).reshape(h, w).astype(np.float64)
b = np.fromfile(sys.argv[2], dtype=np.uint8).reshape(h, w).astype(np.float64)
print(repr(float(structural_similarity(a, b, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
                                 data_range=255))))
