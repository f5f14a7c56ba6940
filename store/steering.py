"""The rules of steering that need no store: goal state moves, periods,
risk acceptance and the small texts the CLI reads (actions, residual pairs).

The verbs that apply them live on the Wheel (store/service.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

from store import fields as f
from store.documents import GOAL_STATES, OUTCOMES, Action, Goal, Lesson, Risk
from store.errors import ValidationError

# ------------------------------------------------------------ goal states

# (from, to) -> the verb's name; no other move is allowed
MOVES: Final[dict[tuple[str, str], str]] = {
    ("draft", "proposed"): "propose",
    ("proposed", "draft"): "send-back",
    ("proposed", "agreed"): "agree",
    ("agreed", "active"): "activate",
    ("active", "closed"): "close",
    ("closed", "active"): "reopen",
}
AGREED_STATES: Final = ("agreed", "active", "closed")
NEW_GOAL_STATES: Final = ("draft", "proposed")


def check_move(goal: Goal, to: str) -> None:
    """Refuse a state move the wheel does not allow, naming those it does."""
    if (goal.state, to) in MOVES:
        return
    allowed = [f"{verb} (to {new})" for (old, new), verb in MOVES.items() if old == goal.state]
    can = f"it can {' or '.join(allowed)}"
    if goal.state == to:
        raise ValidationError(f"goal {goal.id} is already {to}; {can}", "state")
    raise ValidationError(f"goal {goal.id} is {goal.state}; it cannot move to {to}: {can}", "state")


def check_new_state(state: object) -> None:
    """A goal is added as draft or proposed (the CLI's rule); the moves take it further."""
    if state is None or state == "":
        return
    wanted = f.choice(state, "state", GOAL_STATES)
    if wanted not in NEW_GOAL_STATES:
        raise ValidationError(
            f"a new goal starts as draft or proposed, not {wanted}; then move it: "
            "styr goal propose|agree|activate|close",
            "state",
        )


def proposed_outcome(status: str) -> str:
    """The outcome a goal's status at the end of its period suggests."""
    if status == "achieved":
        return "achieved"
    if status in ("missed", "off_track", "no_data", "not_started"):
        return "missed"
    return "partly"


def check_outcome(outcome: object) -> str:
    return f.choice(outcome, "outcome", OUTCOMES)


# ---------------------------------------------------------------- periods

_PERIOD = re.compile(r"^(\d{4})(?:-(?:Q(\d)|(\d{2})))?$", re.IGNORECASE)
PERIOD_FORMS: Final = "a year (2026), a quarter (2026-Q3) or a month (2026-11)"


@dataclass(frozen=True, slots=True)
class Period:
    """A year, a quarter or a month: its first and last day and its length."""

    label: str
    start: date
    end: date
    months: int

    def contains(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.end

    def overlaps(self, start: date | None, end: date | None) -> bool:
        return (start or date.min) <= self.end and (end or date.max) >= self.start

    def next(self) -> Period:
        first = shift_months(self.start, self.months)
        return _period(first.year, first.month, self.months)


def parse_period(text: str) -> Period:
    raw = text.strip()
    match = _PERIOD.match(raw)
    year = int(match.group(1)) if match else 0
    quarter, month = (match.group(2), match.group(3)) if match else (None, None)
    if (
        not match
        or not 1 <= year < 9999  # the period after it must have dates too
        or (quarter is not None and not 1 <= int(quarter) <= 4)
        or (month is not None and not 1 <= int(month) <= 12)
    ):
        raise ValidationError(f"period {raw!r} is not a period; use {PERIOD_FORMS}", "period")
    if quarter is not None:
        return _period(year, 3 * int(quarter) - 2, 3)
    if month is not None:
        return _period(year, int(month), 1)
    return _period(year, 1, 12)


def _period(year: int, first: int, months: int) -> Period:
    label = {12: str(year), 3: f"{year}-Q{(first - 1) // 3 + 1}"}.get(months, f"{year}-{first:02d}")
    start = date(year, first, 1)
    last = shift_months(start, months - 1)
    return Period(label, start, last.replace(day=_days_in(last.year, last.month)), months)


def _days_in(year: int, month: int) -> int:
    # not calendar.monthrange: importing calendar (and locale) costs every command
    if month == 12:
        return 31
    return (date(year, month + 1, 1) - timedelta(days=1)).day


def shift_months(day: date, months: int) -> date:
    """The same day `months` later; the last day of a month stays the last,
    and a day the target month lacks becomes its last (31 Jan -> 28 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    if not 1 <= year <= 9999:
        raise ValidationError(f"{day} moved by {months} months is past the calendar", "date")
    last = _days_in(year, month)
    was_last = day.day == _days_in(day.year, day.month)
    return date(year, month, last if was_last else min(day.day, last))


# ------------------------------------------------------------------ risks

# A risk whose residual score (probability x consequence after mitigation,
# 1-25) is above this must be mitigated below it or accepted by a named
# person on a date. The backend seam has no settings yet, so the store-wide
# threshold is this one documented constant.
ACCEPTANCE_THRESHOLD: Final = 12


def needs_decision(risk: Risk) -> bool:
    """Open, residual above the threshold, and nobody has accepted it."""
    return (
        risk.state == "open"
        and risk.residual_score > ACCEPTANCE_THRESHOLD
        and not (risk.accepted_by and risk.accepted_on)
    )


def risk_record(risk: Risk, goal: Goal | None) -> dict[str, Any]:
    p, c = risk.residual
    return {
        "risk_id": risk.id,
        "title": risk.title,
        "goal_id": risk.goal_id,
        "goal": goal.title if goal else None,
        "state": risk.state,
        "probability": risk.probability,
        "consequence": risk.consequence,
        "score": risk.score,
        "residual_probability": p,
        "residual_consequence": c,
        "residual_score": p * c,
        "cause": risk.cause,
        "mitigation": risk.mitigation,
        "owner": risk.owner,
        "due": risk.due.isoformat() if risk.due else None,
        "accepted_by": risk.accepted_by,
        "accepted_on": risk.accepted_on.isoformat() if risk.accepted_on else None,
        "needs_decision": needs_decision(risk),
    }


def parse_pair(text: str, field: str = "residual") -> tuple[int, int]:
    """`3,4` (probability, consequence) as typed on the command line."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 2:
        raise ValidationError(
            f"{field} {text.strip()!r} must be probability,consequence like 2,3", field
        )
    c = f.Collect()
    pair = (
        c(field, f.integer, parts[0], f"{field} probability", 1, 5),
        c(field, f.integer, parts[1], f"{field} consequence", 1, 5),
    )
    c.done()
    return pair


# ---------------------------------------------------------------- actions


def parse_action(text: str) -> dict[str, Any]:
    """`what|owner|due` (owner and due may be left out) as an action record."""
    parts = [p.strip() for p in text.split("|")]
    if len(parts) > 3:
        raise ValidationError(f"action {text.strip()!r} has more than what|owner|due", "actions")
    what, owner, due = [*parts, "", ""][:3]
    return {"what": what, "owner": owner, "due": due or None, "done": False}


# ---------------------------------------------------------------- filters


def goal_filter(
    *, owner: str | None = None, state: str | None = None, period: str | None = None, user: str
) -> Callable[[Goal], bool]:
    """Which goals "my goals" (owner `me` = `user`), a state and a period
    (goals whose start..due overlaps it) keep; bad input raises."""
    who = (
        (user if owner.strip().casefold() == "me" else owner.strip()).casefold() if owner else None
    )
    wanted = f.choice(state, "state", GOAL_STATES) if state is not None else None
    span = parse_period(period) if period is not None else None

    def keep(goal: Goal) -> bool:
        return (
            (who is None or goal.owner.casefold() == who)
            and (wanted is None or goal.state == wanted)
            and (span is None or span.overlaps(goal.start, goal.due))
        )

    return keep


@dataclass(frozen=True, slots=True)
class GoalFilter:
    """The owner, state and period filters the TUI keeps while the user
    moves around the wheel; `styr status --owner/--state/--period` in one
    value. Built only through `make`, so what it holds is valid."""

    owner: str | None = None
    state: str | None = None
    period: Period | None = None

    @classmethod
    def make(
        cls, *, owner: str | None = None, state: str | None = None, period: str | None = None
    ) -> GoalFilter:
        """Check each part as `styr status` does; bad input raises."""
        return cls(
            owner.strip() or None if owner else None,
            f.choice(state, "state", GOAL_STATES) if state else None,
            parse_period(period) if period and period.strip() else None,
        )

    @property
    def active(self) -> bool:
        return bool(self.owner or self.state or self.period)

    def keep(self, user: str) -> Callable[[Goal], bool] | None:
        """The goals it keeps (None: every goal)."""
        if not self.active:
            return None
        label = self.period.label if self.period else None
        return goal_filter(owner=self.owner, state=self.state, period=label, user=user)


def lessons_for(lessons: Iterable[Lesson], goal_ids: Container[int] | None) -> list[Lesson]:
    """The lessons of the goals a filter keeps (None: no filter, every
    lesson, also those of no goal), in the order given."""
    if goal_ids is None:
        return list(lessons)
    return [x for x in lessons if x.goal_id is not None and x.goal_id in goal_ids]


# what the verbs of steering give back (defined here, not in service.py:
# a log creates no class it does not use)


@dataclass(frozen=True, slots=True)
class ClosedGoal:
    """A goal as a period close closes it."""

    goal_id: int
    title: str
    status: str
    outcome: str
    comment: str
    given: bool  # chosen by the caller, not proposed from the status


@dataclass(frozen=True, slots=True)
class CarriedGoal:
    """A goal a period close carries into the next period."""

    from_id: int
    title: str
    goal_id: int | None  # None in a dry run: nothing was added
    start: str | None
    due: str | None
    indicators: tuple[tuple[str, float, float], ...]  # name, new baseline, target
    lessons: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class PeriodClose:
    """What closing a period did (or, in a dry run, would do)."""

    period: Period
    next: Period
    closed: tuple[ClosedGoal, ...]
    carried: tuple[CarriedGoal, ...]
    dry_run: bool
    # due in the period but closed before: left as they are, and may be carried
    already_closed: tuple[ClosedGoal, ...] = ()
    # due in the period but never agreed (draft, proposed): left as they are,
    # and may be carried; a goal nobody agreed to cannot be missed
    not_agreed: tuple[ClosedGoal, ...] = ()
    # the period is not over yet: outcomes come from the status today
    ends_after: date | None = None


@dataclass(frozen=True, slots=True)
class OpenAction:
    """An action of a lesson not done yet."""

    lesson: Lesson
    number: int  # 1-based, as `styr action done LESSON ACTION` names it
    action: Action
    overdue: bool
