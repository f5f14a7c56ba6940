"""Shared by the steering tests: a store with one goal of a quarter and its
indicator, the CLI run in-process, and the wheel's documents for undo checks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from store.backend import WHEEL_TABLES
from store.backends import open_wheel
from store.service import GOAL, INDICATOR, Wheel
from tui.cli import main

StoreBytes = Callable[[Path], dict[str, bytes]]


def build(root: Path, user: str = "alice") -> Wheel:
    """Goal 1 'Shorter queues' (2026-Q3, owner alice), indicator 1 'Wait time'
    30 -> 10 days with a milestone, measured twice."""
    wheel = open_wheel(root, user=user)
    goal = wheel.add(
        GOAL,
        {"title": "Shorter queues", "owner": "alice", "start": "2026-07-01", "due": "2026-09-30"},
    )
    wheel.add(
        INDICATOR,
        {
            "goal_id": goal.id, "name": "Wait time", "unit": "days", "baseline": 30,
            "target": 10, "direction": "decrease", "start": "2026-07-01", "due": "2026-09-30",
            "milestones": "2026-08-15=20",
        },
    )  # fmt: skip
    wheel.log(1, 26, "2026-07-20")
    wheel.log(1, 18, "2026-08-20")
    return wheel


def agreed(wheel: Wheel, by: str = "Kommunestyret") -> None:
    wheel.move_goal(1, "proposed")
    wheel.move_goal(1, "agreed", by=by, on="2026-06-20")


def cli(root: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["--store", str(root), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def documents(root: Path) -> dict[str, dict[int, Any]]:
    """Every document of the wheel by table, as stored (stamps included)."""
    backend = open_wheel(root).backend
    return {table: dict(backend.docs(table)) for table in WHEEL_TABLES}


def refuses(
    root: Path, store_bytes: StoreBytes, capsys: pytest.CaptureFixture[str], *argv: str
) -> str:
    """Run a command that must fail as bad input: exit 2, nothing on stdout,
    the store's bytes unchanged; the reason (stderr without 'styr: ')."""
    before = store_bytes(root)
    code, out, err = cli(root, capsys, *argv)
    assert (code, out) == (2, ""), err
    assert store_bytes(root) == before
    assert err.startswith("styr: ")
    return err[len("styr: ") :].rstrip("\n")
