"""Regenerate docs/report.png: the top of `pmsize report examples/` in headless Chromium.

    python scripts/screenshot.py                  # writes docs/report.png
    python scripts/screenshot.py --output x.png --chromium /usr/bin/chromium

Needs the test extras (Playwright, which drives the system's Chromium and downloads no
browser) and Debian's `chromium`. The page is the one `pmsize report examples/` writes
with its default samples and seed, so the picture changes only when the page does.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from pathlib import Path

import pmsize

ROOT = Path(__file__).resolve().parent.parent
VIEWPORT = {"width": 1100, "height": 1820}  # the contents to the two portfolio charts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "report.png")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    os.chdir(ROOT)  # the page names its files as given: examples/..., not this machine's path
    page_text = pmsize.report(pmsize.load("examples"))
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        page_file = Path(folder) / "report.html"
        page_file.write_text(page_text, encoding="utf-8")
        browser = playwright.chromium.launch(
            executable_path=args.chromium,
            args=["--disable-background-networking", "--disable-component-update"],
        )
        page = browser.new_page(viewport=VIEWPORT, color_scheme="light")
        page.goto(page_file.as_uri())
        args.output.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(args.output))
        browser.close()
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
