"""The one API the CLI and the TUI use to read and change a wheel.

Every change is validated here, runs in one store transaction, is recorded
in the audit trail and can be undone by the user who made it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from store import documents as d
from store.backend import MEASUREMENTS, Backend, Change, Doc
from store.dates import as_date, now_iso, today
from store.errors import (
    Ambiguous,
    Conflict,
    NeedsCascade,
    NotFound,
    NothingToUndo,
    ValidationError,
)
from store.views import WheelView

T = TypeVar("T")
Series = list[tuple[date, float]]


@dataclass(frozen=True, slots=True)
class Kind(Generic[T]):
    name: str
    table: str
    validate: Callable[[Mapping[str, Any]], d.Doc]
    build: Callable[[int, Mapping[str, Any]], T]
    label: Callable[[Mapping[str, Any]], str]


GOAL = Kind("goal", "goals", d.validate_goal, d.Goal.from_doc, lambda doc: doc["title"])
INDICATOR = Kind(
    "indicator", "indicators", d.validate_indicator, d.Indicator.from_doc, lambda doc: doc["name"]
)
REVIEW = Kind("review", "reviews", d.validate_review, d.Review.from_doc, lambda doc: doc["date"])
LESSON = Kind(
    "lesson",
    "lessons",
    d.validate_lesson,
    d.Lesson.from_doc,
    lambda doc: next((doc[k] for k in d.LESSON_TEXTS if doc.get(k)), doc["date"]),
)
RISK = Kind("risk", "risks", d.validate_risk, d.Risk.from_doc, lambda doc: doc["title"])
KINDS: dict[str, Kind[Any]] = {k.name: k for k in (GOAL, INDICATOR, REVIEW, LESSON, RISK)}
BY_TABLE: dict[str, str] = {k.table: k.name for k in KINDS.values()} | {MEASUREMENTS: "measurement"}
STAMPS = d.STAMP_FIELDS


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _in_row(number: int, exc: ValidationError) -> ValidationError:
    return ValidationError(
        problems=[(field, f"row {number}: {message}") for field, message in exc.problems]
    )


def measurement_name(value: object, day: object, indicator: str, unit: str = "") -> str:
    """A measurement as a person names it: the value 5 days of 2026-11-29
    for Median wait (its id means nothing to anyone)."""
    shown = f"{value:g}" if isinstance(value, float | int) else str(value)
    return f"the value {shown}{' ' + unit if unit else ''} of {day} for {indicator}"


def _content(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in STAMPS}


class Wheel:
    """A wheel of goals, indicators, measurements, reviews, lessons and risks."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self._cache: dict[tuple[str, Hashable], list[Any]] = {}
        self._views: dict[date, WheelView] = {}

    @property
    def tolerant(self) -> bool:
        """Set by the TUI, which keeps showing a store with a bad measurement
        file (read-only): the file then reads as holding no measurement, and
        `broken` says why."""
        return self.backend.tolerant

    @tolerant.setter
    def tolerant(self, value: bool) -> None:
        self.backend.tolerant = value

    @property
    def broken(self) -> str | None:
        return self.backend.broken

    @property
    def user(self) -> str:
        return self.backend.user

    @property
    def read_only_reason(self) -> str | None:
        return self.backend.read_only_reason

    @property
    def location(self) -> str:
        """Where the wheel lives, as the user should see it."""
        return self.backend.location

    def describe_store(self) -> list[tuple[str, str]]:
        """(label, value) lines saying where the wheel lives and who writes."""
        return self.backend.describe()

    def refresh(self) -> list[Change]:
        """Take in what other processes wrote; who changed what."""
        return self.backend.refresh()

    def take_notices(self) -> list[str]:
        return self.backend.take_notices()

    def transaction(self) -> AbstractContextManager[None]:
        """Several verbs as one change: all or nothing, one entry in undo."""
        return self.backend.transaction()

    # ============================================================ reads
    def _docs(self, kind: Kind[T]) -> list[T]:
        rows = self.backend.docs(kind.table)
        key = (kind.table, self.backend.version())
        if key not in self._cache:
            self._cache = {k: v for k, v in self._cache.items() if k[1] == key[1]}
            self._cache[key] = [kind.build(doc_id, row) for doc_id, row in sorted(rows.items())]
        return list(self._cache[key])

    def _raw(self, kind: Kind[Any], doc_id: int) -> Doc:
        row = self.backend.get(kind.table, doc_id)
        if row is None:
            raise NotFound(f"there is no {kind.name} {doc_id}")
        return row

    def get(self, kind: Kind[T], doc_id: int) -> T:
        return kind.build(doc_id, self._raw(kind, doc_id))

    def goals(self) -> list[d.Goal]:
        return self._docs(GOAL)

    def goal(self, goal_id: int) -> d.Goal:
        return self.get(GOAL, goal_id)

    def children(self, goal_id: int | None) -> list[d.Goal]:
        return [g for g in self.goals() if g.parent_id == goal_id]

    def indicators(self, goal_id: int | None = None) -> list[d.Indicator]:
        rows = self._docs(INDICATOR)
        return rows if goal_id is None else [i for i in rows if i.goal_id == goal_id]

    def indicator(self, indicator_id: int) -> d.Indicator:
        return self.get(INDICATOR, indicator_id)

    def risks(self, goal_id: int | None = None) -> list[d.Risk]:
        rows = self._docs(RISK)
        return rows if goal_id is None else [r for r in rows if r.goal_id == goal_id]

    def lessons(self, goal_id: int | None = None) -> list[d.Lesson]:
        rows = sorted(self._docs(LESSON), key=lambda x: (x.date, x.id), reverse=True)
        return rows if goal_id is None else [x for x in rows if x.goal_id == goal_id]

    def reviews(
        self, *, goal_id: int | None = None, indicator_id: int | None = None
    ) -> list[d.Review]:
        rows = sorted(self._docs(REVIEW), key=lambda x: (x.date, x.id), reverse=True)
        if goal_id is not None:
            rows = [r for r in rows if r.goal_id == goal_id]
        if indicator_id is not None:
            rows = [r for r in rows if r.indicator_id == indicator_id]
        return rows

    def find(self, kind: Kind[T], ref: str | int) -> T:
        """An id, or an unambiguous case-insensitive prefix of the name."""
        if isinstance(ref, int) or str(ref).strip().isdecimal():
            return self.get(kind, int(ref))
        wanted = str(ref).strip().casefold()
        if not wanted:
            raise NotFound(f"name a {kind.name} by id or by the start of its name")
        rows = sorted(self.backend.docs(kind.table).items())
        exact = [(i, r) for i, r in rows if kind.label(r).casefold() == wanted]
        hits = exact or [(i, r) for i, r in rows if kind.label(r).casefold().startswith(wanted)]
        if not hits:
            raise NotFound(f"no {kind.name} is named '{ref}'")
        if len(hits) > 1:
            shown = ", ".join(f"{i} '{kind.label(r)}'" for i, r in hits[:5])
            raise Ambiguous(f"'{ref}' matches {len(hits)} {kind.name}s: {shown}; use the id")
        return kind.build(*hits[0])

    @property
    def version(self) -> Hashable:
        """Changes whenever a document or a measurement changes in memory: a
        write here, or a refresh after another process wrote."""
        return self.backend.version()

    def view(self, at: date | None = None) -> WheelView:
        """The read model for day `at` (default today), built once per version."""
        day = at or today()
        cached = self._views.get(day)
        if cached is not None and cached.version == self.version:
            return cached
        goals, indicators, risks = self.goals(), self.indicators(), self.risks()
        series = self.all_series(until=day)
        # reading may have loaded a file for the first time: key by the version after
        built = WheelView(self.version, day, goals, indicators, risks, series)
        self._views = {k: v for k, v in self._views.items() if v.version == built.version}
        self._views[day] = built
        return built

    # --------------------------------------------------- measurements
    def series(self, indicator_id: int, until: date | None = None) -> Series:
        """(date, value) pairs of one indicator, oldest first."""
        return [
            (day, value) for day, _, value in self.backend.indicator_points(indicator_id, until)
        ]

    def all_series(self, until: date | None = None) -> dict[int, Series]:
        return {
            ind: [(day, value) for day, _, value in points]
            for ind, points in self.backend.points(until).items()
        }

    def measurements(self, indicator_id: int) -> list[d.Measurement]:
        """One indicator's measurements, oldest first."""
        return [self.measurement(key) for _, key, _ in self.backend.indicator_points(indicator_id)]

    def _located(self, measurement_id: int) -> Doc:
        doc = self.backend.measurement(measurement_id)
        if doc is None:
            raise NotFound(f"there is no measurement {measurement_id}")
        return doc

    def measurement(self, measurement_id: int) -> d.Measurement:
        return d.Measurement.from_doc(measurement_id, self._located(measurement_id))

    def name_of(self, table: str, doc_id: int, doc: Mapping[str, Any] | None) -> str:
        """A document as a person names it: goal 3 'Shorter queues', or
        measurement_name's words for a measurement. User text is not escaped here;
        whatever prints it does that."""
        kind_name = BY_TABLE.get(table, table)
        if table == MEASUREMENTS and doc:
            row = self.backend.get(INDICATOR.table, int(doc["indicator_id"]))
            name, unit = (
                (row["name"], row.get("unit", ""))
                if row is not None
                else (f"indicator {doc['indicator_id']}", "")
            )
            return measurement_name(doc.get("value"), doc.get("date"), name, unit)
        kind = KINDS.get(kind_name)
        if kind is not None and doc:
            try:
                return f"{kind_name} {doc_id} '{kind.label(doc)}'"
            except KeyError:
                pass
        return f"{kind_name} {doc_id}"

    # =========================================================== writes
    def _stamped(self, doc: d.Doc, created: str | None = None) -> d.Doc:
        when = now_iso()
        return doc | {"created_at": created or when, "updated_at": when, "updated_by": self.user}

    def _check_refs(self, kind: Kind[Any], doc: d.Doc, doc_id: int | None = None) -> None:
        def exists(target: Kind[Any], ref: int | None, field: str) -> None:
            if ref is not None and self.backend.get(target.table, ref) is None:
                raise ValidationError(f"{field} {ref} does not exist", field)

        if kind is GOAL:
            exists(GOAL, doc["parent_id"], "parent")
            seen, parent = set(), doc["parent_id"]
            while parent is not None and parent not in seen:
                if parent == doc_id:
                    where = (
                        "itself"
                        if parent == doc["parent_id"]
                        else f"its own sub-goal {doc['parent_id']}"
                    )
                    raise ValidationError(f"a goal cannot be placed under {where}", "parent")
                seen.add(parent)
                row = self.backend.get(GOAL.table, parent)
                parent = row.get("parent_id") if row is not None else None
        elif kind is REVIEW:
            exists(GOAL, doc["goal_id"], "goal")
            exists(INDICATOR, doc["indicator_id"], "indicator")
        else:
            exists(GOAL, doc.get("goal_id"), "goal")

    def add(self, kind: Kind[T], fields: Mapping[str, Any]) -> T:
        doc = kind.validate(fields)
        with self.backend.transaction():
            self._check_refs(kind, doc)
            doc_id = self.backend.next_id(kind.table)
            stored = self._stamped(doc)
            self.backend.put(kind.table, doc_id, stored)
        return kind.build(doc_id, stored)

    def update(
        self, kind: Kind[T], doc_id: int, fields: Mapping[str, Any], *, expected: str | None = None
    ) -> T:
        """Change some fields. `expected` is the updated_at the caller saw;
        if the document changed since, raise Conflict instead of overwriting."""
        with self.backend.transaction():
            current = dict(self._raw(kind, doc_id))
            merged = _content(current) | dict(fields)
            doc = kind.validate(merged)
            if expected is not None and current.get("updated_at") != expected:
                raise self._conflict(kind.table, doc_id, current, fields, expected)
            self._check_refs(kind, doc, doc_id)
            if doc == _content(current):
                return kind.build(doc_id, current)
            stored = self._stamped(doc, current.get("created_at"))
            self.backend.put(kind.table, doc_id, stored)
        return kind.build(doc_id, stored)

    def record_review(
        self,
        *,
        judgement: object,
        confidence: object,
        indicator_id: int | None = None,
        goal_id: int | None = None,
        when: object = None,
        comment: object = "",
        cause: object = None,
        decision: object = None,
    ) -> d.Review:
        """Review one indicator or goal on day `when` (default today). The
        comparison frozen into the review is the view's record of that day,
        computed here; outside tolerance the review needs a cause and a
        decision (validate_review refuses it otherwise)."""
        day = as_date(when or "today", "date")
        deviation = {"cause": cause, "decision": decision} if cause or decision else None
        # under the lock, after its refresh: what is frozen is what stands when it is written
        with self.backend.transaction():
            view = self.view(day)
            if indicator_id is not None and goal_id is None:
                if not view.has_indicator(indicator_id):
                    raise ValidationError(f"indicator {indicator_id} does not exist", "indicator")
                comparison = view.indicator_record(indicator_id)
            elif goal_id is not None and indicator_id is None:
                if not view.has_goal(goal_id):
                    raise ValidationError(f"goal {goal_id} does not exist", "goal")
                comparison = view.goal_record(goal_id)
            else:
                raise ValidationError("a review is of one goal or one indicator", "goal_id")
            return self.add(
                REVIEW,
                {
                    "date": day,
                    "goal_id": goal_id,
                    "indicator_id": indicator_id,
                    "comparison": dict(comparison),
                    "judgement": judgement,
                    "confidence": confidence,
                    "comment": comment,
                    "deviation": deviation,
                },
            )

    def _conflict(
        self,
        table: str,
        doc_id: int,
        current: Mapping[str, Any],
        fields: Mapping[str, Any],
        expected: str,
    ) -> Conflict:
        """Someone saved since the caller read the version stamped `expected`.
        That version (from the audit trail) with the caller's fields on top
        is "mine"; on top of theirs instead, fields only they changed would
        look the same on both sides and never be shown."""
        base = self._version(table, doc_id, expected)
        theirs = _content(current)
        mine = (theirs if base is None else base) | dict(fields)
        return Conflict(
            f"{self.name_of(table, doc_id, current)} was changed by "
            f"{current.get('updated_by', '?')} while you were editing",
            BY_TABLE.get(table, table),
            mine=mine,
            theirs=theirs,
            base=base,
        )

    def _version(self, table: str, doc_id: int, updated_at: str) -> dict[str, Any] | None:
        """The content of a document as it was when stamped `updated_at`."""
        for entry in self.backend.history():
            if str(entry.get("at", "")) < updated_at:
                break  # the save that stamped it was recorded at that time or later
            after = entry.get("after")
            if (
                entry.get("table") == table
                and entry.get("id") == doc_id
                and isinstance(after, dict)
                and after.get("updated_at") == updated_at
            ):
                return _content(after)
        return None

    def dependants(self, kind: Kind[Any], doc_id: int) -> dict[str, list[int]]:
        """What deleting this document would remove with it, by table."""
        found: dict[str, list[int]] = {}
        if kind is GOAL:
            goals = [doc_id]
            frontier = [doc_id]
            while frontier:
                kids = [g.id for g in self.goals() if g.parent_id in frontier]
                goals += kids
                frontier = kids
            found["goals"] = goals[1:]
            indicators = [i.id for i in self.indicators() if i.goal_id in goals]
            found["indicators"] = indicators
            found["risks"] = [r.id for r in self.risks() if r.goal_id in goals]
            found["lessons"] = [x.id for x in self.lessons() if x.goal_id in goals]
            found["reviews"] = [
                r.id for r in self.reviews() if r.goal_id in goals or r.indicator_id in indicators
            ]
            found[MEASUREMENTS] = [m.id for i in indicators for m in self.measurements(i)]
        elif kind is INDICATOR:
            found["reviews"] = [r.id for r in self.reviews(indicator_id=doc_id)]
            found[MEASUREMENTS] = [m.id for m in self.measurements(doc_id)]
        return {table: ids for table, ids in found.items() if ids}

    def describe(self, dependants: Mapping[str, list[int]]) -> str:
        words = {"goals": "sub-goal", MEASUREMENTS: "measurement"}
        parts = [
            _plural(len(ids), words.get(table, BY_TABLE.get(table, table)))
            for table, ids in dependants.items()
        ]
        return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]

    def delete(self, kind: Kind[Any], doc_id: int, *, cascade: bool = False) -> dict[str, int]:
        """Remove a document; with `cascade`, also what depends on it."""
        with self.backend.transaction():
            row = self._raw(kind, doc_id)
            deps = self.dependants(kind, doc_id)
            if deps and not cascade:
                raise NeedsCascade(
                    f"{self.name_of(kind.table, doc_id, row)} has {self.describe(deps)}; "
                    "deleting it removes them too (confirm, or --cascade on the command line)",
                    {t: len(ids) for t, ids in deps.items()},
                )
            removed = {t: len(ids) for t, ids in deps.items()}
            removed[kind.table] = removed.get(kind.table, 0) + 1
            for measurement_id in deps.pop(MEASUREMENTS, []):
                self._remove_measurement(measurement_id)
            for table, ids in deps.items():
                for dep_id in ids:
                    self._remove(KINDS[BY_TABLE[table]], dep_id)
            self._remove(kind, doc_id)
        return removed

    def _remove(self, kind: Kind[Any], doc_id: int) -> None:
        self._raw(kind, doc_id)
        self.backend.remove(kind.table, doc_id)

    # --------------------------------------------- measurement writes
    def log(
        self,
        indicator_id: int,
        value: object,
        when: object = None,
        note: object = "",
        source: object = "",
    ) -> d.Measurement:
        """Record one measured value (today unless a date is given)."""
        doc = d.validate_measurement(
            {
                "indicator_id": indicator_id,
                "value": value,
                "date": today() if when in (None, "") else when,
                "note": note,
                "source": source,
            }
        )
        with self.backend.transaction():
            self._check_indicator(doc["indicator_id"])
            stored = self._stamped(doc)
            measurement_id = self._insert_measurement(stored)
        # built from what was written: reading it back would parse the year file
        return d.Measurement.from_doc(measurement_id, stored)

    def log_many(self, rows: Iterable[Mapping[str, Any]]) -> list[int]:
        """Validate every row first; write all of them or none."""
        docs = []
        for number, row in enumerate(rows, 1):
            try:
                docs.append(d.validate_measurement(row))
            except ValidationError as exc:
                raise ValidationError(f"row {number}: {exc}", exc.field) from None
        with self.backend.transaction():
            for number, doc in enumerate(docs, 1):
                try:
                    self._check_indicator(doc["indicator_id"])
                except ValidationError as exc:
                    raise _in_row(number, exc) from None
            return self._insert_measurements([self._stamped(doc) for doc in docs])

    def _check_indicator(self, indicator_id: int) -> None:
        if self.backend.get(INDICATOR.table, indicator_id) is None:
            raise ValidationError(f"indicator {indicator_id} does not exist", "indicator")

    def _insert_measurement(self, doc: d.Doc, doc_id: int | None = None) -> int:
        return self._insert_measurements([doc], [doc_id])[0]

    def _insert_measurements(
        self, docs: list[d.Doc], ids: list[int | None] | None = None
    ) -> list[int]:
        return self.backend.add_measurements(docs, ids)

    def update_measurement(
        self, measurement_id: int, fields: Mapping[str, Any], *, expected: str | None = None
    ) -> d.Measurement:
        with self.backend.transaction():
            current = self._located(measurement_id)
            doc = d.validate_measurement(_content(current) | dict(fields))
            if expected is not None and current.get("updated_at") != expected:
                raise self._conflict(MEASUREMENTS, measurement_id, current, fields, expected)
            self._check_indicator(doc["indicator_id"])
            stored = self._stamped(doc, current.get("created_at"))
            self.backend.put_measurement(measurement_id, stored)
        return self.measurement(measurement_id)

    def delete_measurement(self, measurement_id: int) -> None:
        with self.backend.transaction():
            self._remove_measurement(measurement_id)

    def _remove_measurement(self, measurement_id: int) -> None:
        self._located(measurement_id)
        self.backend.remove_measurement(measurement_id)

    # ============================================================= undo
    def history(self, limit: int = 50) -> list[dict[str, Any]]:
        """The newest changes first: who, when, table, id, before, after."""
        return list(itertools.islice(self.backend.history(), limit))

    def _last_change(self) -> list[dict[str, Any]]:
        """The entries of this user's newest change that is not undone, newest first."""
        undone: set[str] = set()
        found: list[dict[str, Any]] = []
        for entry in self.backend.history():
            if found:
                if entry["change"] != found[0]["change"]:
                    break
                found.append(entry)
            elif entry.get("undo_of"):
                undone.add(entry["undo_of"])
            elif entry["by"] == self.user and entry["change"] not in undone:
                found.append(entry)
        if not found:
            raise NothingToUndo(f"{self.user} has no change left to undo")
        return found

    def undo(self) -> str:
        """Revert the current user's most recent change that is not undone."""
        self.backend.refresh()
        entries = self._last_change()
        with self.backend.transaction(undo_of=entries[0]["change"]):
            for entry in entries:  # newest first, so a cascade unwinds in reverse
                self._revert(entry)
        first = entries[0]  # the change's own document; a cascade records it last
        name = self.name_of(first["table"], first["id"], first["after"] or first["before"])
        verb = (
            "added"
            if first["before"] is None
            else "deleted"
            if first["after"] is None
            else "changed"
        )
        extra = f" (and {_plural(len(entries) - 1, 'more change')})" if len(entries) > 1 else ""
        return f"undid: {name} {verb} at {first['at'][:16].replace('T', ' ')}{extra}"

    def _revert(self, entry: Mapping[str, Any]) -> None:
        table, doc_id, before, after = entry["table"], entry["id"], entry["before"], entry["after"]
        if table == MEASUREMENTS:
            current = self.backend.measurement(doc_id)
            self._check_unchanged(table, doc_id, current, after)
            if before is None:
                self.backend.remove_measurement(doc_id)
            elif current is None:
                self._insert_measurement(before, doc_id)
            else:
                self.backend.put_measurement(doc_id, before)
            return
        current = self.backend.get(table, doc_id)
        self._check_unchanged(table, doc_id, current, after)
        if before is None:
            self.backend.remove(table, doc_id)
        else:
            self.backend.put(table, doc_id, before)

    def _check_unchanged(
        self, table: str, doc_id: int, current: Mapping[str, Any] | None, after: Any
    ) -> None:
        if current != after:
            who = (current or {}).get("updated_by", "someone")
            raise Conflict(
                f"cannot undo: {self.name_of(table, doc_id, after or current)} "
                f"was changed since by {who}",
                BY_TABLE.get(table, table),
                mine=dict(after or {}),
                theirs=dict(current) if current else None,
            )
