#!/usr/bin/env python3
"""Trains SharpCam's `teacher` U-Net on a GPU with PyTorch, as a faster stand-in for
`sharpcam-train train --arch teacher` where a GPU is at hand. SharpCam never needs this script:
the teacher only serves distillation, and `sharpcam-train` trains it (slowly) on the CPU.

The network is a mirror of `NetworkGraph` for `teacher[:W,...]` (2 × (3×3 conv + ReLU) per level,
max-pool, 2×2 transposed conv, concat [up, skip], 1×1 out conv, + input RGB). It starts from,
and is written back into, a weights file made by `sharpcam-train init --arch teacher...`
(same tensor names and layouts). `--verify MODEL.onnx` first checks the mirror against
`sharpcam-train export-onnx` of that file with ONNX Runtime, and stops if they disagree.

Data: the `camera` recipe of `PairGenerator` (Sources/SharpTraining/Degradation.swift) redone with
OpenCV — photos downscaled ×[1, 8] (log-uniform), flips/rotations, 12 % clean, `--heavy-blur-share`
the seed's Gaussian 21×21 σ 2.5, the rest blur σ 0.5-3 (85 %), down-up scaling (40 %), sensor
and shot noise, JPEG q 40-95 (85 %) — with the seed's edge map and HSV mask of the degraded crop
as inputs 4 and 5. Loss: Charbonnier (ε 1e-3) on RGB in [0, 1]; AdamW, warm-up + cosine.

Usage: train-teacher-gpu.py --template t.scw --photos DIR --out teacher.scw [--minutes M] ...
       train-teacher-gpu.py --self-check TEMPLATE.scw OUT.scw PICTURE.png INPUT.raw   (no PyTorch needed;
       the tests compare both outputs with SharpCam's own)
"""
import argparse, json, math, os, struct, sys, time, zlib

import cv2
import numpy as np

try:  # only training needs PyTorch; --self-check (the file format and the inputs) does not
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    torch = None

cv2.setNumThreads(1)


# ---------------------------------------------------------------- weights file (.scw)

def read_scw(path):
    raw = open(path, "rb").read()
    assert raw[:8] == b"SCWEIGHT", f"{path}: not a SharpCam weights file"
    hlen = struct.unpack_from("<I", raw, 12)[0]
    header = json.loads(raw[16:16 + hlen])
    data_start = (16 + hlen + 15) // 16 * 16
    tensors = {}
    for t in header["tensors"]:
        if t.get("role") == "state":
            continue
        assert t["dtype"] == "f32", "template must be fp32"
        a = np.frombuffer(raw, dtype="<f4", count=t["length"] // 4, offset=data_start + t["offset"])
        tensors[t["name"]] = a.reshape(t["shape"]).copy()
    return header, tensors


def write_scw(path, header, tensors, metadata):
    entries, data = [], bytearray()
    for name in sorted(tensors):
        while len(data) % 16:
            data.append(0)
        a = np.ascontiguousarray(tensors[name], dtype="<f4")
        entries.append({"dtype": "f32", "length": a.nbytes, "name": name, "offset": len(data), "shape": list(a.shape)})
        data += a.tobytes()
    meta = dict(header.get("metadata", {}))
    meta.update(metadata)
    h = json.dumps({"architecture": header["architecture"], "metadata": meta, "tensors": entries},
                   sort_keys=True, separators=(",", ":")).encode()
    out = bytearray(b"SCWEIGHT") + struct.pack("<II", 1, len(h)) + h
    while len(out) % 16:
        out.append(0)
    out += data
    out += struct.pack("<I", zlib.crc32(bytes(out)) & 0xFFFFFFFF) + b"SCWE"
    tmp = path + ".tmp"
    open(tmp, "wb").write(out)
    os.replace(tmp, path)


# ---------------------------------------------------------------- the teacher (mirror of NetworkGraph)

class Teacher(nn.Module if torch else object):
    def __init__(self, widths, convs=2, inputs=5):
        super().__init__()
        self.widths, self.convs = widths, convs
        self.convs3 = nn.ModuleDict()
        self.ups = nn.ModuleDict()
        c = inputs
        levels = len(widths)

        def block(prefix, cin, cout):
            for i in range(convs):
                self.convs3[f"{prefix}.conv{i}".replace(".", "_")] = nn.Conv2d(cin if i == 0 else cout, cout, 3, padding=1)

        for l in range(levels - 1):
            block(f"enc{l}", c, widths[l]); c = widths[l]
        block("bottleneck", c, widths[-1]); c = widths[-1]
        for l in reversed(range(levels - 1)):
            self.ups[f"up{l}"] = nn.ConvTranspose2d(c, widths[l], 2, stride=2)
            block(f"dec{l}", 2 * widths[l], widths[l]); c = widths[l]
        self.out = nn.Conv2d(c, 3, 1)

    def block(self, prefix, h):
        for i in range(self.convs):
            h = F.relu(self.convs3[f"{prefix}_conv{i}"](h))
        return h

    def forward(self, x):
        levels = len(self.widths)
        skips, h = [], x
        for l in range(levels - 1):
            h = self.block(f"enc{l}", h); skips.append(h); h = F.max_pool2d(h, 2)
        h = self.block("bottleneck", h)
        for l in reversed(range(levels - 1)):
            h = self.ups[f"up{l}"](h)
            h = torch.cat([h, skips[l]], 1)
            h = self.block(f"dec{l}", h)
        return x[:, :3] + self.out(h)

    def scw_names(self):
        """(scw name, parameter) pairs."""
        out = []
        for k, m in self.convs3.items():
            base = k.replace("_conv", ".conv")
            out += [(base + ".weight", m.weight), (base + ".bias", m.bias)]
        for k, m in self.ups.items():
            out += [(k + ".weight", m.weight), (k + ".bias", m.bias)]
        out += [("out.weight", self.out.weight), ("out.bias", self.out.bias)]
        return out

    def load_scw(self, tensors):
        names = self.scw_names()
        assert sorted(n for n, _ in names) == sorted(tensors), "the template's tensors are not this teacher's"
        with torch.no_grad():
            for n, p in names:
                assert tuple(p.shape) == tensors[n].shape, n
                p.copy_(torch.from_numpy(tensors[n]))

    def scw_tensors(self):
        return {n: p.detach().float().cpu().numpy() for n, p in self.scw_names()}


# ---------------------------------------------------------------- data (the `camera` recipe)

def maps(rgb_u8):
    grey = cv2.cvtColor(rgb_u8, cv2.COLOR_RGB2GRAY)
    gx = cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3, borderType=cv2.BORDER_REFLECT_101)
    gy = cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3, borderType=cv2.BORDER_REFLECT_101)
    mag = np.sqrt(gx * gx + gy * gy)
    m = mag.max()
    edge = np.zeros_like(grey) if m == 0 else np.minimum(mag * (255.0 / m), 255).astype(np.uint8)
    mask = cv2.inRange(cv2.cvtColor(rgb_u8, cv2.COLOR_RGB2HSV), (0, 10, 0), (180, 255, 255))
    return edge, mask


def network_input(rgb_u8):
    edge, mask = maps(rgb_u8)
    x = np.concatenate([rgb_u8.astype(np.float32) / 127.5 - 1, edge[..., None] / 255.0, mask[..., None] / 255.0], axis=2)
    return x.transpose(2, 0, 1).astype(np.float32)


def degrade(crop, rng, heavy_share, s, margin):
    """crop: float32 [big, big, 3] in 0..255 (8-bit levels). Returns (sharp, degraded) uint8 s×s."""
    sharp = crop[margin:margin + s, margin:margin + s]
    kind = rng.random()
    if kind < 0.12:
        return sharp.astype(np.uint8), sharp.astype(np.uint8)
    if kind < 0.12 + heavy_share:
        b = cv2.GaussianBlur(crop, (21, 21), 2.5, borderType=cv2.BORDER_REFLECT_101)
        return sharp.astype(np.uint8), np.clip(np.rint(b[margin:margin + s, margin:margin + s]), 0, 255).astype(np.uint8)
    d = crop
    if rng.random() < 0.85:
        d = cv2.GaussianBlur(d, (0, 0), 0.5 + 2.5 * rng.random(), borderType=cv2.BORDER_REFLECT_101)
    d = d[margin:margin + s, margin:margin + s]
    if rng.random() < 0.4:
        small = max(8, round(s / (1.25 + 0.75 * rng.random())))
        d = cv2.resize(cv2.resize(d, (small, small), interpolation=cv2.INTER_AREA), (s, s), interpolation=cv2.INTER_LINEAR)
    sigma, shot = (1 + 3 * rng.random()) / 255, 0.01 * rng.random()
    u = d / 255.0
    sd = np.sqrt(sigma * sigma + shot * shot * np.maximum(u, 0) / 50)
    d = np.clip(np.rint((u + sd * rng.standard_normal(u.shape)) * 255), 0, 255).astype(np.uint8)
    if rng.random() < 0.85:
        ok, buf = cv2.imencode(".jpg", d, [cv2.IMWRITE_JPEG_QUALITY, int(40 + rng.integers(0, 56))])
        d = cv2.imdecode(buf, cv2.IMREAD_UNCHANGED)
    return sharp.astype(np.uint8), d


class Pairs(torch.utils.data.IterableDataset if torch else object):
    def __init__(self, photos, size, heavy_share, seed):
        self.photos, self.size, self.heavy, self.seed = photos, size, heavy_share, seed

    def __iter__(self):
        info = torch.utils.data.get_worker_info()
        rng = np.random.default_rng([self.seed, info.id if info else 0])
        s, margin = self.size, 10
        big = s + 2 * margin
        while True:
            p = self.photos[rng.integers(len(self.photos))]
            h, w = p.shape[:2]
            max_factor = min(8.0, min(h, w) / big)
            factor = math.exp(rng.random() * math.log(max(max_factor, 1.0)))
            region = min(min(h, w), max(big, round(big * factor)))
            y, x = rng.integers(0, h - region + 1), rng.integers(0, w - region + 1)
            c = p[y:y + region, x:x + region]
            if region > big:
                c = cv2.resize(c, (big, big), interpolation=cv2.INTER_AREA)
            c = np.rot90(c, rng.integers(4))
            if rng.random() < 0.5:
                c = c[:, ::-1]
            c = np.ascontiguousarray(c).astype(np.float32)
            sharp, d = degrade(c, rng, self.heavy, s, margin)
            yield torch.from_numpy(network_input(d)), torch.from_numpy(sharp.transpose(2, 0, 1).astype(np.float32) / 255.0)


def load_photos(folder, min_side):
    out = []
    for n in sorted(os.listdir(folder)):
        im = cv2.imread(os.path.join(folder, n), cv2.IMREAD_COLOR)
        if im is None:
            continue
        im = cv2.cvtColor(im, cv2.COLOR_BGR2RGB)
        if min(im.shape[:2]) < min_side:
            f = min_side / min(im.shape[:2])
            im = cv2.resize(im, (math.ceil(im.shape[1] * f), math.ceil(im.shape[0] * f)), interpolation=cv2.INTER_LINEAR)
        out.append(im)
    return out


# ---------------------------------------------------------------- p256 check (as sharpcam-train eval's)

def p256_scores(model, folder, device):
    scores = []
    for n in sorted(os.listdir(folder)):
        sharp = cv2.cvtColor(cv2.imread(os.path.join(folder, n)), cv2.COLOR_BGR2RGB)
        blurred = np.clip(np.rint(cv2.GaussianBlur(sharp.astype(np.float32), (21, 21), 2.5, borderType=cv2.BORDER_REFLECT_101)), 0, 255).astype(np.uint8)
        with torch.no_grad():
            y = model(torch.from_numpy(network_input(blurred))[None].to(device))[0].float().cpu().numpy()
        out = np.clip(np.rint((y.transpose(1, 2, 0) + 1) * 127.5), 0, 255)
        def psnr(a):
            return 10 * math.log10(255 ** 2 / np.mean((a.astype(np.float64) - sharp) ** 2))
        scores.append((psnr(blurred), psnr(out)))
    return np.mean([s[0] for s in scores]), np.mean([s[1] for s in scores])


def self_check(template, out, picture, raw):
    """What the tests compare with SharpCam: the weights file written back (with metadata), and
    the 5-channel network input of a picture (float32, channel-major) as training builds it."""
    header, tensors = read_scw(template)
    write_scw(out, header, tensors, {"trained": "self-check"})
    rgb = cv2.cvtColor(cv2.imread(picture, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    network_input(rgb).tofile(raw)


def main():
    if len(sys.argv) == 6 and sys.argv[1] == "--self-check":
        return self_check(*sys.argv[2:])
    if torch is None:
        sys.exit("train-teacher-gpu.py: training needs PyTorch (python3 -m pip install torch)")
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--template", required=True)
    ap.add_argument("--photos", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--val256", help="folder of sharp 256×256 validation pictures (p256 check)")
    ap.add_argument("--verify", help="ONNX export of the template (sharpcam-train export-onnx)")
    ap.add_argument("--minutes", type=float, default=8)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--crop", type=int, default=128)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--heavy-blur-share", type=float, default=0.30)
    ap.add_argument("--workers", type=int, default=max(1, (os.cpu_count() or 2) - 2))
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()

    device = "cuda" if torch.cuda.is_available() else "cpu"
    header, tensors = read_scw(a.template)
    arch = header["architecture"]
    assert arch["kind"] == "teacher" and arch["convsPerLevel"] == 2, "the template must be a teacher"
    torch.manual_seed(a.seed)
    model = Teacher(arch["widths"])
    model.load_scw(tensors)
    model.to(device)

    if a.verify:
        import onnxruntime as ort
        rng = np.random.default_rng(3)
        x = rng.uniform(-1, 1, (1, 5, 64, 48)).astype(np.float32)
        x[:, 3:] = (x[:, 3:] + 1) / 2
        ref = ort.InferenceSession(a.verify, providers=["CPUExecutionProvider"])
        r = ref.run(None, {ref.get_inputs()[0].name: x})[0]
        torch.backends.cudnn.allow_tf32 = False  # full fp32 for the comparison (TF32 alone differs by ~1e-3)
        with torch.no_grad():
            m = model(torch.from_numpy(x).to(device)).float().cpu().numpy()
        torch.backends.cudnn.allow_tf32 = True
        err = float(np.abs(r - m).max())
        print(f"verify: mirror vs ONNX export, max |diff| {err:.2e}", flush=True)
        if not err < 1e-4:
            sys.exit("the PyTorch mirror disagrees with SharpCam's graph")

    photos = load_photos(a.photos, a.crop + 20)
    print(f"{len(photos)} photos, device {device}, batch {a.batch} × {a.crop}², {a.minutes} min", flush=True)
    loader = torch.utils.data.DataLoader(Pairs(photos, a.crop, a.heavy_blur_share, a.seed), batch_size=a.batch,
                                         num_workers=a.workers, pin_memory=True, prefetch_factor=8, persistent_workers=True)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=1e-4)
    model = model.to(memory_format=torch.channels_last)
    torch.backends.cudnn.benchmark = True
    budget = a.minutes * 60
    start = time.time()
    step, samples, last_report, last_save = 0, 0, start, start
    losses = []
    warm = 500
    for x, t in loader:
        elapsed = time.time() - start
        if elapsed >= budget:
            break
        frac = elapsed / budget
        lr = a.lr * min(1.0, (step + 1) / warm) * 0.5 * (1 + math.cos(math.pi * frac))
        for g in opt.param_groups:
            g["lr"] = lr
        x = x.to(device, non_blocking=True).to(memory_format=torch.channels_last)
        t = t.to(device, non_blocking=True)
        with torch.autocast(device_type="cuda", dtype=torch.bfloat16, enabled=device == "cuda"):
            y = model(x)
        y = (y.float() + 1) / 2
        loss = torch.sqrt((y - t) ** 2 + 1e-6).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        samples += x.shape[0]
        losses.append(loss.item() if step % 50 == 0 else None)
        now = time.time()
        if now - last_report > 30:
            recent = [l for l in losses[-1000:] if l is not None]
            msg = f"step {step}  {samples / (now - start):.0f} samples/s  loss {np.mean(recent):.5f}  lr {lr:.2e}"
            if a.val256:
                model.eval(); i, m = p256_scores(model, a.val256, device); model.train()
                msg += f"  p256 identity {i:.2f} model {m:.2f}"
            print(msg, flush=True)
            last_report = now
        if now - last_save > 120:
            write_scw(a.out, header, model.scw_tensors(), {"trained": "partly", "trainer.step": str(step)})
            last_save = now
    config = {"by": "scripts/train-teacher-gpu.py", "recipe": "camera", "batchSize": a.batch, "cropSize": a.crop, "learningRate": a.lr,
              "heavyBlurShare": a.heavy_blur_share, "loss": "charbonnier", "seed": a.seed, "seconds": round(time.time() - start),
              "samples": samples, "device": torch.cuda.get_device_name() if device == "cuda" else "cpu"}
    meta = {"trained": "yes", "trainer.step": str(step), "trainer.config": json.dumps(config, sort_keys=True)}
    before = header.get("metadata", {})
    if before.get("trained") == "yes":  # a fine-tuning run: keep what the template went through
        meta["init"] = "fine-tuned from " + os.path.basename(a.template)
        meta["trainer.previous"] = json.dumps({"init": before.get("init"), "step": before.get("trainer.step"),
                                               "config": json.loads(before.get("trainer.config", "{}")),
                                               "previous": json.loads(before.get("trainer.previous", "null"))}, sort_keys=True)
    write_scw(a.out, header, model.scw_tensors(), meta)
    model.eval()
    if a.val256:
        i, m = p256_scores(model, a.val256, device)
        print(f"final p256 (this script's check): identity {i:.2f} model {m:.2f}", flush=True)
    print(f"done: {step} steps, {samples} samples in {time.time() - start:.0f} s -> {a.out}", flush=True)


if __name__ == "__main__":
    main()
