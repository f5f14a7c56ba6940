"""The palette's export and report: a file name asked in a small dialog, the
file written whole, the same bytes as the command line writes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.widgets import Input
from tuihelp import TODAY, Small, press, settle

from store.exchange import dumps, export_document
from store.report import build_report
from store.service import Wheel
from tui.app import StyrApp
from tui.dialogs.file_name import FileNameDialog

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
    exported, report = tmp_path / "out.json", tmp_path / "report.md"
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await choose(pilot, app, "Export to file", str(exported))
        assert not isinstance(app.screen, FileNameDialog)
        assert messages(app)[-1] == f"wrote {exported}"
        await choose(pilot, app, "Write the period report", str(report))
        await choose(pilot, app, "Export to file", None)
        assert not isinstance(app.screen, FileNameDialog)
        await choose(pilot, app, "Export to file", str(tmp_path / "missing" / "x.json"))
        assert messages(app)[-1].startswith(f"could not write {tmp_path / 'missing' / 'x.json'}")
    assert exported.read_text() == dumps(export_document(wheel))
    assert report.read_text() == build_report(wheel, period="2026", day=TODAY)
    assert "[bold red]x[/]" not in report.read_text()
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["out.json", "report.md"]
