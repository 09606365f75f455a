"""Each test module gets gopy started on a fresh SQLite database with the demo data, on a free
port; pages are driven in Debian's chromium (headless)."""

import os
import pathlib
import re
import subprocess
import tempfile

import pytest
from playwright.sync_api import sync_playwright

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("GOPY_BIN", str(ROOT / "target" / "debug" / "gopy"))
CHROMIUM = os.environ.get("GOPY_CHROMIUM", "/usr/lib/chromium/chromium")
SHOTS = ROOT / "target" / "ui"
PASSWORD = "gopy-demo-2026"


@pytest.fixture(scope="module")
def server():
    folder = tempfile.mkdtemp(prefix="gopy-browser-")
    env = dict(
        os.environ,
        GOPY__SERVER__PORT="0",
        GOPY__DATABASE__URL=f"sqlite://{folder}/gopy.sqlite3",
        GOPY__MAIL__DIR=f"{folder}/mail",
        RUST_LOG="warn,gopy=info",
    )
    proc = subprocess.Popen(
        [BIN, "serve", "--demo"],
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    port = None
    for line in proc.stderr:
        found = re.search(r"listening port=(\d+)", line)
        if found:
            port = found.group(1)
            break
    assert port, "gopy did not start"
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield b
        b.close()


# A desktop window; a phone; the desktop window at 200 % zoom (half the CSS pixels, each
# drawn twice as large — what the browser's zoom does to layout).
VIEWS = {"wide": (1280, 1), "narrow": (360, 1), "zoom200": (640, 2)}


@pytest.fixture(params=list(VIEWS), ids=list(VIEWS))
def page(request, browser):
    width, scale = VIEWS[request.param]
    context = browser.new_context(
        viewport={"width": width, "height": 900}, device_scale_factor=scale, locale="vi-VN"
    )
    page = context.new_page()
    page.width, page.scale = width, scale
    page.view = f"{width}@{scale}x" if scale > 1 else str(width)
    yield page
    context.close()
