#!/usr/bin/env python3
"""Makes the demo input for vision models: "Hello World 2024" in DejaVu Sans,
black on white, rendered by headless Chromium into a 320x48 PNG (a text line
as PaddleOCR's recogniser expects one).

Usage: make_demo_image.py CHROMIUM OUTPUT.png
"""
import os
import subprocess
import sys
import tempfile

TEXT = "Hello World 2024"
PAGE = ("<!doctype html><html><body style='margin:0;background:#fff'>"
        "<div style=\"font:32px 'DejaVu Sans';padding:6px 12px;color:#000\">%s</div>"
        "</body></html>" % TEXT)


def main(chromium, out_png):
    with tempfile.TemporaryDirectory() as tmp:
        page = os.path.join(tmp, "text.html")
        with open(page, "w") as f:
            f.write(PAGE)
        shot = os.path.join(tmp, "text.png")
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        "--user-data-dir=" + os.path.join(tmp, "profile"), "--window-size=320,48",
                        "--screenshot=" + shot, "file://" + page],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
        os.replace(shot, out_png)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
