"""`styr --demo` leaves nothing behind, even when its terminal goes away."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

DRIVE = Path(__file__).resolve().parents[3] / "shared/tools/tui-drive"

pytestmark = pytest.mark.skipif(
    not (shutil.which("tmux") and DRIVE.exists()), reason="needs tmux and tui-drive"
)


def drive(*args: str) -> None:
    subprocess.run([str(DRIVE), *args], check=True, capture_output=True, timeout=60)


def test_demo_folder_is_removed_when_the_terminal_closes(tmp_path: Path) -> None:
    name = f"pytest-demo-{os.getpid()}"
    drive(
        "start", "--name", name, "--env", f"TMPDIR={tmp_path}", "--",
        sys.executable, "-m", "tui", "--demo",
    )  # fmt: skip
    try:
        drive("wait", "--name", name, "--for", r"\[1 Goals\]", "--timeout", "30")
        assert list(tmp_path.glob("styr-demo-*"))
    finally:
        drive("stop", "--name", name)  # hangs up the terminal, as a dropped SSH link does
    deadline = time.monotonic() + 10
    while list(tmp_path.glob("styr-demo-*")) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert list(tmp_path.glob("styr-demo-*")) == []
