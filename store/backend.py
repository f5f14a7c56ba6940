"""The narrow seam between the service and where a wheel is kept.

The service (store/service.py) knows documents by table and measurements by
indicator and date; only a backend knows files, TinyDB or a database. Every
backend passes the same contract tests (tests/test_backend_contract.py).

Rules every backend keeps:
- Reads outside a transaction see the data as of the last `refresh` (or
  open); `version()` changes whenever anything readable changed.
- Writes happen only inside `transaction()`, which is all or nothing, and
  every `put`/`remove` (and measurement write) is recorded in the history
  with who, when, before and after, under one change id. A bulk write
  (`add_bulk`, `remove_bulk`) is one entry instead, with the ids as ranges
  under "bulk" (before and after are null): an import of 200,000 rows
  would otherwise be 200,000 entries, and a history file that every later
  change of the month parses and rewrites.
- Ids are never reused: `next_id` only grows; a measurement id is unique
  across the whole store.
- Documents handed out are the backend's own: callers copy before changing.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, runtime_checkable

if TYPE_CHECKING:
    from store.compare import Comparison, WheelComparison
    from store.series import DaySeries

Doc = dict[str, Any]
# one measurement as the comparison rules read it: (date, id, value)
Point = tuple[date, int, float]

WHEEL_TABLES = ("goals", "indicators", "reviews", "lessons", "risks")
MEASUREMENTS = "measurements"


class Change(NamedTuple):
    """A write seen in the store that this process did not make."""

    file: str
    writer: str
    written_at: str


class Backend(Protocol):
    tolerant: bool
    """When set, a damaged part reads as empty instead of failing (the TUI
    keeps showing the rest, read-only); `broken` then says what is wrong."""
    broken: str | None

    @property
    def user(self) -> str:
        """Who writes: recorded in history and used by undo."""

    @property
    def location(self) -> str:
        """Where the wheel lives, as shown to the user (never a password)."""

    @property
    def read_only_reason(self) -> str | None: ...

    def describe(self) -> list[tuple[str, str]]:
        """Lines for `styr where`: (label, value)."""

    def version(self) -> Hashable: ...

    def refresh(self) -> list[Change]:
        """Take in what others wrote since; say who changed what."""

    def take_notices(self) -> list[str]:
        """What the user should hear of beside a command's own result."""

    def transaction(self, undo_of: str | None = None) -> AbstractContextManager[None]: ...

    # -- documents by table (WHEEL_TABLES) -----------------------------
    def docs(self, table: str) -> Mapping[int, Doc]: ...

    def get(self, table: str, doc_id: int) -> Doc | None: ...

    def next_id(self, table: str) -> int: ...

    def put(self, table: str, doc_id: int, doc: Doc) -> None: ...

    def remove(self, table: str, doc_id: int) -> None: ...

    # -- measurements ---------------------------------------------------
    def points(self, until: date | None = None) -> Mapping[int, list[Point]]:
        """Every indicator's measurements dated until `until` (all when
        None), oldest first, of two on one day the later-logged last."""

    def indicator_points(self, indicator_id: int, until: date | None = None) -> list[Point]: ...

    def measurement(self, measurement_id: int) -> Doc | None: ...

    def all_measurements(self) -> Iterator[tuple[int, Doc]]:
        """Every measurement document with its id, by id (an export reads
        them all; one by one through `measurement` costs a lookup each)."""

    def add_measurements(
        self, docs: Sequence[Doc], ids: Sequence[int | None] | None = None
    ) -> list[int]:
        """Store new measurements (ids given only when undo brings one back)."""

    def add_bulk(self, docs: Sequence[Doc], stamp: Mapping[str, str]) -> list[int]:
        """Store new measurements (an import), each with `stamp` (created_at,
        updated_at, updated_by: one for all), recorded as one history entry:
        {"op": "add", "count", "ids", "stamp": the updated_at}."""

    def remove_bulk(self, ids: Sequence[int]) -> dict[int, Doc]:
        """Remove measurements (undo of an import), recorded as one history
        entry {"op": "remove", "count", "ids"}; the documents removed by id
        (an id not found is not in it)."""

    def put_measurement(self, measurement_id: int, doc: Doc) -> None: ...

    def remove_measurement(self, measurement_id: int) -> None: ...

    # -- history ----------------------------------------------------------
    def history(self) -> Iterator[Doc]:
        """The audit trail, newest first."""


def id_ranges(ids: Iterable[int]) -> list[list[int]]:
    """Ids as [first, last] runs: an import's ids are counted up, so its
    history entry holds a few pairs, not 200,000 numbers."""
    runs: list[list[int]] = []
    for key in sorted(ids):
        if runs and key == runs[-1][1] + 1:
            runs[-1][1] = key
        else:
            runs.append([key, key])
    return runs


def ids_of(runs: Iterable[Sequence[int]]) -> list[int]:
    return [key for first, last in runs for key in range(first, last + 1)]


def bulk_entry(op: str, ids: Sequence[int], stamp: str | None = None) -> Doc:
    """The "bulk" part of a history entry for a bulk write."""
    found: Doc = {"op": op, "count": len(ids), "ids": id_ranges(ids)}
    if stamp is not None:
        found["stamp"] = stamp
    return found


@runtime_checkable
class SeriesSource(Protocol):
    """A backend that hands out every indicator's measurements as compact
    columns (store.series) without building a tuple per measurement; the
    service converts the points of any other."""

    def day_series(self, until: date | None = None) -> Mapping[int, DaySeries]:
        """Every indicator's series in files or rows dated until `until`
        (all when None), oldest first; later ones may be included (the
        comparison reads only those up to its day)."""


@runtime_checkable
class ComparisonKeeper(Protocol):
    """A backend that can keep the comparison of the whole wheel on a day
    across processes, for as long as nothing it was made from changed."""

    def kept_comparison(self, at: date) -> WheelComparison | None:
        """The comparison made on day `at` from exactly the data this backend
        reads now, if one was kept; None otherwise."""

    def known_comparisons(
        self, at: date, series: Mapping[int, DaySeries]
    ) -> Mapping[int, Comparison]:
        """Of the indicators whose documents and series are as they were
        when a comparison on day `at` was kept, those comparisons."""

    def keep_comparison(
        self, at: date, comparison: WheelComparison, series: Mapping[int, DaySeries]
    ) -> None:
        """Keep `comparison`, made on day `at` from the data read now."""


@runtime_checkable
class NewsWaiter(Protocol):
    """A backend whose `refresh` waits on a server (a round trip, or a
    connect of up to its timeout while the server is away): a TUI waits in
    a thread of its own, so its keys keep working meanwhile."""

    def fetch_news(self) -> Callable[[], list[Change]]:
        """The waiting part of `refresh`. It may run in another thread while
        this one reads and writes the backend, as it changes nothing they
        see; it returns the rest, to run where the backend is used, which
        returns what `refresh` returns (or raises what it raises)."""
