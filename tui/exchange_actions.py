"""The palette's "Export to file…" and "Write the period report…": ask for a
file name (and the report's period, language and goal), write the file whole
(as `styr export` and `styr report` do), and say where it went or why it
could not be written. "Import measurements from
CSV…" (also `I` in Measure) shows what a file would add and imports it whole
on confirmation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import SystemCommand

from store import exchange
from store.backend import MEASUREMENTS
from store.errors import StoreError
from store.plain import plain
from tui.dialogs.file_name import FileNameDialog
from tui.dialogs.import_csv import ImportDialog
from tui.dialogs.report_form import ReportDialog
from tui.exchange_cli import write_out

if TYPE_CHECKING:
    from tui.app import StyrApp


def _ask_and_write(app: StyrApp, title: str, suggestion: str, text: Callable[[], str]) -> None:
    def write(name: str | None) -> None:
        if name is None:
            return
        target = Path(name).expanduser()
        try:
            write_out(text(), str(target))
        except StoreError as exc:  # write_out names the file
            app.notify(plain(str(exc)), severity="error", markup=False)
            return
        app.notify(plain(f"wrote {target.resolve()}"), markup=False)

    app.push_screen(FileNameDialog(title, suggestion), write)


def ask_and_import(app: StyrApp) -> None:
    """The import dialog; on confirmation the rows are written in one
    transaction (checked again: another process may have written since)."""
    if app.refuse_edit():
        return

    def write(chosen: tuple[str, str] | None) -> None:
        if chosen is None:
            return
        path, text = chosen
        try:
            done = exchange.import_measurements_csv(app.wheel, text)
        except StoreError as exc:
            app.notify(plain(f"nothing imported from {path}: {exc}"), severity="error",
                       markup=False, timeout=10)  # fmt: skip
            return
        rows = done.added.get(MEASUREMENTS, 0)
        count = len(done.per_indicator)
        app.notify(plain(f"imported {rows} value{'s' * (rows != 1)} for {count} "
                         f"indicator{'s' * (count != 1)} from {path}"), markup=False)  # fmt: skip
        app.refresh_stage()

    app.push_screen(
        ImportDialog(lambda text: exchange.preview_measurements_csv(app.wheel, text)), write
    )


def commands(app: StyrApp) -> list[SystemCommand]:
    def export() -> None:
        _ask_and_write(app, "Export the whole wheel (JSON) to", "styr-export.json",
                       lambda: exchange.dumps(exchange.export_document(app.wheel)))  # fmt: skip

    def report() -> None:
        def wrote(path: Path | None) -> None:
            if path is not None:
                app.notify(plain(f"wrote {path}"), markup=False)

        app.push_screen(ReportDialog(app.wheel, app.today), wrote)

    return [
        SystemCommand("Export to file…", "the whole wheel as JSON (styr export)", export),
        SystemCommand(
            "Write the period report…", "Markdown: period, language, goal (styr report)", report
        ),
        SystemCommand(
            "Import measurements from CSV…",
            "indicator,date,value[,note] (styr import)",
            lambda: ask_and_import(app),
        ),
    ]
