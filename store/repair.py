"""Finish or clean up after a commit that a crash cut short.

A commit that touches several files first writes each of them to a fsynced
temp file, then a marker (`.commit-pending`) listing which temp file becomes
which store file, then renames them into place and removes the marker. A
marker found at the next open means the renames may not all have happened:
the temp files still there are renamed now (roll forward), so the change is
either wholly there or, when the crash came before the marker, wholly absent.

Every transaction checks for the marker under the lock before it starts, so a
long-lived process finishes another's interrupted commit before writing over
it. A marker of an older styr (names only) gets a consistency pass instead:
it removes a measurement present in two year files (a move) or measurements
whose indicator is gone (a cascade delete).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import orjson

from store.safefs import is_plain_file, read_regular
from store.storage import fsync_dir
from store.store import MEASUREMENTS, PENDING, WHEEL, YEAR_FILE, storage_of

if TYPE_CHECKING:
    from store.store import Store


def _moves(raw: bytes) -> list[tuple[str, str]]:
    """The marker's (temp file, store file) pairs; only names inside the folder."""
    try:
        listed = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return []
    moves = []
    for item in listed if isinstance(listed, list) else []:
        if not (isinstance(item, list) and len(item) == 2):
            continue
        if not all(isinstance(name, str) for name in item):
            continue
        tmp, target = item
        is_temp = tmp.startswith(".") and tmp.endswith(".tmp") and "/" not in tmp
        if is_temp and (target == WHEEL or YEAR_FILE.match(target)):
            moves.append((tmp, target))
    return moves


def finish_interrupted_commit(store: Store) -> int:
    """Roll a marked commit forward. Runs under the lock. A marker that
    lists no renames (written by an older styr, which wrote the files in
    place one after the other) gets the consistency pass instead; returns
    how many measurements that removed."""
    marker = store.root / PENDING
    read = read_regular(marker)
    moves = _moves(read[0]) if read else []
    for tmp, target in moves:
        # only a temp file that is a plain file becomes a store file: a link
        # planted under a listed name stays where it is
        if is_plain_file(store.root / tmp):
            os.replace(store.root / tmp, store.root / target)
    fsync_dir(store.root)
    store.refresh()
    # gone before the pass, whose own transaction would otherwise come here again
    marker.unlink()
    return 0 if moves else repair_interrupted_commit(store)


def repair_interrupted_commit(store: Store) -> int:
    """Remove leftovers; returns how many measurements were removed."""
    indicators = {int(k) for k in (storage_of(store.wheel).read() or {}).get("indicators", {})}
    copies: dict[str, list[tuple[str, int]]] = {}
    doomed: list[tuple[int, str]] = []
    files = list(store.measurement_files())
    for n, (_, db) in enumerate(files):
        table = (storage_of(db).read() or {}).get(MEASUREMENTS, {})
        for key, doc in table.items():
            if doc["indicator_id"] not in indicators:
                doomed.append((n, key))
            else:
                copies.setdefault(key, []).append((str(doc.get("updated_at", "")), n))
    for key, found in copies.items():
        # a move that did not finish: the copy written last is the one meant
        doomed.extend((n, key) for _, n in sorted(found)[:-1])
    if not doomed:
        return 0
    with store.transaction():
        for n, key in doomed:
            tinytable = store.table(files[n][1], MEASUREMENTS)
            row = tinytable.get(doc_id=int(key))
            tinytable.remove(doc_ids=[int(key)])
            store.record(MEASUREMENTS, int(key), dict(row) if isinstance(row, dict) else None, None)
    return len(doomed)
