"""The one API the CLI and the TUI use to read and change a wheel.

Every change is validated here, runs in one store transaction, is recorded
in the audit trail and can be undone by the user who made it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Container, Hashable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import date
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

from store import documents as d
from store import fields as f
from store.backend import (
    MEASUREMENTS,
    Backend,
    Change,
    ComparisonKeeper,
    Doc,
    NewsWaiter,
    SeriesSource,
    ids_of,
)
from store.dates import as_date, now_iso, today
from store.errors import (
    Ambiguous,
    Conflict,
    FutureDate,
    NeedsCascade,
    NotFound,
    NothingToUndo,
    Problem,
    ValidationError,
)

if TYPE_CHECKING:
    # the read model and the comparison rules load with the first view, the
    # steering rules with the first steering verb: `styr log` needs neither
    from store.compare import WheelComparison
    from store.steering import CarriedGoal, ClosedGoal, OpenAction, Period, PeriodClose
    from store.views import WheelView

T = TypeVar("T")
Series = list[tuple[date, float]]


class Ref(NamedTuple):
    """A field of a document that names another one: it must exist when
    written; deleting the one it names deletes this document too (cascade)
    or only takes the reference out (a link that is history, not ownership).
    `tree`: documents of one kind form a tree along it (no cycles)."""

    field: str
    target: str  # the kind's name
    label: str  # how a message names the field
    cascade: bool = True
    many: bool = False  # a list of ids
    tree: bool = False


class Kind(NamedTuple, Generic[T]):
    """A kind of document as the Wheel handles it: its table, checks and views."""

    name: str
    table: str
    validate: Callable[[Mapping[str, Any]], d.Doc]
    build: Callable[[int, Mapping[str, Any]], T]
    label: Callable[[Mapping[str, Any]], str]
    refs: tuple[Ref, ...] = ()
    # deleting one also deletes the measurements it owns (an indicator's)
    owns_measurements: bool = False


GOAL = Kind(
    "goal",
    "goals",
    d.validate_goal,
    d.Goal.from_doc,
    lambda doc: doc["title"],
    refs=(
        Ref("parent_id", "goal", "parent", tree=True),
        Ref("carried_from", "goal", "carried from", cascade=False),
        Ref("lessons", "lesson", "lesson", cascade=False, many=True),
    ),
)
INDICATOR = Kind(
    "indicator",
    "indicators",
    d.validate_indicator,
    d.Indicator.from_doc,
    lambda doc: doc["name"],
    refs=(Ref("goal_id", "goal", "goal"),),
    owns_measurements=True,
)
# called through lambdas: store/learning.py, which declares these kinds,
# loads with the first review, lesson or risk read or written (never in a log)
REVIEW: Kind[d.Review] = Kind(
    "review",
    "reviews",
    lambda data: d.validate_review(data),
    lambda doc_id, doc: d.Review.from_doc(doc_id, doc),
    lambda doc: doc["date"],
    refs=(Ref("goal_id", "goal", "goal"), Ref("indicator_id", "indicator", "indicator")),
)
LESSON: Kind[d.Lesson] = Kind(
    "lesson",
    "lessons",
    lambda data: d.validate_lesson(data),
    lambda doc_id, doc: d.Lesson.from_doc(doc_id, doc),
    lambda doc: next((doc[k] for k in d.LESSON_TEXTS if doc.get(k)), doc["date"]),
    refs=(Ref("goal_id", "goal", "goal"),),
)
RISK: Kind[d.Risk] = Kind(
    "risk",
    "risks",
    lambda data: d.validate_risk(data),
    lambda doc_id, doc: d.Risk.from_doc(doc_id, doc),
    lambda doc: doc["title"],
    refs=(Ref("goal_id", "goal", "goal"),),
)
KINDS: dict[str, Kind[Any]] = {k.name: k for k in (GOAL, INDICATOR, REVIEW, LESSON, RISK)}
BY_TABLE: dict[str, str] = {k.table: k.name for k in KINDS.values()} | {MEASUREMENTS: "measurement"}
STAMPS = d.STAMP_FIELDS
# (target table, id) -> the documents whose references name it
Referrers = dict[tuple[str, int], list[tuple[Kind[Any], Ref, int]]]
# the order in which a cascade names what it removes
CASCADE_ORDER = ("goals", "indicators", "risks", "lessons", "reviews", MEASUREMENTS)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _verb_of(entry: Mapping[str, Any]) -> str:
    """What a history entry did to its document."""
    if entry["before"] is None:
        return "added"
    return "deleted" if entry["after"] is None else "changed"


def measurement_name(value: object, day: object, indicator: str, unit: str = "") -> str:
    """A measurement as a person names it: the value 5 days of 2026-11-29
    for Median wait (its id means nothing to anyone)."""
    shown = f"{value:g}" if isinstance(value, float | int) else str(value)
    return f"the value {shown}{' ' + unit if unit else ''} of {day} for {indicator}"


def _is_me(owner: object) -> bool:
    return isinstance(owner, str) and owner.strip().casefold() == "me"


def refuse(
    problems: Sequence[Problem],
    check: Callable[[], object] | None = None,
    unknown: Iterable[str] = (),
) -> None:
    """Raise every problem at once, with those `check` (the verb's validator
    given what the caller could read) adds of fields not named already nor
    `unknown` (taken from what was not found: a problem there would
    mislead); a message of several lines is several problems, each told
    once. Nothing is raised when there are no problems."""
    found = list(problems)
    if found and check is not None:
        named = {field for field, _ in found if field is not None} | set(unknown)
        try:
            check()
        except ValidationError as exc:
            found += [(field, text) for field, text in exc.problems if field not in named]
    told: dict[str, Problem] = {}
    for field, text in found:
        for line in text.split("\n"):
            told.setdefault(line, (field, line))
    if told:
        raise ValidationError(problems=list(told.values()))


def _content(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in STAMPS}


# what only the goal's moves change (with the stored default of an older store)
MOVED_FIELDS: dict[str, Any] = {
    "state": "draft", "outcome": None, "agreed_by": "", "agreed_on": None, "moves": [],
}  # fmt: skip


class ImportPlan(NamedTuple):
    """What an import writes, or would write, by table: new documents, ones
    replaced, and the ids that exist and were kept as they are. (A named
    tuple: a seventh of a dataclass's cost to every command at start-up.)"""

    added: dict[str, int]
    replaced: dict[str, int]
    kept: dict[str, list[int]]


def _measurement(row: Mapping[str, Any]) -> d.Doc:
    return d.plain_measurement(row) or d.validate_measurement(row)


def _check_not_future(doc: Mapping[str, Any], confirmed: bool) -> None:
    if not confirmed and doc["date"] > today().isoformat():
        raise FutureDate(
            f"date {doc['date']} is in the future; confirm it if it is meant "
            "(--future on the command line)",
            "date",
        )


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

    @property
    def refresh_waits(self) -> bool:
        """Whether `refresh` waits on a server: a caller that must not wait
        uses `fetch_news` in a thread of its own."""
        return isinstance(self.backend, NewsWaiter)

    def fetch_news(self) -> Callable[[], list[Change]]:
        """`refresh` in two steps: this one waits for the store's news and
        may run in another thread while the wheel is used meanwhile (it
        changes nothing readable); the step it returns takes them in, where
        the wheel is used, and returns what refresh returns (or raises what
        it raises). A store that does not wait does it all in that step."""
        backend = self.backend
        return backend.fetch_news() if isinstance(backend, NewsWaiter) else backend.refresh

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

    def find(self, kind: Kind[T], ref: str | int, *, on: date | None = None) -> T:
        """An id, or an unambiguous case-insensitive prefix of the name. Of
        several of one name, the one of the period is meant: an indicator
        whose start..due holds day `on`, else a goal (or the indicator of a
        goal) not closed; a goal carried into the next period keeps its name."""
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
            hits = self._of_the_period(kind, hits, on)
        if len(hits) > 1:
            shown = ", ".join(f"{i} '{kind.label(r)}'" for i, r in hits[:5])
            raise Ambiguous(f"'{ref}' matches {len(hits)} {kind.name}s: {shown}; use the id")
        return kind.build(*hits[0])

    def _of_the_period(
        self, kind: Kind[Any], hits: list[tuple[int, Doc]], on: date | None
    ) -> list[tuple[int, Doc]]:
        """Of documents of one name, those `find` means (all when none is)."""
        if kind is INDICATOR and on is not None:
            day = on.isoformat()  # ISO dates sort as they read
            inside = [(i, r) for i, r in hits if str(r.get("start")) <= day <= str(r.get("due"))]
            hits = inside or hits
        if len(hits) > 1 and kind in (GOAL, INDICATOR):
            goals = self.backend.docs(GOAL.table)
            closed = {i for i, g in goals.items() if g.get("state") == "closed"}
            still = [(i, r) for i, r in hits if (r.get("goal_id") if kind is INDICATOR else i)
                     not in closed]  # fmt: skip
            hits = still or hits
        return hits

    @property
    def version(self) -> Hashable:
        """Changes whenever a document or a measurement changes in memory: a
        write here, or a refresh after another process wrote."""
        return self.backend.version()

    def has_view(self, at: date) -> bool:
        """Whether the read model for day `at` is built for this version."""
        cached = self._views.get(at)
        return cached is not None and cached.version == self.version

    def view(self, at: date | None = None) -> WheelView:
        """The read model for day `at` (default today), built once per version."""
        day = at or today()
        cached = self._views.get(day)
        if cached is not None and cached.version == self.version:
            return cached
        goals, indicators, risks = self.goals(), self.indicators(), self.risks()
        backend = self.backend
        keeper = backend if isinstance(backend, ComparisonKeeper) else None
        made: WheelComparison | None = keeper.kept_comparison(day) if keeper else None
        if made is None:
            from store.compare import compare_wheel

            if keeper is not None and isinstance(backend, SeriesSource):
                columns = backend.day_series(until=day)
                known = keeper.known_comparisons(day, columns)
                made = compare_wheel(goals, indicators, columns, day, known)
                keeper.keep_comparison(day, made, columns)
            else:
                made = compare_wheel(goals, indicators, self.all_series(until=day), day)
        from store.views import WheelView

        # reading may have loaded a file for the first time: key by the version after
        built = WheelView(self.version, day, goals, indicators, risks, made)
        self._views = {k: v for k, v in self._views.items() if v.version == built.version}
        self._views[day] = built
        return built

    # --------------------------------------------------- measurements
    def series(self, indicator_id: int, until: date | None = None) -> Series:
        """(date, value) pairs of one indicator, oldest first."""
        return [
            (day, value) for day, _, value in self.backend.indicator_points(indicator_id, until)
        ]

    def counted_series(self, indicator: d.Indicator, at: date | None = None) -> Series:
        """The (date, value) pairs of `indicator` that its comparison on day
        `at` (default today) counts, oldest first (store.compare.counted):
        what a chart of it draws. `measurements` still lists every value."""
        from store.compare import counted

        day = at or today()
        return counted(indicator, self.series(indicator.id, until=day), day)

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
        """Every reference names a document that exists; a tree stays a tree."""
        for ref in kind.refs:
            value = doc.get(ref.field)
            targets = KINDS[ref.target].table
            for named in (value or []) if ref.many else [value]:
                if named is not None and self.backend.get(targets, named) is None:
                    raise ValidationError(f"{ref.label} {named} does not exist", ref.field)
            if ref.tree and value is not None and doc_id is not None:
                self._check_tree(kind, ref, doc_id, value)

    def _check_tree(self, kind: Kind[Any], ref: Ref, doc_id: int, parent: int) -> None:
        seen: set[int] = set()
        above: int | None = parent
        while above is not None and above not in seen:
            if above == doc_id:
                where = "itself" if above == parent else f"its own sub-{kind.name} {parent}"
                raise ValidationError(f"a {kind.name} cannot be placed under {where}", ref.field)
            seen.add(above)
            row = self.backend.get(kind.table, above)
            above = row.get(ref.field) if row is not None else None

    def _mine(self, kind: Kind[Any], doc: d.Doc, typed: Container[str]) -> d.Doc:
        """An owner typed as `me` (`typed`: the fields given), the word the
        owner filters (my goals, `--owner me`) take for the current user,
        stored as the user's name: kept literally, those filters would hide
        it. A `me` stored before is left to whoever typed it."""
        if kind is GOAL and "owner" in typed and _is_me(doc.get("owner")):
            return doc | {"owner": self.user}
        if (
            kind is LESSON
            and "actions" in typed
            and any(_is_me(a["owner"]) for a in doc.get("actions", ()))
        ):
            actions = [a | {"owner": self.user} if _is_me(a["owner"]) else a
                       for a in doc["actions"]]  # fmt: skip
            return doc | {"actions": actions}
        return doc

    def add(self, kind: Kind[T], fields: Mapping[str, Any]) -> T:
        doc = self._mine(kind, kind.validate(fields), fields)
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
            doc = self._mine(kind, kind.validate(merged), fields)
            if expected is not None and current.get("updated_at") != expected:
                raise self._conflict(kind.table, doc_id, current, fields, expected)
            self._check_refs(kind, doc, doc_id)
            self._check_steered(kind, current, doc)
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
        as_of: date | None = None,
    ) -> d.Review:
        """Review one indicator or goal on day `when` (default today). The
        comparison frozen into the review is the view's record of that day,
        computed here; outside tolerance the review needs a cause and a
        decision (validate_review refuses it otherwise). A review judges
        what has happened: a day after today (`as_of`, default the
        machine's; the demo builds a wheel as of a day of its own) is refused."""
        now = as_of or today()
        day = as_date(when or now, "date")
        problems: list[Problem] = []
        if day > now:
            problems.append(("date", f"the review's day {day} is after today ({now}): "
                                     "a review judges what has happened"))  # fmt: skip
        deviation = {"cause": cause, "decision": decision} if cause or decision else None
        # under the lock, after its refresh: what is frozen is what stands when it is written
        with self.backend.transaction():
            view = self.view(day)
            comparison: Mapping[str, Any] = {}
            if indicator_id is not None and goal_id is None:
                if view.has_indicator(indicator_id):
                    comparison = view.indicator_record(indicator_id)
                else:
                    problems.append(("indicator", f"indicator {indicator_id} does not exist"))
            elif goal_id is not None and indicator_id is None:
                if view.has_goal(goal_id):
                    comparison = view.goal_record(goal_id)
                else:
                    problems.append(("goal", f"goal {goal_id} does not exist"))
            fields = {
                "date": day,
                "goal_id": goal_id,
                "indicator_id": indicator_id,
                "comparison": dict(comparison),
                "judgement": judgement,
                "confidence": confidence,
                "comment": comment,
                "deviation": deviation,
            }
            refuse(problems, lambda: REVIEW.validate(fields))
            return self.add(REVIEW, fields)

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

    def _referrers(self) -> Referrers:
        """(target table, id) -> the documents whose references name it."""
        found: Referrers = {}
        for kind in KINDS.values():
            for doc_id, doc in self.backend.docs(kind.table).items():
                for ref in kind.refs:
                    value = doc.get(ref.field)
                    for named in (value or []) if ref.many else [value]:
                        if named is not None:
                            key = (KINDS[ref.target].table, named)
                            found.setdefault(key, []).append((kind, ref, doc_id))
        return found

    def dependants(
        self,
        kind: Kind[Any],
        doc_id: int,
        referrers: Referrers | None = None,
    ) -> dict[str, list[int]]:
        """What deleting this document would remove with it, by table: every
        document whose cascading reference names it, and so on down (the
        rules are the kinds' `refs`), and the measurements of every
        indicator among them."""
        referrers = self._referrers() if referrers is None else referrers
        doomed: dict[str, list[int]] = {}
        frontier: list[tuple[Kind[Any], int]] = [(kind, doc_id)]
        seen = {(kind.table, doc_id)}
        while frontier:
            current, current_id = frontier.pop(0)
            if current.owns_measurements:
                doomed.setdefault(MEASUREMENTS, []).extend(
                    key for _, key, _ in self.backend.indicator_points(current_id)
                )
            for other, ref, other_id in referrers.get((current.table, current_id), ()):
                if ref.cascade and (other.table, other_id) not in seen:
                    seen.add((other.table, other_id))
                    doomed.setdefault(other.table, []).append(other_id)
                    frontier.append((other, other_id))
        return {table: sorted(doomed[table]) for table in CASCADE_ORDER if doomed.get(table)}

    def _unlink(
        self,
        gone: set[tuple[str, int]],
        referrers: Referrers,
    ) -> None:
        """Take references to deleted documents out of the documents that
        keep them only as links (a goal's lessons, where it was carried from)."""
        for key in sorted(gone):
            for other, ref, other_id in referrers.get(key, ()):
                if ref.cascade or (other.table, other_id) in gone:
                    continue
                current = dict(self._raw(other, other_id))
                value = current.get(ref.field)
                current[ref.field] = [v for v in value or [] if v != key[1]] if ref.many else None
                stored = self._stamped(_content(current), current.get("created_at"))
                self.backend.put(other.table, other_id, stored)

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
            # one pass over every document finds both what cascades and what links
            referrers = self._referrers()
            deps = self.dependants(kind, doc_id, referrers)
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
            gone = {(kind.table, doc_id)}
            for table, ids in deps.items():
                for dep_id in ids:
                    self._remove(KINDS[BY_TABLE[table]], dep_id)
                    gone.add((table, dep_id))
            self._unlink(gone, referrers)
            # last, so that undo names the document deleted, not a cascade
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
        *,
        confirm_future: bool = False,
    ) -> d.Measurement:
        """Record one measured value (today unless a date is given); a value
        dated after today is refused unless `confirm_future`."""
        doc = d.validate_measurement(
            {
                "indicator_id": indicator_id,
                "value": value,
                "date": today() if when in (None, "") else when,
                "note": note,
                "source": source,
            }
        )
        _check_not_future(doc, confirm_future)
        with self.backend.transaction():
            self._check_indicator(doc["indicator_id"])
            stored = self._stamped(doc)
            measurement_id = self._insert_measurement(stored)
        # built from what was written: reading it back would parse the year file
        return d.Measurement.from_doc(measurement_id, stored)

    def log_many(
        self, rows: Iterable[Mapping[str, Any]], *, confirm_future: bool = False
    ) -> list[int]:
        """Validate every row first; write all of them or none."""
        docs = self._checked_measurements(list(rows), None, confirm_future)
        with self.backend.transaction():
            self._check_indicators(docs, None)
            return self._insert_measurements(self._stamped_all(docs))

    def import_measurements(
        self,
        rows: Sequence[Mapping[str, Any]],
        *,
        labels: Sequence[str],
        confirm_future: bool = False,
        dry_run: bool = False,
    ) -> list[d.Doc]:
        """Measurements read from a file: every problem of every row at once,
        each named by the row's label (`line 7`); then all written in one
        transaction (or, in a dry run, none), as one entry in the history,
        which undo takes back whole. The rows as validated."""
        docs = self._checked_measurements(rows, labels, confirm_future)
        if dry_run:
            self.backend.refresh()
        with self.backend.transaction() if not dry_run else nullcontext():
            self._check_indicators(docs, labels)
            if not dry_run:
                when = now_iso()
                stamp = {"created_at": when, "updated_at": when, "updated_by": self.user}
                self.backend.add_bulk(docs, stamp)
        return docs

    def _checked_measurements(
        self, rows: Sequence[Mapping[str, Any]], labels: Sequence[str] | None, future: bool
    ) -> list[d.Doc]:
        docs, problems = [], []
        last_day = today().isoformat()
        for number, row in enumerate(rows, 1):
            try:
                doc = _measurement(row)
                if doc["date"] > last_day:
                    _check_not_future(doc, future)
                docs.append(doc)
            except ValidationError as exc:
                label = labels[number - 1] if labels else f"row {number}"
                problems += [(field, f"{label}: {message}") for field, message in exc.problems]
        if problems:
            raise ValidationError(problems=problems)
        return docs

    def _check_indicators(self, docs: Sequence[d.Doc], labels: Sequence[str] | None) -> None:
        known = self.backend.docs(INDICATOR.table)
        problems = [
            ("indicator", f"{labels[n] if labels else f'row {n + 1}'}: indicator "
                          f"{doc['indicator_id']} does not exist")
            for n, doc in enumerate(docs) if doc["indicator_id"] not in known
        ]  # fmt: skip
        if problems:
            raise ValidationError(problems=problems)

    def _stamped_all(self, docs: Sequence[d.Doc]) -> list[d.Doc]:
        """One stamp for every document of one change."""
        when = now_iso()
        stamp = {"created_at": when, "updated_at": when, "updated_by": self.user}
        return [doc | stamp for doc in docs]

    def import_documents(
        self,
        tables: Mapping[str, Mapping[int, Mapping[str, Any]]],
        measurements: Mapping[int, Mapping[str, Any]],
        *,
        replace: bool = False,
        dry_run: bool = False,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> ImportPlan:
        """Put documents and measurements with the ids they are given (an
        export read back). Every document is validated like typed input and
        every reference checked against this wheel and the import together,
        all problems at once, before anything is written; then one
        transaction. An id that exists is kept as it is (listed in `kept`)
        unless `replace`. The stamps given are kept, so an import into an
        empty wheel exports as the file it came from."""
        if dry_run:
            self.backend.refresh()
        with self.backend.transaction() if not dry_run else nullcontext():
            problems: list[tuple[str | None, str]] = []
            checked: dict[str, dict[int, d.Doc]] = {}
            for table in (*(k.table for k in KINDS.values()), MEASUREMENTS):
                validate = _measurement if table == MEASUREMENTS else (
                    KINDS[BY_TABLE[table]].validate)  # fmt: skip
                rows = measurements if table == MEASUREMENTS else tables.get(table, {})
                checked[table] = {}
                for doc_id, row in sorted(rows.items()):
                    where = f"{BY_TABLE[table]} {doc_id}"
                    try:
                        doc = validate(row)
                    except ValidationError as exc:
                        problems += [(fl, f"{where}: {m}") for fl, m in exc.problems]
                        continue
                    stamps = {k: row[k] for k in STAMPS if k in row}
                    bad = [k for k, v in stamps.items() if not isinstance(v, str)]
                    problems += [(k, f"{where}: {k} must be text") for k in bad]
                    checked[table][doc_id] = doc | stamps
            problems += self._import_refs(checked)
            if problems:
                raise ValidationError(problems=problems)
            plan = ImportPlan({}, {}, {})
            for table, docs in checked.items():
                existing = self._existing(table, docs)
                plan.kept[table] = [] if replace else existing
                plan.replaced[table] = len(existing) if replace else 0
                plan.added[table] = len(docs) - len(existing)
            if dry_run:
                return plan
            for table, docs in checked.items():
                if table == MEASUREMENTS or not docs:
                    continue
                # issuing an id sets up where the table is kept (a new store
                # has nothing yet); the counter only grows, so none is reused
                self.backend.next_id(table)
                for doc_id, doc in docs.items():
                    if replace or self.backend.get(table, doc_id) is None:
                        self.backend.put(table, doc_id, doc)
            held = self._measurement_ids()
            new_ids = [i for i in checked[MEASUREMENTS] if i not in held]
            fresh = set(new_ids)
            for start in range(0, len(new_ids), 5000):
                chunk = new_ids[start : start + 5000]
                self.backend.add_measurements([checked[MEASUREMENTS][i] for i in chunk], chunk)
                if progress:
                    progress("measurements written", min(start + 5000, len(new_ids)),
                             len(new_ids))  # fmt: skip
            if replace:
                for doc_id, doc in checked[MEASUREMENTS].items():
                    if doc_id not in fresh:
                        self.backend.put_measurement(doc_id, doc)
        return plan

    def _measurement_ids(self) -> set[int]:
        return {key for points in self.backend.points().values() for _, key, _ in points}

    def _existing(self, table: str, docs: Mapping[int, Any]) -> list[int]:
        held = self._measurement_ids() if table == MEASUREMENTS else self.backend.docs(table)
        return [i for i in docs if i in held]

    def _import_refs(self, checked: Mapping[str, Mapping[int, d.Doc]]) -> list[tuple[str, str]]:
        """References that point nowhere, in this wheel and the import together."""

        def known(table: str) -> set[int]:
            return set(self.backend.docs(table)) | set(checked.get(table, {}))

        goals, indicators = known(GOAL.table), known(INDICATOR.table)
        refs = [
            (GOAL.table, "parent_id", goals), (INDICATOR.table, "goal_id", goals),
            (REVIEW.table, "goal_id", goals), (REVIEW.table, "indicator_id", indicators),
            (LESSON.table, "goal_id", goals), (RISK.table, "goal_id", goals),
            (MEASUREMENTS, "indicator_id", indicators),
        ]  # fmt: skip
        problems = []
        for table, name, targets in refs:
            for doc_id, doc in checked.get(table, {}).items():
                ref = doc.get(name)
                if ref is not None and ref not in targets:
                    what = name.removesuffix("_id").replace("parent", "parent goal")
                    problems.append((name, f"{BY_TABLE[table]} {doc_id}: {what} {ref} does not "
                                           "exist"))  # fmt: skip
        return problems

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
        self,
        measurement_id: int,
        fields: Mapping[str, Any],
        *,
        expected: str | None = None,
        confirm_future: bool = False,
    ) -> d.Measurement:
        with self.backend.transaction():
            current = self._located(measurement_id)
            doc = d.validate_measurement(_content(current) | dict(fields))
            if doc["date"] != current["date"]:
                _check_not_future(doc, confirm_future)
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

    # ========================================================= steering
    def _check_steered(self, kind: Kind[Any], current: Mapping[str, Any], doc: d.Doc) -> None:
        """A plain update may not do what a steering verb does with its rules."""
        from store.steering import AGREED_STATES

        if kind is GOAL:
            for name, default in MOVED_FIELDS.items():
                if doc[name] != current.get(name, default):
                    what = "trail of moves" if name == "moves" else name.replace("_", " ")
                    raise ValidationError(
                        f"a goal's {what} changes only as the goal moves: "
                        "styr goal propose|send-back|agree|activate|close|reopen GOAL",
                        name,
                    )
        elif kind is INDICATOR:
            goal = self.backend.get(GOAL.table, current["goal_id"]) or {}
            if goal.get("state", "draft") not in AGREED_STATES:
                return
            for name in d.REVISED_FIELDS:
                if doc[name] != current.get(name, [] if name == "milestones" else None):
                    raise ValidationError(
                        f"goal {current['goal_id']} is {goal['state']}: changing an "
                        f"indicator's {name} is a revision with a reason: "
                        "styr revise INDICATOR --reason ...",
                        name,
                    )

    def _put(self, kind: Kind[T], doc_id: int, current: Mapping[str, Any], doc: d.Doc) -> T:
        stored = self._stamped(kind.validate(doc), current.get("created_at"))
        self.backend.put(kind.table, doc_id, stored)
        return kind.build(doc_id, stored)

    def _move(self, entry: str, to: str, why: str) -> dict[str, str]:
        return {"from": entry, "to": to, "at": now_iso(), "by": self.user, "why": why}

    def move_goal(
        self,
        goal_id: int,
        to: str,
        *,
        by: object = None,
        on: object = None,
        reason: object = "",
        outcome: object = None,
        comment: object = "",
    ) -> d.Goal:
        """Move a goal along draft -> proposed -> agreed -> active -> closed
        (or proposed -> draft, closed -> active). Agreeing records who agreed
        (`by`, a person or a body; default the current user) and when (`on`,
        default today); closing needs an outcome and a comment; reopening a
        reason. Every move joins the goal's `moves` trail with who and when."""
        from store.steering import check_move, check_outcome

        why = f.text(reason, "reason")
        with self.backend.transaction():
            current = dict(self._raw(GOAL, goal_id))
            goal = GOAL.build(goal_id, current)
            check_move(goal, to)
            fields: dict[str, Any] = {}
            if to == "agreed":
                fields["agreed_by"] = f.text(by, "agreed by") or self.user
                fields["agreed_on"] = as_date(on or "today", "agreed on")
            elif to == "closed":
                if outcome in (None, ""):
                    raise ValidationError(
                        f"closing needs an outcome: one of {', '.join(d.OUTCOMES)}", "outcome"
                    )
                fields["outcome"] = check_outcome(outcome)
                fields["closing_comment"] = f.text(comment, "comment")
                if not fields["closing_comment"]:
                    raise ValidationError("closing needs a comment: say how it went", "comment")
                why = why or fields["closing_comment"]
            elif goal.state == "closed":
                if not why:
                    raise ValidationError("reopening a closed goal needs a reason", "reason")
                fields |= {"outcome": None, "closing_comment": ""}
            moves = [*current.get("moves", []), self._move(goal.state, to, why)]
            return self._put(
                GOAL, goal_id, current, _content(current) | fields | {"state": to, "moves": moves}
            )

    def revise(
        self,
        indicator_id: int,
        *,
        reason: object,
        baseline: object = None,
        target: object = None,
        due: object = None,
        milestones: object = None,
        lesson_id: int | None = None,
        review_id: int | None = None,
    ) -> d.Indicator:
        """Change an indicator's plan (baseline, target, due, milestones; None
        leaves one as it is) with a reason, appending old -> new of each field
        changed, who and when, and the lesson or review it came from, to its
        revisions. Measurements and reviews are left as they are; a lesson
        cited is linked back to the indicator."""
        c = f.Collect()
        why = c("reason", f.text, reason, "reason")
        if c.ok("reason") and not why:
            c.add("reason", "a revision needs a reason: say why the plan changes")
        asked = {
            name: value
            for name, value in zip(
                d.REVISED_FIELDS, (baseline, target, due, milestones), strict=True
            )
            if value is not None
        }
        if not asked:
            c.add("revision", "name what to revise: baseline, target, due or milestones")
        with self.backend.transaction():
            current = dict(self._raw(INDICATOR, indicator_id))
            content = _content(current)
            planned = c("revision", INDICATOR.validate, content | asked)
            for kind, ref in ((LESSON, lesson_id), (REVIEW, review_id)):
                if ref is not None and self.backend.get(kind.table, ref) is None:
                    c.add(kind.name, f"there is no {kind.name} {ref}")
            c.done()
            changes = {
                name: [content.get(name), planned[name]]
                for name in d.REVISED_FIELDS
                if planned[name] != content.get(name, [] if name == "milestones" else None)
            }
            if not changes:
                raise ValidationError("the revision changes nothing", "revision")
            revision = {
                "old": content["target"], "new": planned["target"], "at": now_iso(),
                "by": self.user, "why": why, "lesson_id": lesson_id, "review_id": review_id,
                "changes": changes,
            }  # fmt: skip
            revisions = [*content.get("revisions", []), revision]
            revised = self._put(
                INDICATOR, indicator_id, current, planned | {"revisions": revisions}
            )
            if lesson_id is not None:
                self._link_lesson(lesson_id, "revision", indicator_id)
        return revised

    def _link_lesson(self, lesson_id: int, kind: str, target_id: int) -> None:
        current = dict(self._raw(LESSON, lesson_id))
        link = {"kind": kind, "id": target_id, "at": now_iso(), "by": self.user}
        self._put(LESSON, lesson_id, current, _content(current) | {
            "links": [*current.get("links", []), link]
        })  # fmt: skip

    def _improvement(self, lesson_id: int) -> d.Lesson:
        lesson = self.get(LESSON, lesson_id)
        if not lesson.improve:
            raise ValidationError(f"lesson {lesson_id} has no improvement to apply", "improve")
        return lesson

    def apply_improvement_as_revision(
        self,
        lesson_id: int,
        indicator_id: int,
        *,
        reason: object = None,
        baseline: object = None,
        target: object = None,
        due: object = None,
        milestones: object = None,
    ) -> d.Indicator:
        """A lesson's `improve` as a revision of an indicator's plan; the
        reason defaults to the improvement's text."""
        with self.backend.transaction():
            lesson = self._improvement(lesson_id)
            return self.revise(
                indicator_id, reason=reason or lesson.improve, lesson_id=lesson_id,
                baseline=baseline, target=target, due=due, milestones=milestones,
            )  # fmt: skip

    def improvement_to_goal(
        self, lesson_id: int, period: str | Period, *, title: object = None
    ) -> d.Goal:
        """A lesson's `improve` as a draft goal for `period` (its start and
        end), under the same parent and owner as the lesson's goal; the goal
        names the lesson and the lesson links to the goal."""
        from store.steering import Period, parse_period

        span = period if isinstance(period, Period) else parse_period(period)
        with self.backend.transaction():
            lesson = self._improvement(lesson_id)
            source = self.goal(lesson.goal_id) if lesson.goal_id is not None else None
            goal = self.add(
                GOAL,
                {
                    "title": title or lesson.improve.splitlines()[0][:200],
                    "description": lesson.improve,
                    "parent_id": source.parent_id if source else None,
                    "owner": source.owner if source else "",
                    "unit": source.unit if source else "",
                    "start": span.start,
                    "due": span.end,
                    "lessons": [lesson_id],
                },
            )
            self._link_lesson(lesson_id, "goal", goal.id)
        return goal

    # -------------------------------------------------------- lessons
    def search_lessons(self, words: str) -> list[d.Lesson]:
        """Lessons (newest first) holding every word, in any text or action."""
        wanted = words.casefold().split()

        def text(x: d.Lesson) -> str:
            parts = [x.planned, x.happened, x.why, x.sustain, x.improve]
            return " ".join(parts + [a.what for a in x.actions]).casefold()

        return [x for x in self.lessons() if all(w in text(x) for w in wanted)]

    def actions(
        self,
        *,
        owner: str | None = None,
        overdue: bool = False,
        goal_ids: Container[int] | None = None,
    ) -> list[OpenAction]:
        """Every lesson's actions: overdue first, then open by due date, then
        done. `owner` "me" is the current user; `overdue` keeps only those;
        `goal_ids` only those of the lessons of these goals (a goal filter)."""
        from store.steering import OpenAction, lessons_for

        day = today()
        who = self.user if owner == "me" else owner
        found = [
            OpenAction(lesson, n, a, not a.done and a.due is not None and a.due < day)
            for lesson in lessons_for(self.lessons(), goal_ids)
            for n, a in enumerate(lesson.actions, 1)
            if who is None or a.owner.casefold() == who.casefold()
        ]
        if overdue:
            found = [x for x in found if x.overdue]
        return sorted(
            found,
            key=lambda x: (not x.overdue, x.action.done, x.action.due or date.max, x.lesson.id),
        )

    def action_done(self, lesson_id: int, number: int) -> d.Lesson:
        with self.backend.transaction():
            current = dict(self._raw(LESSON, lesson_id))
            actions = [dict(a) for a in current.get("actions", [])]
            if not 1 <= number <= len(actions):
                raise NotFound(
                    f"lesson {lesson_id} has no action {number}"
                    + (f"; it has 1 to {len(actions)}" if actions else "; it has none")
                )
            if actions[number - 1].get("done"):
                raise ValidationError(
                    f"action {number} of lesson {lesson_id} is already done", "done"
                )
            actions[number - 1]["done"] = True
            return self._put(LESSON, lesson_id, current, _content(current) | {"actions": actions})

    # ---------------------------------------------------------- risks
    def risk_register(self, goal_id: int | None = None) -> list[dict[str, Any]]:
        """One record per risk (residual defaults to inherent), highest
        residual score first, then highest inherent, then id."""
        from store.steering import risk_record

        goals = {g.id: g for g in self.goals()}
        risks = sorted(self.risks(goal_id), key=lambda r: (-r.residual_score, -r.score, r.id))
        return [risk_record(r, goals.get(r.goal_id)) for r in risks]

    def accept_risk(self, risk_id: int, by: object, on: object = None) -> d.Risk:
        """A named person (or body) accepts a risk as it stands, on a date;
        with nobody named, the current user does (as the TUI's form offers)."""
        who = f.text(by, "accepted by") or self.user
        with self.backend.transaction():
            current = dict(self._raw(RISK, risk_id))
            fields = {"accepted_by": who, "accepted_on": as_date(on or "today", "accepted on")}
            return self._put(RISK, risk_id, current, _content(current) | fields)

    def undecided_risks(self) -> list[d.Risk]:
        """Open risks above the acceptance threshold that nobody accepted."""
        from store.steering import needs_decision

        return [r for r in self.risks() if needs_decision(r)]

    # --------------------------------------------------------- periods
    def close_period(
        self,
        period: str | Period,
        *,
        outcomes: Mapping[int, object] | None = None,
        comments: Mapping[int, object] | None = None,
        carry: Iterable[int] = (),
        dry_run: bool = False,
    ) -> PeriodClose:
        """Close every agreed or active goal due in `period`: each gets an
        outcome (given in `outcomes`, else proposed from its status at the
        period's end, or today for a period not over) and a comment. Goals
        never agreed (draft, proposed) are left as they are. Goals in `carry`
        become drafts of the next period with their indicators: dates moved
        by the period's length (a start no earlier than the next period's
        first day), the baseline the last measured value (a `sum` indicator
        keeps its baseline), targets kept, milestones that still lie between
        baseline and target moved along, and the goal's lessons with a
        `sustain` linked. One
        transaction; with `dry_run`, nothing is written."""
        from store.steering import (
            NEW_GOAL_STATES,
            CarriedGoal,
            ClosedGoal,
            Period,
            PeriodClose,
            check_outcome,
            parse_period,
            proposed_outcome,
        )

        span = period if isinstance(period, Period) else parse_period(period)
        following = span.next()
        given = dict(outcomes or {})
        wanted = list(dict.fromkeys(carry))
        if dry_run:
            self.backend.refresh()  # what a transaction would see, without its lock
        with self.backend.transaction() if not dry_run else nullcontext():
            view = self.view(min(span.end, today()))
            in_period = [n.goal for n in view.nodes if span.contains(n.goal.due)]
            ids = {g.id for g in in_period}
            errors = [
                f"goal {g} is not due in {span.label}" for g in [*given, *wanted] if g not in ids
            ]
            closed: list[ClosedGoal] = []
            before: list[ClosedGoal] = []
            unagreed: list[ClosedGoal] = []
            for goal in in_period:
                if goal.state == "closed":
                    if goal.id in given:
                        errors.append(f"goal {goal.id} is already closed ({goal.outcome})")
                    before.append(ClosedGoal(goal.id, goal.title, "closed", goal.outcome or "",
                                             goal.closing_comment, False))  # fmt: skip
                    continue
                status = view.goal_record(goal.id)["status"]
                if goal.state in NEW_GOAL_STATES:
                    if goal.id in given:
                        errors.append(
                            f"goal {goal.id} is {goal.state}, never agreed: closing the period"
                            " leaves it as it is (carry it, or agree and activate it first)"
                        )
                    left = f"left as {goal.state}: never agreed"
                    unagreed.append(ClosedGoal(goal.id, goal.title, status, "", left, False))
                    continue
                try:
                    outcome = check_outcome(given.get(goal.id) or proposed_outcome(status))
                except ValidationError as exc:
                    errors.append(f"goal {goal.id}: {exc}")
                    continue
                comment = f.text((comments or {}).get(goal.id), "comment") or (
                    f"period {span.label} closed; status at its end: {status.replace('_', ' ')}"
                )
                closed.append(ClosedGoal(goal.id, goal.title, status, outcome, comment,
                                         goal.id in given))  # fmt: skip
            # in tree order: a carried sub-goal goes under its parent's carried copy
            carried = [self._carry(goal, span, errors) for goal in in_period if goal.id in wanted]
            if errors:
                raise ValidationError("\n".join(errors), "period")
            ends_after = span.end if span.end > today() else None
            if dry_run:
                return PeriodClose(
                    span, following, tuple(closed), tuple(c for c, _ in carried), True,
                    tuple(before), tuple(unagreed), ends_after,
                )  # fmt: skip
            for done in closed:
                current = dict(self._raw(GOAL, done.goal_id))
                moves = [
                    *current.get("moves", []),
                    self._move(current.get("state", "draft"), "closed", done.comment),
                ]
                self._put(GOAL, done.goal_id, current, _content(current) | {
                    "state": "closed", "outcome": done.outcome,
                    "closing_comment": done.comment, "moves": moves,
                })  # fmt: skip
            added: dict[int, int] = {}
            result = []
            for plan, (goal_doc, indicator_docs) in carried:
                parent = goal_doc["parent_id"]
                goal = self.add(GOAL, goal_doc | {"parent_id": added.get(parent, parent)})
                added[plan.from_id] = goal.id
                for doc in indicator_docs:
                    self.add(INDICATOR, doc | {"goal_id": goal.id})
                for lesson_id in plan.lessons:
                    self._link_lesson(lesson_id, "goal", goal.id)
                result.append(CarriedGoal(plan.from_id, plan.title, goal.id, plan.start,
                                          plan.due, plan.indicators, plan.lessons))  # fmt: skip
        return PeriodClose(
            span, following, tuple(closed), tuple(result), False, tuple(before), tuple(unagreed),
            ends_after,
        )  # fmt: skip

    def _carry(
        self, goal: d.Goal, span: Period, errors: list[str]
    ) -> tuple[CarriedGoal, tuple[d.Doc, list[d.Doc]]]:
        """The plan of one carried goal: its new goal and indicator documents."""
        from store.steering import CarriedGoal, shift_months

        first = span.next().start

        def moved(day: date | None, *, starting: bool = False) -> str | None:
            if day is None:
                return None
            # a goal longer than the period would start inside the one just closed
            new = shift_months(day, span.months)
            return (max(new, first) if starting else new).isoformat()

        lessons = tuple(x.id for x in reversed(self.lessons(goal.id)) if x.sustain)
        start, due = moved(goal.start, starting=True), moved(goal.due)
        goal_doc = {
            "title": goal.title, "description": goal.description, "parent_id": goal.parent_id,
            "owner": goal.owner, "unit": goal.unit, "start": start,
            "due": due, "tags": list(goal.tags), "weight": goal.weight,
            "lessons": list(lessons), "carried_from": goal.id,
        }  # fmt: skip
        docs: list[d.Doc] = []
        shown: list[tuple[str, float, float]] = []
        for ind in self.indicators(goal.id):
            points = self.series(ind.id, until=span.end)
            baseline = points[-1][1] if points and ind.aggregation != "sum" else ind.baseline
            rising = ind.target >= baseline
            ind_start = moved(ind.start, starting=True) or ""
            kept: list[list[Any]] = []
            previous = baseline
            for when, value in ind.milestones:
                on = moved(when) or ""
                if on > ind_start and (
                    (previous <= value <= ind.target)
                    if rising
                    else (ind.target <= value <= previous)
                ):
                    kept.append([on, value])
                    previous = value
            doc = {
                "goal_id": goal.id, "name": ind.name, "unit": ind.unit, "baseline": baseline,
                "target": ind.target, "start": ind_start, "due": moved(ind.due),
                "direction": ind.direction, "aggregation": ind.aggregation, "chain": ind.chain,
                "weight": ind.weight, "cadence": ind.cadence, "tolerance": ind.tolerance,
                "milestones": kept,
            }  # fmt: skip
            try:
                docs.append(INDICATOR.validate(doc))
            except ValidationError as exc:
                errors.append(
                    f"cannot carry goal {goal.id}: indicator {ind.id} {ind.name!r}: {exc}"
                )
            shown.append((ind.name, baseline, ind.target))
        try:
            GOAL.validate(goal_doc)
        except ValidationError as exc:
            errors.append(f"cannot carry goal {goal.id}: {exc}")
        plan = CarriedGoal(goal.id, goal.title, None, start, due, tuple(shown), lessons)
        return plan, (goal_doc, docs)

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
        when = first["at"][:16].replace("T", " ")
        if first.get("bulk"):
            rows = _plural(first["bulk"]["count"], "measurement")
            return f"undid: the import of {rows} at {when}"
        name = self.name_of(first["table"], first["id"], first["after"] or first["before"])
        # the rest of one change (a cascade, a period closed) by kind, so the
        # user sees what came back: "and 2 goals changed, 1 goal deleted"
        others: dict[tuple[str, str], int] = {}
        for entry in entries[1:]:
            key = (BY_TABLE.get(entry["table"], entry["table"]), _verb_of(entry))
            others[key] = others.get(key, 0) + 1
        extra = ", ".join(f"{_plural(n, kind)} {verb}" for (kind, verb), n in others.items())
        return f"undid: {name} {_verb_of(first)} at {when}" + (f" (and {extra})" if extra else "")

    def _revert(self, entry: Mapping[str, Any]) -> None:
        if entry.get("bulk"):
            self._revert_import(entry["bulk"])
            return
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

    def _revert_import(self, bulk: Mapping[str, Any]) -> None:
        """Remove what an import added. Each row still carries the import's
        stamp unless someone changed it since (every save stamps anew), and
        then nothing is undone: the removal rolls back with the refusal."""
        ids = ids_of(bulk["ids"])
        removed = self.backend.remove_bulk(ids)
        for doc_id in ids:
            current = removed.get(doc_id)
            if current is None or current.get("updated_at") != bulk["stamp"]:
                who = (current or {}).get("updated_by", "someone")
                what = "changed" if current else "deleted"
                raise Conflict(
                    f"cannot undo the import of {_plural(len(ids), 'measurement')}: "
                    f"{self.name_of(MEASUREMENTS, doc_id, current)} was {what} since by {who}",
                    "measurement",
                    mine={},
                    theirs=dict(current) if current else None,
                )

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
