#!/usr/bin/env python3
"""redteam.py BINARY [--out DIR] [--timeout 20] [--json FILE] [--keep]

A reproducible red-team run against a sharpcamd binary: generates families of hostile or
broken inputs (truncated and bit-flipped media, junk, special files, decompression bombs,
playlists and URLs that name other files, network inputs that never answer, bad live-mode
configurations, bad flags) plus valid controls, runs BINARY on each with a timeout and
classifies every outcome:

  clean   exit 1 / 64 (or 130 after our interrupt) with a message whose first line names the
          input, the flag, the config FILE:LINE (or, for output problems, the output), no
          output left behind, input untouched, no stray hidden temporaries;
  crash   killed by a signal we did not send, or "Fatal error" / "Illegal instruction";
  hang    still running 5 s after our SIGINT (file mode) / SIGTERM (live mode);
  silent  exit 0 for a damaged input without a warning naming the damage ("damaged" or
          "missing"), or exit 0 for an input that pulls in other files (playlists, concat);
  ok      exit 0 for a valid input, or for a damaged one with such a warning;
  other   anything else (accepted invalid settings, jobs that needed our SIGINT, output left
          behind after an error, messages that name nothing, ...).

Standard library only; needs ffmpeg (to make the inputs and as the damage oracle). Everything
runs at nice 19 and one case at a time. Exit status: 0 (the run itself worked; read the table).
"""

import argparse
import hashlib
import http.server
import json
import os
import random
import re
import shutil
import signal
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib

FFMPEG = shutil.which("ffmpeg") or "/usr/bin/ffmpeg"

FAMILIES = [
    ("control", "valid inputs (controls)"),
    ("truncation", "1 truncated files"),
    ("bitflip", "2 bit flips"),
    ("junk", "3 junk, empty, special files"),
    ("bomb", "4 decompression bombs"),
    ("names-files", "5 inputs naming other files"),
    ("network", "6 network inputs"),
    ("config", "7 bad live configurations"),
    ("flags", "8 bad flags"),
]
VERDICTS = ["clean", "crash", "hang", "silent", "ok", "other"]

VIDEO_OUTS = [".mp4", ".y4m"]
PICTURE_OUTS = [".png", ".y4m"]

# Live-mode log lines (info and below) are not "the first line" of an error report.
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\S+\s+(trace|debug|info|notice)\s")
HEX_ADDR = re.compile(r"0x[0-9a-fA-F]+")
CRASH_SIGNALS = {signal.SIGILL, signal.SIGTRAP, signal.SIGABRT, signal.SIGBUS, signal.SIGFPE, signal.SIGSEGV}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Cases


class Case:
    """One run of the binary.

    expect: ok (valid control: must succeed), error (must fail cleanly), either (clean error or
    success), damaged (clean error, or success with a damage warning), foreign (must fail: success
    means the output holds other files' content), block (expected to wait: interrupted after 2 s).
    kind: file (file mode, SIGINT) or live (live mode, 3 s then SIGTERM).
    """

    def __init__(self, family, cid, args, expect, names=(), watch=(), kind="file", oracle=None, out=None):
        self.family = family
        self.cid = cid
        self.args = args
        self.expect = expect
        self.names = [n for n in names if n]
        self.watch = list(watch)
        self.kind = kind
        self.oracle = oracle  # (original or None, damaged path, 'trunc'|'flip'|'junk')
        self.out = out  # expected output file name (in the case's output directory) or None


def file_case(family, cid, inp, out_ext, expect, extra=(), oracle=None, names=(), watch=None):
    out = "out" + out_ext
    args = ["--input", inp, "--output", "{out}/" + out, "--quiet"] + list(extra)
    toks = input_tokens(inp) + list(names)
    w = watch if watch is not None else ([inp] if os.path.lexists(inp) else [])
    return Case(family, cid, args, expect, names=toks, watch=w, oracle=oracle, out=out)


def input_tokens(inp):
    toks = [inp, os.path.basename(inp.rstrip("/"))]
    if os.path.lexists(inp):
        toks.append(os.path.realpath(inp))
    return toks


# ---------------------------------------------------------------------------------------------
# Input generation


def ffmpeg(*args, timeout=120):
    # bitexact: no random UIDs or version strings, so every run writes the same bytes.
    cmd = [FFMPEG, "-nostdin", "-hide_banner", "-v", "error", "-y"] + list(args[:-1]) + [
        "-fflags", "+bitexact", "-flags:v", "+bitexact", args[-1]]
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=timeout)
    if r.returncode != 0:
        raise RuntimeError("ffmpeg failed: %s\n%s" % (" ".join(cmd), r.stderr.decode(errors="replace")))


VALID_SPECS = [
    # name, file, w, h, frames, encoder options, class
    ("y4m", "v.y4m", 96, 64, 6, ["-pix_fmt", "yuv420p"], "video"),
    ("mp4", "v.mp4", 160, 120, 10, ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
                                    "-threads", "1", "-g", "4"], "video"),
    ("mp4-faststart", "vfs.mp4", 160, 120, 10, ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
                                                "-threads", "1", "-g", "4", "-movflags", "+faststart"], "video"),
    ("mkv-ffv1", "v.mkv", 128, 96, 6, ["-c:v", "ffv1", "-level", "3", "-slicecrc", "1", "-threads", "1"], "video"),
    ("nut", "v.nut", 96, 64, 6, ["-c:v", "mpeg4", "-q:v", "5", "-threads", "1"], "video"),
    ("png", "p.png", 160, 120, 1, ["-update", "1"], "picture"),
    ("jpg", "p.jpg", 160, 120, 1, ["-q:v", "3", "-update", "1"], "picture"),
    ("gif", "v.gif", 96, 64, 5, [], "video"),
    ("webp", "p.webp", 128, 96, 1, ["-c:v", "libwebp", "-threads", "1"], "picture"),
]


def make_valid(d, notes):
    valid = {}
    for name, fn, w, h, n, opts, cls in VALID_SPECS:
        path = os.path.join(d, fn)
        try:
            ffmpeg("-f", "lavfi", "-i", "testsrc2=size=%dx%d:rate=10" % (w, h), "-frames:v", str(n), *opts, path)
            valid[name] = (path, cls)
        except Exception as e:  # e.g. no libwebp
            notes.append("format %s skipped: ffmpeg could not write it (%s)" % (name, str(e).splitlines()[0]))
    return valid


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return path


def png_chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)


def png_file(w, h, depth, ctype, idat):
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0, 0))
            + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b""))


def png_zero_bomb(w, h):
    """A valid 1-bit grey PNG of w×h black pixels: a few KB that decode to w*h pixels."""
    co = zlib.compressobj(9)
    row = b"\0" * (1 + (w + 7) // 8)
    parts = [co.compress(row) for _ in range(h)]
    parts.append(co.flush())
    return png_file(w, h, 1, 0, b"".join(parts))


def patch_jpeg_size(data, w, h):
    b = bytearray(data)
    for marker in (b"\xff\xc0", b"\xff\xc1", b"\xff\xc2"):
        i = b.find(marker, 2)
        if i > 0:
            b[i + 5:i + 7] = struct.pack(">H", h)
            b[i + 7:i + 9] = struct.pack(">H", w)
            return bytes(b)
    raise RuntimeError("no SOF marker")


def patch_gif_size(data, w, h):
    b = bytearray(data)
    b[6:10] = struct.pack("<HH", w, h)
    pos = 13
    if b[10] & 0x80:
        pos += 3 * (2 << (b[10] & 7))
    while pos < len(b):
        if b[pos] == 0x21:  # extension: label, then sub-blocks
            pos += 2
            while pos < len(b) and b[pos] != 0:
                pos += b[pos] + 1
            pos += 1
        elif b[pos] == 0x2C:
            b[pos + 5:pos + 9] = struct.pack("<HH", w, h)
            break
        else:
            break
    return bytes(b)


def cut_points(size):
    pts = [8, 64] + [int(size * f) for f in (0.1, 0.25, 0.4, 0.5, 0.6, 0.75, 0.9)] + [size - 1]
    out = []
    for p in pts:
        p = max(1, min(size - 1, p))
        while p in out and p < size - 1:
            p += 1
        if p not in out:
            out.append(p)
    return out


def flip(data, n, seed):
    rng = random.Random(seed)
    b = bytearray(data)
    for pos in rng.sample(range(len(b)), min(n, len(b))):
        b[pos] ^= 1 << rng.randrange(8)
    return bytes(b)


class SilentServer:
    """Accepts TCP connections and never says anything."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.conns = []
        threading.Thread(target=self._loop, daemon=True).start()

    def _loop(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(c)

    def close(self):
        for c in self.conns:
            c.close()
        self.sock.close()


class FileServer:
    """A tiny HTTP server serving fixed bodies by path."""

    def __init__(self, routes):
        outer_routes = routes

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = outer_routes.get(self.path.split("?")[0])
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def build_cases(root, notes, servers):
    inp = os.path.join(root, "inputs")
    os.makedirs(inp)
    valid = make_valid(inp, notes)
    cases = []
    outs_for = lambda cls: VIDEO_OUTS if cls == "video" else PICTURE_OUTS

    # Controls.
    for name, (path, cls) in valid.items():
        for ext in outs_for(cls):
            cases.append(file_case("control", "%s->%s" % (name, ext), path, ext, "ok"))
    if "y4m" in valid:
        cases.append(file_case("control", "y4m->.png --frames 1", valid["y4m"][0], ".png", "ok", ["--frames", "1"]))
    if "png" in valid:
        cases.append(file_case("control", "png->.jpg", valid["png"][0], ".jpg", "ok"))
        cases.append(file_case("control", "png->.mp4", valid["png"][0], ".mp4", "ok"))
    if "mp4" in valid:
        cases.append(file_case("control", "mp4->.nut", valid["mp4"][0], ".nut", "ok"))

    # 1. Truncations.
    d = os.path.join(inp, "trunc")
    os.makedirs(d)
    for name, (path, cls) in valid.items():
        data = open(path, "rb").read()
        for i, cut in enumerate(cut_points(len(data))):
            p = write(os.path.join(d, "%s-cut%d%s" % (name, cut, os.path.splitext(path)[1])), data[:cut])
            ext = outs_for(cls)[i % 2]
            cases.append(file_case("truncation", "%s cut at %d/%d ->%s" % (name, cut, len(data), ext), p, ext,
                                   "damaged", oracle=(path, p, "trunc")))

    # 2. Bit flips.
    d = os.path.join(inp, "flip")
    os.makedirs(d)
    for name, (path, cls) in valid.items():
        data = open(path, "rb").read()
        i = 0
        for n in (1, 8, 64):
            for seed in (1, 2, 3):
                p = write(os.path.join(d, "%s-flip%d-s%d%s" % (name, n, seed, os.path.splitext(path)[1])),
                          flip(data, n, "%s/%d/%d" % (name, n, seed)))
                ext = outs_for(cls)[i % 2]
                i += 1
                cases.append(file_case("bitflip", "%s %d flips seed %d ->%s" % (name, n, seed, ext), p, ext,
                                       "damaged", oracle=(path, p, "flip")))

    # 3. Junk, empty, directories, FIFO, unreadable, missing.
    d = os.path.join(inp, "junk")
    os.makedirs(d)
    exts = ["y4m", "mp4", "mov", "mkv", "webm", "avi", "nut", "ts", "flv", "ogv", "m4v", "h264",
            "png", "jpg", "jpeg", "gif", "webp", "bmp", "tiff", "m3u8"]
    rng = random.Random("junk")
    for i, e in enumerate(exts):
        p = write(os.path.join(d, "junk.%s" % e), bytes(rng.getrandbits(8) for _ in range(2048)))
        cases.append(file_case("junk", "random junk .%s" % e, p, VIDEO_OUTS[i % 2], "damaged", oracle=(None, p, "junk")))
    for i, e in enumerate(exts):
        p = write(os.path.join(d, "empty.%s" % e), b"")
        cases.append(file_case("junk", "empty .%s" % e, p, VIDEO_OUTS[i % 2], "error"))
    for name, (path, cls) in valid.items():
        data = open(path, "rb").read()
        head = data[:min(64, len(data) // 4)]
        p = write(os.path.join(d, "headjunk-%s%s" % (name, os.path.splitext(path)[1])),
                  head + bytes(rng.getrandbits(8) for _ in range(4096)))
        cases.append(file_case("junk", "%s header + junk" % name, p, outs_for(cls)[0], "damaged",
                               oracle=(None, p, "junk")))
    for dn in ("dir.mp4", "dir.png", "plain-dir"):
        p = os.path.join(d, dn)
        os.makedirs(p)
        cases.append(file_case("junk", "directory %s" % dn, p, ".mp4", "error"))
    for fn in ("fifo.y4m", "fifo.mp4"):
        p = os.path.join(d, fn)
        os.mkfifo(p)
        c = file_case("junk", "FIFO without writer %s" % fn, p, ".y4m", "block")
        cases.append(c)
    cases.append(file_case("junk", "missing file", os.path.join(d, "no-such-file.mp4"), ".mp4", "error"))
    p = os.path.join(d, "dangling.mp4")
    os.symlink(os.path.join(d, "no-such-target.mp4"), p)
    cases.append(file_case("junk", "dangling symlink", p, ".mp4", "error"))
    cases.append(file_case("junk", "/dev/null", "/dev/null", ".mp4", "error", watch=[]))
    cases.append(file_case("junk", "/dev/zero", "/dev/zero", ".y4m", "block", watch=[]))
    if os.geteuid() == 0:
        notes.append("unreadable file (chmod 000): skipped: running as root, where chmod 000 does not stop reads")
    elif "mp4" in valid:
        p = os.path.join(d, "unreadable.mp4")
        shutil.copy(valid["mp4"][0], p)
        os.chmod(p, 0)
        cases.append(file_case("junk", "unreadable (chmod 000)", p, ".mp4", "error"))

    # 4. Decompression bombs.
    d = os.path.join(inp, "bomb")
    os.makedirs(d)
    tiny_idat = zlib.compress(b"\0" * 64)
    bombs = [
        ("png 16000x16000 header, tiny data", "h16k.png", png_file(16000, 16000, 8, 2, tiny_idat), "damaged"),
        ("png 20000x12000 header, tiny data", "h20k.png", png_file(20000, 12000, 8, 6, tiny_idat), "damaged"),
        ("png 16000x16000 1-bit zlib bomb (valid)", "z16k.png", png_zero_bomb(16000, 16000), "either"),
        ("png 65535x65535 1-bit zlib bomb (valid)", "z64k.png", png_zero_bomb(65535, 65535), "either"),
        ("y4m 16000x16000, short frame", "h16k.y4m",
         b"YUV4MPEG2 W16000 H16000 F25:1 Ip A1:1 C420jpeg\nFRAME\n" + b"\x80" * 1000, "damaged"),
        ("y4m 20000x12000 4:4:4, FRAME only", "h20k.y4m", b"YUV4MPEG2 W20000 H12000 F25:1 Ip A1:1 C444\nFRAME\n",
         "damaged"),
        ("y4m W/H 2^32-1", "hmax.y4m", b"YUV4MPEG2 W4294967295 H4294967295 F25:1 C420jpeg\nFRAME\n" + b"\0" * 100,
         "damaged"),
        ("y4m W0 H0", "h0.y4m", b"YUV4MPEG2 W0 H0 F25:1 C420jpeg\nFRAME\n", "damaged"),
        ("y4m W-96 H64", "hneg.y4m", b"YUV4MPEG2 W-96 H64 F25:1 C420jpeg\nFRAME\n" + b"\0" * 9216, "damaged"),
    ]
    if "jpg" in valid:
        j = open(valid["jpg"][0], "rb").read()
        bombs.append(("jpg SOF 16000x16000", "h16k.jpg", patch_jpeg_size(j, 16000, 16000), "damaged"))
        bombs.append(("jpg SOF 20000x12000", "h20k.jpg", patch_jpeg_size(j, 20000, 12000), "damaged"))
    if "gif" in valid:
        g = open(valid["gif"][0], "rb").read()
        bombs.append(("gif 65535x65535 screen and image", "h64k.gif", patch_gif_size(g, 65535, 65535), "damaged"))
    for title, fn, data, expect in bombs:
        p = write(os.path.join(d, fn), data)
        ext = ".png" if fn.endswith((".png", ".jpg")) else ".y4m"
        cases.append(file_case("bomb", title, p, ext, expect, oracle=(None, p, "junk")))
    p = os.path.join(d, "big9000x5000.png")
    ffmpeg("-f", "lavfi", "-i", "color=c=gray:s=9000x5000", "-frames:v", "1", "-update", "1", p)
    cases.append(file_case("bomb", "png 9000x5000 one colour (valid, 45 MP)", p, ".png", "either"))

    # 5. Files and URLs that name other files.
    d = os.path.join(inp, "names")
    os.makedirs(d)
    seg = os.path.join(d, "seg0.ts")
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=96x64:rate=10", "-frames:v", "5", "-c:v", "libx264", "-preset",
           "veryfast", "-threads", "1", "-pix_fmt", "yuv420p", seg)
    secret = os.path.join(d, "secret.mp4")
    if "mp4" in valid:
        shutil.copy(valid["mp4"][0], secret)
    else:
        ffmpeg("-f", "lavfi", "-i", "testsrc=size=96x64:rate=10", "-frames:v", "5", secret)
    hls = ("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:0\n"
           "#EXTINF:0.5,\n%s\n#EXT-X-ENDLIST\n")
    concat = "ffconcat version 1.0\nfile 'secret.mp4'\nfile 'secret.mp4'\n"
    related = [seg, secret]
    named = [
        ("HLS playlist .m3u8", "hls.m3u8", hls % "seg0.ts"),
        ("HLS playlist saved as .mp4", "hls-as.mp4", hls % "seg0.ts"),
        ("HLS playlist saved as .mkv", "hls-as.mkv", hls % "seg0.ts"),
        ("HLS playlist, absolute segment path, .m3u8", "hls-abs.m3u8", hls % seg),
        ("HLS playlist, file:// segment, saved as .mp4", "hls-fileurl.mp4", hls % ("file://" + seg)),
        ("ffconcat list saved as .mp4", "concat-as.mp4", concat),
        ("ffconcat list saved as .mkv", "concat-as.mkv", concat),
        ("ffconcat list .ffconcat", "list.ffconcat", concat),
        ("ffconcat list saved as .y4m", "concat-as.y4m", concat),
    ]
    paths = {}
    for title, fn, text in named:
        p = write(os.path.join(d, fn), text.encode())
        paths[fn] = p
        cases.append(file_case("names-files", title, p, ".mp4", "foreign", watch=[p] + related))
    w = [secret, seg]
    cases.append(file_case("names-files", "concat: URL", "concat:%s|%s" % (secret, secret), ".mp4", "foreign",
                           watch=w, names=[secret]))
    cases.append(file_case("names-files", "file:// URL to HLS playlist", "file://" + paths["hls.m3u8"], ".mp4",
                           "foreign", watch=w + [paths["hls.m3u8"]], names=[paths["hls.m3u8"]]))
    cases.append(file_case("names-files", "file:// URL to ffconcat list", "file://" + paths["concat-as.mp4"], ".mp4",
                           "foreign", watch=w + [paths["concat-as.mp4"]], names=[paths["concat-as.mp4"]]))
    cases.append(file_case("names-files", "file:// URL to a plain video", "file://" + secret, ".mp4", "either",
                           watch=w, names=[secret]))
    cases.append(file_case("names-files", "subfile, URL", "subfile,,start,0,end,0,,:" + secret, ".mp4", "foreign",
                           watch=w, names=[secret]))

    # 6. Network.
    silent = SilentServer()
    servers.append(silent)
    routes = {
        "/v.mp4": open(secret, "rb").read(),
        "/junk.mp4": bytes(random.Random("httpjunk").getrandbits(8) for _ in range(4096)),
        "/local.m3u8": (hls % ("file://" + seg)).encode(),
    }
    fs = FileServer(routes)
    servers.append(fs)
    cp = closed_port()
    sp = silent.port
    net = [
        ("http, closed port", "http://127.0.0.1:%d/clip.mp4" % cp, "error"),
        ("http, closed port, .m3u8", "http://127.0.0.1:%d/live.m3u8" % cp, "error"),
        ("http, server never answers", "http://127.0.0.1:%d/clip.mp4" % sp, "block"),
        ("https, server never answers", "https://127.0.0.1:%d/clip.mp4" % sp, "block"),
        ("rtsp, server never answers", "rtsp://127.0.0.1:%d/cam" % sp, "block"),
        ("tcp://, server never answers", "tcp://127.0.0.1:%d" % sp, "block"),
        ("ftp://, closed port", "ftp://127.0.0.1:%d/clip.mp4" % cp, "error"),
        ("http, valid mp4 (control)", "http://127.0.0.1:%d/v.mp4" % fs.port, "ok"),
        ("http, junk body", "http://127.0.0.1:%d/junk.mp4" % fs.port, "damaged"),
        ("http, 404", "http://127.0.0.1:%d/missing.mp4" % fs.port, "error"),
        ("http, HLS playlist naming a local file:// segment", "http://127.0.0.1:%d/local.m3u8" % fs.port, "foreign"),
    ]
    for title, url, expect in net:
        oracle = (None, None, "junk") if expect == "damaged" else None
        cases.append(file_case("network", title, url, ".mp4", expect, watch=[seg] if "m3u8" in url else [],
                               oracle=oracle))

    # 7. Live-mode configurations.
    d = os.path.join(inp, "conf")
    os.makedirs(d)
    base = [("size", "320x240"), ("mode", "classic"), ("fps", "15")]

    def conf(fn, key=None, value=None, crlf=False, raw=None):
        # raw: an extra last line (bytes)
        lines = ["# red-team configuration"] + ["%s = %s" % kv for kv in base]
        line = None
        if key is not None:
            keys = [k for k, _ in base]
            if key in keys:
                line = keys.index(key) + 2
                lines[line - 1] = "%s = %s" % (key, value)
            else:
                lines.append("%s = %s" % (key, value))
                line = len(lines)
        eol = b"\r\n" if crlf else b"\n"
        blines = [l.encode() for l in lines]
        if raw is not None:
            blines.append(raw)
            line = len(blines)
        p = write(os.path.join(d, fn), eol.join(blines) + eol)
        return p, line

    def live(cid, path, line, expect, extra=(), names=()):
        toks = list(names)
        if line is not None:
            toks += ["%s:%d" % (path, line), "%s:%d" % (os.path.basename(path), line)]
        args = ["--config", path, "--input", "demo", "--output", "null"] + list(extra)
        return Case("config", cid, args, expect, names=toks, watch=[path] if os.path.exists(path) else [],
                    kind="live")

    p, _ = conf("good.conf")
    good_conf = p
    cases.append(live("good config (control)", p, None, "ok"))
    p, _ = conf("good-crlf.conf", crlf=True)
    cases.append(live("good config, CRLF line endings (control)", p, None, "ok"))
    bad = [("fps", v) for v in ("nan", "inf", "-1", "0", "1e19")]
    bad += [("radius", v) for v in ("0", "nan", "1e9")]
    bad += [("idle-fps", "nan")]
    bad += [("stats-interval", v) for v in ("nan", "inf", "1e-300")]
    bad += [("stall-timeout", "nan"), ("strength", "2"), ("size", "641x480"), ("size", "0x0")]
    bad += [("threads", v) for v in ("0", "1e30")]
    bad += [("amount", "nan"), ("mode", "turbo"), ("fps", "30 fps"), ("precision", "fp8"), ("format", "rgb24"),
            ("size", "99999x99999"), ("on-demand", "maybe"), ("strength", "-0.5")]
    for i, (k, v) in enumerate(bad):
        p, line = conf("bad%02d.conf" % i, k, v)
        cases.append(live("%s = %s" % (k, v), p, line, "error"))
    for k, v in (("fps", "nan"), ("radius", "nan"), ("size", "641x480")):
        p, line = conf("bad-crlf-%s.conf" % k, k, v, crlf=True)
        cases.append(live("%s = %s (CRLF)" % (k, v), p, line, "error"))
    p, line = conf("noeq.conf", raw=b"fps 30")
    cases.append(live("line without '='", p, line, "error"))
    p, line = conf("nul.conf", raw=b"fps = 3\x000")
    cases.append(live("NUL byte in a value (fps = 3<NUL>0)", p, line, "error"))
    p, line = conf("latin1.conf", raw=b"# caf\xe9\nfps = 3\xff0")
    cases.append(live("invalid UTF-8", p, None, "error", names=[p, os.path.basename(p)]))
    missing = os.path.join(d, "missing.conf")
    cases.append(live("missing config file", missing, None, "error", names=[missing, "missing.conf"]))
    cases.append(live("config is a directory", d, None, "error", names=[d, os.path.basename(d)]))

    # 8. Bad flags.
    y4m = valid.get("y4m", (None,))[0] or next(iter(valid.values()))[0]

    def flagcase(cid, flag, extra, expect="error", inp=y4m, ext=".y4m", names=()):
        return file_case("flags", cid, inp, ext, expect, extra, names=[flag, flag.lstrip("-")] + list(names))

    cases += [
        flagcase("--radius nan", "--radius", ["--mode", "classic", "--radius", "nan"]),
        flagcase("--radius 0", "--radius", ["--mode", "classic", "--radius", "0"]),
        flagcase("--radius inf", "--radius", ["--mode", "classic", "--radius", "inf"]),
        flagcase("--amount nan", "--amount", ["--mode", "classic", "--amount", "nan"]),
        flagcase("--strength nan", "--strength", ["--strength", "nan"]),
        flagcase("--strength 2", "--strength", ["--strength", "2"]),
        flagcase("--size 0x10", "--size", ["--size", "0x10"]),
        flagcase("--size 99999x99999 (scaling bomb)", "--size", ["--size", "99999x99999"]),
        flagcase("--threads 0", "--threads", ["--threads", "0"]),
        flagcase("--threads 1e30", "--threads", ["--threads", "1e30"]),
        flagcase("--frames=-1", "--frames", ["--frames=-1"]),
        flagcase("--size=-2x-2", "--size", ["--size=-2x-2"]),
        flagcase("--max-pixels 0", "--max-pixels", ["--max-pixels", "0"]),
        flagcase("--mode turbo", "--mode", ["--mode", "turbo"]),
        flagcase("--codec vp9", "--codec", ["--codec", "vp9"], ext=".mp4"),
    ]
    nosuch = os.path.join(inp, "no-such-model.scw")
    junkmodel = write(os.path.join(inp, "junk.scw"), bytes(random.Random("scw").getrandbits(8) for _ in range(4096)))
    cases.append(flagcase("--model missing file", "--model", ["--model", nosuch], names=[nosuch, "no-such-model.scw"]))
    c = flagcase("--model junk file", "--model", ["--model", junkmodel], names=[junkmodel, "junk.scw"])
    c.watch.append(junkmodel)
    cases.append(c)
    wide = os.path.join(inp, "wide9000x16.png")
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=9000x16", "-frames:v", "1", "-update", "1", wide)
    for ext in (".png", ".mp4"):
        cases.append(flagcase("--side-by-side, 9000-pixel-wide input ->%s" % ext, "--side-by-side",
                              ["--side-by-side"], expect="either", inp=wide, ext=ext, names=["out" + ext]))
    c = file_case("flags", "--output in a missing directory", y4m, ".y4m", "error",
                  names=["/no-such-dir/out.y4m", "no-such-dir"])
    c.args[3] = "/no-such-dir/out.y4m"
    cases.append(c)
    cases.append(file_case("flags", "--output with unknown extension .xyz", y4m, ".xyz", "error", names=["out.xyz"]))
    c = Case("flags", "--fps nan (live)", ["--config", good_conf, "--input", "demo", "--output", "null", "--fps",
                                            "nan"], "error", names=["--fps", "fps"], watch=[good_conf], kind="live")
    cases.append(c)
    return cases


# ---------------------------------------------------------------------------------------------
# Running and classifying


def snapshot(paths):
    snap = {}
    for p in paths:
        try:
            st = os.lstat(p)
        except OSError:
            snap[p] = None
            continue
        if stat.S_ISREG(st.st_mode):
            h = hashlib.sha1()
            with open(p, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
            snap[p] = (st.st_size, st.st_mtime_ns, h.hexdigest(), st.st_mode)
        elif stat.S_ISDIR(st.st_mode):
            snap[p] = ("dir", st.st_mtime_ns, tuple(sorted(os.listdir(p))), st.st_mode)
        else:
            snap[p] = ("special", st.st_mtime_ns, st.st_mode)
    return snap


def rss_bytes(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def first_line(text):
    for line in text.splitlines():
        s = line.strip()
        if s and not LOG_LINE.match(s):
            return s
    return ""


def key_line(text):
    """The line that says most: a fatal error or assertion, else the first line."""
    lines = [l.strip() for l in text.splitlines()]
    for pat in ("Fatal error", "Assertion", "Illegal instruction"):
        for l in lines:
            if pat in l:
                return l
    crashed = [l.strip("* ") for l in lines if l.startswith("*** ") and not l.startswith("*** Signal")]
    if crashed:
        # The first frame in SharpCam's sources on the crashed thread's backtrace.
        start = next((i for i, l in enumerate(lines) if re.match(r"Thread \d+.* crashed:", l)), 0)
        frame = [re.sub(r"^.*?0x[0-9a-fA-F]+\s+", "", l) for l in lines[start:] if "/Sources/" in l]
        return crashed[0] + (" | " + frame[0] if frame else "")
    return first_line(text)


def signame(n):
    try:
        return signal.Signals(n).name
    except ValueError:
        return "signal %d" % n


class Oracle:
    """What ffmpeg itself makes of a (damaged) input: its frames' MD5s and its complaints."""

    def __init__(self):
        self.cache = {}

    def decode(self, path):
        if path in self.cache:
            return self.cache[path]
        cmd = [FFMPEG, "-nostdin", "-hide_banner", "-v", "warning", "-i", path, "-an", "-sn", "-dn",
               "-f", "framemd5", "-"]
        try:
            r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
            md5s = [l.split(",")[-1].strip() for l in r.stdout.decode(errors="replace").splitlines()
                    if l and not l.startswith("#")]
            complaints = {HEX_ADDR.sub("", l).strip() for l in r.stderr.decode(errors="replace").splitlines()
                          if l.strip() and "Last message repeated" not in l}
            res = (r.returncode, md5s, complaints)
        except subprocess.TimeoutExpired:
            res = (-1, [], {"timeout"})
        self.cache[path] = res
        return res

    def verdict(self, oracle):
        """(verdict, detail): invisible (decodes to the original's frames), undetectable (a bit
        flip ffmpeg decodes without any complaint to as many frames), or detectable."""
        orig, damaged, kind = oracle
        if damaged is None:
            return "detectable", "not a valid file"
        if orig is None:  # junk, or a valid header followed by junk
            drc, dmd5, dcomp = self.decode(damaged)
            if drc == 0 and dmd5 and not dcomp:
                return "undetectable", "ffmpeg decodes it to %d frame(s) without a complaint" % len(dmd5)
            return "detectable", "ffmpeg: exit %d, %d frame(s)%s" % (
                drc, len(dmd5), "; " + sorted(dcomp)[0][:120] if dcomp else "")
        orc, omd5, ocomp = self.decode(orig)
        drc, dmd5, dcomp = self.decode(damaged)
        # Complaints that name the damage first (CRC, error, premature end ...), then the rest.
        severe = ("crc", "error", "corrupt", "damaged", "fail", "premature", "missing", "invalid data")
        new = sorted(dcomp - ocomp, key=lambda l: (not any(k in l.lower() for k in severe), l))
        if drc == 0 and dmd5 == omd5 and dmd5:
            return "invisible", "ffmpeg decodes the original's %d frames" % len(dmd5)
        if kind == "flip" and drc == 0 and len(dmd5) == len(omd5) and not new:
            return "undetectable", "ffmpeg decodes %d frames, %d changed, without a complaint" % (
                len(dmd5), sum(1 for a, b in zip(dmd5, omd5) if a != b))
        detail = "ffmpeg decodes %d of %d frames%s" % (len(dmd5), len(omd5), " (exit %d)" % drc if drc else "")
        if new:
            detail += "; ffmpeg says: %s" % new[0][:120]
        return "detectable", detail


class Runner:
    def __init__(self, binary, root, timeout, mem_limit, keep):
        self.binary = binary
        self.root = root
        self.timeout = timeout
        self.mem_limit = mem_limit
        self.keep = keep
        self.oracle = Oracle()
        self.home = os.path.join(root, "home")
        os.makedirs(os.path.join(self.home, ".config"), exist_ok=True)
        self.env = dict(os.environ)
        self.env.update(HOME=self.home, XDG_CONFIG_HOME=os.path.join(self.home, ".config"))
        self.env.pop("SHARPCAM_ISA", None)
        self.n = 0
        self.current = None

    def run(self, case):
        self.n += 1
        outdir = os.path.join(self.root, "runs", "%03d" % self.n)
        os.makedirs(outdir)
        argv = [self.binary] + [a.replace("{out}", outdir) for a in case.args]
        before = snapshot(case.watch)
        errpath = os.path.join(self.root, "logs", "%03d.stderr" % self.n)
        os.makedirs(os.path.dirname(errpath), exist_ok=True)
        live = case.kind == "live"
        block = live or case.expect == "block"
        stop_sig = signal.SIGTERM if live else signal.SIGINT
        first_deadline = (3.0 if live else 2.0) if block else float(self.timeout)
        sent = None
        hang = False
        mem_killed = 0
        peak = 0
        t0 = time.monotonic()
        with open(errpath, "wb") as err:
            p = subprocess.Popen(argv, cwd=outdir, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                 env=self.env, start_new_session=True)
            self.current = p
            try:
                while True:
                    if p.poll() is not None:
                        break
                    now = time.monotonic() - t0
                    rss = rss_bytes(p.pid)
                    peak = max(peak, rss)
                    if rss > self.mem_limit:
                        mem_killed = rss
                        p.kill()
                        p.wait()
                        break
                    if sent is None and now >= first_deadline:
                        p.send_signal(stop_sig)
                        sent = (stop_sig, now)
                    elif sent is not None and now >= sent[1] + 5.0:
                        p.kill()
                        p.wait()
                        hang = True
                        break
                    time.sleep(0.02 if now < 1 else 0.05)
            finally:
                if p.poll() is None:
                    p.kill()
                    p.wait()
                self.current = None
        elapsed = time.monotonic() - t0
        stderr = open(errpath, "rb").read().decode(errors="replace")
        after = snapshot(case.watch)
        entries = sorted(os.listdir(outdir))
        res = dict(family=case.family, case=case.cid, argv=argv, rc=p.returncode, seconds=round(elapsed, 2),
                   signal_sent=signame(sent[0]) if sent else None,
                   signal_sent_at=round(sent[1], 2) if sent else None, peak_rss_mb=peak // (1 << 20),
                   stderr_first_line=first_line(stderr), key_line=key_line(stderr),
                   stderr=stderr if len(stderr) <= 6000 else stderr[:3000] + "\n[...]\n" + stderr[-2000:],
                   outputs=entries)
        verdict, reason = self.classify(case, p.returncode, sent, hang, mem_killed, stderr, outdir, entries,
                                        before, after)
        if verdict == "crash" and not live and not any(
                k in stderr for k in ("Assertion", "Fatal error", "runtime failure")):
            # FFmpeg's own assertion messages are silenced by sharpcamd; ask once more for them.
            why = self.ffmpeg_assertion(argv, outdir)
            if why:
                reason += "; with SHARPCAM_FFMPEG_LOG=error: " + why
        res.update(verdict=verdict, reason=reason)
        if not self.keep:
            shutil.rmtree(outdir, ignore_errors=True)
        return res

    def ffmpeg_assertion(self, argv, outdir):
        again = outdir + "-again"
        os.makedirs(again)
        env = dict(self.env, SHARPCAM_FFMPEG_LOG="error", SWIFT_BACKTRACE="enable=no")
        argv = [a.replace(outdir, again) for a in argv]
        try:
            r = subprocess.run(argv, cwd=again, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, env=env, timeout=min(self.timeout, 10))
            lines = r.stderr.decode(errors="replace").splitlines()
        except subprocess.TimeoutExpired:
            lines = []
        shutil.rmtree(again, ignore_errors=True)
        for l in lines:
            if "Assertion" in l or "Fatal error" in l:
                return l.strip()
        return ""

    def classify(self, case, rc, sent, hang, mem_killed, stderr, outdir, entries, before, after):
        live = case.kind == "live"
        fl = first_line(stderr)
        if hang:
            return "hang", "still running 5 s after %s (sent at %.0f s); killed" % (signame(sent[0]), sent[1])
        if mem_killed:
            return "other", "resident memory above %d MiB (%d MiB): killed" % (
                self.mem_limit >> 20, mem_killed >> 20)
        died_of = -rc if rc < 0 else None
        ours = sent is not None and died_of == sent[0]
        if died_of is not None and not ours:
            return "crash", "killed by %s" % signame(died_of)
        if rc in [128 + s for s in CRASH_SIGNALS]:
            return "crash", "exit status %d (%s)" % (rc, signame(rc - 128))
        if "Fatal error" in stderr or "Illegal instruction" in stderr:
            return "crash", "stderr reports a fatal error (exit status %d)" % rc

        problems = []
        changed = [p for p in before if before[p] != after.get(p)]
        if changed:
            problems.append("input modified: %s" % ", ".join(changed))
        hidden = [e for e in entries if e.startswith(".")]
        stray = [e for e in hidden if ".sharpcam-" in e] + [e for e in entries if e.endswith(".partial")]
        if stray or hidden:
            problems.append("stray temporary files: %s" % ", ".join(sorted(set(stray + hidden))))
        block = live or case.expect == "block"
        if sent is not None and not block:
            return "other", "did not finish within %d s; %s after SIGINT" % (
                self.timeout, "exit status %d" % rc if rc >= 0 else "died of " + signame(-rc))

        if rc == 0:
            if problems:
                return "other", "exit 0 but " + "; ".join(problems)
            if live:
                if sent is None:
                    return "other", "exited 0 on its own before SIGTERM (live mode must run)"
                if case.expect in ("ok", "either"):
                    return "ok", "ran until SIGTERM, exit 0"
                return "other", "accepted the bad setting: ran until SIGTERM, exit 0"
            if case.expect == "block":
                return "other", "exit 0 for an input that should block or fail"
            outs = [e for e in entries if not e.startswith(".")]
            extra = [e for e in outs if e != case.out]
            outpath = os.path.join(outdir, case.out) if case.out else None
            if case.expect == "foreign":
                return "silent", "exit 0: the output holds content of the files it names"
            if case.expect == "error":
                return "other", "accepted (exit 0) where an error was expected"
            if outpath and (not os.path.isfile(outpath) or os.path.getsize(outpath) == 0):
                return "other", "exit 0 but no (or an empty) output %s" % case.out
            if extra:
                return "other", "exit 0 but extra files left: %s" % ", ".join(extra)
            if case.expect in ("ok", "either"):
                return "ok", "exit 0"
            # damaged
            low = stderr.lower()
            if "damaged" in low or "missing" in low:
                return "ok", "exit 0 with a damage warning"
            v, detail = self.oracle.verdict(case.oracle) if case.oracle else ("detectable", "")
            if v == "invisible":
                return "ok", "exit 0, no warning; the damage does not change the decoded frames (%s)" % detail
            if v == "undetectable":
                return "ok", "exit 0, no warning; undetectable damage (%s)" % detail
            return "silent", "exit 0 without a damage warning (%s)" % detail

        interrupted = sent is not None and (rc == 130 or ours)
        if rc in (1, 64) or interrupted:
            if live and sent is not None:
                if case.expect in ("ok", "either"):
                    return "other", "ran until SIGTERM but then %s instead of exit 0" % (
                        "died of " + signame(-rc) if rc < 0 else "exit status %d" % rc)
                return "other", "still running after 3 s (accepted the setting?), then %s after SIGTERM" % (
                    "died of " + signame(-rc) if rc < 0 else "exit status %d" % rc)
            if ours:
                fl_ok = True  # died of our SIGINT: the Unix default for an interrupted job
            elif not stderr.strip():
                return "other", "exit status %d with nothing on stderr" % rc
            else:
                low = fl.lower()
                fl_ok = any(t.lower() in low for t in case.names) or (interrupted and "interrupt" in low)
            outs = [e for e in entries if not e.startswith(".")]
            if outs:
                problems.append("output left behind: %s" % ", ".join(outs))
            if problems:
                return "other", "exit status %d but %s" % (rc, "; ".join(problems))
            if case.expect == "ok":
                return "other", "valid input refused (exit status %d)" % rc
            if not fl_ok:
                return "other", "first stderr line names neither the input, the flag nor the config line"
            return "clean", "exit status %d%s" % (rc, " after %s" % signame(sent[0]) if sent else "")
        return "other", "exit status %d" % rc


# ---------------------------------------------------------------------------------------------
# Report


def table(results):
    rows = []
    head = "%-28s %6s %6s %6s %6s %7s %6s %6s" % ("family", "tried", "clean", "crash", "hang", "silent", "ok", "other")
    rows.append(head)
    rows.append("-" * len(head))
    total = dict.fromkeys(VERDICTS, 0)
    total_n = 0
    for fam, title in FAMILIES:
        rs = [r for r in results if r["family"] == fam]
        if not rs:
            continue
        c = {v: sum(1 for r in rs if r["verdict"] == v) for v in VERDICTS}
        for v in VERDICTS:
            total[v] += c[v]
        total_n += len(rs)
        rows.append("%-28s %6d %6d %6d %6d %7d %6d %6d" % (title, len(rs), *[c[v] for v in VERDICTS]))
    rows.append("-" * len(head))
    rows.append("%-28s %6d %6d %6d %6d %7d %6d %6d" % ("total", total_n, *[total[v] for v in VERDICTS]))
    return "\n".join(rows), total, total_n


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("binary")
    ap.add_argument("--out", help="folder for the generated inputs (default: a temporary folder)")
    ap.add_argument("--timeout", type=float, default=20, help="seconds before SIGINT (default 20)")
    ap.add_argument("--json", help="write every case's result here")
    ap.add_argument("--keep", action="store_true", help="keep the generated inputs, outputs and logs")
    ap.add_argument("--mem-limit-mb", type=int, default=6144,
                    help="kill a run whose resident memory exceeds this (counted as 'other'; default 6144)")
    ap.add_argument("--only", help="run only these families (comma-separated: %s)" % ",".join(f for f, _ in FAMILIES))
    ap.add_argument("-v", "--verbose", action="store_true", help="one progress line per case")
    a = ap.parse_args()

    try:
        os.setpriority(os.PRIO_PROCESS, 0, 19)
    except OSError:
        pass
    binary = os.path.abspath(a.binary)
    if not os.access(binary, os.X_OK):
        sys.exit("redteam: %s: not an executable" % a.binary)
    if a.out:
        os.makedirs(a.out, exist_ok=True)
        root = tempfile.mkdtemp(prefix="redteam.", dir=os.path.abspath(a.out))
    else:
        root = tempfile.mkdtemp(prefix="sharpcam-redteam.")
    notes = []
    servers = []
    start = time.monotonic()
    runner = None
    results = []
    try:
        log("redteam: generating inputs in %s" % root)
        cases = build_cases(root, notes, servers)
        if a.only:
            keep = set(a.only.split(","))
            cases = [c for c in cases if c.family in keep]
        log("redteam: %d cases against %s (timeout %g s)" % (len(cases), binary, a.timeout))
        runner = Runner(binary, root, a.timeout, a.mem_limit_mb << 20, a.keep)
        fam = None
        for i, c in enumerate(cases):
            if c.family != fam:
                fam = c.family
                log("redteam: family %s" % fam)
            r = runner.run(c)
            results.append(r)
            if a.verbose or r["verdict"] not in ("clean", "ok"):
                log("  [%d/%d] %-6s %s: %s (%.1f s) | %s" % (i + 1, len(cases), r["verdict"], c.cid, r["reason"],
                                                          r["seconds"], r["key_line"][:160]))
    except KeyboardInterrupt:
        if runner and runner.current and runner.current.poll() is None:
            runner.current.kill()
            runner.current.wait()
        log("redteam: interrupted; partial results follow")
    finally:
        for s in servers:
            try:
                s.close()
            except Exception:
                pass
    elapsed = time.monotonic() - start

    text, total, total_n = table(results)
    print("sharpcamd red-team run: %s" % binary)
    print(text)
    print("run time: %.0f s (%d cases)" % (elapsed, total_n))
    bad = [r for r in results if r["verdict"] not in ("clean", "ok")]
    if bad:
        print("\nnon-clean cases:")
        for r in bad:
            print("  %-6s [%s] %s: %s (rc %s, %.1f s)\n         stderr: %s" % (
                r["verdict"], r["family"], r["case"], r["reason"], r["rc"], r["seconds"],
                r["key_line"][:200] or "(empty)"))
    quiet_ok = [r for r in results if r["verdict"] == "ok" and "no warning" in r["reason"]]
    if quiet_ok:
        inv = sum(1 for r in quiet_ok if "does not change" in r["reason"])
        notes.append("'ok' includes %d damaged inputs accepted without a warning whose damage ffmpeg cannot see either "
                     "(%d decode to the original's frames; %d decode without any complaint from ffmpeg to as many "
                     "frames: flips in raw y4m pixels or entropy-coded data, junk after a valid header)"
                     % (len(quiet_ok), inv, len(quiet_ok) - inv))
    warned = sum(1 for r in results if r["reason"] == "exit 0 with a damage warning")
    if warned:
        notes.append("'ok' includes %d damaged inputs that succeeded with a damage warning" % warned)
    big = [r for r in results if r["peak_rss_mb"] >= 1024]
    for r in big:
        notes.append("peak resident memory %d MiB: [%s] %s (%s, %.1f s)" % (
            r["peak_rss_mb"], r["family"], r["case"], r["verdict"], r["seconds"]))
    if notes:
        print("\nnotes:")
        for n in notes:
            print("  - " + n)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(dict(binary=binary, timeout=a.timeout, seconds=round(elapsed, 1), totals=dict(total, tried=total_n),
                           notes=notes, cases=results), f, indent=1)
    if not a.keep:
        for s in ("runs", "logs", "inputs", "home"):
            p = os.path.join(root, s)
            if os.path.isdir(p):
                for dp, dns, fns in os.walk(p):
                    for dn in dns:
                        try:
                            os.chmod(os.path.join(dp, dn), 0o700)
                        except OSError:
                            pass
                shutil.rmtree(p, ignore_errors=True)
        try:
            os.rmdir(root)
        except OSError:
            pass
    else:
        print("\nkept: %s" % root)


if __name__ == "__main__":
    main()
