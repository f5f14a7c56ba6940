"""A hand-broken file in the TUI: the message is shown and the app opens
read-only (as far as it can show anything); nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from tuihelp import Small, press, screen_text, settle

from store.backends import open_wheel
from store.errors import StoreCorrupt
from store.service import Wheel
from tui import cli
from tui.app import StyrApp
from tui.broken import BrokenStoreApp
from tui.dialogs.form import FormDialog
from tui.screens.goals import GoalsScreen

Make = Callable[[Wheel], StyrApp]


def _files(root: Path) -> dict[str, bytes]:
    """Every file of a store folder (but the lock) with its bytes."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def _break(path: Path, table: str, change: dict[str, object]) -> str:
    data = orjson.loads(path.read_bytes())
    key = next(iter(data[table]))
    data[table][key] |= change
    path.write_bytes(orjson.dumps(data))
    return key


async def test_a_bad_measurement_file_is_shown_and_the_app_is_read_only(
    wheel: Wheel, make: Make, small: Small
) -> None:
    key = _break(small.root / "measurements-2026.json", "measurements", {"value": "abc"})
    before = _files(small.root)
    app = make(wheel)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        message = (
            f"measurements-2026.json: measurement {key}: value 'abc' is not a number; "
            "fix the file by hand or restore a backup (backups/)"
        )
        assert app.broken == message
        assert [n.message for n in app._notifications] == [message]
        assert isinstance(app.screen, GoalsScreen)
        assert "Grow revenue" in screen_text(app)  # the goals could be read
        assert "READ-ONLY" in screen_text(app)
        await press(pilot, "a")
        assert not isinstance(app.screen, FormDialog)
        await press(pilot, "u")
    assert app.return_code in (None, 0)
    assert _files(small.root) == before


async def test_a_bad_wheel_file_opens_the_message_alone(
    small: Small, monkeypatch: pytest.MonkeyPatch
) -> None:
    _break(small.root / "wheel.json", "goals", {"title": 5})
    before = _files(small.root)
    with pytest.raises(StoreCorrupt) as caught:
        open_wheel(small.root)
    shown: list[str] = []
    monkeypatch.setattr("tui.broken.run_broken", lambda message: shown.append(message) or 1)
    # as from a terminal (under pytest stdin and stdout are not one)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    assert cli.main(["--store", str(small.root)]) == 1
    assert shown == [str(caught.value)]
    assert str(caught.value).startswith("wheel.json: goal 1: title 5 is not text; ")
    app = BrokenStoreApp(str(caught.value))
    async with app.run_test(size=(120, 20)) as pilot:
        await settle(pilot)
        assert "wheel.json: goal 1: title 5 is not text" in screen_text(app)
        await press(pilot, "q")
    assert app.return_code == 1
    assert _files(small.root) == before


async def test_keys_on_every_stage_keep_the_app_up_on_a_bad_file(
    wheel: Wheel, make: Make, small: Small
) -> None:
    key = _break(small.root / "measurements-2026.json", "measurements", {"note": 5})
    before = _files(small.root)
    app = make(wheel)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        # each stage reads the measurements on its own, on a key press too
        for stage in ("2", "3", "4", "1"):
            await press(pilot, stage, "down", "up", "enter", "escape")
        await settle(pilot)
        assert app.broken == (
            f"measurements-2026.json: measurement {key}: note 5 is not text; "
            "fix the file by hand or restore a backup (backups/)"
        )
        assert "READ-ONLY" in screen_text(app)
    assert app.return_code in (None, 0)
    assert _files(small.root) == before


async def test_a_wheel_file_broken_while_the_app_runs_turns_it_read_only(
    wheel: Wheel, make: Make, small: Small
) -> None:
    app = make(wheel)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert app.broken is None
        _break(small.root / "wheel.json", "goals", {"title": None})
        before = _files(small.root)
        app.poll_store()
        await settle(pilot)
        assert app.broken is not None
        assert app.broken.startswith("wheel.json: goal 1: title null is not text; ")
        assert "Grow revenue" in screen_text(app)  # what was read before stays
        assert "READ-ONLY" in screen_text(app)
        await press(pilot, "a")
        assert not isinstance(app.screen, FormDialog)
    assert _files(small.root) == before
