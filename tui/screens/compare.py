"""Stage 3, Compare: every indicator and goal against its plan.

One table holds a roll-up row per goal followed by its indicators; `s`
cycles the sort column (goals sort by their worst indicator, indicators
within their goal), `o` flips the order, `f` cycles a status filter and `/`
filters by text. Below (or beside, on a wide terminal) the selected row's
plan-versus-actual chart and its figures; `r` records a review of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date
from functools import cache
from typing import Any, ClassVar, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Static

from store.compare import (
    SEVERITY,
    STATUS_GLYPH,
    STATUS_WORD,
    Comparison,
    GoalRollUp,
    Status,
    WheelComparison,
    running_actuals,
)
from store.documents import Goal, Indicator, Review
from store.plain import plain
from store.service import GOAL, INDICATOR, REVIEW, Kind
from tui.dialogs.review_form import ReviewForm, ReviewSubject
from tui.screens.stage import StageScreen
from widgets.filter_input import FilterInput
from widgets.gauge import bar, percent
from widgets.plan_chart import ChartData, PlanChart

NAME_WIDTH = 30
MAX_INDENT = 3
WIDE = 150
SEARCH_DELAY = 0.15
BAR_WIDTH = 8
# below this many columns names and bars are shorter, so that status,
# progress, actual, expected and ahead/behind fit without scrolling sideways
COMPACT_BELOW = 100
COMPACT_NAME_WIDTH = 19
COMPACT_BAR_WIDTH = 3
NARROW_CHART_WIDTH = 32  # #compare-chart in app.tcss, beside the figures
STATUS_STYLE: dict[Status, str] = {
    "missed": "bold red",
    "off_track": "red",
    "at_risk": "yellow",
    "no_data": "dim",
    "on_track": "green",
    "achieved": "bold green",
    "not_started": "dim",
    "closed": "dim",
}
COLUMNS: tuple[tuple[str, str], ...] = (
    ("name", "Goal / indicator"),
    ("status", "Status"),
    ("progress", "Progress"),
    ("actual", "Actual"),
    ("expected", "Expected"),
    ("ahead", "Ahead"),
    ("forecast", "Forecast"),
    ("eta", "ETA"),
    ("flags", "Flags"),
)
# the sort orders `s` cycles through; "wheel" is the goal tree as entered
SORTS: tuple[tuple[str, str], ...] = (
    ("wheel", "wheel order"),
    ("status", "status, worst first"),
    ("progress", "progress, least first"),
    ("ahead", "days ahead, most behind first"),
    ("eta", "eta, soonest first"),
    ("name", "name"),
)
ATTENTION: tuple[Status, ...] = ("missed", "off_track", "at_risk")
FILTERS: tuple[tuple[str, tuple[Status, ...]], ...] = (
    ("all", ()),
    ("needs attention", ATTENTION),
    *((STATUS_WORD[s], (s,)) for s in SEVERITY),
)
_RANK = {status: rank for rank, status in enumerate(SEVERITY)}
MISSING: tuple[Any, ...] = (1,)
T = TypeVar("T")


def number(value: float | None) -> str:
    """A measured or planned value, short: `12,500`, `3.25`, `—` for none."""
    if value is None:
        return "—"
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def short_number(value: float | None) -> str:
    """At most 6 characters for big values (`894.6k`, `12.3M`): the compact
    table keeps its columns narrow; the detail shows the value in full."""
    if value is not None and abs(value) >= 10_000:
        for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
            if abs(value) >= size:
                return f"{value / size:.1f}".rstrip("0").rstrip(".") + suffix
    return number(value)


def ahead_words(days: int | None) -> str:
    if days is None:
        return "—"
    if days == 0:
        return "on plan"
    return f"{days}d ahead" if days > 0 else f"{-days}d behind"


@cache
def status_text(status: Status) -> Text:
    """Glyph and word, so the status reads without colour. Cells are shared:
    a table of thousands of rows builds each distinct one once."""
    return Text(f"{STATUS_GLYPH[status]} {STATUS_WORD[status]}", style=STATUS_STYLE[status])


def progress_text(progress: float | None, width: int = BAR_WIDTH) -> Text:
    if progress is None:
        return _progress_cell(None, percent(None), width)
    share = min(max(progress, 0.0), 1.0)
    return _progress_cell(round(share * width * 8) / (width * 8), percent(progress), width)


@cache
def _progress_cell(share: float | None, shown: str, width: int) -> Text:
    return bar(share, width) + Text(" " + shown.strip().rjust(4))


def clipped(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def frozen(comparison: Any) -> dict[str, Any]:
    """A Comparison or GoalRollUp as JSON-ready values, to freeze into a review."""
    result: dict[str, Any] = {}
    for item in fields(comparison):
        value = getattr(comparison, item.name)
        if isinstance(value, date):
            value = value.isoformat()
        elif is_dataclass(value):
            value = frozen(value)
        result[item.name] = value
    return result


def plan_line(indicator: Indicator) -> tuple[tuple[date, float], ...]:
    """The corner points of the indicator's plan line."""
    if indicator.direction in ("at_least", "at_most"):
        return ((indicator.start, indicator.target), (indicator.due, indicator.target))
    return (
        (indicator.start, indicator.baseline),
        *indicator.milestones,
        (indicator.due, indicator.target),
    )


@dataclass(slots=True)
class Row:
    """One table row, with the values it sorts and filters by."""

    key: str
    goal_id: int
    kind: Kind[Any]
    doc_id: int
    name: str
    search: str
    status: Status
    progress: float | None
    ahead: int | None
    eta: date | None
    cells: tuple[Text | str, ...]
    children: list[Row] = field(default_factory=list)

    def sort_key(self, column: str) -> tuple[Any, ...]:
        """Smaller comes first; a missing value always last."""
        if column == "status":
            return (0, _RANK[self.status])
        if column == "name":
            return (0, self.name.casefold())
        value = {"progress": self.progress, "ahead": self.ahead, "eta": self.eta}[column]
        return MISSING if value is None else (0, value)


class CompareScreen(StageScreen):
    """Indicators and goals against plan, with a chart and reviews."""

    STAGE = "compare"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "review", "Review", id="compare.review", tooltip="record a review"),
        Binding("s", "sort", "Sort", id="compare.sort", tooltip="cycle the sort column"),
        Binding(
            "o", "order", "Flip order", show=False, id="compare.order", tooltip="flip the order"
        ),
        Binding(
            "f",
            "status_filter",
            "Show status",
            id="compare.filter",
            tooltip="cycle the status filter",
        ),
        Binding("slash", "text_filter", "Filter", id="compare.search", tooltip="filter by text"),
        Binding("escape", "clear_filters", "Clear filters", show=False, id="compare.clear"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.sort_index = 0
        self.reverse = False
        self.filter_index = 0
        self.text = ""
        self._rows: list[Row] = []
        self._rows_version: tuple[object, ...] | None = None
        self._compact = False
        self._built = 0
        self._shown_build = -1
        self._shown_keys: set[str] = set()
        self._by_key: dict[str, Row] = {}
        self._goals: dict[int, Goal] = {}
        self._indicators: dict[int, Indicator] = {}

    # ----------------------------------------------------------- layout
    def compose_body(self) -> ComposeResult:
        yield Static("", id="compare-state")
        yield FilterInput(
            "filter by goal or indicator name", delay=SEARCH_DELAY, id="compare-search"
        )
        with Horizontal(id="compare-body", classes="split"):
            with Vertical(id="compare-left", classes="list-pane"):
                yield DataTable(id="compare-table", cursor_type="row", zebra_stripes=True)
            with Horizontal(id="compare-detail", classes="detail-pane"):
                yield PlanChart(id="compare-chart")
                yield Static("", id="compare-facts")

    def on_mount(self) -> None:
        table = self.query_one("#compare-table", DataTable)
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        self.set_focus(table)
        super().on_mount()

    def on_resize(self) -> None:
        # the table has many columns: it keeps the full width until the
        # terminal is wide enough for the detail beside it
        self.query_one("#compare-body").set_class(self.size.width < WIDE, "-narrow")
        compact = self.size.width < COMPACT_BELOW
        if compact != self._compact:
            self._compact = compact
            # the cells are built for one width, and a column keeps the
            # width of the widest cell it ever held
            self._rows_version = None
            self._shown_build = -1
            table = self.query_one("#compare-table", DataTable)
            table.clear(columns=True)
            for key, label in COLUMNS:
                table.add_column(label, key=key)
            if self.styr.is_ready:
                self.refresh_data()

    @property
    def _name_width(self) -> int:
        return COMPACT_NAME_WIDTH if self._compact else NAME_WIDTH

    @property
    def _bar_width(self) -> int:
        return COMPACT_BAR_WIDTH if self._compact else BAR_WIDTH

    # ------------------------------------------------------------- data
    def refresh_data(self) -> None:
        version = self.styr.data_version
        if version != self._rows_version:
            self._rows = self._build_rows(self.comparison())
            self._by_key = {row.key: row for row in self._rows}
            for row in self._rows:
                self._by_key.update((child.key, child) for child in row.children)
            self._rows_version = version
            self._built += 1
        self._fill_table()

    def _build_rows(self, result: WheelComparison) -> list[Row]:
        wheel = self.wheel
        goals = wheel.goals()
        self._goals = {goal.id: goal for goal in goals}
        self._indicators = {i.id: i for i in wheel.indicators()}
        by_goal: dict[int, list[Indicator]] = {}
        for indicator in self._indicators.values():
            by_goal.setdefault(indicator.goal_id, []).append(indicator)
        rows: list[Row] = []
        name_width, bar_width = self._name_width, self._bar_width
        for goal, depth in self._tree(goals):
            # deep cascades stop indenting, so names keep their room
            indent = "  " * min(depth, MAX_INDENT)
            rollup = result.goals[goal.id]
            title = plain(goal.title)
            flags = []
            if rollup.activity_trap:
                flags.append("activity trap")
            if rollup.efficiency is not None and rollup.efficiency.overspending:
                flags.append("overspending")
            row = Row(
                key=f"g{goal.id}",
                goal_id=goal.id,
                kind=GOAL,
                doc_id=goal.id,
                name=title,
                search=title.casefold(),
                status=rollup.status,
                progress=rollup.progress,
                ahead=None,
                eta=None,
                cells=(
                    Text(clipped(indent + "▸ " + title, name_width), style="bold"),
                    status_text(rollup.status),
                    progress_text(rollup.progress, bar_width),
                    "",
                    "",
                    "",
                    "",
                    "",
                    Text(", ".join(flags), style="italic"),
                ),
            )
            for indicator in by_goal.get(goal.id, ()):
                row.children.append(self._indicator_row(indicator, result, title, indent))
            rows.append(row)
        return rows

    def _indicator_row(
        self, indicator: Indicator, result: WheelComparison, goal: str, indent: str
    ) -> Row:
        c = result.indicators[indicator.id]
        name = plain(indicator.name)
        figure = short_number if self._compact else number
        return Row(
            key=f"i{indicator.id}",
            goal_id=indicator.goal_id,
            kind=INDICATOR,
            doc_id=indicator.id,
            name=name,
            search=f"{name} {goal}".casefold(),
            status=c.status,
            progress=c.progress,
            ahead=c.ahead_days,
            eta=c.eta,
            cells=(
                Text(clipped(indent + "  " + name, self._name_width)),
                status_text(c.status),
                progress_text(c.progress, self._bar_width),
                Text(figure(c.actual), justify="right"),
                Text(figure(c.expected), justify="right"),
                Text(ahead_words(c.ahead_days), justify="right"),
                Text(number(c.forecast), justify="right"),
                c.eta.isoformat() if c.eta else "—",
                Text("stale", style="italic") if c.stale else "",
            ),
        )

    @staticmethod
    def _tree(goals: list[Goal]) -> Iterable[tuple[Goal, int]]:
        """Goals depth-first from the roots, with their depth."""
        known = {goal.id for goal in goals}
        kids: dict[int | None, list[Goal]] = {}
        for goal in sorted(goals, key=lambda g: (g.due or date.max, g.id)):
            parent = goal.parent_id if goal.parent_id in known else None
            kids.setdefault(parent, []).append(goal)
        seen: set[int] = set()
        stack = [(goal, 0) for goal in reversed(kids.get(None, []))]
        while stack:
            goal, depth = stack.pop()
            if goal.id in seen:
                continue
            seen.add(goal.id)
            yield goal, depth
            stack.extend((kid, depth + 1) for kid in reversed(kids.get(goal.id, [])))
        # goals caught in a parent cycle have no root; show them anyway
        for goal in goals:
            if goal.id not in seen:
                seen.add(goal.id)
                yield goal, 0

    # ---------------------------------------------------- sort and filter
    @property
    def sort_column(self) -> str:
        return SORTS[self.sort_index][0]

    def visible_rows(self) -> list[Row]:
        """The rows to show, in order, after the filters."""
        statuses = FILTERS[self.filter_index][1]
        text = self.text.casefold()

        def shown(row: Row) -> bool:
            return (not statuses or row.status in statuses) and (not text or text in row.search)

        groups: list[tuple[Row, list[Row]]] = []
        for goal in self._rows:
            kids = [kid for kid in goal.children if shown(kid)]
            if kids or shown(goal):
                groups.append((goal, kids))
        column = self.sort_column
        if column != "wheel":
            for _, kids in groups:
                kids[:] = self._ordered(kids, lambda row: row.sort_key(column))
            groups = self._ordered(groups, lambda group: self._group_key(group, column))
        elif self.reverse:
            groups.reverse()
        return [row for goal, kids in groups for row in (goal, *kids)]

    @staticmethod
    def _group_key(group: tuple[Row, list[Row]], column: str) -> tuple[Any, ...]:
        """A goal has its own status, progress and name; for days ahead and
        eta it sorts by its first indicator."""
        goal, kids = group
        if column in ("ahead", "eta") and kids:
            return kids[0].sort_key(column)
        return goal.sort_key(column)

    def _ordered(self, items: list[T], key: Callable[[T], tuple[Any, ...]]) -> list[T]:
        """Sorted by key (flipped by `o`); items without a value stay last."""
        present = [item for item in items if key(item) != MISSING]
        missing = [item for item in items if key(item) == MISSING]
        return sorted(present, key=key, reverse=self.reverse) + missing

    def _fill_table(self) -> None:
        table = self.query_one("#compare-table", DataTable)
        keep = self.selected_key()
        rows = self.visible_rows()
        if self._shown_build == self._built and self._shown_keys == {r.key for r in rows}:
            # same rows in another order: reorder in place, far cheaper than
            # re-adding thousands of rows
            position = {id(row.cells[0]): index for index, row in enumerate(rows)}
            table.sort("name", key=lambda cell: position[id(cell)])
        else:
            table.clear()
            for row in rows:
                table.add_row(*row.cells, key=row.key)
            self._shown_build = self._built
            self._shown_keys = {row.key for row in rows}
        if keep is not None and keep in self._shown_keys:
            table.move_cursor(row=table.get_row_index(keep))
        self._show_state(table.row_count)
        self._show_detail()

    def _show_state(self, count: int) -> None:
        order = SORTS[self.sort_index][1] + (", reversed" if self.reverse else "")
        line = Text.assemble(
            ("sort ", "dim"),
            (order, "bold"),
            ("  ·  show ", "dim"),
            (FILTERS[self.filter_index][0], "bold"),
        )
        if self.text:
            line.append("  ·  text ", style="dim")
            line.append(plain(self.text), style="bold")
        line.append(f"  ·  {count} rows", style="dim")
        if count == 0:
            # the sort means nothing with no rows; the way out does
            line = line[line.plain.index("show") :]
            line.append("  ·  nothing matches: Esc clears the filters", style="bold")
        if not self._rows:
            line = Text(
                "No goals yet: add goals and indicators in 1 Goals, log values in 2 Measure."
            )
        self.query_one("#compare-state", Static).update(line)

    def selected_key(self) -> str | None:
        table = self.query_one("#compare-table", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return key

    def selected_row(self) -> Row | None:
        key = self.selected_key()
        return None if key is None else self._by_key.get(key)

    # ----------------------------------------------------------- detail
    @on(DataTable.RowHighlighted, "#compare-table")
    def _highlighted(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        row = self.selected_row()
        chart = self.query_one("#compare-chart", PlanChart)
        facts = self.query_one("#compare-facts", Static)
        if row is None:
            chart.data = None
            facts.update("", layout=False)
            return
        result = self.comparison()
        if row.kind is INDICATOR:
            indicator = self._indicators[row.doc_id]
            chart.data = self._chart(indicator)
            text = self._indicator_facts(indicator, result.indicators[row.doc_id])
        else:
            chart.data = None
            text = self._goal_facts(self._goals[row.doc_id], result.goals[row.doc_id])
        chart.display = self.size.width >= WIDE or (
            row.kind is INDICATOR and self._fits_beside_chart(text)
        )
        facts.update(text, layout=False)

    def _fits_beside_chart(self, text: Text) -> bool:
        """Narrow, the chart sits beside the figures; when they would be cut
        off there, they take the whole width instead (no chart for a goal)."""
        box = self.query_one("#compare-detail").content_region
        width = box.width - NARROW_CHART_WIDTH - 1  # the figures' left padding
        return width > 0 and len(text.wrap(self.app.console, width)) <= box.height

    def _chart(self, indicator: Indicator) -> ChartData:
        series = [
            (day, value)
            for day, value in self.wheel.series(indicator.id, until=self.today)
            if indicator.start <= day <= self.today
        ]
        days, actuals = running_actuals(series, indicator.aggregation)
        return ChartData(
            plan=plan_line(indicator),
            actual=tuple(
                (date.fromordinal(day), value) for day, value in zip(days, actuals, strict=True)
            ),
            today=self.today,
        )

    def _indicator_facts(self, indicator: Indicator, c: Comparison) -> Text:
        unit = f" {plain(indicator.unit)}" if indicator.unit else ""
        goal = self._goals.get(indicator.goal_id)
        text = Text()
        # narrow, the table right above already shows which goal it is under
        if goal is not None and self.size.width >= WIDE:
            text.append(plain(goal.title), style="dim")
            text.append(" / ", style="dim")
        text.append(plain(indicator.name) + "\n", style="bold")
        text.append_text(status_text(c.status))
        text.append(f"  {percent(c.progress).strip()}  {ahead_words(c.ahead_days)}\n")
        text.append(f"actual {number(c.actual)}{unit}")
        if c.last_date:
            text.append(f" (last value {c.last_date.isoformat()})", style="dim")
        text.append(f"\nexpected {number(c.expected)}{unit}")
        text.append(
            f"   plan {number(indicator.baseline)} → {number(indicator.target)}{unit} "
            f"by {indicator.due.isoformat()}\n",
            style="dim",
        )
        if c.forecast is not None:
            text.append(f"forecast {number(c.forecast)}{unit} at due")
            text.append(
                # short enough for one line beside the chart at 80 columns
                f", ETA {c.eta.isoformat()}\n" if c.eta else ", never reaches target\n"
            )
        if c.stale:
            text.append(f"stale: no value within its {indicator.cadence} cadence\n", style="italic")
        self._append_review(text, self.wheel.reviews(indicator_id=indicator.id))
        return text

    def _goal_facts(self, goal: Goal, rollup: GoalRollUp) -> Text:
        text = Text(plain(goal.title) + "\n", style="bold")
        text.append_text(status_text(rollup.status))
        text.append(f"  progress {percent(rollup.progress).strip()}\n")
        if rollup.activity_trap:
            text.append(
                "activity trap: no outcome or impact indicator, so progress counts activities\n",
                style="italic",
            )
        efficiency = rollup.efficiency
        if efficiency is not None:
            verdict = "overspending" if efficiency.overspending else "in step"
            text.append(
                f"efficiency: {efficiency.spent:.0%} of the budget spent for "
                f"{efficiency.results:.0%} of the results ({verdict})\n"
            )
        self._append_review(text, self.wheel.reviews(goal_id=goal.id))
        return text

    @staticmethod
    def _append_review(text: Text, reviews: list[Review]) -> None:
        if not reviews:
            text.append("no review yet (r records one)", style="dim")
            return
        last = reviews[0]
        text.append(
            f"last review {last.date.isoformat()} by {plain(last.stamp.updated_by)}: "
            f"{last.judgement.replace('_', ' ')}, confidence {last.confidence}/10"
        )
        if last.cause:
            text.append(f", cause {last.cause}, decision {(last.decision or '').replace('_', ' ')}")
        if last.comment:
            text.append("\n“" + plain(last.comment) + "”", style="italic")

    # ---------------------------------------------------------- actions
    def action_sort(self) -> None:
        self.sort_index = (self.sort_index + 1) % len(SORTS)
        self._fill_table()

    def action_order(self) -> None:
        self.reverse = not self.reverse
        self._fill_table()

    def action_status_filter(self) -> None:
        self.filter_index = (self.filter_index + 1) % len(FILTERS)
        self._fill_table()

    def action_text_filter(self) -> None:
        self.query_one("#compare-search", FilterInput).open()

    def action_clear_filters(self) -> None:
        search = self.query_one("#compare-search", FilterInput)
        if not (self.filter_index or search.is_active):
            return
        self.filter_index = 0
        if not search.clear():
            self._fill_table()

    @on(FilterInput.Changed, "#compare-search")
    def _search_changed(self, event: FilterInput.Changed) -> None:
        self.text = event.text
        self._fill_table()

    @on(FilterInput.Submitted, "#compare-search")
    def _search_done(self) -> None:
        self.set_focus(self.query_one("#compare-table", DataTable))

    @on(FilterInput.Cleared, "#compare-search")
    def _search_cleared(self) -> None:
        self.text = ""
        self.set_focus(self.query_one("#compare-table", DataTable))
        self._fill_table()

    def action_review(self) -> None:
        row = self.selected_row()
        if row is None:
            self.notify("Nothing to review: add an indicator first.", markup=False)
            return
        result = self.comparison()
        if row.kind is INDICATOR:
            indicator = self._indicators[row.doc_id]
            c = result.indicators[row.doc_id]
            goal = self._goals.get(indicator.goal_id)
            label = (plain(goal.title) + " / " if goal else "") + plain(indicator.name)
            summary = (
                f"{STATUS_GLYPH[c.status]} {STATUS_WORD[c.status]}: actual {number(c.actual)} "
                f"against {number(c.expected)} expected, progress {percent(c.progress).strip()}, "
                f"{ahead_words(c.ahead_days)}"
            )
            subject = ReviewSubject(label, summary, frozen(c), result.at, indicator_id=indicator.id)
        else:
            rollup = result.goals[row.doc_id]
            summary = (
                f"{STATUS_GLYPH[rollup.status]} {STATUS_WORD[rollup.status]}: "
                f"progress {percent(rollup.progress).strip()}"
            )
            frozen_rollup = {"at": result.at.isoformat(), **frozen(rollup)}
            subject = ReviewSubject(row.name, summary, frozen_rollup, result.at, goal_id=row.doc_id)
        self.open_form(ReviewForm(subject, self._save_review), self._reviewed)

    def _save_review(self, values: dict[str, Any]) -> Review:
        return self.wheel.add(REVIEW, values)

    def _reviewed(self, review: Review) -> None:
        self.notify(f"Review recorded: {review.judgement.replace('_', ' ')}", markup=False)

    # ---------------------------------------------------------- palette
    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand(
            "Record a review", "of the selected indicator or goal", self.action_review
        )
        yield SystemCommand("Sort the comparison", "cycle the sort column", self.action_sort)
        yield SystemCommand(
            "Filter the comparison by status", "cycle the status filter", self.action_status_filter
        )

    def select(self, kind: Kind[Any], doc_id: int) -> bool:
        key = ("g" if kind is GOAL else "i" if kind is INDICATOR else "") + str(doc_id)
        if key not in self._by_key:
            return False
        table = self.query_one("#compare-table", DataTable)
        if key not in {row.key for row in self.visible_rows()}:
            self.action_clear_filters()
        table.move_cursor(row=table.get_row_index(key))
        self.set_focus(table)
        return True
