"""Make the README's pictures: an SVG screenshot of each pane on the demo
wheel, taken by the app itself (Textual's `save_screenshot`) running headless.

    .venv/bin/python docs/make_screenshots.py [OUT_DIR]     # default: docs/

The demo is built for a fixed day in a fixed-looking folder (`~/styr-demo`)
and opened as `kari`, so running it again gives the same pictures."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

from store.backends import open_wheel
from store.demo import build_demo
from tui.app import STAGE_KEYS, make_app

DAY = date(2026, 11, 30)
SIZE = (100, 30)
LOAD_TIMEOUT = 60.0  # seconds: a cold start on a loaded machine
STEADY_TRIES = 50  # pictures taken 0.1 s apart at most, until two agree


async def shoot(root: Path, out: Path) -> list[Path]:
    app = make_app(open_wheel(root, user="kari"), today=DAY)
    app.theme = "textual-dark"
    app.animation_level = "none"
    out.mkdir(parents=True, exist_ok=True)
    written = []
    async with app.run_test(size=SIZE) as pilot:
        for number, stage in enumerate(STAGE_KEYS, 1):
            await pilot.press(str(number))
            await asyncio.wait_for(app.loaded.wait(), LOAD_TIMEOUT)
            await asyncio.wait_for(app.workers.wait_for_complete(), LOAD_TIMEOUT)
            # a busy machine may still be drawing: take the picture once two
            # in a row agree, so every run gives the same bytes
            shot, previous = "", None
            for _ in range(STEADY_TRIES):
                await pilot.pause(0.1)
                shot = app.export_screenshot()
                if shot == previous:
                    break
                previous = shot
            path = out / f"{stage}.svg"
            path.write_text(shot, encoding="utf-8")
            written.append(path)
    return written


def make(out: Path) -> list[Path]:
    """The four pictures written into `out`, goals.svg … learn.svg."""
    with tempfile.TemporaryDirectory(prefix="styr-shots-") as home:
        # the wheel bar shows the store with the home folder as ~
        old_home = os.environ.get("HOME")
        os.environ["HOME"] = home
        try:
            root = Path(home) / "styr-demo"
            build_demo(root, today=DAY)
            return asyncio.run(shoot(root, out))
        finally:
            if old_home is None:
                del os.environ["HOME"]
            else:
                os.environ["HOME"] = old_home


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent
    for path in make(target):
        print(path)
