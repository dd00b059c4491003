#!/usr/bin/env python3
"""Runs SharpCam's exported student through ONNX Runtime and OpenVINO, fp32 and int8.

usage: compare_runtimes.py MODEL.onnx FRAMES.raw C H W N THREADS ITERATIONS

FRAMES.raw holds N float32 input tensors [C, H, W] (real frames, also the int8 calibration
set). int8 uses onnxruntime.quantization.quantize_static (QDQ, per-channel weights); OpenVINO
runs that QDQ model as int8. Prints a JSON list of {runtime, precision, p50 (ms), note}.
Missing packages are reported as notes, not errors.
"""
import json
import os
import statistics
import sys
import tempfile
import time

import numpy as np


def timed(run, frames, iterations):
    for f in frames[:2]:
        run(f)
    samples = []
    for i in range(iterations):
        t0 = time.perf_counter()
        run(frames[i % len(frames)])
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples)


def main():
    model, raw = sys.argv[1], sys.argv[2]
    c, h, w, n, threads, iterations = (int(v) for v in sys.argv[3:9])
    frames = list(np.fromfile(raw, np.float32).reshape(n, 1, c, h, w))
    rows = []
    qdq = None
    try:
        import onnxruntime as ort
        from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static

        class Reader(CalibrationDataReader):
            def __init__(self):
                self.items = iter([{"input": f} for f in frames])

            def get_next(self):
                return next(self.items, None)

        qdq = os.path.join(tempfile.mkdtemp(), "student-int8.onnx")
        quantize_static(model, qdq, Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)
        for precision, path in [("fp32", model), ("int8", qdq)]:
            so = ort.SessionOptions()
            so.intra_op_num_threads = threads
            so.inter_op_num_threads = 1
            s = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
            rows.append({"runtime": f"onnxruntime {ort.__version__}", "precision": precision,
                         "p50": timed(lambda f: s.run(["output"], {"input": f}), frames, iterations)})
    except ImportError as e:
        rows.append({"runtime": "onnxruntime", "precision": "-", "note": f"not installed ({e.name}); pip install onnxruntime"})
    try:
        import openvino as ov
        core = ov.Core()
        for precision, path in [("fp32", model), ("int8", qdq)]:
            if path is None:
                continue
            m = core.read_model(path)
            m.reshape({"input": [1, c, h, w]})
            compiled = core.compile_model(m, "CPU", {"INFERENCE_NUM_THREADS": threads, "PERFORMANCE_HINT": "LATENCY",
                                                     "INFERENCE_PRECISION_HINT": "f32"})
            request = compiled.create_infer_request()
            rows.append({"runtime": f"openvino {ov.__version__.split('-')[0]}", "precision": precision,
                         "p50": timed(lambda f: request.infer({0: f}), frames, iterations)})
    except ImportError as e:
        rows.append({"runtime": "openvino", "precision": "-", "note": f"not installed ({e.name}); pip install openvino"})
    for r in rows:
        r["size"] = f"{w}x{h}"
        r["threads"] = threads
    json.dump(rows, sys.stdout)


if __name__ == "__main__":
    main()
