#!/usr/bin/env python3
"""ONNX Runtime oracle for SharpCam's network exports.

usage: onnx_run.py MODEL.onnx INPUT.raw C H W MULTIPLE OUTPUT.raw

Checks the model with onnx.checker, reads INPUT.raw (float32 [C, H, W]), pads it on the bottom
and right to multiples of MULTIPLE by reflection without repeating the edge (numpy "reflect",
= OpenCV BORDER_REFLECT_101), runs it with ONNX Runtime (CPU), crops the output back to
[*, H, W] and writes it as float32 to OUTPUT.raw. Prints the opset and the output shape.
"""
import sys
import numpy as np
import onnx
import onnxruntime as ort


def main():
    model_path, input_path = sys.argv[1], sys.argv[2]
    c, h, w, multiple = (int(v) for v in sys.argv[3:7])
    output_path = sys.argv[7]
    model = onnx.load(model_path)
    onnx.checker.check_model(model, full_check=True)
    x = np.fromfile(input_path, np.float32).reshape(1, c, h, w)
    ph, pw = (-h) % multiple, (-w) % multiple
    x = np.pad(x, ((0, 0), (0, 0), (0, ph), (0, pw)), mode="reflect")
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(model_path, options, providers=["CPUExecutionProvider"])
    y = session.run(["output"], {"input": x})[0]
    y = np.ascontiguousarray(y[0, :, :h, :w])
    y.astype(np.float32).tofile(output_path)
    print(model.opset_import[0].version, y.shape)


if __name__ == "__main__":
    main()
