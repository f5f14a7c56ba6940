"""The forms for goals, indicators and risks: which inputs, and how their
values reach the Wheel (add, or update with the updated_at seen when the
form opened so a concurrent change is a conflict, not an overwrite)."""

from __future__ import annotations

from typing import Any

from store import documents as d
from store.errors import BadInput, ValidationError
from store.plain import plain
from store.service import GOAL, INDICATOR, RISK, Wheel
from store.steering import AGREED_STATES
from tui.dialogs.form import FormDialog, FormField, changed, text_of


def _resolve_parent(wheel: Wheel, text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    try:
        return wheel.find(GOAL, text).id
    except BadInput as exc:
        raise ValidationError(f"parent: {exc}", "parent_id") from None


def goal_fields(goal: d.Goal | None = None, parent: d.Goal | None = None) -> list[FormField]:
    g = goal
    parent_text = str(g.parent_id) if g and g.parent_id else (str(parent.id) if parent else "")
    return [
        FormField("title", "Title", g.title if g else "", "Shorter waiting times"),
        FormField("description", "Description", g.description if g else ""),
        FormField("parent_id", "Parent goal", parent_text, "3, or a goal's name",
                  aliases=("parent",), default="top level"),
        FormField("owner", "Owner", g.owner if g else ""),
        FormField("unit", "Unit", g.unit if g else "", "Finance (an organisational unit)"),
        FormField("start", "Start", text_of(g.start) if g else "", "2026-01-01, today, -2w"),
        FormField("due", "Due", text_of(g.due) if g else "", "2026-12-31"),
        FormField("closing_comment", "Closing comment", g.closing_comment if g else ""),
        FormField("tags", "Tags", " ".join(g.tags) if g else "", "budget staff (words)"),
        FormField("weight", "Weight", text_of(g.weight) if g else "1", default="1"),
    ]  # fmt: skip


def indicator_fields(goal: d.Goal | None, ind: d.Indicator | None = None) -> list[FormField]:
    i = ind
    start = text_of(i.start) if i else text_of(goal.start if goal and goal.start else "today")
    due = text_of(i.due) if i else text_of(goal.due if goal else "")
    milestones = ",".join(f"{day}={value:g}" for day, value in i.milestones) if i else ""
    return [
        FormField("name", "Name", i.name if i else "", "Days to a decision"),
        FormField("unit", "Unit", i.unit if i else "", "%, NOK, hours"),
        FormField("baseline", "Baseline", text_of(i.baseline) if i else "", "40 (value at start)"),
        FormField("target", "Target", text_of(i.target) if i else "", "20 (value at due)"),
        FormField("start", "Start", start, "2026-01-01, today, -2w"),
        FormField("due", "Due", due, "2026-12-31"),
        FormField("direction", "Direction", i.direction if i else "increase",
                  choices=d.DIRECTIONS, default="increase"),
        FormField("aggregation", "Aggregation", i.aggregation if i else "last",
                  choices=d.AGGREGATIONS, default="last"),
        FormField("chain", "Result chain", i.chain if i else "outcome",
                  choices=d.CHAIN_LEVELS, default="outcome"),
        FormField("cadence", "Cadence", i.cadence if i else "monthly",
                  choices=d.CADENCES, default="monthly"),
        FormField("weight", "Weight", text_of(i.weight) if i else "1", default="1"),
        FormField("tolerance", "Tolerance", text_of(i.tolerance) if i else "0.1",
                  default="0.1 (= 10 %)"),
        FormField("milestones", "Milestones", milestones, "2026-06-30=20, 2026-12-31=40"),
    ]  # fmt: skip


def revision_fields(
    reason: str = "", lesson_id: int | None = None, review_id: int | None = None
) -> list[FormField]:
    """On an agreed goal a change of plan is a revision: these inputs say
    why, and which lesson or review it came from (filled in when it is
    opened from one)."""
    return [
        FormField("reason", "Reason", reason, "the budget was cut (a revision needs one)"),
        FormField("lesson_id", "From lesson", text_of(lesson_id), "12 (a lesson's id; optional)",
                  aliases=("lesson",)),
        FormField("review_id", "From review", text_of(review_id), "7 (a review's id; optional)",
                  aliases=("review",)),
    ]  # fmt: skip


def risk_fields(risk: d.Risk | None = None) -> list[FormField]:
    r = risk
    return [
        FormField("title", "Title", r.title if r else "", "Key staff leave (what could go wrong)"),
        FormField("cause", "Cause", r.cause if r else ""),
        FormField("probability", "Probability", text_of(r.probability) if r else "", "3 (1-5)"),
        FormField("consequence", "Consequence", text_of(r.consequence) if r else "", "4 (1-5)"),
        FormField("mitigation", "Mitigation", r.mitigation if r else ""),
        FormField("owner", "Owner", r.owner if r else ""),
        FormField("due", "Due", text_of(r.due) if r else "", "2026-12-31"),
        FormField("residual_probability", "Residual prob.", text_of(r.residual_probability) if r
                  else "", "2 (1-5, after mitigation)", aliases=("residual probability",)),
        FormField("residual_consequence", "Residual cons.", text_of(r.residual_consequence) if r
                  else "", "2 (1-5, after mitigation)", aliases=("residual consequence",)),
        FormField("state", "State", r.state if r else "open", choices=d.RISK_STATES,
                  default="open"),
    ]  # fmt: skip


def _initial(fields: list[FormField]) -> dict[str, str]:
    return {spec.name: spec.value for spec in fields}


def _blank_to_none(values: dict[str, str]) -> dict[str, Any]:
    return {k: (None if v.strip() == "" else v) for k, v in values.items()}


def goal_form(wheel: Wheel, goal: d.Goal | None = None, parent: d.Goal | None = None) -> FormDialog:
    """Add a goal (under `parent`), or edit `goal`."""
    fields = goal_fields(goal, parent)
    initial = _initial(fields)

    def save(values: dict[str, str], overwrite: bool) -> d.Goal:
        if goal is None:
            data: dict[str, Any] = _blank_to_none(values)
            data["parent_id"] = _resolve_parent(wheel, values["parent_id"])
            return wheel.add(GOAL, data)
        touched: dict[str, Any] = _blank_to_none(changed(values, initial))
        if "parent_id" in touched:
            touched["parent_id"] = _resolve_parent(wheel, values["parent_id"])
            if touched["parent_id"] == goal.id:
                raise ValidationError("a goal cannot be its own parent", "parent_id")
        return wheel.update(
            GOAL, goal.id, touched, expected=None if overwrite else goal.stamp.updated_at
        )

    title = f"Edit goal {goal.id}" if goal else "Add goal"
    return FormDialog(title, fields, save)


def indicator_form(
    wheel: Wheel,
    goal: d.Goal,
    ind: d.Indicator | None = None,
    *,
    reason: str = "",
    lesson_id: int | None = None,
    review_id: int | None = None,
) -> FormDialog:
    """Add an indicator to `goal`, or edit `ind`; on an agreed goal the edit
    form asks a reason too, and a change of plan goes through Wheel.revise.
    Opened from a lesson or a review (cited), it is a revision whatever the
    goal's state, so the plan change keeps where it came from."""
    cited = lesson_id is not None or review_id is not None
    revising = ind is not None and (goal.state in AGREED_STATES or cited)
    extra = revision_fields(reason, lesson_id, review_id) if revising else []
    fields = indicator_fields(goal, ind) + extra
    initial = _initial(fields)

    def save(values: dict[str, str], overwrite: bool) -> d.Indicator:
        if ind is None:
            data: dict[str, Any] = {k: v for k, v in values.items() if v.strip()}
            data["goal_id"] = goal.id
            return wheel.add(INDICATOR, data)
        expected = None if overwrite else ind.stamp.updated_at
        touched = changed(values, initial)
        plan = {k: touched.pop(k) for k in d.REVISED_FIELDS if revising and k in touched}
        for name in ("reason", "lesson_id", "review_id"):
            touched.pop(name, None)
        # as shown, typed or filled in when opened from a lesson or review
        why = {k: values.get(k, "") for k in ("reason", "lesson_id", "review_id")}
        if not plan and not cited:
            return wheel.update(INDICATOR, ind.id, touched, expected=expected)
        # the conflict check first: an empty update writes nothing
        wheel.update(INDICATOR, ind.id, {}, expected=expected)
        revised = wheel.revise(
            ind.id, reason=why["reason"], lesson_id=_ref(why["lesson_id"], "lesson_id"),
            review_id=_ref(why["review_id"], "review_id"), **plan,
        )  # fmt: skip
        return wheel.update(INDICATOR, ind.id, touched) if touched else revised

    title = f"Edit indicator {ind.id}" if ind else f"Add indicator to goal {goal.id}"
    if revising and cited and ind is not None:
        source = f"lesson {lesson_id}" if lesson_id is not None else f"review {review_id}"
        title = (
            f"Revise '{plain(ind.name)}' (indicator {ind.id}) from {source}: "
            "change its baseline, target, due or milestones"
        )
    elif revising:
        title += f" (goal {goal.id} is {goal.state}: a plan change needs a reason)"
    return FormDialog(title, fields, save)


def _ref(text: str, field: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit():
        raise ValidationError(f"{field.removesuffix('_id')}: give its id, a number", field)
    return int(text)


def move_form(wheel: Wheel, goal: d.Goal, to: str) -> FormDialog:
    """Agree (who, when), close (outcome, comment) or reopen (a reason) a
    goal through Wheel.move_goal; its refusals show in the form."""
    if to == "agreed":
        verb = "Agree"
        fields = [
            # left empty, as Wheel.move_goal defaults them: typing a name
            # does not first need the user's own name cleared
            FormField(
                "by",
                "Agreed by",
                "",
                "the board (a person or a body)",
                aliases=("agreed by",),
                default=plain(wheel.user),
            ),
            FormField(
                "on", "Agreed on", "", "2026-03-01, -2d", aliases=("agreed on",), default="today"
            ),
        ]
    elif to == "closed":
        verb = "Close"
        fields = [
            FormField("outcome", "Outcome", "", choices=d.OUTCOMES),
            FormField("comment", "Comment", "", "reached in May (how it went)"),
        ]
    else:
        verb = "Reopen"
        fields = [FormField("reason", "Reason", "", "the work goes on (why it is reopened)")]

    def save(values: dict[str, str], overwrite: bool) -> d.Goal:
        return wheel.move_goal(goal.id, to, **values)

    return FormDialog(f"{verb} goal {goal.id}", fields, save)


def risk_form(wheel: Wheel, goal: d.Goal, risk: d.Risk | None = None) -> FormDialog:
    """Add a risk to `goal`, or edit `risk`."""
    fields = risk_fields(risk)
    initial = _initial(fields)

    def save(values: dict[str, str], overwrite: bool) -> d.Risk:
        if risk is None:
            data: dict[str, Any] = _blank_to_none(values)
            data["goal_id"] = goal.id
            return wheel.add(RISK, data)
        touched = _blank_to_none(changed(values, initial))
        return wheel.update(
            RISK, risk.id, touched, expected=None if overwrite else risk.stamp.updated_at
        )

    title = f"Edit risk {risk.id}" if risk else f"Add risk to goal {goal.id}"
    return FormDialog(title, fields, save)
