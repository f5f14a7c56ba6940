"""The documents of the wheel, each kind declared once.

A kind is one record (store.record: a frozen dataclass without the import
of dataclasses): the typed view that the TUI, the CLI and the comparison
rules read. Each stored field of it is declared with `typed(...)`:
how typed input (or a stored value) is converted and checked, what an empty
value stands for, and how the stored JSON is read back into the view. From
that one declaration follow the field list (`declared`), reading from disk
(`from_doc`) and validation (`validator`: every field converted, every
problem collected, then the kind's rules between fields). store/checks.py
derives its checks of files read from disk from the same declarations.

Stored documents are plain JSON dicts (dates as ISO strings).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping
from datetime import date
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, Literal, NamedTuple, TypeVar

from store import fields as f
from store.errors import ValidationError
from store.record import MISSING, field, fields, record

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
V = TypeVar("V")


class In(NamedTuple):
    """How one stored field is typed in and read back (see the module docstring)."""

    convert: Callable[..., Any]  # convert(value, *args, **kwargs) -> stored value
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = MappingProxyType({})
    empty: Any = None  # what a missing or empty value stands for before converting
    read: Callable[[Any], Any] | None = None  # stored value -> the view's value
    # converted by the kind's rules, once the fields it depends on are good
    late: bool = False


def typed(
    convert: Callable[..., Any],
    *args: Any,
    default: Any = MISSING,
    factory: Callable[[], Any] | None = None,
    empty: Any = None,
    read: Callable[[Any], Any] | None = None,
    late: bool = False,
    **kwargs: Any,
) -> Any:
    """A record field that is stored: its declaration (In) as metadata."""
    meta = {"in": In(convert, args, MappingProxyType(kwargs), empty, read, late)}
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


def declared(cls: type) -> tuple[str, ...]:
    """The stored fields of a kind, in declaration order."""
    return tuple(item.name for item in fields(cls) if "in" in item.metadata)


def _specs(cls: type) -> list[tuple[str, In]]:
    return [(item.name, item.metadata["in"]) for item in fields(cls) if "in" in item.metadata]


def reader(cls: type[V]) -> Callable[[int, Mapping[str, Any]], V]:
    """`from_doc` of a kind: a stored document as its typed view. Fields
    that are not stored take the view's default."""
    specs = _specs(cls)

    def from_doc(doc_id: int, doc: Mapping[str, Any]) -> V:
        values: dict[str, Any] = {"id": doc_id, "stamp": _stamp(doc)}
        for name, spec in specs:
            if name in doc:
                values[name] = spec.read(doc[name]) if spec.read else doc[name]
        return cls(**values)

    return from_doc


Rules = Callable[[Doc, "f.Collect", Mapping[str, Any]], None]


def validator(
    cls: type, kind: str, rules: Rules | None = None
) -> Callable[[Mapping[str, Any]], Doc]:
    """`validate_<kind>`: typed input (or a stored document) as the document
    to store, or ValidationError with every problem at once."""
    names, specs = declared(cls), _specs(cls)

    def validate(data: Mapping[str, Any]) -> Doc:
        c = f.Collect()
        c("", _reject_unknown, data, names, kind)
        doc: Doc = {}
        for name, spec in specs:
            if spec.late:
                continue
            value = data.get(name)
            if spec.empty is not None and (value is None or value == ""):
                value = spec.empty
            doc[name] = c(name, spec.convert, value, *spec.args, **spec.kwargs)
        if rules is not None:
            rules(doc, c, data)
        c.done()
        return {name: doc[name] for name in names if name in doc}

    return validate


def _as_tuple(value: Any) -> tuple[Any, ...]:
    return tuple(value or ())


def _as_float(value: Any) -> float:
    return float(value)


def _reject_unknown(data: Mapping[str, Any], known: tuple[str, ...], kind: str) -> None:
    allowed = set(known) | set(STAMP_FIELDS)
    unknown = [(name, f"{kind} has no field {name!r}") for name in data if name not in allowed]
    if unknown:
        raise ValidationError(problems=unknown)


@record
class Stamp:
    """Who changed a document last, and when (ISO times)."""

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


GOAL_MOVE_KEYS: Final = ("from", "to", "at", "by", "why")


@record(kw_only=True)
class Goal:
    """A goal of the wheel: what is to be reached, by whom, by when."""

    id: int
    title: str = typed(f.text, "title", required=True)
    description: str = typed(f.text, "description", default="")
    parent_id: int | None = typed(f.optional_ref, "parent", default=None)
    owner: str = typed(f.text, "owner", default="")
    unit: str = typed(f.text, "unit", default="")
    start: date | None = typed(f.optional_iso, "start", default=None, read=f.to_date)
    due: date | None = typed(f.optional_iso, "due", default=None, read=f.to_date)
    state: str = typed(f.choice, "state", GOAL_STATES, default="draft", empty="draft")
    agreed_by: str = typed(f.text, "agreed_by", default="")
    agreed_on: date | None = typed(f.optional_iso, "agreed_on", default=None, read=f.to_date)
    outcome: str | None = typed(f.optional_choice, "outcome", OUTCOMES, default=None)
    closing_comment: str = typed(f.text, "closing_comment", default="")
    tags: tuple[str, ...] = typed(f.tags, default=(), read=_as_tuple)
    weight: float = typed(_weight, default=1.0, read=_as_float)
    # the trail of state moves, oldest first: {from, to, at, by, why}
    moves: tuple[Mapping[str, Any], ...] = typed(
        _trail, GOAL_MOVE_KEYS, "moves", default=(), read=_as_tuple
    )
    # lessons it came from (an improvement, a sustain)
    lessons: tuple[int, ...] = typed(_ids, "lessons", default=(), read=_as_tuple)
    # the goal of an earlier period it continues
    carried_from: int | None = typed(f.optional_ref, "carried_from", default=None)
    stamp: Stamp = field(default_factory=Stamp)

    @classmethod
    def from_doc(cls, doc_id: int, doc: Mapping[str, Any]) -> Goal:
        return _read_goal(doc_id, doc)


def _goal_rules(doc: Doc, c: f.Collect, data: Mapping[str, Any]) -> None:
    if c.ok("start", "due"):
        c("due", f.ordered, doc["start"], doc["due"])
    if c.ok("state", "outcome"):
        if doc["state"] == "closed" and doc["outcome"] is None:
            c.add("outcome", f"a closed goal needs an outcome: one of {', '.join(OUTCOMES)}")
        if doc["state"] != "closed" and doc["outcome"] is not None:
            c.add("outcome", "only a closed goal has an outcome")


_read_goal = reader(Goal)
validate_goal = validator(Goal, "goal", _goal_rules)
GOAL_FIELDS: Final = declared(Goal)


# ----------------------------------------------------------- indicator

REVISED_FIELDS: Final = ("baseline", "target", "due", "milestones")


@record
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


def _indicator_rules(doc: Doc, c: f.Collect, data: Mapping[str, Any]) -> None:
    if c.ok("start", "due"):
        c("due", f.ordered, doc["start"], doc["due"])
        if doc["start"] == doc["due"]:
            c.add("due", f"due {doc['due']} must come after start {doc['start']}")
    if c.ok("baseline", "target", "direction"):
        problem = _target_rule(doc)
        if problem:
            c.add("target", problem)
    # milestones are checked against the plan they lie on, once it is good;
    # before, only how each is written
    doc["milestones"] = []
    if c.ok("start", "due", "baseline", "target", "direction"):
        doc["milestones"] = c("milestones", _milestones, data.get("milestones"), doc)
    else:
        c("milestones", _milestone_points, data.get("milestones"))


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
    c = f.Collect()
    for part in text.replace(";", ",").split(","):
        if not part.strip():
            continue
        when, sep, value = part.partition("=")
        if not sep:
            c.add("milestones", f"milestone {part.strip()!r} must look like 2026-03-01=20")
        result.append([when.strip(), value.strip()])
    c.done()
    return result


def _milestone_points(value: object) -> list[list[Any]]:
    """Milestones as (date, value) pairs, every badly written one reported;
    whether they fit the plan is _milestones' part."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = parse_milestones(value)
    if not isinstance(value, list | tuple):
        raise ValidationError("milestones must be a list of (date, value) pairs", "milestones")
    c = f.Collect()
    points: list[list[Any]] = []
    for item in value:
        if not isinstance(item, list | tuple) or len(item) != 2:
            c.add("milestones", "each milestone is a (date, value) pair")
            continue
        points.append([c("milestones", f.iso, item[0], "milestone date"),
                       c("milestones", f.number, item[1], "milestone value")])  # fmt: skip
    c.done()
    return points


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
    points = _milestone_points(value)
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


def _read_milestones(value: Any) -> tuple[tuple[date, float], ...]:
    return tuple((date.fromisoformat(when), float(amount)) for when, amount in value or ())


def _read_revisions(value: Any) -> tuple[Revision, ...]:
    return tuple(Revision.from_doc(rev) for rev in value or ())


@record(kw_only=True)
class Indicator:
    """An indicator (key result) of a goal: its plan from baseline to target."""

    id: int
    goal_id: int = typed(f.ref_id, "goal")
    name: str = typed(f.text, "name", required=True)
    unit: str = typed(f.text, "unit", default="")
    baseline: float = typed(f.number, "baseline", read=_as_float)
    target: float = typed(f.number, "target", read=_as_float)
    start: date = typed(_needed_date, "start", read=date.fromisoformat)
    due: date = typed(_needed_date, "due", read=date.fromisoformat)
    direction: Direction = typed(
        f.choice, "direction", DIRECTIONS, default="increase", empty="increase"
    )
    aggregation: Aggregation = typed(
        f.choice, "aggregation", AGGREGATIONS, default="last", empty="last"
    )
    chain: ChainLevel = typed(f.choice, "chain", CHAIN_LEVELS, default="outcome", empty="outcome")
    weight: float = typed(_weight, default=1.0, read=_as_float)
    cadence: Cadence = typed(f.choice, "cadence", CADENCES, default="monthly", empty="monthly")
    milestones: tuple[tuple[date, float], ...] = typed(
        _milestones, default=(), read=_read_milestones, late=True
    )
    tolerance: float = typed(_tolerance, default=0.10, read=_as_float)
    revisions: tuple[Revision, ...] = typed(_revisions, default=(), read=_read_revisions)
    stamp: Stamp = field(default_factory=Stamp)

    @classmethod
    def from_doc(cls, doc_id: int, doc: Mapping[str, Any]) -> Indicator:
        return _read_indicator(doc_id, doc)

    def outside(self, day: date) -> str | None:
        """Where a value dated `day` lies when outside the indicator's period,
        `before start` or `after due`; None inside it."""
        if day < self.start:
            return "before start"
        if day > self.due:
            return "after due"
        return None

    def outside_words(self, day: date) -> str:
        """The warning for a value dated `day` outside the period ('' inside):
        it is kept, but the comparison does not count it."""
        outside = self.outside(day)
        if outside is None:
            return ""
        edge = self.start if outside == "before start" else self.due
        return f"dated {outside} {edge.isoformat()}: outside the indicator's period"


_read_indicator = reader(Indicator)
validate_indicator = validator(Indicator, "indicator", _indicator_rules)
INDICATOR_FIELDS: Final = declared(Indicator)


# --------------------------------------------------------- measurement
def _measured_on(value: object) -> str:
    if value in (None, ""):
        raise ValidationError("a measurement needs a date", "date")
    return f.iso(value, "date")


@record(kw_only=True)
class Measurement:
    """One measured value of an indicator on a day."""

    id: int
    indicator_id: int = typed(f.ref_id, "indicator")
    date: date = typed(_measured_on, read=date.fromisoformat)
    value: float = typed(f.number, "value", read=_as_float)
    note: str = typed(f.text, "note", default="")
    source: str = typed(f.text, "source", default="")
    stamp: Stamp = field(default_factory=Stamp)

    @classmethod
    def from_doc(cls, doc_id: int, doc: Mapping[str, Any]) -> Measurement:
        return _read_measurement(doc_id, doc)


_read_measurement = reader(Measurement)
validate_measurement = validator(Measurement, "measurement")
MEASUREMENT_FIELDS: Final = declared(Measurement)
_MEASUREMENT_INPUT: Final = frozenset((*MEASUREMENT_FIELDS, *STAMP_FIELDS))
_ISO_DAY: Final = re.compile(r"\d{4}-\d\d-\d\d")


@functools.lru_cache(maxsize=8192)
def _plain_day(day: str) -> bool:
    """A real date written YYYY-MM-DD (a file's rows share a few thousand)."""
    try:
        return day.isascii() and bool(_ISO_DAY.fullmatch(day)) and bool(date.fromisoformat(day))
    except ValueError:
        return False


def plain_measurement(data: Mapping[str, Any]) -> Doc | None:
    """validate_measurement's document for a plain row (an id, an ISO date,
    a number without a comma, texts), or None for anything else, which
    validate_measurement then decides and words. An import of 200,000 rows
    spends seconds in the general converters; the rows of a file are
    nearly all plain."""
    if not data.keys() <= _MEASUREMENT_INPUT:
        return None
    indicator_id, day = data.get("indicator_id"), data.get("date")
    value: Any = data.get("value")
    note, source = data.get("note"), data.get("source")
    if type(indicator_id) is not int or not 1 <= indicator_id <= 2**53:
        return None
    if type(day) is not str or not _plain_day(day):
        return None
    kind = type(value)
    try:
        # without a comma, the general converter's number is float() of it
        if (kind is str and "," not in value) or kind is int or kind is float:
            number = float(value)
        else:
            return None
    except (ValueError, OverflowError):
        return None
    note, source = "" if note is None else note, "" if source is None else source
    if type(note) is not str or type(source) is not str or not math.isfinite(number):
        return None
    note, source = note.strip(), source.strip()
    if len(note) > f.MAX_TEXT or len(source) > f.MAX_TEXT:
        return None
    return {"indicator_id": indicator_id, "date": day, "value": number,
            "note": note, "source": source}  # fmt: skip


# -------------------------------------------------------------- review

OUTSIDE_TOLERANCE: Final = ("at_risk", "off_track", "missed")

# where a lesson was used: kind `revision` (id: the indicator) or `goal` (id: the goal)
LESSON_LINK_KINDS: Final = ("revision", "goal")
LESSON_TEXTS: Final = ("planned", "happened", "why", "sustain", "improve")


# The kinds of steering (reviews, lessons, risks) are declared in
# store/learning.py and loaded when first named here: a log never makes
# their classes (a record costs a tenth of a millisecond).
_LEARNING: Final = frozenset(
    {"Review", "validate_review", "REVIEW_FIELDS", "Action", "Lesson", "validate_lesson",
     "LESSON_FIELDS", "Risk", "validate_risk", "validate_stored_risk", "RISK_FIELDS"}
)  # fmt: skip

if TYPE_CHECKING:
    from store.learning import LESSON_FIELDS as LESSON_FIELDS
    from store.learning import REVIEW_FIELDS as REVIEW_FIELDS
    from store.learning import RISK_FIELDS as RISK_FIELDS
    from store.learning import Action as Action
    from store.learning import Lesson as Lesson
    from store.learning import Review as Review
    from store.learning import Risk as Risk
    from store.learning import validate_lesson as validate_lesson
    from store.learning import validate_review as validate_review
    from store.learning import validate_risk as validate_risk
    from store.learning import validate_stored_risk as validate_stored_risk
else:

    def __getattr__(name: str) -> Any:
        if name in _LEARNING:
            from store import learning

            return getattr(learning, name)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
