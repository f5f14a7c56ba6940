"""SVG snapshots of the Goals and Measure stages at 100x30, at 80x24 (the
detail below the list, the tree without status words) and with NO_COLOR.

The store is built with a frozen clock so every timestamp is the same on
each run, and the wheel bar shows a fixed store path instead of the tmp folder.
Update after a deliberate change with `pytest --snapshot-update` once the
report (snapshot_report.html) looks right.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from tuihelp import TODAY, build_small, screen_text, settle, steady

import store.service
import store.store
from store.backends import open_wheel
from store.service import GOAL
from tui.app import make_app

LOOKS = [
    pytest.param((100, 30), False, id="100x30"),
    pytest.param((80, 24), False, id="80x24"),
    pytest.param((100, 30), True, id="100x30-no-color"),
]


@pytest.fixture
def frozen_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: Any) -> Any:
    if request.param:
        monkeypatch.setenv("NO_COLOR", "1")
    stamp = "2026-11-20T09:30:00.000000+00:00"
    monkeypatch.setattr(store.service, "now_iso", lambda: stamp)
    monkeypatch.setattr(store.store, "now_iso", lambda: stamp)
    monkeypatch.setattr("tui.app.short_path", lambda _path: "~/styr")
    small = build_small(tmp_path / "store")
    wheel = open_wheel(small.root, user="alice")
    # a closed goal, last among its siblings, says its outcome
    wheel.add(
        GOAL,
        {"title": "Open the shop", "due": "2026-03-01", "state": "closed", "outcome": "achieved"},
    )
    app = make_app(wheel, today=TODAY)
    app.theme = "textual-dark"
    app.animation_level = "none"
    return app


@pytest.mark.parametrize(("size", "frozen_app"), LOOKS, indirect=["frozen_app"])
def test_goals_pane(snap_compare: Callable[..., bool], frozen_app: Any, size: Any) -> None:
    async def loaded(pilot: Pilot[None]) -> None:
        await steady(pilot)
        # a snapshot of a half-drawn screen must not become the baseline
        assert "top risk: Market dip" in screen_text(pilot.app)

    assert snap_compare(frozen_app, terminal_size=size, run_before=loaded)


@pytest.mark.parametrize(("size", "frozen_app"), LOOKS, indirect=["frozen_app"])
def test_measure_pane(snap_compare: Callable[..., bool], frozen_app: Any, size: Any) -> None:
    async def to_measure(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("2")
        await steady(pilot)
        assert "2026-09-01" in screen_text(pilot.app)

    assert snap_compare(frozen_app, terminal_size=size, run_before=to_measure)
