"""Stage 3, Compare: every indicator and goal against its plan.

One table (widgets.compare_table) holds a roll-up row per goal followed by
its indicators, from the read model; `s` cycles the sort column, `o` flips
the order, `f` cycles a status filter and `/` filters by text. Below (or
beside, on a wide terminal) the selected row's plan-versus-actual chart and
its figures; `r` records a review of it through `Wheel.record_review`,
which freezes the comparison itself, and a review deciding `adjust_target`
offers the revision form citing it. The detail shows the confidence over
time and the latest review, `v` every review; the chart draws the plan lines
a revision replaced, and `c` keeps it beside the figures at 80 columns. `R`
opens the risk register.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from store.compare import earlier_plans, plan_points, running_actuals
from store.documents import Indicator, Review
from store.format import ahead_words, number, percent
from store.plain import plain
from store.service import GOAL, INDICATOR, RISK, Kind
from store.steering import ACCEPTANCE_THRESHOLD, needs_decision
from store.views import Record, WheelView
from tui.dialogs.review_form import ReviewForm, ReviewSubject
from tui.dialogs.reviews import ReviewsDialog, review_line
from tui.screens.register import open_register
from tui.screens.revise import open_revision
from tui.screens.stage import StageScreen
from widgets.block_spark import spark_text
from widgets.compare_table import FILTERS, SORTS, CompareTable, Row, risk_words, status_text
from widgets.filter_input import FilterInput
from widgets.plan_chart import ChartData, PlanChart

# at least this wide the detail sits beside the table (the -wide class)
WIDE = 150
NARROW_CHART_WIDTH = 32  # #compare-chart in app.tcss, beside the figures
# the latest reviews the detail lists (v lists them all); the sparkline's room
NARROW_REVIEWS = 1
WIDE_REVIEWS = 5
SPARK_WIDTH = 44


def indicator_facts(record: Record, with_goal: bool) -> Text:
    """The figures of an indicator's record, as the detail shows them."""
    unit = f" {plain(record['unit'])}" if record["unit"] else ""
    text = Text()
    # narrow, the table right above already shows which goal it is under
    if with_goal and record["goal"] is not None:
        text.append(plain(record["goal"]), style="dim")
        text.append(" / ", style="dim")
    text.append(plain(record["indicator"]) + "\n", style="bold")
    text.append_text(status_text(record["status"]))
    text.append(f"  {percent(record['progress'])}  {ahead_words(record['ahead_days'])}\n")
    text.append(f"actual {number(record['actual'])}{unit}")
    if record["last_date"]:
        text.append(f" (last value {record['last_date']})", style="dim")
    text.append(f"\nexpected {number(record['expected'])}{unit}")
    text.append(
        f"   plan {number(record['baseline'])} → {number(record['target'])}{unit} "
        f"by {record['due']}\n",
        style="dim",
    )
    if record["forecast"] is not None:
        text.append(f"forecast {number(record['forecast'])}{unit} at due")
        # short enough for one line beside the chart at 80 columns
        text.append(f", ETA {record['eta']}\n" if record["eta"] else ", never reaches target\n")
    if record["stale"]:
        text.append(f"stale: no value within its {record['cadence']} cadence\n", style="italic")
    return text


def revision_facts(indicator: Indicator) -> Text:
    """The latest change of plan, where it came from, and how many before it."""
    if not indicator.revisions:
        return Text()
    latest = indicator.revisions[-1]
    changes = "; ".join(
        f"{name} {plan_word(old)} → {plan_word(new)}" for name, (old, new) in latest.changes.items()
    )
    text = Text(f"revised {latest.at[:10]} by {plain(latest.by)}: {plain(changes)}")
    sources = [
        f"{what} {ref}"
        for what, ref in (("lesson", latest.lesson_id), ("review", latest.review_id))
        if ref is not None
    ]
    if sources:
        text.append(f" (from {', '.join(sources)})")
    earlier = len(indicator.revisions) - 1
    if earlier:
        text.append(f", {earlier} before", style="dim")
    text.append("\n")
    return text


def plan_word(value: object) -> str:
    """A revised field's value as stored, short: 20, 2026-12-31, 2 milestones."""
    if value is None or value == []:
        return "none"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return f"{len(value)} milestone{'s' if len(value) != 1 else ''}"
    return str(value)


def goal_facts(record: Record) -> Text:
    """The roll-up of a goal's record, its outcome once closed and its top risk."""
    text = Text(plain(record["goal"]) + "\n", style="bold")
    text.append_text(status_text(record["status"]))
    if record["status"] == "closed":
        text.append(f", outcome {record['outcome']}")
    text.append(f"  progress {percent(record['progress'])}\n")
    if record["top_risk"] is not None:
        risk = record["top_risk"]
        text.append(
            f"top {risk_words(risk)} (probability {risk['probability']}, "
            f"consequence {risk['consequence']})\n"
        )
    if record["activity_trap"]:
        text.append(
            "activity trap: no outcome or impact indicator, so progress counts activities\n",
            style="italic",
        )
    efficiency = record["efficiency"]
    if efficiency is not None:
        verdict = "overspending" if efficiency["overspending"] else "in step"
        text.append(
            f"efficiency: {efficiency['spent']:.0%} of the budget spent for "
            f"{efficiency['results']:.0%} of the results ({verdict})\n"
        )
    return text


def frozen_summary(record: Record) -> str:
    """What a stored review froze, in review_summary's words; a comparison
    written by another version that lacks a figure is said so, not a crash."""
    try:
        return "it stood at " + review_summary(record)
    except (KeyError, TypeError, ValueError):
        return "the comparison it froze cannot be read"


def review_summary(record: Record) -> str:
    """One line of the comparison a review is about to freeze."""
    status = status_text(record["status"]).plain
    if "indicator_id" in record:
        return (
            f"{status}: actual {number(record['actual'])} against "
            f"{number(record['expected'])} expected, progress {percent(record['progress'])}, "
            f"{ahead_words(record['ahead_days'])}"
        )
    return f"{status}: progress {percent(record['progress'])}"


class CompareScreen(StageScreen):
    """Indicators and goals against plan, with a chart and reviews."""

    STAGE = "compare"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "review", "Review", id="compare.review", tooltip="record a review"),
        Binding(
            "v",
            "reviews",
            "Reviews",
            id="compare.reviews",
            tooltip="every review of the selected one, newest first",
        ),
        Binding(
            "c",
            "chart",
            "Chart first",
            show=False,
            id="compare.chart",
            tooltip="narrow: the chart beside the figures even when they are cut off",
        ),
        Binding("s", "sort", "Sort", id="compare.sort", tooltip="cycle the sort column"),
        Binding(
            "R",
            "register",
            "Risks",
            show=False,
            id="compare.register",
            tooltip="the risk register: every goal's risks, the matrices, accept a risk",
        ),
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
        # priority: see StageScreen.open_filter
        Binding(
            "slash",
            "text_filter",
            "Filter",
            id="compare.search",
            tooltip="filter by text",
            priority=True,
        ),
        Binding("escape", "clear_filters", "Clear filters", show=False, id="compare.clear"),
    ]

    # the detail goes below the table until the terminal is wide enough for
    # it beside (the table has many columns)
    HORIZONTAL_BREAKPOINTS = [  # noqa: RUF012 (typed by Textual as it is)
        (0, "-narrow"),
        (WIDE, "-wide"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.sort_index = 0
        self.reverse = False
        self.filter_index = 0
        self.text = ""
        self.chart_first = False
        self._view: WheelView | None = None
        # what the detail shows: the view, the row and the layout drawn for
        self._drawn: tuple[WheelView | None, str | None, bool, bool] | None = None

    # ----------------------------------------------------------- layout
    def compose_body(self) -> ComposeResult:
        yield Static("", id="compare-state")
        yield FilterInput(
            "filter by goal or indicator name",
            then="#compare-table",
            id="compare-search",
        )
        with Horizontal(id="compare-body", classes="split"):
            with Vertical(id="compare-left", classes="list-pane"):
                yield CompareTable(id="compare-table")
            with Horizontal(id="compare-detail", classes="detail-pane"):
                yield PlanChart(id="compare-chart")
                yield Static("", id="compare-facts")

    def on_mount(self) -> None:
        self.set_focus(self.table)
        super().on_mount()

    @property
    def table(self) -> CompareTable:
        return self.query_one("#compare-table", CompareTable)

    @property
    def wide(self) -> bool:
        return self.has_class("-wide")

    # ------------------------------------------------------------- data
    def refresh_data(self) -> None:
        self._view = self.view()
        self.table.show(self._view, self.shown_nodes())
        self._show_state()

    @property
    def sort_column(self) -> str:
        return SORTS[self.sort_index][0]

    def _arrange(self) -> None:
        chosen = FILTERS[self.filter_index][0]
        self.table.order_rows(self.sort_column, self.reverse, chosen, self.text)
        self._show_state()

    def visible_rows(self) -> list[Row]:
        """The rows shown, in order, after the filters."""
        return self.table.rows_shown

    def _show_state(self) -> None:
        count = self.table.row_count
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
        if not self.table.has_rows:
            line = Text(
                self.filtered_out("goal")
                if self._view is not None and self._view.nodes
                else "No goals yet: add goals and indicators in 1 Goals, log values in 2 Measure."
            )
        self.query_one("#compare-state", Static).update(line)

    def selected_key(self) -> str | None:
        return self.table.selected_key()

    def selected_row(self) -> Row | None:
        return self.table.selected_row()

    # ----------------------------------------------------------- detail
    @on(CompareTable.Selected)
    def _selected(self) -> None:
        row, view = self.selected_row(), self._view
        if row is not None and view is not None:
            goal = (
                row.doc_id if row.kind == "goal" else view.indicator_record(row.doc_id)["goal_id"]
            )
            self.look_at(goal)
        # a filter or sort that keeps the cursor on its row posts the row
        # again, once or twice a key: its detail is drawn already
        drawn = self._drawn
        shown = (self.selected_key(), self.wide, self.table.compact)
        if drawn is None or drawn[0] is not self._view or drawn[1:] != shown:
            self._show_detail()

    def _show_detail(self) -> None:
        self._drawn = (self._view, self.selected_key(), self.wide, self.table.compact)
        row = self.selected_row()
        chart = self.query_one("#compare-chart", PlanChart)
        facts = self.query_one("#compare-facts", Static)
        view = self._view
        if row is None or view is None:
            chart.data = None
            facts.update("", layout=False)
            return
        if row.kind == "indicator":
            record = view.indicator_record(row.doc_id)
            chart.data = self._chart(view, row.doc_id)
            text = indicator_facts(record, with_goal=self.wide)
            text.append_text(revision_facts(view.indicator(row.doc_id)))
            self._append_reviews(text, self.wheel.reviews(indicator_id=row.doc_id))
        else:
            chart.data = None
            record = view.goal_record(row.doc_id)
            text = goal_facts(record)
            top = record["top_risk"]
            if top is not None and needs_decision(self.wheel.get(RISK, top["id"])):
                text.append(
                    f"risk {top['id']} is above {ACCEPTANCE_THRESHOLD}: mitigate or accept (R)\n",
                    style="bold",
                )
            self._append_reviews(text, self.wheel.reviews(goal_id=row.doc_id))
        chart.display = self.wide or (
            row.kind == "indicator" and (self.chart_first or self._fits_beside_chart(text))
        )
        facts.update(text, layout=False)

    def _fits_beside_chart(self, text: Text) -> bool:
        """Narrow, the chart sits beside the figures; when they would be cut
        off there, they take the whole width instead (no chart for a goal)."""
        box = self.query_one("#compare-detail").content_region
        width = box.width - NARROW_CHART_WIDTH - 1  # the figures' left padding
        return width > 0 and len(text.wrap(self.app.console, width)) <= box.height

    def _chart(self, view: WheelView, indicator_id: int) -> ChartData:
        indicator = view.indicator(indicator_id)
        series = self.wheel.counted_series(indicator, self.today)
        days, actuals = running_actuals(series, indicator.aggregation)
        return ChartData(
            plan=plan_points(indicator),
            actual=tuple(
                (date.fromordinal(day), value) for day, value in zip(days, actuals, strict=True)
            ),
            today=self.today,
            earlier=tuple(earlier_plans(indicator)),
        )

    def _append_reviews(self, text: Text, reviews: list[Review]) -> None:
        """The confidence over time and the latest reviews, newest first
        (narrow, the latest alone); `v` lists them all."""
        if not reviews:
            text.append("no review yet (r records one)", style="dim")
            return
        count = len(reviews)
        text.append_text(
            spark_text(
                f"{count} review{'s' if count > 1 else ''}, confidence",
                [r.confidence for r in reversed(reviews)], 0, 10, SPARK_WIDTH,
            )
        )  # fmt: skip
        text.append("  v: all", style="dim")
        for review in reviews[: WIDE_REVIEWS if self.wide else NARROW_REVIEWS]:
            text.append("\n" + review_line(review))
        if reviews[0].comment and self.wide:
            text.append("\n“" + plain(reviews[0].comment) + "”", style="italic")

    # ---------------------------------------------------------- actions
    def action_sort(self) -> None:
        self.sort_index = (self.sort_index + 1) % len(SORTS)
        self._arrange()

    def action_register(self) -> None:
        open_register(self)

    def action_chart(self) -> None:
        self.chart_first = not self.chart_first
        self.notify(
            "the chart beside the figures, even when they are cut off (c: figures first)"
            if self.chart_first
            else "the figures first: the chart when they fit beside it (c: chart first)",
            markup=False,
        )
        self._show_detail()

    def action_order(self) -> None:
        self.reverse = not self.reverse
        self._arrange()

    def action_status_filter(self) -> None:
        self.filter_index = (self.filter_index + 1) % len(FILTERS)
        self._arrange()

    def action_text_filter(self) -> None:
        self.open_filter("#compare-search")

    def action_clear_filters(self) -> None:
        search = self.query_one("#compare-search", FilterInput)
        if not (self.filter_index or search.is_active):
            return
        self.filter_index = 0
        if not search.clear():
            self._arrange()

    @on(FilterInput.Changed, "#compare-search")
    def _search_changed(self, event: FilterInput.Changed) -> None:
        self.text = event.text
        self._arrange()

    @on(FilterInput.Cleared, "#compare-search")
    def _search_cleared(self) -> None:
        self.text = ""
        self.set_focus(self.table)
        self._arrange()

    def action_review(self) -> None:
        row = self.selected_row()
        view = self._view
        if row is None or view is None:
            self.notify("Nothing to review: add an indicator first.", markup=False)
            return
        if row.kind == "indicator":
            record = view.indicator_record(row.doc_id)
            goal = record["goal"]
            label = (plain(goal) + " / " if goal is not None else "") + plain(record["indicator"])
            subject = ReviewSubject(
                label, review_summary(record), record["status"], view.at, indicator_id=row.doc_id
            )
        else:
            record = view.goal_record(row.doc_id)
            subject = ReviewSubject(
                row.name, review_summary(record), record["status"], view.at, goal_id=row.doc_id
            )
        self.open_form(ReviewForm(subject, self.wheel.record_review), self._reviewed)

    def _reviewed(self, review: Review) -> None:
        self.notify(f"Review recorded: {review.judgement.replace('_', ' ')}", markup=False)
        if review.decision == "adjust_target":
            self._offer_revision(review)

    def _offer_revision(self, review: Review) -> None:
        """The decision was to adjust the target: offer the revision form,
        citing the review."""
        if review.indicator_id is not None:
            indicators = [self.wheel.indicator(review.indicator_id)]
            what = f"indicator {review.indicator_id}"
        else:
            indicators = self.wheel.indicators(review.goal_id)
            what = f"an indicator of goal {review.goal_id}"

        def revise() -> None:
            open_revision(self, indicators, review_id=review.id, on_done=self._revised)

        self.confirm(
            f"Review {review.id} decided to adjust the target.\n"
            f"Revise the plan of {what} now? The revision cites the review.",
            revise,
            yes="Revise",
        )

    def _revised(self, indicator: Indicator) -> None:
        self.notify(f"Plan of {plain(indicator.name)} revised (u undoes)", markup=False)

    def action_reviews(self) -> None:
        row = self.selected_row()
        if row is None:
            self.notify("Nothing selected: add an indicator first.", markup=False)
            return
        if row.kind == "indicator":
            reviews = self.wheel.reviews(indicator_id=row.doc_id)
        else:
            reviews = self.wheel.reviews(goal_id=row.doc_id)
        self.app.push_screen(ReviewsDialog(row.name, reviews, frozen_summary))

    # ---------------------------------------------------------- palette
    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand(
            "Record a review", "of the selected indicator or goal", self.action_review
        )
        yield SystemCommand(
            "List the reviews", "of the selected indicator or goal, newest first (v)",
            self.action_reviews,
        )  # fmt: skip
        yield SystemCommand("Sort the comparison", "cycle the sort column", self.action_sort)
        yield SystemCommand(
            "Risk register", "every goal's risks, the 5x5 matrices, accept a risk (R)",
            self.action_register,
        )  # fmt: skip
        yield SystemCommand(
            "Filter the comparison by status", "cycle the status filter", self.action_status_filter
        )

    def select(self, kind: Kind[Any], doc_id: int) -> bool:
        key = ("g" if kind is GOAL else "i" if kind is INDICATOR else "") + str(doc_id)
        table = self.table
        if table.row_of(key) is None:
            return False
        if not table.go_to(key):
            self.action_clear_filters()
            table.go_to(key)
        self.set_focus(table)
        return True
