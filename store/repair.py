"""Clean up after a commit that a crash cut short.

A commit that touches several data files writes a marker first; if the
marker is still there at the next open, this runs under the lock. Writes are
ordered so that what can be left behind is only: a measurement present in
two year files (a move that did not finish) or measurements whose indicator
is gone (a cascade delete that did not finish).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from store.store import MEASUREMENTS, storage_of

if TYPE_CHECKING:
    from store.store import Store


def repair_interrupted_commit(store: Store) -> int:
    """Remove leftovers; returns how many measurements were removed."""
    indicators = {int(k) for k in (storage_of(store.wheel).read() or {}).get("indicators", {})}
    copies: dict[str, list[tuple[str, int]]] = {}
    doomed: list[tuple[int, str]] = []
    for year in sorted(store.measure):
        table = (storage_of(store.measure[year]).read() or {}).get(MEASUREMENTS, {})
        for key, doc in table.items():
            if doc["indicator_id"] not in indicators:
                doomed.append((year, key))
            else:
                copies.setdefault(key, []).append((str(doc.get("updated_at", "")), year))
    for key, found in copies.items():
        # a move that did not finish: the copy written last is the one meant
        doomed.extend((year, key) for _, year in sorted(found)[:-1])
    if not doomed:
        return 0
    with store.transaction():
        for year, key in doomed:
            tinytable = store.table(store.measure[year], MEASUREMENTS)
            row = tinytable.get(doc_id=int(key))
            tinytable.remove(doc_ids=[int(key)])
            store.record(MEASUREMENTS, int(key), dict(row) if isinstance(row, dict) else None, None)
    return len(doomed)
