"""The documents of the wheel: typed views for readers and one validator per
kind that turns user input into a stored document (or one clear sentence).

Stored documents are plain JSON dicts (dates as ISO strings); the dataclasses
are what the TUI, the CLI and the comparison rules read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final, Literal, cast

from store import fields as f
from store.errors import ValidationError

Doc = dict[str, Any]

GOAL_STATES: Final = ("draft", "proposed", "agreed", "active", "closed")
OUTCOMES: Final = ("achieved", "partly", "missed", "dropped")
DIRECTIONS: Final = ("increase", "decrease", "at_least", "at_most")
AGGREGATIONS: Final = ("last", "sum", "mean", "max", "min")
CHAIN_LEVELS: Final = ("input", "activity", "output", "outcome", "impact")
CADENCES: Final = ("daily", "weekly", "monthly", "quarterly", "yearly")
JUDGEMENTS: Final = ("on_track", "at_risk", "off_track")
CAUSES: Final = ("internal", "external", "measurement")
DECISIONS: Final = ("continue", "adjust_measure", "adjust_target", "escalate")
RISK_STATES: Final = ("open", "mitigated", "occurred", "closed")

Direction = Literal["increase", "decrease", "at_least", "at_most"]
Aggregation = Literal["last", "sum", "mean", "max", "min"]
Cadence = Literal["daily", "weekly", "monthly", "quarterly", "yearly"]
ChainLevel = Literal["input", "activity", "output", "outcome", "impact"]

STAMP_FIELDS: Final = ("created_at", "updated_at", "updated_by")


def _reject_unknown(data: Mapping[str, Any], known: tuple[str, ...], kind: str) -> None:
    allowed = set(known) | set(STAMP_FIELDS)
    unknown = [(name, f"{kind} has no field {name!r}") for name in data if name not in allowed]
    if unknown:
        raise ValidationError(problems=unknown)


@dataclass(frozen=True, slots=True)
class Stamp:
    created_at: str = ""
    updated_at: str = ""
    updated_by: str = ""


def _stamp(doc: Mapping[str, Any]) -> Stamp:
    return Stamp(
        str(doc.get("created_at", "")),
        str(doc.get("updated_at", "")),
        str(doc.get("updated_by", "")),
    )


# ---------------------------------------------------------------- goal

GOAL_FIELDS: Final = (
    "title", "description", "parent_id", "owner", "unit", "start", "due", "state",
    "agreed_by", "agreed_on", "outcome", "closing_comment", "tags", "weight", "moves",
    "lessons", "carried_from",
)  # fmt: skip
GOAL_MOVE_KEYS: Final = ("from", "to", "at", "by", "why")


@dataclass(frozen=True, slots=True)
class Goal:
    id: int
    title: str
    description: str = ""
    parent_id: int | None = None
    owner: str = ""
    unit: str = ""
    start: date | None = None
    due: date | None = None
    state: str = "draft"
    agreed_by: str = ""
    agreed_on: date | None = None
    outcome: str | None = None
    closing_comment: str = ""
    tags: tuple[str, ...] = ()
    weight: float = 1.0
    # the trail of state moves, oldest first: {from, to, at, by, why}
    moves: tuple[Mapping[str, Any], ...] = ()
    lessons: tuple[int, ...] = ()  # lessons it came from (an improvement, a sustain)
    carried_from: int | None = None  # the goal of an earlier period it continues
    stamp: Stamp = field(default_factory=Stamp)

    @classmethod
    def from_doc(cls, doc_id: int, doc: Mapping[str, Any]) -> Goal:
        return cls(
            id=doc_id,
            title=doc["title"],
            description=doc.get("description", ""),
            parent_id=doc.get("parent_id"),
            owner=doc.get("owner", ""),
            unit=doc.get("unit", ""),
            start=f.to_date(doc.get("start")),
            due=f.to_date(doc.get("due")),
            state=doc.get("state", "draft"),
            agreed_by=doc.get("agreed_by", ""),
            agreed_on=f.to_date(doc.get("agreed_on")),
            outcome=doc.get("outcome"),
            closing_comment=doc.get("closing_comment", ""),
            tags=tuple(doc.get("tags", ())),
            weight=float(doc.get("weight", 1.0)),
            moves=tuple(doc.get("moves", ())),
            lessons=tuple(doc.get("lessons", ())),
            carried_from=doc.get("carried_from"),
            stamp=_stamp(doc),
        )


def validate_goal(data: Mapping[str, Any]) -> Doc:
    c = f.Collect()
    c("", _reject_unknown, data, GOAL_FIELDS, "goal")
    doc: Doc = {
        "title": c("title", f.text, data.get("title"), "title", required=True),
        "description": c("description", f.text, data.get("description"), "description"),
        "parent_id": c("parent_id", f.optional_ref, data.get("parent_id"), "parent"),
        "owner": c("owner", f.text, data.get("owner"), "owner"),
        "unit": c("unit", f.text, data.get("unit"), "unit"),
        "start": c("start", f.optional_iso, data.get("start"), "start"),
        "due": c("due", f.optional_iso, data.get("due"), "due"),
        "state": c("state", f.choice, data.get("state") or "draft", "state", GOAL_STATES),
        "agreed_by": c("agreed_by", f.text, data.get("agreed_by"), "agreed_by"),
        "agreed_on": c("agreed_on", f.optional_iso, data.get("agreed_on"), "agreed_on"),
        "outcome": c("outcome", f.optional_choice, data.get("outcome"), "outcome", OUTCOMES),
        "closing_comment": c(
            "closing_comment", f.text, data.get("closing_comment"), "closing_comment"
        ),
        "tags": c("tags", f.tags, data.get("tags")),
        "weight": c("weight", _weight, data.get("weight")),
        "moves": c("moves", _trail, data.get("moves"), GOAL_MOVE_KEYS, "moves"),
        "lessons": c("lessons", _ids, data.get("lessons"), "lessons"),
        "carried_from": c("carried_from", f.optional_ref, data.get("carried_from"), "carried_from"),
    }
    if c.ok("start", "due"):
        c("due", f.ordered, doc["start"], doc["due"])
    if c.ok("state", "outcome"):
        if doc["state"] == "closed" and doc["outcome"] is None:
            c.add("outcome", f"a closed goal needs an outcome: one of {', '.join(OUTCOMES)}")
        if doc["state"] != "closed" and doc["outcome"] is not None:
            c.add("outcome", "only a closed goal has an outcome")
    c.done()
    return doc


def _trail(value: object, keys: tuple[str, ...], field: str) -> list[Doc]:
    """A list of small records written by the verbs: texts under known keys."""
    if value is None or value == "":
        return []
    if not isinstance(value, list | tuple) or not all(isinstance(v, Mapping) for v in value):
        raise ValidationError(f"{field} must be a list of records", field)
    trail: list[Doc] = []
    for item in value:
        _reject_unknown(item, keys, f"an entry of {field}")
        trail.append({k: f.text(item.get(k), f"{field} {k}") for k in keys})
    return trail


def _ids(value: object, field: str) -> list[int]:
    if value is None or value == "":
        return []
    if not isinstance(value, list | tuple):
        raise ValidationError(f"{field} must be a list of ids", field)
    return [f.ref_id(v, field) for v in value]


def _weight(value: object) -> float:
    if value is None or (isinstance(value, str) and not value.strip()):
        return 1.0
    weight = f.number(value, "weight")
    if weight <= 0:
        raise ValidationError(f"weight must be above 0, not {weight:g}", "weight")
    return weight


# ----------------------------------------------------------- indicator

INDICATOR_FIELDS: Final = (
    "goal_id", "name", "unit", "baseline", "target", "start", "due", "direction",
    "aggregation", "chain", "weight", "cadence", "milestones", "tolerance", "revisions",
)  # fmt: skip


REVISED_FIELDS: Final = ("baseline", "target", "due", "milestones")


@dataclass(frozen=True, slots=True)
class Revision:
    """One change of plan. old/new are the target's (equal when only other
    fields moved); `changes` gives field -> (old, new) for each field changed."""

    old: float
    new: float
    at: str
    by: str
    why: str
    lesson_id: int | None = None
    review_id: int | None = None
    changes: Mapping[str, tuple[Any, Any]] = field(default_factory=dict)

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> Revision:
        # stores written before revisions named their fields changed only the target
        changes = doc.get("changes") or {"target": (doc["old"], doc["new"])}
        return cls(
            old=float(doc["old"]),
            new=float(doc["new"]),
            at=doc["at"],
            by=doc.get("by", ""),
            why=doc["why"],
            lesson_id=doc.get("lesson_id"),
            review_id=doc.get("review_id"),
            changes={name: (pair[0], pair[1]) for name, pair in changes.items()},
        )


@dataclass(frozen=True, slots=True)
class Indicator:
    id: int
    goal_id: int
    name: str
    baseline: float
    target: float
    start: date
    due: date
    unit: str = ""
    direction: Direction = "increase"
    aggregation: Aggregation = "last"
    chain: ChainLevel = "outcome"
    weight: float = 1.0
    cadence: Cadence = "monthly"
    milestones: tuple[tuple[date, float], ...] = ()
    tolerance: float = 0.10
    revisions: tuple[Revision, ...] = ()
    stamp: Stamp = field(default_factory=Stamp)

    @classmethod
    def from_doc(cls, doc_id: int, doc: Mapping[str, Any]) -> Indicator:
        return cls(
            id=doc_id,
            goal_id=doc["goal_id"],
            name=doc["name"],
            baseline=float(doc["baseline"]),
            target=float(doc["target"]),
            start=date.fromisoformat(doc["start"]),
            due=date.fromisoformat(doc["due"]),
            unit=doc.get("unit", ""),
            direction=cast(Direction, doc.get("direction", "increase")),
            aggregation=cast(Aggregation, doc.get("aggregation", "last")),
            chain=cast(ChainLevel, doc.get("chain", "outcome")),
            weight=float(doc.get("weight", 1.0)),
            cadence=cast(Cadence, doc.get("cadence", "monthly")),
            milestones=tuple(
                (date.fromisoformat(when), float(value))
                for when, value in doc.get("milestones", ())
            ),
            tolerance=float(doc.get("tolerance", 0.10)),
            revisions=tuple(Revision.from_doc(rev) for rev in doc.get("revisions", ())),
            stamp=_stamp(doc),
        )


def _needed_date(value: object, field: str) -> str:
    if value in (None, ""):
        raise ValidationError(f"an indicator needs a {field} date", field)
    return f.iso(value, field)


def _tolerance(value: object) -> float:
    if value in (None, ""):
        return 0.10
    tolerance = f.number(value, "tolerance")
    if not 0 <= tolerance < 1:
        raise ValidationError(
            f"tolerance must be at least 0 and below 1 (0.1 = 10 %), not {tolerance:g}",
            "tolerance",
        )
    return tolerance


def _target_rule(doc: Doc) -> str | None:
    baseline, target = doc["baseline"], doc["target"]
    if doc["direction"] not in ("increase", "decrease"):
        return None
    if target == baseline:
        return "target must differ from baseline"
    if doc["direction"] == "increase" and target < baseline:
        return f"target {target:g} is below baseline {baseline:g}; use direction decrease"
    if doc["direction"] == "decrease" and target > baseline:
        return f"target {target:g} is above baseline {baseline:g}; use direction increase"
    return None


def validate_indicator(data: Mapping[str, Any]) -> Doc:
    c = f.Collect()
    c("", _reject_unknown, data, INDICATOR_FIELDS, "indicator")
    doc: Doc = {
        "goal_id": c("goal_id", f.ref_id, data.get("goal_id"), "goal"),
        "name": c("name", f.text, data.get("name"), "name", required=True),
        "unit": c("unit", f.text, data.get("unit"), "unit"),
        "baseline": c("baseline", f.number, data.get("baseline"), "baseline"),
        "target": c("target", f.number, data.get("target"), "target"),
        "start": c("start", _needed_date, data.get("start"), "start"),
        "due": c("due", _needed_date, data.get("due"), "due"),
        "direction": c(
            "direction", f.choice, data.get("direction") or "increase", "direction", DIRECTIONS
        ),
        "aggregation": c(
            "aggregation",
            f.choice,
            data.get("aggregation") or "last",
            "aggregation",
            AGGREGATIONS,
        ),
        "chain": c("chain", f.choice, data.get("chain") or "outcome", "chain", CHAIN_LEVELS),
        "weight": c("weight", _weight, data.get("weight")),
        "cadence": c("cadence", f.choice, data.get("cadence") or "monthly", "cadence", CADENCES),
        "tolerance": c("tolerance", _tolerance, data.get("tolerance")),
        "milestones": [],
        "revisions": c("revisions", _revisions, data.get("revisions")),
    }
    if c.ok("start", "due"):
        c("due", f.ordered, doc["start"], doc["due"])
        if doc["start"] == doc["due"]:
            c.add("due", f"due {doc['due']} must come after start {doc['start']}")
    if c.ok("baseline", "target", "direction"):
        problem = _target_rule(doc)
        if problem:
            c.add("target", problem)
    if c.ok("start", "due", "baseline", "target", "direction"):
        doc["milestones"] = c("milestones", _milestones, data.get("milestones"), doc)
    c.done()
    return doc


def _revisions(value: object) -> list[Doc]:
    """The trail of target changes; written by the app, checked like input."""
    if value is None or value == "":
        return []
    if not isinstance(value, list | tuple):
        raise ValidationError("revisions must be a list of target changes", "revisions")
    trail: list[Doc] = []
    for item in value:
        if not isinstance(item, Mapping):
            raise ValidationError("each revision gives old, new, at, by and why", "revisions")
        _reject_unknown(
            item, ("old", "new", "at", "by", "why", "lesson_id", "review_id", "changes"),
            "a revision",
        )  # fmt: skip
        changes = item.get("changes") or {}
        if not isinstance(changes, Mapping) or not all(
            name in REVISED_FIELDS and isinstance(pair, list | tuple) and len(pair) == 2
            for name, pair in changes.items()
        ):
            raise ValidationError(
                "a revision's changes map baseline, target, due or milestones to [old, new]",
                "revisions",
            )
        trail.append(
            {
                "old": f.number(item.get("old"), "revision old target"),
                "new": f.number(item.get("new"), "revision new target"),
                "at": f.text(
                    item["at"].isoformat() if isinstance(item.get("at"), date) else item.get("at"),
                    "revision date",
                    required=True,
                ),
                "by": f.text(item.get("by"), "revision by"),
                "why": f.text(item.get("why"), "revision reason", required=True),
                "lesson_id": f.optional_ref(item.get("lesson_id"), "revision lesson"),
                "review_id": f.optional_ref(item.get("review_id"), "revision review"),
                "changes": {name: list(pair) for name, pair in changes.items()},
            }
        )
    return trail


def parse_milestones(text: str) -> list[list[Any]]:
    """`2026-03-01=20, 2026-06-01=40` as typed in a form or on the command line."""
    result: list[list[Any]] = []
    for part in text.replace(";", ",").split(","):
        if not part.strip():
            continue
        when, sep, value = part.partition("=")
        if not sep:
            raise ValidationError(
                f"milestone {part.strip()!r} must look like 2026-03-01=20", "milestones"
            )
        result.append([when.strip(), value.strip()])
    return result


def _milestones(value: object, doc: Doc) -> list[list[Any]]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = parse_milestones(value)
    if value and doc["direction"] not in ("increase", "decrease"):
        raise ValidationError(
            f"milestones belong to increase and decrease indicators; a {doc['direction']} "
            "indicator holds its target the whole time",
            "milestones",
        )
    if not isinstance(value, list | tuple):
        raise ValidationError("milestones must be a list of (date, value) pairs", "milestones")
    points: list[list[Any]] = []
    for item in value:
        if not isinstance(item, list | tuple) or len(item) != 2:
            raise ValidationError("each milestone is a (date, value) pair", "milestones")
        points.append([f.iso(item[0], "milestone date"), f.number(item[1], "milestone value")])
    previous_date, previous_value = doc["start"], doc["baseline"]
    rising = doc["target"] >= doc["baseline"]
    for when, amount in points:
        if not doc["start"] < when < doc["due"]:
            raise ValidationError(
                f"milestone {when} must lie strictly between start {doc['start']} "
                f"and due {doc['due']}",
                "milestones",
            )
        if when <= previous_date and previous_date != doc["start"]:
            raise ValidationError(f"milestones are out of order at {when}", "milestones")
        if doc["direction"] in ("increase", "decrease"):
            between = (
                (previous_value <= amount <= doc["target"])
                if rising
                else (doc["target"] <= amount <= previous_value)
            )
            if not between:
                raise ValidationError(
                    f"milestone {when}={amount:g} must move from baseline {doc['baseline']:g} "
                    f"towards target {doc['target']:g} without turning back",
                    "milestones",
                )
        previous_date, previous_value = when, amount
    return points


# --------------------------------------------------------- measurement

MEASUREMENT_FIELDS: Final = ("indicator_id", "date", "value", "note", "source")


@dataclass(frozen=True, slots=True)
class Measurement:
    id: int
    indicator_id: int
    date: date
    value: float
    note: str = ""
    source: str = ""
    stamp: Stamp = field(default_factory=Stamp)

    @classmethod
    def from_doc(cls, doc_id: int, doc: Mapping[str, Any]) -> Measurement:
        return cls(
            id=doc_id,
            indicator_id=doc["indicator_id"],
            date=date.fromisoformat(doc["date"]),
            value=float(doc["value"]),
            note=doc.get("note", ""),
            source=doc.get("source", ""),
            stamp=_stamp(doc),
        )


def _measured_on(value: object) -> str:
    if value in (None, ""):
        raise ValidationError("a measurement needs a date", "date")
    return f.iso(value, "date")


def validate_measurement(data: Mapping[str, Any]) -> Doc:
    c = f.Collect()
    c("", _reject_unknown, data, MEASUREMENT_FIELDS, "measurement")
    doc = {
        "indicator_id": c("indicator_id", f.ref_id, data.get("indicator_id"), "indicator"),
        "date": c("date", _measured_on, data.get("date")),
        "value": c("value", f.number, data.get("value"), "value"),
        "note": c("note", f.text, data.get("note"), "note"),
        "source": c("source", f.text, data.get("source"), "source"),
    }
    c.done()
    return doc


# -------------------------------------------------------------- review

REVIEW_FIELDS: Final = (
    "date", "goal_id", "indicator_id", "comparison", "judgement", "confidence",
    "comment", "deviation",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Review:
    id: int
    date: date
    judgement: str
    confidence: int
    goal_id: int | None = None
    indicator_id: int | None = None
    comparison: Mapping[str, Any] = field(default_factory=dict)
    comment: str = ""
    cause: str | None = None
    decision: str | None = None
    stamp: Stamp = field(default_factory=Stamp)

    @classmethod
    def from_doc(cls, doc_id: int, doc: Mapping[str, Any]) -> Review:
        deviation = doc.get("deviation") or {}
        return cls(
            id=doc_id,
            date=date.fromisoformat(doc["date"]),
            judgement=doc["judgement"],
            confidence=int(doc["confidence"]),
            goal_id=doc.get("goal_id"),
            indicator_id=doc.get("indicator_id"),
            comparison=doc.get("comparison") or {},
            comment=doc.get("comment", ""),
            cause=deviation.get("cause"),
            decision=deviation.get("decision"),
            stamp=_stamp(doc),
        )


OUTSIDE_TOLERANCE: Final = ("at_risk", "off_track", "missed")


def _comparison(value: object) -> dict[str, Any]:
    comparison = value or {}
    if not isinstance(comparison, Mapping):
        raise ValidationError("comparison must be the frozen comparison result", "comparison")
    return dict(comparison)


def validate_review(data: Mapping[str, Any]) -> Doc:
    c = f.Collect()
    c("", _reject_unknown, data, REVIEW_FIELDS, "review")
    doc: Doc = {
        "date": c("date", f.iso, data.get("date") or "today", "date"),
        "goal_id": c("goal_id", f.optional_ref, data.get("goal_id"), "goal"),
        "indicator_id": c("indicator_id", f.optional_ref, data.get("indicator_id"), "indicator"),
        "comparison": c("comparison", _comparison, data.get("comparison")),
        "judgement": c("judgement", f.choice, data.get("judgement"), "judgement", JUDGEMENTS),
        "confidence": c("confidence", f.integer, data.get("confidence"), "confidence", 0, 10),
        "comment": c("comment", f.text, data.get("comment"), "comment"),
        "deviation": None,
    }
    if c.ok("goal_id", "indicator_id") and (doc["goal_id"] is None) == (
        doc["indicator_id"] is None
    ):
        c.add("goal_id", "a review is of one goal or one indicator")
    deviation = data.get("deviation")
    if isinstance(deviation, Mapping):
        c("deviation", _reject_unknown, deviation, ("cause", "decision"), "a deviation")
    if isinstance(deviation, Mapping) and any(deviation.values()):
        doc["deviation"] = {
            "cause": c("cause", f.choice, deviation.get("cause"), "cause", CAUSES),
            "decision": c("decision", f.choice, deviation.get("decision"), "decision", DECISIONS),
        }
    elif deviation and not isinstance(deviation, Mapping):
        c.add("deviation", "deviation must give a cause and a decision")
    status = doc["comparison"].get("status") if c.ok("comparison") else None
    if status in OUTSIDE_TOLERANCE and doc["deviation"] is None:
        c.add(
            "deviation",
            f"the result is {str(status).replace('_', ' ')}: give the deviation's "
            "cause and the decision",
        )
    c.done()
    return doc


# -------------------------------------------------------------- lesson

LESSON_FIELDS: Final = (
    "date", "goal_id", "planned", "happened", "why", "sustain", "improve", "actions", "links",
)  # fmt: skip
# where a lesson was used: kind `revision` (id: the indicator) or `goal` (id: the goal)
LESSON_LINK_KINDS: Final = ("revision", "goal")
LESSON_TEXTS: Final = ("planned", "happened", "why", "sustain", "improve")


@dataclass(frozen=True, slots=True)
class Action:
    what: str
    owner: str = ""
    due: date | None = None
    done: bool = False


@dataclass(frozen=True, slots=True)
class Lesson:
    id: int
    date: date
    goal_id: int | None = None
    planned: str = ""
    happened: str = ""
    why: str = ""
    sustain: str = ""
    improve: str = ""
    actions: tuple[Action, ...] = ()
    links: tuple[Mapping[str, Any], ...] = ()  # {kind, id, at, by}
    stamp: Stamp = field(default_factory=Stamp)

    @classmethod
    def from_doc(cls, doc_id: int, doc: Mapping[str, Any]) -> Lesson:
        return cls(
            id=doc_id,
            date=date.fromisoformat(doc["date"]),
            goal_id=doc.get("goal_id"),
            planned=doc.get("planned", ""),
            happened=doc.get("happened", ""),
            why=doc.get("why", ""),
            sustain=doc.get("sustain", ""),
            improve=doc.get("improve", ""),
            actions=tuple(
                Action(a["what"], a.get("owner", ""), f.to_date(a.get("due")), bool(a.get("done")))
                for a in doc.get("actions", ())
            ),
            links=tuple(doc.get("links", ())),
            stamp=_stamp(doc),
        )


def _actions(value: object) -> list[Doc]:
    actions = value or []
    if not isinstance(actions, list | tuple):
        raise ValidationError("actions must be a list", "actions")
    result: list[Doc] = []
    for action in actions:
        if not isinstance(action, Mapping):
            raise ValidationError("each action gives what, owner, due and done", "actions")
        _reject_unknown(action, ("what", "owner", "due", "done"), "an action")
        result.append(
            {
                "what": f.text(action.get("what"), "action", required=True),
                "owner": f.text(action.get("owner"), "action owner"),
                "due": f.optional_iso(action.get("due"), "action due"),
                "done": f.flag(action.get("done"), "action done"),
            }
        )
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


def validate_lesson(data: Mapping[str, Any]) -> Doc:
    c = f.Collect()
    c("", _reject_unknown, data, LESSON_FIELDS, "lesson")
    doc: Doc = {
        "date": c("date", f.iso, data.get("date") or "today", "date"),
        "goal_id": c("goal_id", f.optional_ref, data.get("goal_id"), "goal"),
    }
    for name in LESSON_TEXTS:
        doc[name] = c(name, f.text, data.get(name), name)
    if c.ok(*LESSON_TEXTS) and not any(doc[name] for name in LESSON_TEXTS):
        c.add(
            "happened",
            "a lesson needs some text: fill in at least one of planned, happened, why, "
            "sustain, improve",
        )
    doc["actions"] = c("actions", _actions, data.get("actions"))
    doc["links"] = c("links", _links, data.get("links"))
    c.done()
    return doc


# ---------------------------------------------------------------- risk

RISK_FIELDS: Final = (
    "goal_id", "title", "cause", "probability", "consequence", "mitigation", "owner",
    "due", "residual_probability", "residual_consequence", "state", "accepted_by",
    "accepted_on",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Risk:
    id: int
    goal_id: int
    title: str
    probability: int
    consequence: int
    cause: str = ""
    mitigation: str = ""
    owner: str = ""
    due: date | None = None
    residual_probability: int | None = None
    residual_consequence: int | None = None
    state: str = "open"
    accepted_by: str = ""
    accepted_on: date | None = None
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
        return cls(
            id=doc_id,
            goal_id=doc["goal_id"],
            title=doc["title"],
            probability=int(doc["probability"]),
            consequence=int(doc["consequence"]),
            cause=doc.get("cause", ""),
            mitigation=doc.get("mitigation", ""),
            owner=doc.get("owner", ""),
            due=f.to_date(doc.get("due")),
            residual_probability=doc.get("residual_probability"),
            residual_consequence=doc.get("residual_consequence"),
            state=doc.get("state", "open"),
            accepted_by=doc.get("accepted_by", ""),
            accepted_on=f.to_date(doc.get("accepted_on")),
            stamp=_stamp(doc),
        )


def validate_risk(data: Mapping[str, Any]) -> Doc:
    c = f.Collect()
    c("", _reject_unknown, data, RISK_FIELDS, "risk")
    doc = {
        "goal_id": c("goal_id", f.ref_id, data.get("goal_id"), "goal"),
        "title": c("title", f.text, data.get("title"), "title", required=True),
        "cause": c("cause", f.text, data.get("cause"), "cause"),
        "probability": c("probability", f.integer, data.get("probability"), "probability", 1, 5),
        "consequence": c("consequence", f.integer, data.get("consequence"), "consequence", 1, 5),
        "mitigation": c("mitigation", f.text, data.get("mitigation"), "mitigation"),
        "owner": c("owner", f.text, data.get("owner"), "owner"),
        "due": c("due", f.optional_iso, data.get("due"), "due"),
        "residual_probability": c(
            "residual_probability",
            f.optional_integer,
            data.get("residual_probability"),
            "residual probability",
            1,
            5,
        ),
        "residual_consequence": c(
            "residual_consequence",
            f.optional_integer,
            data.get("residual_consequence"),
            "residual consequence",
            1,
            5,
        ),
        "state": c("state", f.choice, data.get("state") or "open", "state", RISK_STATES),
        "accepted_by": c("accepted_by", f.text, data.get("accepted_by"), "accepted_by"),
        "accepted_on": c("accepted_on", f.optional_iso, data.get("accepted_on"), "accepted_on"),
    }
    c.done()
    return doc
