#!/usr/bin/env python3
"""The web console in a real browser (issue 18): Debian's chromium, headless, driven by
Selenium through chromium-driver, against `sharpcamd --input demo --output null --web`.

usage: console_browser_test.py SHARPCAMD OUTDIR

Checks that the live view changes over time, that moving the strength slider (keyboard, as a
user does) changes the daemon's strength (read back with `sharpcamd ctl status --json`), that
a picture uploads, is sharpened, scored against a reference and downloads as a PNG of the same
size. Keeps OUTDIR/web-console.png (a screenshot) and OUTDIR/daemon.log. Exit status 0: pass.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

import cv2
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys


def fail(msg):
    print(f"console_browser_test: FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def wait(what, condition, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            value = condition()
            if value:
                return value
        except Exception:  # the page may not be ready yet
            pass
        time.sleep(0.2)
    fail(f"timed out after {seconds} s waiting for {what}")


def main():
    binary, out = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    os.makedirs(out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="sharpcam-browser.")
    control = os.path.join(work, "control")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(os.path.join(out, "daemon.log"), "w")
    env = dict(os.environ, XDG_CONFIG_HOME=os.path.join(work, "config"))
    daemon = subprocess.Popen([binary, "--input", "demo", "--output", "null", "--control", control,
                               "--web", f"127.0.0.1:{port}"], stdout=log, stderr=log, env=env)
    driver = None
    try:
        def ctl(*args):
            r = subprocess.run([binary, "ctl", *args, "--socket", control], capture_output=True, text=True)
            return r.stdout.strip() if r.returncode == 0 else None
        url = wait("the daemon's console address (sharpcamd ctl web)", lambda: ctl("web"))
        print(f"console_browser_test: {url.split('?')[0]}", file=sys.stderr)

        options = webdriver.ChromeOptions()
        for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--window-size=1400,1000"]:
            options.add_argument(a)
        options.binary_location = "/usr/bin/chromium"
        options.add_experimental_option("prefs", {"download.default_directory": work,
                                                  "download.prompt_for_download": False})
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": work})
        driver.get(url)

        # The live view changes over time.
        live = driver.find_element(By.ID, "live")
        wait("three live frames", lambda: int(live.get_attribute("data-frames") or 0) >= 3)
        first = live.screenshot_as_png
        n = int(live.get_attribute("data-frames"))
        wait("more live frames", lambda: int(live.get_attribute("data-frames")) >= n + 5)
        second = live.screenshot_as_png
        if first == second:
            fail("the live view did not change over time")
        # The newest frame may still be decoding (naturalWidth 0 until it has loaded).
        size = wait("a decoded live frame", lambda: (lambda s: s if s[0] > 0 else None)(driver.execute_script(
            "const i = document.getElementById('live'); return [i.naturalWidth, i.naturalHeight];")))
        if size[0] != 640:
            fail(f"live view is {size}, expected 640 px wide")
        print(f"console_browser_test: live view {size[0]}x{size[1]}, {live.get_attribute('data-frames')} frames",
              file=sys.stderr)

        # The slider: 8 steps left with the keyboard (1.0 → 0.6); the daemon follows. Half the
        # presses come quickly, half slowly: pauses longer than the page's 80 ms debounce that span
        # its 1 s status refresh, so a refresh or a confirmation that lands between two presses
        # must not move the slider back (a slow CI machine did that: 0.75 instead of 0.6).
        wait("the status panel", lambda: driver.find_element(By.ID, "status").text.strip())
        slider = driver.find_element(By.ID, "strength")
        slider.click()
        slider.send_keys(Keys.END)
        for i in range(8):
            slider.send_keys(Keys.ARROW_LEFT)
            time.sleep(0.3 if i % 2 else 0.0)
        want = float(slider.get_attribute("value"))
        if abs(want - 0.6) > 1e-6:
            fail(f"slider value {want}, expected 0.6")
        strength = wait("the daemon's strength to become 0.6",
                        lambda: abs(json.loads(ctl("status", "--json"))["strength"] - 0.6) < 1e-6 and 0.6)
        print(f"console_browser_test: slider → ctl status strength {strength}", file=sys.stderr)

        # A picture: upload, sharpen, score against the reference, download.
        sharp, soft = os.path.join(work, "sharp.png"), os.path.join(work, "soft.png")
        # A real photo where the test photos are (scripts/setup-debian.sh fetches them), else a test card.
        photo = os.path.join(os.environ.get("SHARPCAM_PHOTOS", ""), "skimage_astronaut.png")
        source = ["-i", photo, "-vf", "scale=480:-2,crop=480:270:0:40"] if os.path.exists(photo) else \
            ["-f", "lavfi", "-i", "testsrc2=s=480x270"]
        subprocess.run(["ffmpeg", "-v", "error", "-y", *source, "-frames:v", "1", sharp], check=True)
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", sharp, "-vf", "gblur=sigma=1.5", soft], check=True)
        driver.find_element(By.ID, "picture").send_keys(soft)
        driver.find_element(By.ID, "reference").send_keys(sharp)
        driver.find_element(By.ID, "sharpen").click()
        wait("the scores", lambda: "SharpCam vs reference" in driver.find_element(By.ID, "scores").text)
        print("console_browser_test: scores: " + driver.find_element(By.ID, "scores").text.replace("\n", " | "),
              file=sys.stderr)
        driver.find_element(By.ID, "download").click()
        path = os.path.join(work, "sharpcam-soft.png")
        wait("the download", lambda: os.path.exists(path) and os.path.getsize(path) > 0)
        img = cv2.imread(path, cv2.IMREAD_UNCHANGED)
        if img is None or img.shape[:2] != (270, 480):
            fail(f"downloaded {path}: {None if img is None else img.shape}, expected a 480x270 picture")
        print(f"console_browser_test: downloaded a {img.shape[1]}x{img.shape[0]} PNG", file=sys.stderr)

        time.sleep(1.5)  # one more status refresh for the picture
        driver.set_window_size(1400, 1180)
        driver.execute_script("window.scrollTo(0, 0)")
        time.sleep(0.5)
        driver.save_screenshot(os.path.join(out, "web-console.png"))
        print(f"console_browser_test: screenshot {os.path.join(out, 'web-console.png')}", file=sys.stderr)
    finally:
        if driver is not None:
            driver.quit()
        daemon.send_signal(signal.SIGTERM)
        try:
            rc = daemon.wait(timeout=20)
        except subprocess.TimeoutExpired:
            daemon.kill()
            rc = "killed"
    if rc != 0:
        fail(f"sharpcamd exited with {rc} (log: {out}/daemon.log)")
    print("console_browser_test: PASS", file=sys.stderr)


if __name__ == "__main__":
    main()
