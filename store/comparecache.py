"""A private, derived cache of the comparison of the whole wheel on a day,
kept across processes for any backend that can say what its comparison
was made from (store.backend.ComparisonKeeper): the folder store by the
identities of its files, the PostgreSQL store by a hash of the documents
read. Each indicator's comparison is kept with a fingerprint of its
series, so after one measurement only that indicator is compared again.

Like the series cache (store.seriescache) it is never authoritative: it
lives in the user's own cache folder (mode 0700), never beside the data;
entries are written to a temp file and renamed and carry a BLAKE2 hash of
their body; whatever does not read back whole, or was made by other rules
(the files of store.compare, store.documents and store.series), is a miss.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from store.errors import StoreCorrupt
from store.paths import digest, framed, unframed, user_cache_folder
from store.safefs import read_regular, write_private

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import date

    from store.compare import Comparison, WheelComparison
    from store.series import DaySeries

MAGIC = b"styr-series 2\n"
# a file changed less than this long ago may change again within the same
# tick of a coarse clock, unseen by its stat; it is read from the file
RACY_NS = 3_000_000_000


def body_of(raw: bytes) -> memoryview | None:
    """The body of an entry whose frame and hash are whole."""
    return unframed(MAGIC, raw)


def write_entry(target: Path, body: bytes) -> None:
    write_private(target, framed(MAGIC, body))


def _rules() -> list[list[object]]:
    """The files of the rules a kept comparison was made by."""
    from store import compare, documents, series

    found: list[list[object]] = []
    for module in (compare, documents, series):
        st = os.stat(str(module.__file__))
        found.append([Path(str(module.__file__)).name, st.st_size, st.st_mtime_ns])
    return found


def comparison_path(place: str) -> Path:
    """The entry of the store at `place` (a folder's real path, a server's
    address and schema)."""
    key = digest(os.fsencode(place)).hex()[:32]
    return user_cache_folder() / "series" / f"{key}-wheel.json"


def _iso_day(ordinal: int | None) -> date | None:
    from datetime import date

    return None if ordinal is None else date.fromordinal(ordinal)


def _kept(place: str, at: date) -> dict[str, Any] | None:
    """The comparison entry of this store if it was made on day `at` by
    these rules."""
    read = read_regular(comparison_path(place))
    body = None if read is None else body_of(read[0])
    if body is None:
        return None
    kept: dict[str, Any] = orjson.loads(body)
    if kept["key"] != [place, at.toordinal(), _rules()]:
        return None
    return kept


def _comparison(at: date, row: list[Any]) -> Comparison:
    from store.compare import Comparison

    return Comparison(
        row[0], at, row[1], row[2], row[3], row[4], row[5], row[6],
        _iso_day(row[7]), row[8], _iso_day(row[9]),
    )  # fmt: skip


def load_comparison(place: str, at: date, files: list[list[object]]) -> WheelComparison | None:
    """The comparison kept for this store on day `at` from exactly these
    files (name and identity each), or None."""
    from store.compare import Efficiency, GoalRollUp, WheelComparison

    try:
        kept = _kept(place, at)
        if kept is None or kept["files"] != files:
            return None
        indicators = {row[0]: _comparison(at, row[2:]) for row in kept["indicators"]}
        goals = {
            row[0]: GoalRollUp(
                row[0], row[1], row[2], row[3], None if row[4] is None else Efficiency(*row[4])
            )
            for row in kept["goals"]
        }
    except (StoreCorrupt, OSError, ValueError, TypeError, KeyError, IndexError):
        return None
    return WheelComparison(at, indicators, goals)


def load_known(
    place: str, at: date, wheel: list[object], series: Mapping[int, DaySeries]
) -> dict[int, Comparison]:
    """The comparisons kept on day `at` of the indicators whose `series`
    are the ones they were made from, if the wheel (`wheel`: the file's
    name and identity, or a hash of the documents) is the one they were
    made with; else none."""
    try:
        kept = _kept(place, at)
        if kept is None or kept["wheel"] != wheel:
            return {}
        return {
            row[0]: _comparison(at, row[2:])
            for row in kept["indicators"]
            if row[1] == series_fingerprint(series.get(row[0]))
        }
    except (StoreCorrupt, OSError, ValueError, TypeError, KeyError, IndexError):
        return {}


def save_comparison(
    place: str,
    at: date,
    files: list[list[object]],
    comparison: WheelComparison,
    series: Mapping[int, DaySeries],
) -> None:
    """Keep the comparison made on day `at` from these files (wheel.json
    first), once wheel.json is old enough (RACY_NS); each indicator's with
    the fingerprint of its series, and the whole of it for these files only
    if every one of them is old enough."""
    now = time.time_ns()

    def settled(file: list[object]) -> bool:
        return len(file) == 1 or now - int(str(file[-1])) >= RACY_NS

    if not settled(files[0]):
        return

    def ordinal(day: date | None) -> int | None:
        return None if day is None else day.toordinal()

    body = orjson.dumps(
        {
            "key": [place, at.toordinal(), _rules()],
            "wheel": files[0],
            "files": files if all(map(settled, files)) else None,
            "indicators": [
                [
                    c.indicator_id,
                    series_fingerprint(series.get(c.indicator_id)),
                    c.indicator_id,
                    c.actual,
                    c.expected,
                    c.progress,
                    c.status,
                    c.ahead_days,
                    c.forecast,
                    ordinal(c.eta),
                    c.stale,
                    ordinal(c.last_date),
                ]
                for c in comparison.indicators.values()
            ],
            "goals": [
                [
                    g.goal_id,
                    g.progress,
                    g.status,
                    g.activity_trap,
                    None
                    if g.efficiency is None
                    else [g.efficiency.spent, g.efficiency.results, g.efficiency.overspending],
                ]
                for g in comparison.goals.values()
            ],
        }
    )
    write_entry(comparison_path(place), body)


def series_fingerprint(series: DaySeries | None) -> str:
    """What an indicator's series holds (None: nothing), in 32 hex digits."""
    held = b"" if series is None else series.days.tobytes() + series.values.tobytes()
    return digest(held, 16).hex()
