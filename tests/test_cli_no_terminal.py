"""`styr` without a terminal (cron, a pipe) stops at once instead of spinning."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tui.cli import main


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


def test_cli_messages_name_things_literally_never_a_measurement_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tui.cli import main

    root = str(tmp_path / "store")
    assert main(["--store", root, "add", "goal", "Queues [bold]\\now\\"]) == 0
    assert main(["--store", root, "add", "indicator", "1", "Median wait", "--baseline", "30",
                 "--target", "10", "--unit", "days", "--start", "2026-01-01",
                 "--due", "2026-12-31", "--direction", "decrease"]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["--store", root, "log", "median", "5", "--at", "2026-11-29"]) == 0
    assert main(["--store", root, "undo"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "logged the value 5 days of 2026-11-29 for Median wait"
    assert out[1].startswith("undid: the value 5 days of 2026-11-29 for Median wait added at ")
    assert main(["--store", root, "delete", "goal", "queues"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("styr: goal 1 'Queues [bold]\\now\\' has 1 indicator;")
    assert main(["--store", root, "delete", "goal", "queues", "--cascade"]) == 0
    assert capsys.readouterr().out == "deleted goal 1 'Queues [bold]\\now\\' with 1 indicator\n"


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    """`styr ARGV` through run(), with an atexit probe of Python's teardown."""
    probe = (
        "import atexit, gc, sys; from tui.cli import run;"
        "atexit.register(lambda: print('teardown, frozen', gc.get_freeze_count() > 0));"
        "sys.argv[1:] = sys.argv[2:]; run()"
    )
    return subprocess.run(
        [sys.executable, "-c", probe, "styr", *argv], capture_output=True, text=True, check=False
    )


def test_the_program_exits_with_mains_code_its_objects_frozen_for_a_quick_exit() -> None:
    done = _run("--version")
    assert done.returncode == 0
    assert done.stdout.splitlines()[-1] == "teardown, frozen True"


def test_a_command_ends_without_pythons_teardown_and_its_output_whole(tmp_path: Path) -> None:
    """A folder store's command skips the teardown (a log's 2.5 ms): its
    code is main's, and what it printed is all there, buffered or not."""
    done = _run("log")
    assert (done.returncode, done.stdout) == (2, "")
    assert "usage: styr log" in done.stderr
    root = str(tmp_path / "store")
    # more than a pipe's buffer of output: 3 x 9,000 characters
    for n in range(3):
        assert main(["--store", root, "add", "goal", f"G{n}", "--description", "x" * 9_000]) == 0
    done = _run("--store", root, "export")
    assert done.returncode == 0
    assert "teardown" not in done.stdout
    goals = json.loads(done.stdout)["goals"]
    assert [g["description"] for g in goals] == ["x" * 9_000] * 3
