"""The one API the CLI and the TUI use to read and change a wheel.

Every change is validated here, runs in one store transaction, is recorded
in the audit trail and can be undone by the user who made it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Generic, TypeVar

from tinydb import TinyDB
from tinydb.table import Document

from store import documents as d
from store.dates import now_iso, today
from store.errors import (
    Ambiguous,
    Conflict,
    NeedsCascade,
    NotFound,
    NothingToUndo,
    StoreError,
    ValidationError,
)
from store.store import MEASUREMENT_ID_SPAN, MEASUREMENTS, Store, storage_of

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


def measurement_name(value: object, day: object, indicator: str, unit: str = "") -> str:
    """A measurement as a person names it: the value 5 days of 2026-11-29
    for Median wait (its id means nothing to anyone)."""
    shown = f"{value:g}" if isinstance(value, float | int) else str(value)
    return f"the value {shown}{' ' + unit if unit else ''} of {day} for {indicator}"


def _content(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in STAMPS}


class Wheel:
    """A wheel of goals, indicators, measurements, reviews, lessons and risks."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._cache: dict[tuple[str, int], list[Any]] = {}
        self._groups: dict[int, tuple[int, dict[int, list[tuple[date, int, float]]]]] = {}

    @classmethod
    def open(cls, root: Path, *, user: str | None = None, lock_timeout: float = 15.0) -> Wheel:
        return cls(Store(root, user=user, lock_timeout=lock_timeout))

    @property
    def user(self) -> str:
        return self.store.user

    # ============================================================ reads
    def _docs(self, kind: Kind[T]) -> list[T]:
        storage = storage_of(self.store.wheel)
        storage.read()
        key = (kind.table, storage.version)
        if key not in self._cache:
            self._cache = {k: v for k, v in self._cache.items() if k[1] == storage.version}
            rows = self.store.table(self.store.wheel, kind.table).all()
            self._cache[key] = [kind.build(row.doc_id, row) for row in rows]
        return list(self._cache[key])

    def _raw(self, kind: Kind[Any], doc_id: int) -> Document:
        row = self.store.table(self.store.wheel, kind.table).get(doc_id=doc_id)
        if row is None or isinstance(row, list):
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
        rows = self.store.table(self.store.wheel, kind.table).all()
        exact = [r for r in rows if kind.label(r).casefold() == wanted]
        hits = exact or [r for r in rows if kind.label(r).casefold().startswith(wanted)]
        if not hits:
            raise NotFound(f"no {kind.name} is named '{ref}'")
        if len(hits) > 1:
            shown = ", ".join(f"{r.doc_id} '{kind.label(r)}'" for r in hits[:5])
            raise Ambiguous(f"'{ref}' matches {len(hits)} {kind.name}s: {shown}; use the id")
        return kind.build(hits[0].doc_id, hits[0])

    # --------------------------------------------------- measurements
    def _groups_of(self, year: int, db: TinyDB) -> dict[int, list[tuple[date, int, float]]]:
        """(date, id, value) per indicator in one year file, cached per file version."""
        storage = storage_of(db)
        data = storage.read() or {}
        cached = self._groups.get(year)
        if cached and cached[0] == storage.version:
            return cached[1]
        groups: dict[int, list[tuple[date, int, float]]] = {}
        # a few hundred distinct days per file: parse each ISO date once
        days: dict[str, date] = {}
        for key, doc in data.get(MEASUREMENTS, {}).items():
            day = days.get(doc["date"])
            if day is None:
                day = days[doc["date"]] = date.fromisoformat(doc["date"])
            groups.setdefault(doc["indicator_id"], []).append((day, int(key), doc["value"]))
        self._groups[year] = (storage.version, groups)
        return groups

    def _years(self, until: date | None) -> list[int]:
        return sorted(y for y in self.store.measure if until is None or y <= until.year)

    def _points(self, indicator_id: int, until: date | None) -> list[tuple[date, int, float]]:
        points: list[tuple[date, int, float]] = []
        for year in self._years(until):
            points.extend(self._groups_of(year, self.store.measure[year]).get(indicator_id, ()))
        points.sort()  # by date, then id: of two values on one day the later-logged is last
        return points

    def series(self, indicator_id: int, until: date | None = None) -> Series:
        """(date, value) pairs of one indicator, oldest first."""
        return [(day, value) for day, _, value in self._points(indicator_id, until)]

    def all_series(self, until: date | None = None) -> dict[int, Series]:
        merged: dict[int, list[tuple[date, int, float]]] = {}
        for year in self._years(until):
            for ind, points in self._groups_of(year, self.store.measure[year]).items():
                merged.setdefault(ind, []).extend(points)
        return {
            ind: [(day, value) for day, _, value in sorted(points)]
            for ind, points in merged.items()
        }

    def measurements(self, indicator_id: int) -> list[d.Measurement]:
        """One indicator's measurements, oldest first."""
        rows: list[d.Measurement] = []
        for day, key, _ in self._points(indicator_id, None):
            home = self.store.measure.get(day.year)
            table = (storage_of(home).read() or {}).get(MEASUREMENTS, {}) if home else {}
            # a hand-edited date can leave a document outside its year's file
            doc = table.get(str(key)) or self._locate(key)[1]
            rows.append(d.Measurement.from_doc(key, doc))
        return rows

    def _locate(self, measurement_id: int) -> tuple[int, dict[str, Any]]:
        home = measurement_id // MEASUREMENT_ID_SPAN
        years = sorted(self.store.measure, key=lambda y: (y != home, y))
        for year in years:
            table = (storage_of(self.store.measure[year]).read() or {}).get(MEASUREMENTS, {})
            doc = table.get(str(measurement_id))
            if doc is not None:
                return year, doc
        raise NotFound(f"there is no measurement {measurement_id}")

    def measurement(self, measurement_id: int) -> d.Measurement:
        return d.Measurement.from_doc(measurement_id, self._locate(measurement_id)[1])

    def name_of(self, table: str, doc_id: int, doc: Mapping[str, Any] | None) -> str:
        """A document as a person names it: goal 3 'Shorter queues', or
        measurement_name's words for a measurement. User text is not escaped here;
        whatever prints it does that."""
        kind_name = BY_TABLE.get(table, table)
        if table == MEASUREMENTS and doc:
            row = self.store.table(self.store.wheel, INDICATOR.table).get(
                doc_id=int(doc["indicator_id"])
            )
            name, unit = (
                (row["name"], row.get("unit", ""))
                if isinstance(row, Document)
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
            if (
                ref is not None
                and self.store.table(self.store.wheel, target.table).get(doc_id=ref) is None
            ):
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
                row = self.store.table(self.store.wheel, GOAL.table).get(doc_id=parent)
                parent = row.get("parent_id") if isinstance(row, Document) else None
        elif kind is REVIEW:
            exists(GOAL, doc["goal_id"], "goal")
            exists(INDICATOR, doc["indicator_id"], "indicator")
        else:
            exists(GOAL, doc.get("goal_id"), "goal")

    def add(self, kind: Kind[T], fields: Mapping[str, Any]) -> T:
        doc = kind.validate(fields)
        with self.store.transaction():
            self._check_refs(kind, doc)
            db = self.store.wheel
            doc_id = self.store.next_id(db, kind.table)
            stored = self._stamped(doc)
            self.store.table(db, kind.table).insert(Document(stored, doc_id=doc_id))
            self.store.record(kind.table, doc_id, None, stored)
        return kind.build(doc_id, stored)

    def update(
        self, kind: Kind[T], doc_id: int, fields: Mapping[str, Any], *, expected: str | None = None
    ) -> T:
        """Change some fields. `expected` is the updated_at the caller saw;
        if the document changed since, raise Conflict instead of overwriting."""
        with self.store.transaction():
            current = dict(self._raw(kind, doc_id))
            merged = _content(current) | dict(fields)
            doc = kind.validate(merged)
            if expected is not None and current.get("updated_at") != expected:
                raise self._conflict(kind.table, doc_id, current, fields, expected)
            self._check_refs(kind, doc, doc_id)
            if doc == _content(current):
                return kind.build(doc_id, current)
            stored = self._stamped(doc, current.get("created_at"))
            self.store.table(self.store.wheel, kind.table).update(stored, doc_ids=[doc_id])
            self.store.record(kind.table, doc_id, current, stored)
        return kind.build(doc_id, stored)

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
        for rows in self._history_files():
            for entry in rows.values():
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
        with self.store.transaction():
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
        row = dict(self._raw(kind, doc_id))
        self.store.table(self.store.wheel, kind.table).remove(doc_ids=[doc_id])
        self.store.record(kind.table, doc_id, row, None)

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
        with self.store.transaction():
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
        with self.store.transaction():
            for number, doc in enumerate(docs, 1):
                try:
                    self._check_indicator(doc["indicator_id"])
                except ValidationError as exc:
                    raise ValidationError(f"row {number}: {exc}", exc.field) from None
            return self._insert_measurements([self._stamped(doc) for doc in docs])

    def _check_indicator(self, indicator_id: int) -> None:
        if self.store.table(self.store.wheel, INDICATOR.table).get(doc_id=indicator_id) is None:
            raise ValidationError(f"indicator {indicator_id} does not exist", "indicator")

    def _insert_measurement(self, doc: d.Doc, doc_id: int | None = None) -> int:
        return self._insert_measurements([doc], [doc_id])[0]

    def _insert_measurements(
        self, docs: list[d.Doc], ids: list[int | None] | None = None
    ) -> list[int]:
        by_year: dict[int, list[Document]] = {}
        result = []
        for doc, wanted in zip(docs, ids or [None] * len(docs), strict=True):
            year = int(doc["date"][:4])
            db = self.store.measure_db(year)
            new_id = wanted or year * MEASUREMENT_ID_SPAN + self.store.next_id(db, MEASUREMENTS)
            if new_id % MEASUREMENT_ID_SPAN == 0:
                raise StoreError(f"measurements-{year}.json is full (a million ids used)")
            by_year.setdefault(year, []).append(Document(doc, doc_id=new_id))
            self.store.record(MEASUREMENTS, new_id, None, doc)
            result.append(new_id)
        for year, rows in by_year.items():
            db = self.store.measure_db(year)
            storage_of(db).ensure(self.store.writer, now_iso())
            self.store.table(db, MEASUREMENTS).insert_multiple(rows)
        return result

    def update_measurement(
        self, measurement_id: int, fields: Mapping[str, Any], *, expected: str | None = None
    ) -> d.Measurement:
        with self.store.transaction():
            year, current = self._locate(measurement_id)
            doc = d.validate_measurement(_content(current) | dict(fields))
            if expected is not None and current.get("updated_at") != expected:
                raise self._conflict(MEASUREMENTS, measurement_id, current, fields, expected)
            self._check_indicator(doc["indicator_id"])
            stored = self._stamped(doc, current.get("created_at"))
            self._put_measurement(measurement_id, year, dict(current), stored)
        return self.measurement(measurement_id)

    def _put_measurement(
        self, measurement_id: int, year: int, before: d.Doc | None, after: d.Doc | None
    ) -> None:
        """Replace, move (date into another year) or remove one measurement.
        A move inserts into the new year's file before it removes from the
        old one; the commit writes them in that order too."""
        new_year = int(after["date"][:4]) if after else None
        if after is not None and new_year != year:
            db = self.store.measure_db(new_year or year)
            storage_of(db).ensure(self.store.writer, now_iso())
            self.store.table(db, MEASUREMENTS).insert(Document(after, doc_id=measurement_id))
        if before is not None:
            table = self.store.table(self.store.measure[year], MEASUREMENTS)
            if after is not None and new_year == year:
                table.update(after, doc_ids=[measurement_id])
            else:
                table.remove(doc_ids=[measurement_id])
        self.store.record(MEASUREMENTS, measurement_id, before, after)

    def delete_measurement(self, measurement_id: int) -> None:
        with self.store.transaction():
            self._remove_measurement(measurement_id)

    def _remove_measurement(self, measurement_id: int) -> None:
        year, current = self._locate(measurement_id)
        self._put_measurement(measurement_id, year, dict(current), None)

    # ============================================================= undo
    def _history_files(self) -> Iterator[dict[str, Any]]:
        """The audit trail's files newest first, as {id: entry}. A file that
        was not in memory is dropped again after use: on a store with years
        of history, looking back must not keep every month parsed."""
        for key in sorted(self.store.history, reverse=True):
            storage = storage_of(self.store.history[key])
            was_loaded = storage.loaded
            yield (storage.read() or {}).get("history", {})
            if not was_loaded and not storage.dirty:
                storage.rollback()

    def history(self, limit: int = 50) -> list[dict[str, Any]]:
        """The newest changes first: who, when, table, id, before, after."""
        entries: list[dict[str, Any]] = []
        for rows in self._history_files():
            for key in sorted(rows, key=int, reverse=True):
                entries.append(rows[key])
                if len(entries) >= limit:
                    return entries
        return entries

    def _last_change(self) -> list[dict[str, Any]]:
        undone: set[str] = set()
        for rows in self._history_files():
            ordered = sorted(rows.items(), key=lambda kv: int(kv[0]), reverse=True)
            for index, (_, entry) in enumerate(ordered):
                if entry.get("undo_of"):
                    undone.add(entry["undo_of"])
                    continue
                if entry["by"] != self.user or entry["change"] in undone:
                    continue
                change = entry["change"]
                return [e for _, e in ordered[index:] if e["change"] == change]
        raise NothingToUndo(f"{self.user} has no change left to undo")

    def undo(self) -> str:
        """Revert the current user's most recent change that is not undone."""
        self.store.refresh()
        entries = self._last_change()
        with self.store.transaction(undo_of=entries[0]["change"]):
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
            try:
                year, current = self._locate(doc_id)
            except NotFound:
                year, current = 0, None
            self._check_unchanged(table, doc_id, current, after)
            if before is None:
                self._put_measurement(doc_id, year, dict(current or {}), None)
            elif current is None:
                self._insert_measurement(before, doc_id)
            else:
                self._put_measurement(doc_id, year, dict(current), before)
            return
        tinytable = self.store.table(self.store.wheel, table)
        row = tinytable.get(doc_id=doc_id)
        current = dict(row) if isinstance(row, Document) else None
        self._check_unchanged(table, doc_id, current, after)
        if current is None:
            tinytable.insert(Document(before, doc_id=doc_id))
        elif before is None:
            tinytable.remove(doc_ids=[doc_id])
        else:
            tinytable.remove(doc_ids=[doc_id])
            tinytable.insert(Document(before, doc_id=doc_id))
        self.store.record(table, doc_id, current, before)

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
