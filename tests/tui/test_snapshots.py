"""One SVG snapshot per pane of the Goals and Measure stages, at 100x30.

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
from tuihelp import TODAY, build_small
from tuihelp import settle as _settle

import store.service
import store.store
from store.backends import open_wheel
from tui.app import make_app

SIZE = (100, 30)


@pytest.fixture
def frozen_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    stamp = "2026-11-20T09:30:00.000000+00:00"
    monkeypatch.setattr(store.service, "now_iso", lambda: stamp)
    monkeypatch.setattr(store.store, "now_iso", lambda: stamp)
    monkeypatch.setattr("tui.app.short_path", lambda _path: "~/styr")
    small = build_small(tmp_path / "store")
    app = make_app(open_wheel(small.root, user="alice"), today=TODAY)
    app.theme = "textual-dark"
    app.animation_level = "none"
    return app


def test_goals_pane(snap_compare: Callable[..., bool], frozen_app: Any) -> None:
    async def settle(pilot: Pilot[None]) -> None:
        await _settle(pilot)
        await pilot.pause(0.1)  # past the detail's debounce

    assert snap_compare(frozen_app, terminal_size=SIZE, run_before=settle)


def test_measure_pane(snap_compare: Callable[..., bool], frozen_app: Any) -> None:
    async def to_measure(pilot: Pilot[None]) -> None:
        await pilot.press("2")
        await _settle(pilot)

    assert snap_compare(frozen_app, terminal_size=SIZE, run_before=to_measure)
