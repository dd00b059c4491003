/// The console's one page (HTML, CSS and script inline; no file is read from disk). It reads
/// the token from its own address (`?token=`, printed by `sharpcamd ctl web`) and sends it with
/// every request.
enum WebConsolePage {
    static let html = #"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>SharpCam</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <style>
        body{font:14px system-ui,sans-serif;margin:0;background:#15171a;color:#e8e8e8}
        header{padding:10px 16px;background:#22262b;display:flex;gap:16px;align-items:baseline}
        h1{font-size:18px;margin:0} h2{font-size:15px;margin:0 0 8px}
        main{display:grid;grid-template-columns:minmax(320px,660px) minmax(280px,1fr);gap:16px;padding:16px}
        section{background:#1d2025;border-radius:8px;padding:12px}
        #live{width:100%;background:#000;min-height:120px;display:block}
        .labels{display:flex;justify-content:space-around;color:#aaa;font-size:12px}
        table{border-collapse:collapse;width:100%} td{padding:2px 6px;border-bottom:1px solid #2c3036}
        td:first-child{color:#aaa;width:38%} input[type=range]{width:60%}
        button,select{background:#2f6fde;color:#fff;border:0;border-radius:4px;padding:5px 10px}
        select{background:#2c3036} #msg{color:#f0b86e;min-height:1.2em}
        .pics{display:flex;gap:8px} .pics figure{margin:0;flex:1} .pics img{width:100%}
        figcaption{color:#aaa;font-size:12px;text-align:center} a{color:#7fb0ff}
        </style></head><body>
        <header><h1>SharpCam</h1><span id="summary">connecting…</span></header>
        <main>
        <section><h2>Live</h2><img id="live" alt="live view: camera | SharpCam">
        <div class="labels"><span>camera</span><span>SharpCam</span></div>
        <p><label>Strength <input id="strength" type="range" min="0" max="1" step="0.05">
        <output id="strengthValue"></output></label></p>
        <p><label>Mode <select id="mode"><option value="nn">network</option>
        <option value="classic">classic</option><option value="bypass">off (bypass)</option></select></label>
        <button id="save">Save as default</button></p><div id="msg"></div></section>
        <section><h2>Status</h2><table id="status"></table>
        <canvas id="chart" width="320" height="120" title="latency p50/p99 (ms), last minutes"></canvas>
        <div class="labels"><span>processing p50 / p99 and end-to-end p99, ms</span></div></section>
        <section style="grid-column:1/-1"><h2>Pictures</h2>
        <p><label>Picture <input id="picture" type="file" accept="image/png,image/jpeg"></label>
        <label>Sharp reference (optional) <input id="reference" type="file" accept="image/png,image/jpeg"></label>
        <button id="sharpen">Sharpen</button></p>
        <div class="pics"><figure><img id="original" alt=""><figcaption>original</figcaption></figure>
        <figure><img id="result" alt="">
        <figcaption>SharpCam <a id="download" href="#" hidden>download</a></figcaption></figure></div>
        <table id="scores"></table></section>
        </main>
        <script>
        "use strict";
        const token = new URLSearchParams(location.search).get("token") || "";
        const $ = id => document.getElementById(id);
        const msg = t => { $("msg").textContent = t; };
        if (!token) msg("No token: open the address that `sharpcamd ctl web` prints.");
        async function api(path, options = {}) {
          options.headers = Object.assign({"X-SharpCam-Token": token}, options.headers || {});
          const r = await fetch(path, options);
          if (!r.ok) { let e = r.status + ""; try { e = (await r.json()).error; } catch (_) {} throw new Error(e); }
          return r;
        }
        let liveUrl = null;
        // Frames shown (counted once decoded): what a viewer (and the browser test) sees change.
        $("live").addEventListener("load", () => {
          $("live").dataset.frames = (+($("live").dataset.frames || 0) + 1) + "";
        });
        async function liveLoop() {
          for (;;) {
            const started = performance.now();
            try {
              const blob = await (await api("/api/live.jpg")).blob();
              const url = URL.createObjectURL(blob);
              $("live").src = url;
              if (liveUrl) URL.revokeObjectURL(liveUrl);
              liveUrl = url;
            } catch (e) { $("summary").textContent = "live view: " + e.message; await sleep(1000); }
            await sleep(Math.max(0, 66 - (performance.now() - started)));
          }
        }
        const sleep = ms => new Promise(r => setTimeout(r, ms));
        const escape = v => String(v).replace(/[&<>]/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;"}[c]));
        function row(k, v) { return "<tr><td>" + k + "</td><td>" + escape(v) + "</td></tr>"; }
        // The slider shows the daemon's strength unless the user moved it since: `edits` counts
        // the user's moves, `confirmed` the newest one the daemon has answered. A status that was
        // asked for before that answer (or while a move is unanswered) is stale for the slider.
        let edits = 0, confirmed = 0;
        async function statusLoop() {
          for (;;) {
            try {
              const asked = confirmed;
              const j = await (await api("/api/status")).json();
              const s = j.status, l = s.latency || {};
              const ms = k => l[k] ? l[k].p50_ms.toFixed(1) + " / " + l[k].p99_ms.toFixed(1) + " ms" : "–";
              const source = s.source && s.source !== s.input ? " → " + s.source : "";
              $("status").innerHTML = row("input", s.input + source) +
                row("camera", s.camera) + row("output", s.output) +
                row("consumers", s.consumers === null || s.consumers === undefined ? "not counted" : s.consumers) +
                row("picture", s.size + " " + s.output_format + " at " + s.frame_rate.toFixed(1) + " fps") +
                row("processor", s.processor) + row("fps out", s.fps.toFixed(1)) +
                row("processing p50/p99", ms("processing")) + row("end to end p50/p99", ms("end_to_end")) +
                row("dropped", s.dropped) + row("CPU", s.cpu_percent.toFixed(1) + " % of one core") +
                row("memory", s.rss_mi_b.toFixed(0) + " MiB");
              $("summary").textContent = s.processor + " · " + s.fps.toFixed(1) + " fps · camera " + s.camera;
              if (edits === confirmed && asked === confirmed) {
                $("strength").value = s.strength;
                $("strengthValue").textContent = s.strength.toFixed(2);
                $("mode").value = s.mode;
              }
              document.body.dataset.strength = s.strength;
              chart(j.history || []);
            } catch (e) { $("summary").textContent = e.message; }
            await sleep(1000);
          }
        }
        function chart(h) {
          const c = $("chart"), g = c.getContext("2d");
          g.clearRect(0, 0, c.width, c.height);
          const keys = [["processing_p50", "#6fcf97"], ["processing_p99", "#f2c94c"], ["end_to_end_p99", "#eb5757"]];
          const max = Math.max(1, ...h.flatMap(s => keys.map(k => s[k[0]] || 0)));
          g.fillStyle = "#aaa"; g.fillText(max.toFixed(1) + " ms", 2, 10);
          for (const [k, color] of keys) {
            g.strokeStyle = color; g.beginPath();
            const n = Math.max(60, h.length);  // the newest sample at the right edge
            h.forEach((s, i) => {
              const x = (n - h.length + i) * c.width / (n - 1), y = c.height - (s[k] || 0) / max * (c.height - 12);
              i ? g.lineTo(x, y) : g.moveTo(x, y); });
            g.stroke();
          }
        }
        async function set(body) {
          const request = {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)};
          try { const j = await (await api("/api/set", request)).json();
            msg(j.processor); } catch (e) { msg(e.message); }
        }
        // Moves are sent 80 ms after the last one, one request at a time and in order, so the
        // daemon ends at the slider's last value.
        let pending = null, sending = Promise.resolve();
        $("strength").addEventListener("input", e => {
          const edit = ++edits, value = +e.target.value;
          $("strengthValue").textContent = value.toFixed(2);
          clearTimeout(pending);
          pending = setTimeout(() => {
            sending = sending.then(() => set({strength: value})).then(() => { confirmed = Math.max(confirmed, edit); });
          }, 80);
        });
        $("mode").addEventListener("change", e => set({mode: e.target.value}));
        $("save").addEventListener("click", async () => {
          try { const j = await (await api("/api/save", {method: "POST"})).json(); msg("saved in " + j.saved); }
          catch (e) { msg(e.message); }
        });
        $("sharpen").addEventListener("click", async () => {
          const f = $("picture").files[0], ref = $("reference").files[0];
          if (!f) return msg("choose a picture first");
          msg("sharpening " + f.name + "…"); $("scores").innerHTML = "";
          try {
            const post = file => ({method: "POST", headers: {"Content-Type": file.type || "application/octet-stream"},
                                   body: file});
            const j = await (await api("/api/pictures?name=" + encodeURIComponent(f.name), post(f))).json();
            $("original").src = URL.createObjectURL(f);
            const blob = await (await api(j.result)).blob();
            const url = URL.createObjectURL(blob);
            $("result").src = url;
            $("download").href = url;
            $("download").download = "sharpcam-" + f.name.replace(/\.[^.]*$/, "") + ".png";
            $("download").hidden = false; $("result").dataset.id = j.id;
            msg(j.width + "x" + j.height + " sharpened with " + j.processor);
            if (ref) {
              const s = await (await api("/api/pictures/" + j.id + "/reference", post(ref))).json();
              const line = (name, psnr, ssim) =>
                "<tr><td>" + name + "</td><td>" + psnr.toFixed(2) + "</td><td>" + ssim.toFixed(4) + "</td></tr>";
              $("scores").innerHTML = "<tr><td></td><td>PSNR (dB)</td><td>SSIM</td></tr>" +
                line("original vs reference", s.psnr_input, s.ssim_input) +
                line("SharpCam vs reference", s.psnr_result, s.ssim_result);
            }
          } catch (e) { msg(e.message); }
        });
        if (token) { liveLoop(); statusLoop(); }
        </script></body></html>
        """#
}
