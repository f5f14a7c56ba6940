"""The palette's export and report: a file name (and the report's period,
language and goal) asked in a small dialog, the file written whole, the same
bytes as the command line writes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Input
from tuihelp import TODAY, Small, press, screen_text, settle

from store.exchange import dumps, export_document
from store.report import build_report
from store.service import Wheel
from tui.app import StyrApp
from tui.dialogs.file_name import FileNameDialog
from tui.dialogs.report_form import ReportDialog

Make = Callable[[Wheel], StyrApp]


def messages(app: StyrApp) -> list[str]:
    return [n.message for n in app._notifications]


async def choose(pilot: object, app: StyrApp, command: str, name: str | None) -> None:
    await press(pilot, "ctrl+p", *command, "enter")  # type: ignore[arg-type]
    await settle(pilot, 6)  # type: ignore[arg-type]
    assert isinstance(app.screen, FileNameDialog)
    entry = app.screen.query_one("#file-name", Input)
    if name is None:
        await press(pilot, "escape")  # type: ignore[arg-type]
    else:
        entry.value = name
        await press(pilot, "enter")  # type: ignore[arg-type]
    await settle(pilot, 6)  # type: ignore[arg-type]


async def test_export_and_report_from_the_palette(
    wheel: Wheel, make: Make, small: Small, tmp_path: Path
) -> None:
    app = make(wheel)
    exported = tmp_path / "out.json"
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await choose(pilot, app, "Export to file", str(exported))
        assert not isinstance(app.screen, FileNameDialog)
        assert messages(app)[-1] == f"wrote {exported}"
        await choose(pilot, app, "Export to file", None)
        assert not isinstance(app.screen, FileNameDialog)
        await choose(pilot, app, "Export to file", str(tmp_path / "missing" / "x.json"))
        assert messages(app)[-1].startswith(f"could not write {tmp_path / 'missing' / 'x.json'}")
    assert exported.read_text() == dumps(export_document(wheel))
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["out.json"]


def field(app: StyrApp, name: str) -> Input:
    return app.screen.query_one(f"#field-{name}", Input)


async def test_the_report_dialog_asks_period_language_and_goal_at_80x24(
    wheel: Wheel, make: Make, small: Small, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p", *"Write the period report", "enter")
        await settle(pilot, 6)
        assert isinstance(app.screen, ReportDialog)
        shown = screen_text(app)
        for line in ("Period", "2026", "Language", "en", "Goal", "File", "styr-report-2026.md",
                     "Enter or ctrl+s: save   Esc: cancel   Tab: next field"):  # fmt: skip
            assert line in shown
        assert app.focused is field(app, "period")
        # keys only: a bad period, a language and a goal nobody has, all told at once
        await press(pilot, *["backspace"] * 4, *"2026-13", "tab", "backspace", "backspace",
                    *"sv", "tab", *"Nobody's", "enter")  # fmt: skip
        assert isinstance(app.screen, ReportDialog)
        shown = screen_text(app)
        assert "period '2026-13' is not a period" in shown
        assert "language 'sv': use en or nb" in shown
        assert "no goal is named 'Nobody's'" in shown
        assert list(tmp_path.glob("*.md")) == []
        # the file name has followed the period typed
        assert field(app, "file").value == "styr-report-2026-13.md"
        assert app.focused is field(app, "period")  # the first problem's input
        await press(pilot, *["backspace"] * 7, *"2026-Q3", "tab", "backspace", "backspace", "n",
                    "tab")  # fmt: skip
        assert field(app, "lang").value == "nb"  # completed from "n"
        await press(pilot, *["backspace"] * 8, *"grow", "enter")
        await settle(pilot, 6)
        assert not isinstance(app.screen, ReportDialog), screen_text(app)
        written = tmp_path / "styr-report-2026-Q3.md"
        assert messages(app)[-1] == f"wrote {written}"
    expected = build_report(wheel, period="2026-Q3", goal=str(small.goal), lang="nb", day=TODAY)
    assert written.read_text() == expected
    assert expected.startswith("# Rapport for 2026-Q3") and "[bold red]x[/]" not in expected


async def test_the_report_dialog_keeps_open_when_the_file_cannot_be_written(
    wheel: Wheel, make: Make, small: Small, tmp_path: Path
) -> None:
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p", *"Write the period report", "enter")
        await settle(pilot, 6)
        missing = tmp_path / "missing" / "r.md"
        field(app, "file").value = str(missing)
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, ReportDialog)
        assert "could not write" in screen_text(app) and not missing.parent.exists()
        report = tmp_path / "r.md"
        field(app, "file").value = str(report)
        await press(pilot, "ctrl+s")
        await settle(pilot, 6)
        assert not isinstance(app.screen, ReportDialog)
    assert report.read_text() == build_report(wheel, period="2026", day=TODAY)
