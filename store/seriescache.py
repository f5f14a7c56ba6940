"""A private, derived cache of each measurement file's series (the
comparison of the whole wheel is kept by store.comparecache).

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

from store.comparecache import RACY_NS, body_of, write_entry
from store.errors import StoreCorrupt
from store.paths import cache_key, user_cache_folder
from store.safefs import identity, read_regular
from store.series import FileSeries

if TYPE_CHECKING:
    pass

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


def _decode(raw: bytes, name: str, wanted: list[int]) -> FileSeries | None:
    body = body_of(raw)
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
    write_entry(entry_path(file), body)
