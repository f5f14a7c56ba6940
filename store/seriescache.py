"""A private, derived cache of each measurement file's series, and of the
comparison of the whole wheel on a day.

Turning a year of measurements into series means parsing megabytes of JSON
and checking every document, at every `styr status` and every start of the
TUI, although the year files seldom change. So once a file has been parsed
and checked, its series (store.series.FileSeries: three compact columns)
are kept in a file of this user's cache folder, and the next reader that
finds the measurement file unchanged reads those instead.

The cache is never authoritative, only a shortcut to what a parse would give:
- It lives in the user's own cache folder (platformdirs, mode 0700), never
  in the store: anyone who can write a shared folder could plant an entry
  there.
- An entry names the file's full identity, (device, inode, size, mtime,
  ctime), and is only used while the file has exactly that identity. Any
  write to a file, in place or by rename, and any `touch` sets its ctime to
  the clock's present, which no user can set back; so an edit is a miss.
  A file is only entered once its ctime is RACY_NS old: an edit within the
  same tick of a coarse clock, same size, could otherwise look unchanged
  (git's "racily clean" index entries).
- The comparison of the wheel is kept the same way, keyed by the day, the
  identities of wheel.json and every measurement file it was made from, and
  the files of the rules that made it (a new styr compares again).
- Entries are written to a temp file and renamed (two processes racing
  write the same content; the last rename wins), and carry a BLAKE2 hash of
  their body. Whatever does not read back whole and consistent (truncated,
  another format, another file's entry, a hash that differs) is a miss: the
  file is parsed and checked as if there were no cache.
"""

from __future__ import annotations

import os
import stat
import sys
import time
from array import array
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from store.errors import StoreCorrupt
from store.paths import cache_key, digest, user_cache_folder
from store.safefs import identity, read_regular, write_private
from store.series import FileSeries

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import date

    from store.compare import Comparison, WheelComparison

MAGIC = b"styr-series 2\n"
# a file changed less than this long ago may change again within the same
# tick of a coarse clock, unseen by its stat; it is read from the file
RACY_NS = 3_000_000_000
_ITEMSIZES = (array("i").itemsize, array("q").itemsize, array("d").itemsize)


def entry_path(file: Path) -> Path:
    return user_cache_folder() / "series" / f"{cache_key(file)}.bin"


def load(file: Path) -> tuple[FileSeries, os.stat_result] | None:
    """The series of the measurement file at `file` as noted when it had
    its present identity, with that stat; None when there is no such note,
    or any doubt."""
    try:
        st = os.lstat(file)
        if not stat.S_ISREG(st.st_mode):
            return None
        read = read_regular(entry_path(file))
        if read is None:
            return None
        found = _decode(read[0], os.path.realpath(file), list(identity(st)))
    except (StoreCorrupt, OSError, ValueError, TypeError, KeyError, orjson.JSONDecodeError):
        return None
    return None if found is None else (found, st)


def _body(raw: bytes) -> bytes | None:
    """The body of an entry whose frame and hash are whole."""
    if not raw.startswith(MAGIC):
        return None
    hashed, body = raw[len(MAGIC) : len(MAGIC) + 32], raw[len(MAGIC) + 32 :]
    return body if digest(body) == hashed else None


def _decode(raw: bytes, name: str, wanted: list[int]) -> FileSeries | None:
    body = _body(raw)
    if body is None:
        return None
    size = int.from_bytes(body[:4], "little")
    head: dict[str, Any] = orjson.loads(body[4 : 4 + size])
    if (
        head["file"] != name
        or head["identity"] != wanted
        or head["itemsizes"] != list(_ITEMSIZES)
        or head["byteorder"] != sys.byteorder
    ):
        return None
    count = head["count"]
    columns = []
    at = 4 + size
    for code, itemsize in zip("iqd", _ITEMSIZES, strict=True):
        column: array[Any] = array(code)
        column.frombytes(body[at : at + count * itemsize])
        at += count * itemsize
        columns.append(column)
    days, ids, values = columns
    if at != len(body) or len(values) != count:
        return None
    runs: dict[int, tuple[int, int]] = {}
    last = 0
    for ind, start, end in head["runs"]:
        if type(ind) is not int or ind in runs or start != last or not start < end <= count:
            return None
        runs[ind] = (start, end)
        last = end
    if last != count:
        return None
    return FileSeries(runs, days, ids, values)


def save(file: Path, st: os.stat_result, series: FileSeries) -> None:
    """Note the series of the file as read at `st`: only once it is old
    enough (RACY_NS), and only a cache: a failure to write it is let go."""
    if time.time_ns() - st.st_ctime_ns < RACY_NS:
        return
    head = orjson.dumps(
        {
            "file": os.path.realpath(file),
            "identity": list(identity(st)),
            "itemsizes": list(_ITEMSIZES),
            "byteorder": sys.byteorder,
            "count": len(series.days),
            "runs": [[ind, start, end] for ind, (start, end) in series.runs.items()],
        }
    )
    body = b"".join(
        [
            len(head).to_bytes(4, "little"),
            head,
            series.days.tobytes(),
            series.ids.tobytes(),
            series.values.tobytes(),
        ]
    )
    _write(entry_path(file), body)


def _write(target: Path, body: bytes) -> None:
    write_private(target, b"".join([MAGIC, digest(body), body]))


# ------------------------------------------------- the wheel's comparison


def _rules() -> list[list[object]]:
    """The files of the rules a kept comparison was made by."""
    from store import compare, documents, series

    found: list[list[object]] = []
    for module in (compare, documents, series):
        st = os.stat(str(module.__file__))
        found.append([Path(str(module.__file__)).name, st.st_size, st.st_mtime_ns])
    return found


def comparison_path(root: Path) -> Path:
    return user_cache_folder() / "series" / f"{cache_key(root)}-wheel.json"


def _iso_day(ordinal: int | None) -> date | None:
    from datetime import date

    return None if ordinal is None else date.fromordinal(ordinal)


def _kept(root: Path, at: date) -> dict[str, Any] | None:
    """The comparison entry of this store if it was made on day `at` by
    these rules."""
    read = read_regular(comparison_path(root))
    body = None if read is None else _body(read[0])
    if body is None:
        return None
    kept: dict[str, Any] = orjson.loads(body)
    if kept["key"] != [os.path.realpath(root), at.toordinal(), _rules()]:
        return None
    return kept


def _comparison(at: date, row: list[Any]) -> Comparison:
    from store.compare import Comparison

    return Comparison(
        row[0], at, row[1], row[2], row[3], row[4], row[5], row[6],
        _iso_day(row[7]), row[8], _iso_day(row[9]),
    )  # fmt: skip


def load_comparison(root: Path, at: date, files: list[list[object]]) -> WheelComparison | None:
    """The comparison kept for this store on day `at` from exactly these
    files (name and identity each), or None."""
    from store.compare import Efficiency, GoalRollUp, WheelComparison

    try:
        kept = _kept(root, at)
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


def load_known(root: Path, at: date, wheel: list[object]) -> dict[int, tuple[str, Comparison]]:
    """Each indicator's kept comparison on day `at`, with the fingerprint of
    the series it was made from, if the wheel file (`wheel`: its name and
    identity) is the one it was made with; else none."""
    try:
        kept = _kept(root, at)
        if kept is None or kept["wheel"] != wheel:
            return {}
        return {row[0]: (row[1], _comparison(at, row[2:])) for row in kept["indicators"]}
    except (StoreCorrupt, OSError, ValueError, TypeError, KeyError, IndexError):
        return {}


def save_comparison(
    root: Path,
    at: date,
    files: list[list[object]],
    comparison: WheelComparison,
    fingerprints: Mapping[int, str],
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
            "key": [os.path.realpath(root), at.toordinal(), _rules()],
            "wheel": files[0],
            "files": files if all(map(settled, files)) else None,
            "indicators": [
                [
                    c.indicator_id,
                    fingerprints.get(c.indicator_id, ""),
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
    _write(comparison_path(root), body)


def fingerprint(days: array[int], values: array[float]) -> str:
    """What an indicator's series holds, in 32 hex digits."""
    return digest(days.tobytes() + values.tobytes(), 16).hex()
