#!/usr/bin/env python3
"""Captures the error names and messages that Chromium and Firefox really
produce for the failures webaccel classifies (issue 5): WebAssembly and
ArrayBuffer allocation failures, WebGPU out-of-memory and device loss, WebNN
missing, and onnxruntime-web's load and run errors. The unit tests of the
classification rules use its output (tests/actors/rules/captured_page_errors.json).

Usage: /usr/bin/python3 tools/error_capture/capture.py OUTPUT.json
(Debian's Python: it builds the small probe models with python3-onnx.)
"""
import http.server
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading

import onnx
from onnx import TensorProto, helper

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--no-first-run", "--no-default-browser-check",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-quic", "--disable-extensions", "--mute-audio", "--enable-unsafe-webgpu",
    "--enable-features=WebMachineLearningNeuralNetwork",
]
FIREFOX_PREFS = """
user_pref("dom.webgpu.enabled", true);
user_pref("gfx.webgpu.ignore-blocklist", true);
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("app.update.enabled", false);
user_pref("app.normandy.enabled", false);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("toolkit.telemetry.enabled", false);
user_pref("network.captive-portal-service.enabled", false);
user_pref("services.settings.server", "http://127.0.0.1:9/");
"""
SWIFTSHADER_ICD = "/usr/lib/chromium/vk_swiftshader_icd.json"


def probe_models(out_dir):
    """add.onnx (y = x + x, float [2]), unknown_op.onnx, not_a_model.onnx."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])
    add = helper.make_graph([helper.make_node("Add", ["x", "x"], ["y"])], "add", [x], [y])
    onnx.save(helper.make_model(add, opset_imports=[helper.make_opsetid("", 17)]),
              os.path.join(out_dir, "add.onnx"))
    foo = helper.make_graph([helper.make_node("Frobnicate", ["x"], ["y"], domain="com.example")],
                            "unknown_op", [x], [y])
    onnx.save(helper.make_model(foo, opset_imports=[helper.make_opsetid("", 17),
                                                    helper.make_opsetid("com.example", 1)]),
              os.path.join(out_dir, "unknown_op.onnx"))
    with open(os.path.join(out_dir, "not_a_model.onnx"), "wb") as f:
        f.write(b"this is not an ONNX model\n" * 8)


def serve(models_dir, reports):
    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=ROOT, **kwargs)

        def translate_path(self, path):
            if path.startswith("/capture/"):
                return os.path.join(models_dir, os.path.basename(path))
            return super().translate_path(path)

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            reports.append(json.loads(body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run_browser(argv, env, reports, timeout):
    """Starts a browser in its own process group, waits for its report, and
    kills the group (never by name)."""
    before = len(reports)
    proc = subprocess.Popen(argv, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(timeout * 10):
            if len(reports) > before or proc.poll() is not None:
                break
            threading.Event().wait(0.1)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
    if len(reports) == before:
        raise RuntimeError(f"{argv[0]} sent no report within {timeout} s")
    return reports[-1]


def main(out_path):
    reports = []
    with tempfile.TemporaryDirectory() as tmp:
        models = os.path.join(tmp, "models")
        os.mkdir(models)
        probe_models(models)
        server = serve(models, reports)
        url = f"http://127.0.0.1:{server.server_port}/tools/error_capture/probes.html"
        captured = {}
        chromium = shutil.which("chromium")
        if chromium:
            profile = os.path.join(tmp, "chromium")
            env = dict(os.environ, XDG_CONFIG_HOME=profile, XDG_CACHE_HOME=profile)
            captured["chromium"] = run_browser(
                [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", url], env, reports, 120)
        firefox = shutil.which("firefox-esr") or shutil.which("firefox")
        if firefox:
            profile = os.path.join(tmp, "firefox")
            os.mkdir(profile)
            with open(os.path.join(profile, "user.js"), "w") as f:
                f.write(FIREFOX_PREFS)
            env = dict(os.environ, MOZ_CRASHREPORTER_DISABLE="1")
            if os.path.exists(SWIFTSHADER_ICD):
                env.update(VK_ICD_FILENAMES=SWIFTSHADER_ICD, LD_LIBRARY_PATH="/usr/lib/chromium")
            captured["firefox"] = run_browser(
                [firefox, "--headless", "--no-remote", "--profile", profile, url], env, reports, 180)
        server.shutdown()
    with open(out_path, "w") as f:
        json.dump(captured, f, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
