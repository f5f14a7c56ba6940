"""Close a period: pick it, give each goal due in it an outcome and a
comment, choose which goals go on into the next period, see what will
happen, then do it, all through `Wheel.close_period`.

The outcome starts as the one the goal's status at the period's end
suggests (the verb's own proposal, read from a dry run); `o` steps through
the others. The selected goal's comment is shown in full under the list.
The preview below is the verb's dry run of exactly what `y` will do, redone
after every change, so what is shown is what is written: how many goals
close with which outcome, and each carried goal's new dates and baselines.
Keyboard only; fits 80x24 (Tab reaches the preview to scroll it).
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Input, Label, Static

from store.documents import OUTCOMES
from store.errors import StoreError
from store.format import counted
from store.plain import plain
from store.service import Wheel
from store.steering import ClosedGoal, Period, PeriodClose, parse_period
from tui.dialogs.list_keys import ListKeys
from widgets.gauge import status_text
from widgets.placeholder import hint

GOAL_WIDTH = 38
COLUMNS = ("goal", "status at end", "outcome", "carry")
HINT = "o outcome  space carry  e comment  y close it  Tab next  Esc cancel"


def _clipped(text: str, width: int) -> Text:
    line = Text(text, no_wrap=True)
    line.truncate(width, overflow="ellipsis")
    return line


def preview_lines(plan: PeriodClose) -> list[str]:
    """A dry run in a few lines: the outcomes counted, then each carried
    goal with its new dates and each indicator's new baseline."""
    if not (plan.closed or plan.carried or plan.not_agreed):
        return [f"nothing: no open goal is due in {plan.period.label}"]
    counts: dict[str, int] = {}
    for c in plan.closed:
        counts[c.outcome] = counts.get(c.outcome, 0) + 1
    outcomes = ", ".join(f"{n} {o}" for o in OUTCOMES if (n := counts.get(o)))
    lines = [
        f"closes {counted(len(plan.closed), 'goal')} of {plan.period.label}"
        + (f": {outcomes}" if outcomes else "")
    ]
    if plan.ends_after is not None:
        lines.append(
            f"{plan.period.label} ends on {plan.ends_after}: outcomes proposed from today's status"
        )
    if plan.not_agreed:
        left = ", ".join(str(c.goal_id) for c in plan.not_agreed)
        many = len(plan.not_agreed) > 1
        goals, be = ("goals", "they are") if many else ("goal", "it is")
        lines.append(f"leaves {goals} {left} as {be}: never agreed")
    if not plan.carried:
        lines.append(f"carries none into {plan.next.label} (space on a goal carries it)")
    for k in plan.carried:
        lines.append(
            f"carries goal {k.from_id} {plain(k.title)} into {plan.next.label} as a draft, "
            f"{k.start or '…'} -> {k.due or '…'}"
        )
        lines += [f"  {plain(n)}: baseline {b:g}, target {t:g}" for n, b, t in k.indicators]
        if k.lessons:
            lines.append(f"  lessons kept: {', '.join(str(x) for x in k.lessons)}")
    return lines


class ClosePeriodDialog(ListKeys[PeriodClose | None]):
    """The goals due in a period, each with its outcome, carry and comment;
    gives back what `Wheel.close_period` did, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="close.cancel"),
        Binding("o", "outcome(1)", "Next outcome", id="close.outcome"),
        Binding("O", "outcome(-1)", "Previous outcome", show=False, id="close.outcome_back"),
        Binding("space", "carry", "Carry on", id="close.carry"),
        Binding("e", "comment", "Comment", id="close.comment"),
        Binding("y", "close_period", "Close the period", id="close.confirm"),
    ]

    def __init__(self, wheel: Wheel, period: Period) -> None:
        super().__init__(classes="dialog")
        self._wheel = wheel
        self._period = period
        self._goals: list[ClosedGoal] = []
        self._already: set[int] = set()
        self._proposed: dict[int, str] = {}
        self._outcome: dict[int, str] = {}
        self._comment: dict[int, str] = {}
        self._carry: set[int] = set()
        self._not_ready: str | None = "no period yet"
        """Why `y` may not close now (None: the preview ran and closes something)."""

    # ----------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box close-box"):
            yield Static(Text("Close a period", style="bold"), classes="dialog-title")
            with Horizontal(classes="form-row"):
                yield Label("Period", classes="form-label")
                yield Input(
                    self._period.label,
                    placeholder=hint("2026, 2026-Q3 or 2026-11; Enter shows its goals"),
                    id="close-period",
                    compact=True,
                )
            yield Static("", id="close-message", classes="form-error")
            yield DataTable(id="close-goals", cursor_type="row", zebra_stripes=True)
            yield Static("", id="close-goal-comment")
            with Horizontal(classes="form-row", id="close-comment-row"):
                yield Label("Comment", classes="form-label")
                yield Input(
                    placeholder=hint(default="as above; Enter keeps it, Esc leaves it"),
                    id="close-comment",
                    compact=True,
                )
            yield Static(Text("What y does", style="bold"), classes="section-title")
            with VerticalScroll(id="close-preview"):
                yield Static("", id="close-preview-text")
            yield Static(HINT, classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#close-message").display = False
        self.query_one("#close-comment-row").display = False
        self.query_one("#close-goals", DataTable).add_columns(*COLUMNS)
        self._load(self._period)

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one("#close-goals", DataTable)

    # ------------------------------------------------------------- data
    def _say(self, message: str) -> None:
        box = self.query_one("#close-message", Static)
        box.update(Text(plain(message)))
        box.display = bool(message)

    def _load(self, period: Period) -> None:
        """The goals due in `period` and the outcomes their status suggests."""
        try:
            plan = self._wheel.close_period(period, dry_run=True)
        except StoreError as exc:
            self._say(str(exc))
            return
        self._say("")
        self._period = period
        self._goals = [*plan.closed, *plan.not_agreed, *plan.already_closed]
        self._already = {c.goal_id for c in (*plan.already_closed, *plan.not_agreed)}
        self._proposed = {c.goal_id: c.outcome for c in plan.closed}
        self._outcome = dict(self._proposed)
        self._comment = {}
        self._carry = set()
        self._fill()
        if self._goals:
            self.set_focus(self.table)

    def _fill(self) -> None:
        table = self.table
        row = table.cursor_row
        table.clear()
        for c in self._goals:
            done = c.goal_id in self._already
            table.add_row(
                _clipped(f"{c.goal_id} {plain(c.title)}", GOAL_WIDTH),
                status_text(c.status),  # type: ignore[arg-type]
                Text(
                    (f"was {c.outcome}" if c.outcome else "stays open")
                    if done
                    else self._outcome[c.goal_id]
                ),
                Text("carry" if c.goal_id in self._carry else "-"),
                key=str(c.goal_id),
            )
        if self._goals:
            table.move_cursor(row=min(row, len(self._goals) - 1))
        self._show_comment()
        self._preview()

    @on(DataTable.RowHighlighted, "#close-goals")
    def _show_comment(self) -> None:
        """The selected goal's closing comment, whole, on one line."""
        line = Text(no_wrap=True, overflow="ellipsis")
        if self._goals:
            c = self._goals[min(self.table.cursor_row, len(self._goals) - 1)]
            line.append(f"goal {c.goal_id} comment: ", style="dim")
            line.append(plain(self._comment.get(c.goal_id, c.comment)))
            if c.goal_id in self._already:
                kept = "closed before" if c.outcome else "never agreed"
                line.append(f"  ({kept}: kept)", style="dim")
        self.query_one("#close-goal-comment", Static).update(line)

    def _choices(self) -> dict[str, Any]:
        return {
            "outcomes": {
                gid: outcome
                for gid, outcome in self._outcome.items()
                if outcome != self._proposed.get(gid)
            },
            "comments": dict(self._comment),
            "carry": [c.goal_id for c in self._goals if c.goal_id in self._carry],
        }

    def _preview(self) -> None:
        text = self.query_one("#close-preview-text", Static)
        try:
            plan = self._wheel.close_period(self._period, dry_run=True, **self._choices())
        except StoreError as exc:
            self._not_ready = f"refused: {exc}"
            text.update(Text(plain(self._not_ready), style="bold"))
            return
        self._not_ready = (
            None
            if plan.closed or plan.carried
            else f"nothing to close in {plan.period.label}: Tab to the period and pick another"
        )
        text.update(Text("\n".join(preview_lines(plan))))

    def _selected(self) -> ClosedGoal | None:
        table = self.table
        if table.row_count == 0 or self.focused is not table:
            return None
        return self._goals[table.cursor_row]

    # ---------------------------------------------------------- actions
    @on(Input.Submitted, "#close-period")
    def _period_typed(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            period = parse_period(event.value)
        except StoreError as exc:
            self._say(str(exc))
            return
        self._load(period)
        if not self._goals:
            self._say(f"no goal is due in {period.label}")

    def action_outcome(self, step: int) -> None:
        c = self._selected()
        if c is None or c.goal_id in self._already:
            return
        now = OUTCOMES.index(self._outcome[c.goal_id])
        self._outcome[c.goal_id] = OUTCOMES[(now + step) % len(OUTCOMES)]
        self._fill()

    def action_carry(self) -> None:
        c = self._selected()
        if c is not None:
            self._carry ^= {c.goal_id}
            self._fill()

    def action_comment(self) -> None:
        c = self._selected()
        if c is None:
            return
        if c.goal_id in self._already:
            why = "was closed before" if c.outcome else "was never agreed and stays open"
            self._say(f"goal {c.goal_id} {why}: its comment stays as it is")
            return
        box = self.query_one("#close-comment", Input)
        box.value = self._comment.get(c.goal_id, "")
        self.query_one("#close-comment-row").display = True
        self.set_focus(box)

    @on(Input.Submitted, "#close-comment")
    def _comment_typed(self, event: Input.Submitted) -> None:
        event.stop()
        goal = self._goals[self.table.cursor_row]
        if event.value.strip():
            self._comment[goal.goal_id] = event.value.strip()
        else:
            self._comment.pop(goal.goal_id, None)
        self._leave_comment()
        self._fill()

    def _leave_comment(self) -> None:
        self.query_one("#close-comment-row").display = False
        self.set_focus(self.table)

    def action_cancel(self) -> None:
        if self.focused is self.query_one("#close-comment", Input):
            self._leave_comment()
            return
        self.dismiss(None)

    def action_close_period(self) -> None:
        if self._not_ready is not None:
            self._say(self._not_ready)
            return
        try:
            done = self._wheel.close_period(self._period, **self._choices())
        except StoreError as exc:
            self._say(str(exc))
            return
        self.dismiss(done)
