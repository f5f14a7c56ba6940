"""`styr` without a terminal (cron, a pipe) stops at once instead of spinning."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize("args", [[], ["--demo"]])
def test_tui_without_a_terminal_exits_2_and_points_to_status(
    tmp_path: Path, args: list[str]
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tui", "--store", str(tmp_path / "store"), *args],
        stdin=subprocess.PIPE,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert "styr status" in done.stderr and "styr --help" in done.stderr
    assert done.stdout == ""
    assert not (tmp_path / "store").exists()
