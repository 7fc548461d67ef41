"""Headless Chromium for the report: Debian's /usr/bin/chromium driven through /usr/bin/chromedriver
by selenium. Nothing is downloaded; ``missing()`` says why a browser cannot be used here."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1400,1000",
)


def chromium() -> str | None:
    for c in CHROMIUM_CANDIDATES:
        if os.access(c, os.X_OK):
            return c
    return shutil.which("chromium")


def missing() -> str | None:
    """None when headless Chromium can run here, else why not (and how to get it)."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install 'calculus-conformance[dev]')"
    if chromium() is None:
        return "chromium is not installed (apt-get install chromium)"
    if not os.access(CHROMEDRIVER, os.X_OK):
        return f"{CHROMEDRIVER} is not installed (apt-get install chromium-driver)"
    return None


class Browser:
    """A headless Chromium session with a fresh profile, closed (and the profile removed) on exit."""

    def __init__(self, width: int = 1400, height: int = 1000):
        self.size = (width, height)
        self.profile = tempfile.mkdtemp(prefix="conformance-chromium-")
        self.driver: Any = None

    def __enter__(self) -> Any:
        os.environ.setdefault("SE_OFFLINE", "true")  # selenium-manager must not fetch anything
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        opts = webdriver.ChromeOptions()
        opts.binary_location = chromium() or CHROMIUM_CANDIDATES[0]
        for f in FLAGS:
            opts.add_argument(f)
        opts.add_argument(f"--user-data-dir={self.profile}")
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
        self.driver.set_window_size(*self.size)
        return self.driver

    def __exit__(self, *exc: object) -> None:
        try:
            if self.driver is not None:
                self.driver.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)


NAV_TIMING = """
const n = performance.getEntriesByType('navigation')[0];
return {dom_content_loaded_ms: n.domContentLoadedEventEnd - n.startTime,
        load_ms: n.loadEventEnd - n.startTime, transfer_bytes: n.transferSize || null};
"""


def render_time(page: str | Path, repeats: int = 3) -> dict:
    """Navigation timing of loading ``page`` from file:// (ms to DOMContentLoaded and to load; the
    median of ``repeats`` loads in one fresh browser), with the time to first paint when reported."""
    import statistics
    import time

    url = Path(page).resolve().as_uri()
    runs = []
    with Browser() as d:
        for _ in range(repeats):
            d.get("about:blank")
            d.get(url)
            for _ in range(50):
                t = d.execute_script(NAV_TIMING)
                if t["load_ms"] > 0:
                    break
                time.sleep(0.05)
            paint = d.execute_script(
                "const p = performance.getEntriesByName('first-contentful-paint')[0]; return p ? p.startTime : null;"
            )
            t["first_contentful_paint_ms"] = paint
            runs.append(t)
    out = {k: statistics.median(r[k] for r in runs) for k in ("dom_content_loaded_ms", "load_ms")}
    fcp = [r["first_contentful_paint_ms"] for r in runs if r["first_contentful_paint_ms"] is not None]
    out["first_contentful_paint_ms"] = statistics.median(fcp) if fcp else None
    out["repeats"] = repeats
    return out
