"""The palette's "Write the period report…": the period (read by the same
store function as `styr report --period`), the language, optionally a goal,
and the file, in one form. A bad value is explained under its input and the
form stays open, as is a file that could not be written."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Final

from textual import on
from textual.widgets import Input

from store.errors import BadInput, StoreError, ValidationError
from store.format import LANGS
from store.report import build_report
from store.service import GOAL, Wheel
from store.steering import parse_period
from tui.dialogs.file_name import PathSuggester
from tui.dialogs.form import FormDialog, FormField
from tui.exchange_cli import write_out

TITLE: Final = "Write the period report (Markdown)"


def suggested_name(period: str) -> str:
    return f"styr-report-{period}.md"


class ReportDialog(FormDialog):
    """Period (default this year), language (en or nb), goal (empty: every
    goal) and file; dismissed with the path written."""

    def __init__(self, wheel: Wheel, today: date) -> None:
        self._suggested = suggested_name(str(today.year))
        fields = [
            FormField("period", "Period", str(today.year), "2026, 2026-Q3 or 2026-11"),
            FormField("lang", "Language", "en", "en or nb", choices=LANGS),
            FormField("goal", "Goal", "", "id or title; empty: every goal"),
            FormField("file", "File", self._suggested, "file name"),
        ]
        super().__init__(TITLE, fields, lambda values, _: _write(wheel, today, values))

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#field-file", Input).suggester = PathSuggester()

    @on(Input.Changed, "#field-period")
    def _period_changed(self, event: Input.Changed) -> None:
        """The file name follows the period until the user names the file."""
        box = self.query_one("#field-file", Input)
        if box.value == self._suggested:
            self._suggested = suggested_name(event.value.strip())
            box.value = self._suggested


def _write(wheel: Wheel, today: date, values: dict[str, str]) -> Path:
    """Every bad value at once, each under its input; then the report
    written whole (as `styr report --out`), or why it could not be."""
    period, lang, goal, name = (values[k].strip() for k in ("period", "lang", "goal", "file"))
    problems: list[tuple[str | None, str]] = []
    try:
        label = parse_period(period).label
    except ValidationError as exc:
        problems += exc.problems
    if lang not in LANGS:
        problems.append(("lang", f"language {lang!r}: use {' or '.join(LANGS)}"))
    try:
        goal_id = str(wheel.find(GOAL, goal).id) if goal else None
    except BadInput as exc:
        problems.append(("goal", str(exc)))
    if name in ("", "-"):  # "-" is standard output to `styr report`: the screen here
        problems.append(("file", "give a file name"))
    if problems:
        raise ValidationError(problems=problems)
    text = build_report(
        wheel, period=label, goal=goal_id, lang="nb" if lang == "nb" else "en", day=today
    )
    target = Path(name).expanduser()
    try:
        write_out(text, str(target))
    except (StoreError, OSError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ValidationError(f"could not write {target}: {reason}", "file") from exc
    return target.resolve()
