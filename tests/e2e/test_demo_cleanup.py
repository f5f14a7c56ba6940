"""`styr --demo` leaves nothing behind, even when its terminal goes away."""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DRIVE = Path(__file__).resolve().parents[3] / "shared/tools/tui-drive"

pytestmark = pytest.mark.skipif(
    not (shutil.which("tmux") and DRIVE.exists()), reason="needs tmux and tui-drive"
)


EXIT_BOUND = 120  # seconds: a bound for a cold, loaded machine, not a speed check


def drive(*args: str) -> str:
    done = subprocess.run(
        [str(DRIVE), *args], check=True, capture_output=True, timeout=180, text=True
    )
    return done.stdout


def test_demo_folder_is_removed_when_the_terminal_closes(tmp_path: Path) -> None:
    name = f"pytest-demo-{os.getpid()}"
    drive(
        "start", "--name", name, "--env", f"TMPDIR={tmp_path}", "--",
        sys.executable, "-m", "tui", "--demo",
    )  # fmt: skip
    try:
        drive("wait", "--name", name, "--for", r"\[1 Goals\]", "--timeout", str(EXIT_BOUND))
        assert list(tmp_path.glob("styr-demo-*"))
        pid = int(drive("status", "--name", name).split("pid=")[1].split()[0])
        # the process's exit as an event: a pidfd turns readable when it ends
        exited = os.pidfd_open(pid)
    finally:
        drive("stop", "--name", name)  # hangs up the terminal, as a dropped SSH link does
    try:
        ready, _, _ = select.select([exited], [], [], EXIT_BOUND)
    finally:
        os.close(exited)
    assert ready, f"styr --demo still runs {EXIT_BOUND} s after its terminal closed"
    assert list(tmp_path.glob("styr-demo-*")) == []
