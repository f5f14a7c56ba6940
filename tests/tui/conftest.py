"""Fixtures for the TUI tests: a small wheel in a tmp store, a fixed day,
and the app built by the same factory the CLI uses."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tuihelp import TODAY, Small, build_small

from store.backends import open_wheel
from store.service import Wheel
from tui.app import StyrApp, make_app


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("STYR_STORE", str(tmp_path / "never-used"))
    monkeypatch.setenv("TZ", "UTC")


@pytest.fixture
def small(tmp_path: Path) -> Small:
    return build_small(tmp_path / "store")


@pytest.fixture
def wheel(small: Small) -> Wheel:
    """The small wheel as the app's user (alice) opens it."""
    return open_wheel(small.root, user="alice")


@pytest.fixture
def make() -> Callable[[Wheel], StyrApp]:
    def build(wheel: Wheel) -> StyrApp:
        app = make_app(wheel, today=TODAY)
        app.theme = "textual-dark"
        app.animation_level = "none"
        return app

    return build
