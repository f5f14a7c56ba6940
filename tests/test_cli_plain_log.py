"""`styr log` parses a plain command line without building argparse's parser:
what it makes must be what argparse makes, and anything else goes to argparse."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.cli import command_word, plain_log_args
from tui.cli_parser import UsageError, build_parser

WORDS = [
    "log", "--store", "s", "--at", "-3d", "2026-01-01", "--note", "a note", "--source",
    "--future", "1", "12.5", "-3", "", "--no", "--help", "-h", "--note=x", "--", "add", "x y",
    "--demo", "--version", "-x", "-.5", "-", "-²",
]  # fmt: skip


def _argparse(argv: list[str]) -> object:
    word = command_word(argv)
    return build_parser(word if word == "log" else None).parse_args(argv)


def test_a_plain_log_is_parsed_as_argparse_parses_it() -> None:
    argv = ["--store", "s", "log", "Sales", "12.5", "--at", "-3d", "--note", "n", "--future"]
    plain = plain_log_args(argv)
    assert plain is not None
    assert vars(plain) == vars(_argparse(argv))
    assert (plain.store, plain.indicator, plain.value, plain.at) == ("s", "Sales", "12.5", "-3d")


VALUES = st.sampled_from(["1", "12.5", "-3", "-3d", "-.5", "-x", "", "log", "a b", "--note"])
OPTIONS = st.sampled_from(["--at", "--note", "--source", "--store", "--future", "--no"])


@st.composite
def log_lines(draw: st.DrawFn) -> list[str]:
    """A log's words in any order, some of them wrong."""
    parts = [[draw(VALUES)] for _ in range(draw(st.sampled_from([2, 2, 2, 1, 3])))]
    for option in draw(st.lists(OPTIONS, max_size=4, unique=True)):
        parts.append([option] if option == "--future" else [option, draw(VALUES)])
    head = draw(st.sampled_from([[], ["--store", "s"], ["--at", "1"]]))
    return [*head, "log", *(word for part in draw(st.permutations(parts)) for word in part)]


LINES = st.lists(st.sampled_from(WORDS), max_size=9) | log_lines()


@settings(max_examples=600, deadline=None)
@given(LINES)
def test_any_other_command_line_is_left_to_argparse(argv: list[str]) -> None:
    plain = plain_log_args(argv)
    if plain is None:
        return
    try:
        parsed = _argparse(argv)
    except (UsageError, SystemExit) as exc:
        raise AssertionError(f"{argv} parsed plainly, but argparse refuses it: {exc}") from exc
    assert vars(plain) == vars(parsed), argv


def test_a_dashed_value_a_repeated_option_and_help_go_to_argparse() -> None:
    assert plain_log_args(["log", "1", "-x"]) is None
    assert plain_log_args(["log", "1", "2", "--note", "a", "--note", "b"]) is None
    assert plain_log_args(["log", "--help"]) is None
    assert plain_log_args(["log", "1", "2", "--note=x"]) is None


def test_the_styr_command_ends_without_the_collectors_last_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from store.backends import open_wheel
    from store.service import GOAL, INDICATOR
    from tui import cli

    wheel = open_wheel(tmp_path / "s", user="ann")
    goal = wheel.add(GOAL, {"title": "G"})
    wheel.add(INDICATOR, {"goal_id": goal.id, "name": "I", "baseline": "0", "target": "9",
                          "start": "2020-01-01", "due": "2099-12-31"})  # fmt: skip
    monkeypatch.setattr(sys, "argv", ["styr", "--store", str(tmp_path / "s"), "log", "1", "2"])
    usual = gc.get_threshold()
    try:
        with pytest.raises(SystemExit) as ended:
            cli.run()
        assert ended.value.code == 0
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (cli.COMMAND_GC_THRESHOLD, *usual[1:])
    finally:
        gc.unfreeze()
        gc.set_threshold(*usual)
    assert [m.value for m in open_wheel(tmp_path / "s").measurements(1)] == [2]


def test_the_tui_keeps_the_collectors_usual_pace(monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    from tui import cli

    monkeypatch.setattr(sys, "argv", ["styr"])
    usual = gc.get_threshold()
    try:
        with pytest.raises(SystemExit) as ended:
            cli.run()
        assert ended.value.code == 2  # pytest gives it no terminal
        assert gc.get_threshold() == usual
    finally:
        gc.unfreeze()
        gc.set_threshold(*usual)


def test_python_m_tui_runs_the_styr_command(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tui", "--store", str(tmp_path / "s"), "log", "1", "-x"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "styr: " in done.stderr and "Traceback" not in done.stderr
