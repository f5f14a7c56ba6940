"""The folder backend: a wheel kept in a folder of TinyDB files (store.store).

wheel.json holds the documents by table; measurements live in one file per
calendar year of their dates, with ids that carry the year that issued them
(year * MEASUREMENT_ID_SPAN + a counter), so they are unique across files
without a shared counter; history is one file per month. Only this module,
store.store, store.storage and store.repair know that.
"""

from __future__ import annotations

import contextlib
from collections.abc import Hashable, Iterator, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.table import Document

from store import checks
from store.backend import MEASUREMENTS, Change, Doc, Point
from store.dates import now_iso
from store.errors import StoreCorrupt, StoreError
from store.safefs import exists
from store.store import HISTORY, MEASUREMENT_ID_SPAN, Store, storage_of


class FolderBackend:
    """The Backend protocol (store.backend) over a Store folder."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._docs: dict[str, tuple[int, dict[int, Doc]]] = {}
        self._groups: dict[int, tuple[int, dict[int, list[Point]]]] = {}
        self.tolerant = False
        """A bad measurement file then reads as holding none (the TUI keeps
        showing the rest, read-only); `broken` says why."""
        self.broken: str | None = None

    @classmethod
    def open(
        cls,
        root: Path,
        *,
        user: str | None = None,
        lock_timeout: float = 15.0,
        must_exist: bool = False,
    ) -> FolderBackend:
        return cls(Store(root, user=user, lock_timeout=lock_timeout, must_exist=must_exist))

    # ---------------------------------------------------------- the store
    @property
    def user(self) -> str:
        return self.store.user

    @property
    def location(self) -> str:
        return str(self.store.root)

    @property
    def read_only_reason(self) -> str | None:
        return self.store.read_only_reason

    def describe(self) -> list[tuple[str, str]]:
        store = self.store
        files = sorted(s.path.name for s in store.storages() if exists(s.path))
        lines = [
            ("store", str(store.root)),
            ("user", store.user),
            ("files", ", ".join(files) if files else "(none yet)"),
        ]
        if store.read_only_reason:
            lines.append(("mode", store.read_only_reason))
        return lines

    def version(self) -> Hashable:
        store = self.store
        return (
            storage_of(store.wheel).version,
            tuple((year, storage_of(db).version) for year, db in sorted(store.measure.items())),
        )

    def refresh(self) -> list[Change]:
        return self.store.refresh()

    def take_notices(self) -> list[str]:
        return self.store.take_notices()

    def transaction(self, undo_of: str | None = None) -> contextlib.AbstractContextManager[None]:
        return self.store.transaction(undo_of)

    # ---------------------------------------------------------- documents
    def docs(self, table: str) -> Mapping[int, Doc]:
        storage = storage_of(self.store.wheel)
        data = storage.read() or {}
        cached = self._docs.get(table)
        if cached is None or cached[0] != storage.version:
            cached = (storage.version, {int(k): v for k, v in data.get(table, {}).items()})
            self._docs[table] = cached
        return cached[1]

    def get(self, table: str, doc_id: int) -> Doc | None:
        return self.docs(table).get(doc_id)

    def next_id(self, table: str) -> int:
        return self.store.next_id(self.store.wheel, table)

    def put(self, table: str, doc_id: int, doc: Doc) -> None:
        tinytable = self.store.table(self.store.wheel, table)
        before = self.get(table, doc_id)
        before = dict(before) if before is not None else None
        if before is not None:
            tinytable.remove(doc_ids=[doc_id])
        tinytable.insert(Document(dict(doc), doc_id=doc_id))
        self.store.record(table, doc_id, before, dict(doc))

    def remove(self, table: str, doc_id: int) -> None:
        before = self.get(table, doc_id)
        if before is None:
            return
        before = dict(before)
        self.store.table(self.store.wheel, table).remove(doc_ids=[doc_id])
        self.store.record(table, doc_id, before, None)

    # ------------------------------------------------------- measurements
    def _groups_of(self, year: int, db: TinyDB) -> dict[int, list[Point]]:
        """(date, id, value) per indicator in one year file, cached per file version."""
        storage = storage_of(db)
        try:
            data = storage.read() or {}
            cached = self._groups.get(year)
            if cached and cached[0] == storage.version:
                return cached[1]
            # every document is checked in the pass that indexes it
            groups = checks.index_measurements(storage.path.name, data.get(MEASUREMENTS, {}))
        except StoreCorrupt as exc:
            if not self.tolerant:
                raise
            self.broken = self.broken or str(exc)
            groups = {}
        self._groups[year] = (storage.version, groups)
        return groups

    def _years(self, until: date | None) -> list[int]:
        return sorted(y for y in self.store.measure if until is None or y <= until.year)

    def points(self, until: date | None = None) -> Mapping[int, list[Point]]:
        merged: dict[int, list[Point]] = {}
        for year in self._years(until):
            for ind, found in self._groups_of(year, self.store.measure[year]).items():
                merged.setdefault(ind, []).extend(found)
        return {
            ind: sorted(p for p in found if until is None or p[0] <= until)
            for ind, found in merged.items()
        }

    def indicator_points(self, indicator_id: int, until: date | None = None) -> list[Point]:
        found: list[Point] = []
        for year in self._years(until):
            found.extend(self._groups_of(year, self.store.measure[year]).get(indicator_id, ()))
        # by date, then id: of two values on one day the later-logged is last
        return sorted(p for p in found if until is None or p[0] <= until)

    def _locate(self, measurement_id: int) -> tuple[int, Doc] | None:
        home = measurement_id // MEASUREMENT_ID_SPAN
        years = sorted(self.store.measure, key=lambda y: (y != home, y))
        for year in years:
            table = (storage_of(self.store.measure[year]).read() or {}).get(MEASUREMENTS, {})
            doc = table.get(str(measurement_id))
            if doc is not None:
                checks.check_measurement(f"{MEASUREMENTS}-{year}.json", str(measurement_id), doc)
                return year, doc
        return None

    def measurement(self, measurement_id: int) -> Doc | None:
        found = self._locate(measurement_id)
        return found[1] if found else None

    def all_measurements(self) -> Iterator[tuple[int, Doc]]:
        found: list[tuple[int, Doc]] = []
        for year in self._years(None):
            db = self.store.measure[year]
            self._groups_of(year, db)  # checks every document of the file once
            table = (storage_of(db).read() or {}).get(MEASUREMENTS, {})
            found.extend((int(key), doc) for key, doc in table.items())
        found.sort(key=lambda pair: pair[0])
        return iter(found)

    def add_measurements(
        self, docs: Sequence[Doc], ids: Sequence[int | None] | None = None
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
            self._check_before_writing(db)
            self.store.table(db, MEASUREMENTS).insert_multiple(rows)
        return result

    def _check_before_writing(self, db: TinyDB) -> None:
        """A measurement file is checked whole before it is written: the
        documents nobody looked at would be written back as they are. Once
        per file version; an append was checked when it was read."""
        storage = storage_of(db)
        if storage.checked_whole:
            return
        checks.check_measurements(storage.path.name, (storage.read() or {}).get(MEASUREMENTS, {}))
        storage.checked_whole = True

    def _move(self, measurement_id: int, before: tuple[int, Doc] | None, after: Doc | None) -> None:
        """Replace, move (date into another year) or remove one measurement.
        A move inserts into the new year's file before it removes from the
        old one; the commit writes them in that order too."""
        year = before[0] if before else None
        new_year = int(after["date"][:4]) if after else None
        if after is not None and new_year != year:
            db = self.store.measure_db(new_year or 0)
            storage_of(db).ensure(self.store.writer, now_iso())
            self._check_before_writing(db)
            self.store.table(db, MEASUREMENTS).insert(Document(after, doc_id=measurement_id))
        if before is not None:
            self._check_before_writing(self.store.measure[before[0]])
            table = self.store.table(self.store.measure[before[0]], MEASUREMENTS)
            if after is not None and new_year == year:
                table.update(after, doc_ids=[measurement_id])
            else:
                table.remove(doc_ids=[measurement_id])
        old = dict(before[1]) if before else None
        self.store.record(MEASUREMENTS, measurement_id, old, after)

    def put_measurement(self, measurement_id: int, doc: Doc) -> None:
        self._move(measurement_id, self._locate(measurement_id), dict(doc))

    def remove_measurement(self, measurement_id: int) -> None:
        found = self._locate(measurement_id)
        if found is not None:
            self._move(measurement_id, found, None)

    # ------------------------------------------------------------ history
    def history(self) -> Iterator[Doc]:
        """Newest first. A month's file that was not in memory is dropped
        again after use: on a store with years of history, looking back
        must not keep every month parsed."""
        for key in sorted(self.store.history, reverse=True):
            storage = storage_of(self.store.history[key])
            was_loaded = storage.loaded
            try:
                rows: dict[str, Any] = (storage.read() or {}).get(HISTORY, {})
                for entry_id in sorted(rows, key=int, reverse=True):
                    yield rows[entry_id]
            finally:
                if not was_loaded and not storage.dirty:
                    storage.rollback()
