"""Import in the TUI: `I` in Measure (or the palette) shows what a CSV would
add and imports it whole only on `y`; cancelling or a refused row writes
nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.widgets import Input, Static
from tuihelp import Small, press, screen_text, settle

from store.backends import open_wheel
from store.exchange import Imported, Preview
from store.service import Wheel
from tui.app import StyrApp
from tui.dialogs.file_name import PathSuggester
from tui.dialogs.import_csv import ImportDialog, summary_text
from tui.screens.measure import MeasureScreen

Make = Callable[[Wheel], StyrApp]

GOOD = "indicator;date;value;note\nRevenue;2026-10-01;17,5;from the sheet\nRevenue;2026-11-01;18;\n"


def values(small: Small) -> list[tuple[str, float]]:
    stored = open_wheel(small.root).measurements(small.indicator)
    return [(m.date.isoformat(), m.value) for m in stored]


async def open_import(pilot: object, app: StyrApp, path: Path) -> ImportDialog:
    await press(pilot, "I")  # type: ignore[arg-type]
    await settle(pilot)  # type: ignore[arg-type]
    dialog = app.screen
    assert isinstance(dialog, ImportDialog)
    dialog.query_one("#import-path", Input).value = str(path)
    await press(pilot, "enter")  # type: ignore[arg-type]
    await settle(pilot)  # type: ignore[arg-type]
    return dialog


def summary(dialog: ImportDialog) -> str:
    return str(dialog.query_one("#import-summary", Static).content)


async def test_import_shows_a_summary_and_writes_on_y(
    wheel: Wheel, make: Make, small: Small, tmp_path: Path
) -> None:
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(GOOD)
    before = values(small)
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "2")
        await settle(pilot)
        assert isinstance(app.screen, MeasureScreen)
        dialog = await open_import(pilot, app, sheet)
        shown = summary(dialog)
        assert f"{sheet}: 2 rows for 1 indicator" in shown
        assert "Revenue      2 rows  2026-10-01 … 2026-11-01" in shown
        assert values(small) == before  # the summary writes nothing
        await press(pilot, "escape")
        await settle(pilot)
        assert isinstance(app.screen, MeasureScreen)
        assert values(small) == before
        await open_import(pilot, app, sheet)
        await press(pilot, "y")
        await settle(pilot)
        assert isinstance(app.screen, MeasureScreen)
        assert app._notifications and list(app._notifications)[-1].message == (
            f"imported 2 values for 1 indicator from {sheet}"
        )
    assert values(small) == [*before, ("2026-10-01", 17.5), ("2026-11-01", 18.0)]


async def test_a_refused_row_is_named_and_nothing_is_written(
    wheel: Wheel, make: Make, small: Small, tmp_path: Path
) -> None:
    sheet = tmp_path / "bad.csv"
    sheet.write_text(GOOD + "Revenu;2026-11-02;3\nRevenue;not a day;4\n")
    before = values(small)
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "2")
        await settle(pilot)
        dialog = await open_import(pilot, app, sheet)
        shown = summary(dialog)
        assert "2 rows for 1 indicator" in shown  # the rows the store accepts
        assert "2 problems; nothing will be written" in shown
        assert "line 4: no indicator is named 'Revenu'; did you mean 'Revenue'?" in shown
        assert "line 5:" in shown
        assert "nothing to import: fix the rows above, Enter to look again" in screen_text(app)
        await press(pilot, "y")  # refused: y does nothing
        await settle(pilot)
        assert app.screen is dialog
        await press(pilot, "escape")
        await settle(pilot)
    assert values(small) == before


async def test_the_palette_imports_too(
    wheel: Wheel, make: Make, small: Small, tmp_path: Path
) -> None:
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(GOOD)
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p", *"Import measurements", "enter")
        await settle(pilot, 6)
        dialog = app.screen
        assert isinstance(dialog, ImportDialog)
        dialog.query_one("#import-path", Input).value = str(sheet)
        await press(pilot, "enter")
        await settle(pilot)
        await press(pilot, "y")
        await settle(pilot)
    assert values(small)[-2:] == [("2026-10-01", 17.5), ("2026-11-01", 18.0)]


async def test_the_path_entry_completes_file_names(tmp_path: Path) -> None:
    (tmp_path / "sheets").mkdir()
    (tmp_path / "sheets" / "revenue-2025.csv").write_text(GOOD)
    (tmp_path / ".hidden.csv").write_text(GOOD)
    complete = PathSuggester().get_suggestion
    assert await complete(f"{tmp_path}/sh") == f"{tmp_path}/sheets/"
    assert await complete(f"{tmp_path}/sheets/r") == f"{tmp_path}/sheets/revenue-2025.csv"
    assert await complete(f"{tmp_path}/") == f"{tmp_path}/sheets/"  # dot files only when asked
    assert await complete(f"{tmp_path}/.h") == f"{tmp_path}/.hidden.csv"
    assert await complete(f"{tmp_path}/nothing") is None


def test_a_long_list_of_refused_rows_is_cut_and_counted() -> None:
    refused: list[tuple[str | None, str]] = [
        ("value", f"line {n}: value 'x' is not a number") for n in range(2, 62)
    ]
    shown = summary_text("big.csv", Preview(Imported(), refused)).plain
    assert "60 problems; nothing will be written" in shown
    assert "line 51:" in shown and "line 52:" not in shown
    assert shown.endswith("… and 10 more (styr import FILE lists them all)")


def test_rows_outside_their_indicators_period_are_counted_in_the_summary() -> None:
    plan = Imported(
        per_indicator={1: (3, "2026-01-01", "2027-02-01"), 2: (1, "2026-05-01", "2026-05-01")},
        names={1: "Revenue", 2: "Cases"},
        outside={1: 2},
    )
    lines = summary_text("rows.csv", Preview(plan, [])).plain.splitlines()
    assert lines[1].endswith("2026-01-01 … 2027-02-01, 2 outside its period (kept, not compared)")
    assert lines[2].endswith("2026-05-01 … 2026-05-01")


async def test_a_file_that_cannot_be_read_is_said_in_place(
    wheel: Wheel, make: Make, small: Small, tmp_path: Path
) -> None:
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "2")
        await settle(pilot)
        dialog = await open_import(pilot, app, tmp_path / "gone.csv")
        assert summary(dialog) == f"cannot read {tmp_path / 'gone.csv'}: No such file or directory"
        await press(pilot, "y")
        await settle(pilot)
        assert app.screen is dialog
