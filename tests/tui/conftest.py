"""Fixtures for the TUI tests: a small wheel in a tmp store, a fixed day,
and the app built by the same factory the CLI uses."""

from __future__ import annotations

import difflib
import html
import pickle
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytest_textual_snapshot import node_to_report_path
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


SVG_TEXT = re.compile(r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>')


def svg_lines(svg: str) -> list[str]:
    """The characters a snapshot SVG shows, a line of text per terminal row."""
    rows: dict[float, list[tuple[float, str]]] = {}
    for match in SVG_TEXT.finditer(svg):
        x, y, text = float(match[1]), float(match[2]), html.unescape(match[3])
        rows.setdefault(y, []).append((x, text))
    lines = []
    for y in sorted(rows):
        line = ""
        for x, text in sorted(rows[y]):
            line = line.ljust(round(x / 12.2)) + text
        lines.append(line.rstrip())
    return lines


@pytest.fixture
def snap_compare(snap_compare: Callable[..., bool], request: pytest.FixtureRequest) -> Any:
    """The plugin's comparison, printing what changed as text when it fails:
    CI keeps the output, not the HTML report."""

    def compare(app: Any, **options: Any) -> bool:
        if snap_compare(app, **options):
            return True
        data = pickle.loads(node_to_report_path(request.node).read_bytes())
        expected, actual = svg_lines(data[1]), svg_lines(data[2])
        diff = difflib.unified_diff(expected, actual, "snapshot", "now", lineterm="")
        print("\n".join(diff) or "the same text; only colours or styles differ")
        return False

    return compare
