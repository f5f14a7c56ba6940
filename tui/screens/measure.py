"""Stage 2, Measure: pick an indicator, see its values, log new ones.

The indicators that are due (no value within their cadence, their period
still running) come first; only those of the goals the wheel filters keep
are listed. A value dated outside its indicator's start..due is marked in
the values table and warned about when logged; one dated after today is
logged only once the user confirms it.
The quick entry line takes `VALUE [DATE] [NOTE]`: `12.5`, `12.5 -2d`,
`12.5 2026-11-03 counted by hand`; a bad entry is explained in place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Input, OptionList, Sparkline, Static
from textual.widgets.option_list import Option

from store import documents as d
from store.compare import due_for_value
from store.dates import parse_date
from store.errors import FutureDate, StoreError, ValidationError
from store.format import STATUS_LABEL_WIDTH
from store.plain import plain
from store.service import INDICATOR, Kind, measurement_name
from tui.dialogs.form import FormDialog, FormField, changed, text_of
from tui.exchange_actions import ask_and_import
from tui.screens.stage import StageScreen, split_below
from widgets.filter_input import FilterInput
from widgets.fitted_list import FittedOptionList
from widgets.gauge import number, percent, status_text
from widgets.goal_tree import WORDS_FROM
from widgets.placeholder import hint

WIDE = 110  # columns from which the detail sits beside the list
# the second word of an entry is meant as a date when it looks like one
_DATE_LIKE = re.compile(r"^([+-]?\d|today$|yesterday$)", re.IGNORECASE)


def parse_entry(text: str, today: date) -> tuple[str, date, str]:
    """Split a quick entry into (value text, date, note).

    The value is checked by the store; a second word that looks like a date
    must be one (a mistyped date never silently becomes a note)."""
    words = text.strip().split(maxsplit=1)
    if not words:
        raise ValidationError("type a value, e.g. 12.5 or 12.5 2026-11-03 a note", "value")
    value, rest = words[0], (words[1] if len(words) > 1 else "")
    when = today
    second, _, tail = rest.partition(" ")
    if second and _DATE_LIKE.match(second):
        when = parse_date(second, "date", base=today)
        rest = tail
    return value, when, rest.strip()


class MeasureScreen(StageScreen):
    """Measure: record what happened, indicator by indicator."""

    STAGE = "measure"
    HORIZONTAL_BREAKPOINTS = split_below(WIDE)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("l", "log", "Log value", id="measure.log"),
        Binding("e", "edit", "Edit value", id="measure.edit"),
        Binding("d", "delete", "Delete value", id="measure.delete"),
        Binding("I", "import_csv", "Import CSV", id="measure.import"),
        # priority: see StageScreen.open_filter
        Binding("slash", "filter", "Filter", show=False, id="measure.filter", priority=True),
        Binding("escape", "leave_input", "Back to list", show=False, id="measure.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._filter = ""
        self._indicators: dict[int, d.Indicator] = {}
        self._goals: dict[int, d.Goal] = {}
        self._any_indicator = False
        self._measurements: dict[int, d.Measurement] = {}
        self._list_width = 0

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="measure-body", classes="split"):
            with Vertical(id="measure-left", classes="list-pane"):
                yield FilterInput(
                    "filter indicators by name", then="#indicator-list", id="indicator-filter"
                )
                yield FittedOptionList(id="indicator-list")
            with Vertical(id="measure-detail", classes="detail-pane"):
                yield Static(id="measure-head")
                yield Input(
                    placeholder=hint("12.5 -2d counted (logs value [date] [note])"), id="entry"
                )
                yield Static("", id="entry-message")
                yield Sparkline([], id="measure-spark")
                yield DataTable(id="measurements", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one("#measurements", DataTable)
        table.add_columns("date", "period", "value", "note", "by")
        self.set_focus(self.query_one("#indicator-list", OptionList))

    # -------------------------------------------------------------- data
    @property
    def selected_indicator(self) -> d.Indicator | None:
        options = self.query_one("#indicator-list", OptionList)
        if options.highlighted is None or options.option_count == 0:
            return None
        option_id = options.get_option_at_index(options.highlighted).id
        return self._indicators.get(int(option_id)) if option_id else None

    @on(FittedOptionList.Resized)
    def _list_resized(self, event: FittedOptionList.Resized) -> None:
        # the list's status words and cut titles fit its width
        if self._indicators and event.width != self._list_width:
            self._fill_list()

    def refresh_data(self) -> None:
        nodes = self.shown_nodes()
        self._indicators = {i.id: i for node in nodes for i in node.indicators}
        self._goals = {node.goal.id: node.goal for node in nodes}
        self._any_indicator = any(node.indicators for node in self.view().nodes)
        self._fill_list()
        self._show_indicator()

    def _fill_list(self) -> None:
        options = self.query_one("#indicator-list", OptionList)
        keep = self.selected_indicator
        comparisons = self.comparison().indicators
        needle = self._filter.casefold()

        def due(ind: d.Indicator) -> bool:
            c = comparisons.get(ind.id)
            return c is not None and due_for_value(ind, c, self._goals.get(ind.goal_id))

        def order(ind: d.Indicator) -> tuple[bool, str, int]:
            return (not due(ind), ind.name.casefold(), ind.id)

        shown = [
            ind
            for ind in sorted(self._indicators.values(), key=order)
            if not needle or needle in ind.name.casefold()
        ]
        rows: list[Option] = []
        # the status in words where the list is wide enough (as the goal
        # tree does); one line per indicator: a long goal title is cut
        width = self._list_width = options.scrollable_content_region.width
        words = width >= WORDS_FROM
        for ind in shown:
            c = comparisons.get(ind.id)
            goal = self._goals.get(ind.goal_id)
            status = status_text(c.status if c else "no_data", word=words)
            status.pad_right(STATUS_LABEL_WIDTH - len(status) if words else 0)
            prompt = Text.assemble(
                status,
                (" due " if due(ind) else "     ", "bold"),
                plain(ind.name),
                (f"  {plain(goal.title if goal else '')}", "dim"),
                no_wrap=True,
                overflow="ellipsis",
            )
            if width > 0:
                prompt.truncate(width, overflow="ellipsis")
            rows.append(Option(prompt, id=str(ind.id)))
        options.clear_options()
        options.add_options(rows)
        if not rows:
            return
        index = next((n for n, ind in enumerate(shown) if keep and ind.id == keep.id), 0)
        options.highlighted = index

    @on(OptionList.OptionHighlighted, "#indicator-list")
    def _on_highlighted(self) -> None:
        ind = self.selected_indicator
        self.look_at(ind.goal_id if ind else None)
        self._show_indicator()

    @on(OptionList.OptionSelected, "#indicator-list")
    def _on_selected(self) -> None:
        self.set_focus(self.query_one("#entry", Input))

    def _show_indicator(self) -> None:
        ind = self.selected_indicator
        head = self.query_one("#measure-head", Static)
        table = self.query_one("#measurements", DataTable)
        spark = self.query_one("#measure-spark", Sparkline)
        keep = table.cursor_row
        table.clear()
        if ind is None:
            head.update(
                Text(f"No indicator matches '{plain(self._filter)}'. Esc clears the filter.")
                if self._indicators
                else Text(self.filtered_out("indicator"))
                if self._any_indicator
                else Text("No indicator yet: add one in Goals (1, then i).", style="italic")
            )
            spark.data = []
            self._measurements = {}
            return
        c = self.comparison().indicators.get(ind.id)
        text = Text()
        text.append(plain(ind.name), style="bold")
        text.append(f"  (indicator {ind.id}, {ind.cadence})\n", style="dim")
        if c is not None:
            text.append_text(status_text(c.status))
            text.append(f"  actual {number(c.actual, ind.unit)}")
            text.append(f"  expected {number(c.expected, ind.unit)}")
            text.append(f"  progress {percent(c.progress).strip()}")
            if due_for_value(ind, c, self._goals.get(ind.goal_id)):
                text.append("  due: no value within its cadence", style="bold")
            elif c.at > ind.due:
                text.append(f"  period over (due {ind.due}): no value is due", style="dim")
            text.append("\n")
        text.append(
            f"{number(ind.baseline, ind.unit)} → {number(ind.target, ind.unit)}, "
            f"{ind.start} → {ind.due}, {ind.direction}, {ind.aggregation}",
            style="dim",
        )
        head.update(text)
        rows = self.wheel.measurements(ind.id)
        self._measurements = {m.id: m for m in rows}
        # the values the status is judged on; the table below lists them all
        spark.data = [value for _, value in self.wheel.counted_series(ind, self.today)]
        for m in reversed(rows):
            outside = ind.outside(m.date)
            table.add_row(
                Text(m.date.isoformat()),
                # a mark in words: it reads without colour
                Text(f"⚠ {outside}" if outside else "", style="bold"),
                Text(number(m.value, ind.unit)),
                Text(plain(m.note)),
                Text(plain(m.stamp.updated_by)),
                key=str(m.id),
            )
        if rows:
            table.move_cursor(row=min(keep, len(rows) - 1))

    # --------------------------------------------------------- entering
    def _message(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#entry-message", Static)
        message.update(Text(plain(text), style="bold" if error else ""))
        message.set_class(error, "-error")

    @on(Input.Submitted, "#entry")
    def _on_entry(self, event: Input.Submitted) -> None:
        ind = self.selected_indicator
        if ind is None:
            self._message("pick an indicator first", error=True)
            return
        if not self.can_edit():
            self._message(self.styr.read_only_reason or "read-only", error=True)
            return
        try:
            value, when, note = parse_entry(event.value, self.today)
            self._log(ind, value, when, note)
        except FutureDate:
            # dated after today: most likely a slip of the keyboard, so ask
            self.confirm(
                f"{when.isoformat()} is in the future.\nLog {plain(value)} for "
                f"{plain(ind.name)} on that day anyway?",
                lambda: self._log_confirmed(ind, value, when, note),
                yes="Log it",
            )
        except StoreError as exc:
            self._message(str(exc), error=True)

    def _log_confirmed(self, ind: d.Indicator, value: str, when: date, note: str) -> None:
        try:
            self._log(ind, value, when, note, confirmed=True)
        except StoreError as exc:
            self._message(str(exc), error=True)

    def _log(
        self, ind: d.Indicator, value: str, when: date, note: str, *, confirmed: bool = False
    ) -> None:
        m = self.wheel.log(ind.id, value, when.isoformat(), note, "tui", confirm_future=confirmed)
        self.query_one("#entry", Input).value = ""
        self._message(f"logged {self._named(m)} (u undoes)" + self._outside_words(ind, m.date))
        self.reload()
        # back to the list: the next due indicator is a j and an l away
        self.set_focus(self.query_one("#indicator-list", OptionList))

    @staticmethod
    def _outside_words(ind: d.Indicator, day: date) -> str:
        """The warning for a value dated outside the indicator's period."""
        words = ind.outside_words(day)
        return f"  ⚠ {words}" if words else ""

    def action_log(self) -> None:
        self.set_focus(self.query_one("#entry", Input))

    def action_leave_input(self) -> None:
        box = self.query_one("#indicator-filter", FilterInput)
        if not (box.has_focus_within and box.clear()):
            self.set_focus(self.query_one("#indicator-list", OptionList))

    # ------------------------------------------------------ edit, delete
    def _selected_measurement(self) -> d.Measurement | None:
        table = self.query_one("#measurements", DataTable)
        if table.row_count == 0:
            self.notify("no value to change yet", markup=False)
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self._measurements.get(int(key)) if key else None

    def action_edit(self) -> None:
        m = self._selected_measurement()
        if m is None:
            return
        fields = [
            FormField("value", "Value", text_of(m.value)),
            FormField("date", "Date", m.date.isoformat(), "2026-03-01, today, -2d"),
            FormField("note", "Note", m.note),
        ]
        initial = {spec.name: spec.value for spec in fields}
        warned: set[str] = set()  # future dates the user was told of: saving again confirms

        def save(values: dict[str, str], overwrite: bool) -> d.Measurement:
            touched: dict[str, Any] = changed(values, initial)
            if "date" in touched:
                touched["date"] = parse_date(touched["date"], "date", base=self.today).isoformat()
            expected = None if overwrite else m.stamp.updated_at
            day = touched.get("date", "")
            try:
                return self.wheel.update_measurement(
                    m.id, touched, expected=expected, confirm_future=day in warned
                )
            except FutureDate:
                warned.add(day)
                raise ValidationError(
                    f"{day} is in the future: Enter again saves it for that day anyway", "date"
                ) from None

        self.open_form(FormDialog(f"Edit value of {m.date}", fields, save), self._edited)

    def _edited(self, m: d.Measurement) -> None:
        ind = self._indicators.get(m.indicator_id)
        outside = self._outside_words(ind, m.date) if ind is not None else ""
        self._message(f"saved {self._named(m)} (u undoes)" + outside)

    def _named(self, m: d.Measurement) -> str:
        ind = self._indicators.get(m.indicator_id)
        if ind is None:
            return measurement_name(m.value, m.date, f"indicator {m.indicator_id}")
        return measurement_name(m.value, m.date, ind.name, ind.unit)

    def action_delete(self) -> None:
        m = self._selected_measurement()
        if m is None:
            return

        def delete() -> None:
            try:
                self.wheel.delete_measurement(m.id)
            except StoreError as exc:
                self.show_error(exc)
                return
            self._message(f"deleted {self._named(m)} (u undoes)")
            self.reload()

        self.confirm(f"Delete {plain(self._named(m))}?\nu undoes it afterwards.", delete)

    def action_import_csv(self) -> None:
        ask_and_import(self.styr)

    # ----------------------------------------------------------- filter
    def action_filter(self) -> None:
        self.open_filter("#indicator-filter")

    @on(FilterInput.Changed, "#indicator-filter")
    def _on_filter(self, event: FilterInput.Changed) -> None:
        self._filter = event.text.strip()
        self._fill_list()
        self._show_indicator()

    @on(FilterInput.Cleared, "#indicator-filter")
    def _on_filter_cleared(self) -> None:
        self._filter = ""
        self.set_focus(self.query_one("#indicator-list", OptionList))
        self._fill_list()
        self._show_indicator()

    # ------------------------------------------------------ palette, jump
    def select(self, kind: Kind[Any], doc_id: int) -> bool:
        if kind is not INDICATOR:
            return False
        options = self.query_one("#indicator-list", OptionList)
        try:
            index = options.get_option_index(str(doc_id))
        except Exception:
            return False
        options.highlighted = index
        self.set_focus(options)
        return True

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Log a value", "for the selected indicator", self.action_log)
        yield SystemCommand("Edit value", "the selected measurement", self.action_edit)
        yield SystemCommand("Delete value", "the selected measurement", self.action_delete)
        yield SystemCommand("Filter indicators", "by name", self.action_filter)
