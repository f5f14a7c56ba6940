"""The documents of steering, declared like those of store/documents.py
(which names them): reviews, lessons with their actions, and risks."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Final

from store import fields as f
from store.documents import (
    CAUSES,
    DECISIONS,
    JUDGEMENTS,
    LESSON_LINK_KINDS,
    LESSON_TEXTS,
    OUTSIDE_TOLERANCE,
    RISK_STATES,
    Doc,
    Stamp,
    _as_tuple,
    _reject_unknown,
    declared,
    reader,
    typed,
    validator,
)
from store.errors import ValidationError
from store.record import field, record


def _comparison(value: object) -> dict[str, Any]:
    comparison = value or {}
    if not isinstance(comparison, Mapping):
        raise ValidationError("comparison must be the frozen comparison result", "comparison")
    return dict(comparison)


def _deviation(value: object) -> Doc | None:
    """The cause and decision of a deviation from plan, or None."""
    if not value:
        return None
    if not isinstance(value, Mapping):
        raise ValidationError("deviation must give a cause and a decision", "deviation")
    c = f.Collect()
    c("deviation", _reject_unknown, value, ("cause", "decision"), "a deviation")
    if not any(value.values()):
        c.done()
        return None
    doc = {
        "cause": c("cause", f.choice, value.get("cause"), "cause", CAUSES),
        "decision": c("decision", f.choice, value.get("decision"), "decision", DECISIONS),
    }
    c.done()
    return doc


def _read_comparison(value: Any) -> Mapping[str, Any]:
    return value or {}


@record(kw_only=True)
class Review:
    """A judgement of one goal or indicator, with the comparison it was made on."""

    id: int
    date: date = typed(f.iso, "date", empty="today", read=date.fromisoformat)
    goal_id: int | None = typed(f.optional_ref, "goal", default=None)
    indicator_id: int | None = typed(f.optional_ref, "indicator", default=None)
    # the comparison as it stood when the review was written (the view's record)
    comparison: Mapping[str, Any] = typed(_comparison, factory=dict, read=_read_comparison)
    judgement: str = typed(f.choice, "judgement", JUDGEMENTS)
    confidence: int = typed(f.integer, "confidence", 0, 10, read=int)
    comment: str = typed(f.text, "comment", default="")
    deviation: Mapping[str, Any] | None = typed(_deviation, default=None)
    stamp: Stamp = field(default_factory=Stamp)

    @property
    def cause(self) -> str | None:
        return self.deviation.get("cause") if self.deviation else None

    @property
    def decision(self) -> str | None:
        return self.deviation.get("decision") if self.deviation else None

    @classmethod
    def from_doc(cls, doc_id: int, doc: Mapping[str, Any]) -> Review:
        return _read_review(doc_id, doc)


def _review_rules(doc: Doc, c: f.Collect, data: Mapping[str, Any]) -> None:
    if c.ok("goal_id", "indicator_id") and (doc["goal_id"] is None) == (
        doc["indicator_id"] is None
    ):
        c.add("goal_id", "a review is of one goal or one indicator")
    status = doc["comparison"].get("status") if c.ok("comparison") else None
    if status in OUTSIDE_TOLERANCE and c.ok("deviation") and doc["deviation"] is None:
        c.add(
            "deviation",
            f"the result is {str(status).replace('_', ' ')}: give the deviation's "
            "cause and the decision",
        )


_read_review = reader(Review)
validate_review = validator(Review, "review", _review_rules)
REVIEW_FIELDS: Final = declared(Review)


# -------------------------------------------------------------- lesson


@record
class Action:
    """An action a lesson calls for."""

    what: str
    owner: str = ""
    due: date | None = None
    done: bool = False


def _actions(value: object) -> list[Doc]:
    actions = value or []
    if not isinstance(actions, list | tuple):
        raise ValidationError("actions must be a list", "actions")
    result: list[Doc] = []
    # every action's problems at once, each saying which action it is
    c = f.Collect()
    for number, action in enumerate(actions, 1):
        one = f.Collect()
        if not isinstance(action, Mapping):
            one.add("actions", "each action gives what, owner, due and done")
        else:
            one("actions", _reject_unknown, action, ("what", "owner", "due", "done"), "an action")
            result.append(
                {
                    "what": one("action", f.text, action.get("what"), "action", required=True),
                    "owner": one("action owner", f.text, action.get("owner"), "action owner"),
                    "due": one("action due", f.optional_iso, action.get("due"), "action due"),
                    "done": one("action done", f.flag, action.get("done"), "action done"),
                }
            )
        prefix = f"action {number}: " if len(actions) > 1 else ""
        for name, message in one.problems:
            c.add(name or "actions", prefix + message)
    c.done()
    return result


def _links(value: object) -> list[Doc]:
    """Where a lesson was used (written by the verbs, checked like input)."""
    links = value or []
    if not isinstance(links, list | tuple) or not all(isinstance(x, Mapping) for x in links):
        raise ValidationError("links must be a list of records", "links")
    result: list[Doc] = []
    for link in links:
        _reject_unknown(link, ("kind", "id", "at", "by"), "a lesson link")
        result.append(
            {
                "kind": f.choice(link.get("kind"), "link kind", LESSON_LINK_KINDS),
                "id": f.ref_id(link.get("id"), "link id"),
                "at": f.text(link.get("at"), "link at"),
                "by": f.text(link.get("by"), "link by"),
            }
        )
    return result


def _read_actions(value: Any) -> tuple[Action, ...]:
    return tuple(
        Action(a["what"], a.get("owner", ""), f.to_date(a.get("due")), bool(a.get("done")))
        for a in value or ()
    )


@record(kw_only=True)
class Lesson:
    """What was learnt: planned, happened, why, what to sustain and improve."""

    id: int
    date: date = typed(f.iso, "date", empty="today", read=date.fromisoformat)
    goal_id: int | None = typed(f.optional_ref, "goal", default=None)
    planned: str = typed(f.text, "planned", default="")
    happened: str = typed(f.text, "happened", default="")
    why: str = typed(f.text, "why", default="")
    sustain: str = typed(f.text, "sustain", default="")
    improve: str = typed(f.text, "improve", default="")
    actions: tuple[Action, ...] = typed(_actions, default=(), read=_read_actions)
    # where it was used: {kind, id, at, by}
    links: tuple[Mapping[str, Any], ...] = typed(_links, default=(), read=_as_tuple)
    stamp: Stamp = field(default_factory=Stamp)

    @classmethod
    def from_doc(cls, doc_id: int, doc: Mapping[str, Any]) -> Lesson:
        return _read_lesson(doc_id, doc)


def _lesson_rules(doc: Doc, c: f.Collect, data: Mapping[str, Any]) -> None:
    if c.ok(*LESSON_TEXTS) and not any(doc[name] for name in LESSON_TEXTS):
        c.add(
            "happened",
            "a lesson needs some text: fill in at least one of planned, happened, why, "
            "sustain, improve",
        )


_read_lesson = reader(Lesson)
validate_lesson = validator(Lesson, "lesson", _lesson_rules)
LESSON_FIELDS: Final = declared(Lesson)


# ---------------------------------------------------------------- risk


@record(kw_only=True)
class Risk:
    """A risk to a goal, scored by probability and consequence."""

    id: int
    goal_id: int = typed(f.ref_id, "goal")
    title: str = typed(f.text, "title", required=True)
    cause: str = typed(f.text, "cause", default="")
    probability: int = typed(f.integer, "probability", 1, 5, read=int)
    consequence: int = typed(f.integer, "consequence", 1, 5, read=int)
    mitigation: str = typed(f.text, "mitigation", default="")
    owner: str = typed(f.text, "owner", default="")
    due: date | None = typed(f.optional_iso, "due", default=None, read=f.to_date)
    residual_probability: int | None = typed(
        f.optional_integer, "residual probability", 1, 5, default=None
    )
    residual_consequence: int | None = typed(
        f.optional_integer, "residual consequence", 1, 5, default=None
    )
    state: str = typed(f.choice, "state", RISK_STATES, default="open", empty="open")
    accepted_by: str = typed(f.text, "accepted_by", default="")
    accepted_on: date | None = typed(f.optional_iso, "accepted_on", default=None, read=f.to_date)
    stamp: Stamp = field(default_factory=Stamp)

    @property
    def score(self) -> int:
        return self.probability * self.consequence

    @property
    def residual(self) -> tuple[int, int]:
        """(probability, consequence) after mitigation; inherent until it is scored."""
        return (
            self.residual_probability or self.probability,
            self.residual_consequence or self.consequence,
        )

    @property
    def residual_score(self) -> int:
        p, c = self.residual
        return p * c

    @classmethod
    def from_doc(cls, doc_id: int, doc: Mapping[str, Any]) -> Risk:
        return _read_risk(doc_id, doc)


def _risk_rules(doc: Doc, c: f.Collect, data: Mapping[str, Any]) -> None:
    # mitigation lowers a risk or leaves it: a residual above the inherent
    # score is a typing slip, and would pass the acceptance threshold unseen
    for part in ("probability", "consequence"):
        residual = f"residual_{part}"
        if c.ok(part, residual) and doc[residual] is not None and doc[residual] > doc[part]:
            c.add(
                residual,
                f"residual {part} {doc[residual]} is above the inherent {doc[part]}: "
                "mitigation cannot make a risk worse",
            )


_read_risk = reader(Risk)
validate_risk = validator(Risk, "risk", _risk_rules)
# a store written before the residual rule still opens: the rule is for
# what is typed or changed (Wheel.add, update, import)
validate_stored_risk = validator(Risk, "risk")
RISK_FIELDS: Final = declared(Risk)
