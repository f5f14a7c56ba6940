"""The folder backend: a wheel kept in a folder of TinyDB files (store.store).

wheel.json holds the documents by table; measurements live in one file per
calendar year of their dates (a big year takes new ones in a small recent
file beside it, merged into it now and then: store.store), with ids that
carry the year that issued them (year * MEASUREMENT_ID_SPAN + a counter), so
they are unique across files without a shared counter; history is one file
per month. Only this module, store.store, store.storage and store.repair know
that.
"""

from __future__ import annotations

import contextlib
import os
from array import array
from bisect import bisect_left
from collections.abc import Hashable, Iterator, Mapping, Sequence
from datetime import date
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tinydb import TinyDB
from tinydb.table import Document

from store import checks
from store.backend import MEASUREMENTS, Change, Doc, Point
from store.dates import now_iso
from store.errors import StoreCorrupt, StoreError
from store.jsonio import dumps, loads
from store.safefs import exists, identity
from store.storage import META, FileStorage
from store.store import HISTORY, MEASUREMENT_ID_SPAN, RECENT_MAX, Store, storage_of

if TYPE_CHECKING:
    # the series and their cache load with the first read: a log needs neither
    from store.compare import Comparison, WheelComparison
    from store.series import DaySeries, FileSeries


def _give_back_memory() -> None:
    """Return the pages of a parsed file just let go to the system. glibc
    keeps freed memory between blocks still in use (the rows are such
    blocks) until asked; elsewhere there is nothing to ask."""
    import ctypes

    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (AttributeError, OSError):
        pass


class _Rows:
    """Documents by id as JSON in one blob: a few large blocks instead of
    a dict per document, and nothing left scattered when the parsed file
    they were made from is freed."""

    def __init__(self, table: Mapping[str, Doc]) -> None:
        keys = sorted(table, key=int)
        parts = [dumps(table[key]) for key in keys]
        self.ids = array("q", map(int, keys))
        self.ends = array("q", accumulate(map(len, parts)))
        self.blob = b"".join(parts)

    def get(self, doc_id: int) -> Doc | None:
        at = bisect_left(self.ids, doc_id)
        if at == len(self.ids) or self.ids[at] != doc_id:
            return None
        doc: Doc = loads(self.blob[self.ends[at - 1] if at else 0 : self.ends[at]], ours=True)
        return doc


class FolderBackend:
    """The Backend protocol (store.backend) over a Store folder."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._docs: dict[str, tuple[int, dict[int, Doc]]] = {}
        self._groups: dict[str, tuple[int, FileSeries]] = {}
        self._twins_checked: dict[int, tuple[int, int]] = {}
        self._rows: dict[str, tuple[int, _Rows]] = {}
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
            tuple(
                (storage_of(db).path.name, storage_of(db).version)
                for _, db in store.measurement_files()
            ),
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
        storage = storage_of(self.store.wheel)
        data = storage.read() or {}
        cached = self._docs.get(table)
        if cached is None or cached[0] != storage.version:
            # a log reads one indicator of thousands: no index of them all
            row = data.get(table, {}).get(str(doc_id))
            if row is not None:
                return row
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
    def _groups_of(self, db: TinyDB) -> FileSeries:
        """The series of one measurement file, cached per file version: from
        the private series cache while the file is as it noted it (nothing
        parsed), else from the parsed file, each document checked in the
        pass that indexes it (and then noted in the series cache)."""
        storage = storage_of(db)
        name = storage.path.name
        cached = self._groups.get(name)
        if cached and cached[0] == storage.version:
            return cached[1]
        from store import seriescache
        from store.series import FileSeries

        try:
            groups = None if storage.loaded or storage.dirty else self._from_cache(storage)
            if groups is None:
                data = storage.read() or {}
                index = checks.index_measurements(name, data.get(MEASUREMENTS, {}))
                groups = FileSeries.of_points(index)
                if storage.read_stat is not None:
                    seriescache.save(storage.path, storage.read_stat, groups)
        except StoreCorrupt as exc:
            if not self.tolerant:
                raise
            self.broken = self.broken or str(exc)
            groups = FileSeries.of_points({})
        self._groups[name] = (storage.version, groups)
        return groups

    def _from_cache(self, storage: FileStorage) -> FileSeries | None:
        from store import seriescache

        found = seriescache.load(storage.path)
        if found is None:
            return None
        storage.known_as(found[1])
        return found[0]

    def _files(self, until: date | None) -> list[TinyDB]:
        files = [
            db for year, db in self.store.measurement_files() if until is None or year <= until.year
        ]
        self._no_twins()
        return files

    def _no_twins(self) -> None:
        """A measurement in a year file and in its recent file too (a hand
        edit, or an older styr that wrote the year file) is refused: which
        one is meant cannot be told. The recent file is small, so this is
        a few lookups per log since the last merge."""
        for year, recent in self.store.recent.items():
            base = self.store.measure.get(year)
            if base is None:
                continue
            versions = (storage_of(base).version, storage_of(recent).version)
            if self._twins_checked.get(year) == versions:
                continue
            try:
                new = self._groups_of(recent).ids
                twin = (
                    next(iter(set(new).intersection(self._groups_of(base).ids)), None)
                    if new
                    else None
                )
                if twin is not None:
                    raise StoreCorrupt(
                        f"measurement {twin} is in both {storage_of(base).path.name} and "
                        f"{storage_of(recent).path.name}; {checks.FIX}"
                    )
            except StoreCorrupt as exc:
                if not self.tolerant:
                    raise
                self.broken = self.broken or str(exc)
            # reading may have loaded a file: key by the versions after
            self._twins_checked[year] = (storage_of(base).version, storage_of(recent).version)

    def points(self, until: date | None = None) -> Mapping[int, list[Point]]:
        merged: dict[int, list[Point]] = {}
        for db in self._files(until):
            groups = self._groups_of(db)
            for ind in groups.runs:
                merged.setdefault(ind, []).extend(groups.points(ind))
        return {
            ind: sorted(p for p in found if until is None or p[0] <= until)
            for ind, found in merged.items()
        }

    def day_series(self, until: date | None = None) -> Mapping[int, DaySeries]:
        from store.series import merged

        return merged([self._groups_of(db) for db in self._files(until)])

    def _compared_files(self) -> list[FileStorage]:
        measured = [storage_of(db) for _, db in self.store.measurement_files()]
        return [storage_of(self.store.wheel), *measured]

    def _comparison_key(self) -> list[list[object]] | None:
        """Each file a comparison is made from, by name and the identity of
        the data read from it (None: something here is not a file's bytes)."""
        files: list[list[object]] = []
        for storage in self._compared_files():
            found = storage.identity_read()
            if found is None:
                return None
            files.append([storage.path.name, *found])
        return files

    def _place(self) -> str:
        return os.path.realpath(self.store.root)

    def kept_comparison(self, at: date) -> WheelComparison | None:
        from store import comparecache

        key = self._comparison_key()
        if key is None:
            return None
        made = comparecache.load_comparison(self._place(), at, key)
        if made is None:
            return None
        # files taken as they are now without reading them: a refresh must
        # still notice when they change
        for storage, (_, *wanted) in zip(self._compared_files(), key, strict=True):
            if not storage.loaded and wanted:
                try:
                    st = os.lstat(storage.path)
                except FileNotFoundError:
                    return None
                if list(identity(st)) != wanted:
                    return None
                storage.known_as(st)
        return made

    def known_comparisons(
        self, at: date, series: Mapping[int, DaySeries]
    ) -> Mapping[int, Comparison]:
        from store.comparecache import load_known

        key = self._comparison_key()
        return {} if key is None else load_known(self._place(), at, key[0], series)

    def keep_comparison(
        self, at: date, comparison: WheelComparison, series: Mapping[int, DaySeries]
    ) -> None:
        from store.comparecache import save_comparison

        key = self._comparison_key()
        if key is not None and self.broken is None:
            save_comparison(self._place(), at, key, comparison, series)

    def indicator_points(self, indicator_id: int, until: date | None = None) -> list[Point]:
        found: list[Point] = []
        for db in self._files(until):
            found.extend(self._groups_of(db).points(indicator_id))
        # by date, then id: of two values on one day the later-logged is last
        return sorted(p for p in found if until is None or p[0] <= until)

    def _likely_first(self, measurement_id: int) -> list[tuple[int, TinyDB]]:
        """The measurement files, those likely to hold this id first: the
        recent file of the year that issued it (small; where an undo's last
        log is), that year's file (a measurement's date rarely moves), then
        the others: a lookup then seldom parses a big year for nothing."""
        home = measurement_id // MEASUREMENT_ID_SPAN

        def rank(item: tuple[int, TinyDB]) -> tuple[bool, bool]:
            year, db = item
            return year != home, db is not self.store.recent.get(year)

        return sorted(self.store.measurement_files(), key=rank)

    def _locate(self, measurement_id: int) -> tuple[int, TinyDB, Doc] | None:
        """(year, file, document) of a measurement."""
        for year, db in self._likely_first(measurement_id):
            storage = storage_of(db)
            doc = (storage.read() or {}).get(MEASUREMENTS, {}).get(str(measurement_id))
            if doc is not None:
                checks.check_measurement(storage.path.name, str(measurement_id), doc)
                return year, db, doc
        return None

    def measurement(self, measurement_id: int) -> Doc | None:
        """For reading, from each file's rows (_rows_of): showing one
        indicator's measurements must not keep every year parsed."""
        for _, db in self._likely_first(measurement_id):
            doc = self._rows_of(db).get(measurement_id)
            if doc is not None:
                checks.check_measurement(storage_of(db).path.name, str(measurement_id), doc)
                return doc
        return None

    def _rows_of(self, db: TinyDB) -> _Rows:
        """The documents of one measurement file as compact rows; the parsed
        file is let go again if it was read for this alone (200,000 parsed
        documents take 170 MB, their rows a fifth of that). Cached per file
        version."""
        storage = storage_of(db)
        name = storage.path.name
        cached = self._rows.get(name)
        if cached and cached[0] == storage.version:
            return cached[1]
        was_loaded = storage.loaded
        rows = _Rows((storage.read() or {}).get(MEASUREMENTS, {}))
        if not was_loaded:
            storage.unload()
            _give_back_memory()
        self._rows[name] = (storage.version, rows)
        return rows

    def all_measurements(self) -> Iterator[tuple[int, Doc]]:
        found: list[tuple[int, Doc]] = []
        for db in self._files(None):
            self._groups_of(db)  # checks every document of the file once
            table = (storage_of(db).read() or {}).get(MEASUREMENTS, {})
            found.extend((int(key), doc) for key, doc in table.items())
        found.sort(key=lambda pair: pair[0])
        return iter(found)

    def add_measurements(
        self, docs: Sequence[Doc], ids: Sequence[int | None] | None = None
    ) -> list[int]:
        by_file: dict[int, tuple[TinyDB, dict[str, Doc]]] = {}
        result = []
        # the id names the year file whose counter issued it (or would): that
        # counter passes the highest given before any new id is issued
        highest: dict[int, int] = {}
        for wanted in ids or ():
            if wanted:
                issuer, counter = divmod(wanted, MEASUREMENT_ID_SPAN)
                highest[issuer] = max(counter, highest.get(issuer, 0))
        for issuer, counter in sorted(highest.items()):
            self.store.reserve_id(self.store.new_measurements_db(issuer), MEASUREMENTS, counter)
        files: dict[int, TinyDB] = {}  # by year: looked up once per call, not per row
        for doc, wanted in zip(docs, ids or [None] * len(docs), strict=True):
            year = int(doc["date"][:4])
            if year not in files:
                files[year] = self.store.new_measurements_db(year)
            db = files[year]
            new_id = wanted or year * MEASUREMENT_ID_SPAN + self.store.next_id(db, MEASUREMENTS)
            if new_id % MEASUREMENT_ID_SPAN == 0:
                raise StoreError(f"measurements-{year}.json is full (a million ids used)")
            staged = by_file.setdefault(id(db), (db, {}))[1]
            if str(new_id) in staged:
                raise ValueError(f"Document with ID {new_id} already exists")
            staged[str(new_id)] = dict(doc)
            self.store.record(MEASUREMENTS, new_id, None, doc)
            result.append(new_id)
        for db, rows in by_file.values():
            self._insert(db, rows)
        return result

    def add_bulk(self, docs: Sequence[Doc], stamp: Mapping[str, str]) -> list[int]:
        """By year: one file found, one run of ids taken, one insert."""
        by_year: dict[int, list[int]] = {}
        for n, doc in enumerate(docs):
            by_year.setdefault(int(doc["date"][:4]), []).append(n)
        result = [0] * len(docs)
        for year, members in sorted(by_year.items()):
            db = self.store.new_measurements_db(year)
            first = self.store.take_ids(db, len(members))
            if first + len(members) > MEASUREMENT_ID_SPAN:
                raise StoreError(f"measurements-{year}.json is full (a million ids used)")
            base = year * MEASUREMENT_ID_SPAN + first
            staged = {}
            for offset, n in enumerate(members):
                result[n] = base + offset
                staged[str(base + offset)] = {**docs[n], **stamp}
            self._insert(db, staged)
        if result:
            self.store.record_bulk("add", result, stamp["updated_at"])
        return result

    def remove_bulk(self, ids: Sequence[int]) -> dict[int, Doc]:
        wanted = {str(key) for key in ids}
        removed: dict[int, Doc] = {}
        # an id names the year that issued it, where it is unless its date moved
        homes = {key // MEASUREMENT_ID_SPAN for key in ids}
        files = sorted(self.store.measurement_files(), key=lambda item: item[0] not in homes)
        for _, db in files:
            if not wanted:
                break
            found = (storage_of(db).read() or {}).get(MEASUREMENTS, {})
            here = [key for key in wanted if key in found]
            if not here:
                continue
            self._check_before_writing(db)
            removed.update((int(key), dict(found[key])) for key in here)
            wanted.difference_update(here)
            self.store.table(db, MEASUREMENTS).remove(doc_ids=[int(key) for key in here])
        if removed:
            self.store.record_bulk("remove", list(removed))
        return removed

    def _insert(self, db: TinyDB, staged: dict[str, Doc]) -> None:
        """New measurements by id (their documents built once, here kept)."""
        storage = storage_of(db)
        storage.ensure(self.store.writer, now_iso())
        self._check_before_writing(db)
        self.store.insert_staged(db, MEASUREMENTS, staged)
        year = next((y for y, recent in self.store.recent.items() if recent is db), None)
        if year is not None and storage.count(MEASUREMENTS) >= RECENT_MAX:
            self._merge_recent(year)

    def _merge_recent(self, year: int) -> None:
        """Move the recent file's measurements into the year file, in the
        same commit (both files renamed together under the commit marker):
        a crash leaves them in the one file or in the other. The recent
        file stays, empty, with the counter, for the next ones."""
        recent, base = self.store.recent[year], self.store.measure_db(year)
        self._check_before_writing(recent)
        rows = dict((storage_of(recent).read() or {}).get(MEASUREMENTS, {}))
        storage_of(base).ensure(self.store.writer, now_iso())
        self._check_before_writing(base)
        data = storage_of(base).read()
        assert data is not None
        twin = next((key for key in rows if key in data.get(MEASUREMENTS, {})), None)
        if twin is not None:
            raise StoreCorrupt(
                f"measurement {twin} is in both {storage_of(base).path.name} and "
                f"{storage_of(recent).path.name}; {checks.FIX}"
            )
        self.store.table(base, MEASUREMENTS).insert_multiple(
            [Document(doc, doc_id=int(key)) for key, doc in rows.items()]
        )
        self.store.table(recent, MEASUREMENTS).remove(doc_ids=[int(key) for key in rows])
        counters = [storage_of(db).meta.get("next_id", {}) for db in (base, recent)]
        data[META]["1"]["next_id"] = counters[0] | {
            MEASUREMENTS: max(int(c.get(MEASUREMENTS, 1)) for c in counters)
        }

    def _check_before_writing(self, db: TinyDB) -> None:
        """A measurement file is checked whole before it is written: the
        documents nobody looked at would be written back as they are. Once
        per file version; an append was checked when it was read."""
        storage = storage_of(db)
        if storage.checked_whole:
            return
        checks.check_measurements(storage.path.name, (storage.read() or {}).get(MEASUREMENTS, {}))
        storage.checked_whole = True

    def _move(
        self, measurement_id: int, before: tuple[int, TinyDB, Doc] | None, after: Doc | None
    ) -> None:
        """Replace, move (date into another year) or remove one measurement.
        A move inserts into the new year's file before it removes from the
        old one; the commit writes them in that order too."""
        year = before[0] if before else None
        new_year = int(after["date"][:4]) if after else None
        if after is not None and new_year != year:
            new_file = self.store.new_measurements_db(new_year or 0)
            self._insert(new_file, {str(measurement_id): dict(after)})
        if before is not None:
            self._check_before_writing(before[1])
            table = self.store.table(before[1], MEASUREMENTS)
            if after is not None and new_year == year:
                table.update(after, doc_ids=[measurement_id])
            else:
                table.remove(doc_ids=[measurement_id])
        old = dict(before[2]) if before else None
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
        for files in self.store.history_months():
            was_loaded = [storage.loaded for storage in files]
            try:
                # a month's recent file and its month file by entry id; an
                # entry in both (a merge that an older styr finished half)
                # once, and of one id in both, the recent file's first
                entries = [
                    (int(key), -rank, entry)
                    for rank, storage in enumerate(files)
                    for key, entry in ((storage.read() or {}).get(HISTORY, {})).items()
                ]
                entries.sort(key=lambda item: item[:2], reverse=True)
                last: tuple[int, Any] | None = None
                for key, _, entry in entries:
                    if last != (key, entry):
                        yield entry
                    last = (key, entry)
            finally:
                for storage, loaded in zip(files, was_loaded, strict=True):
                    if not loaded and not storage.dirty:
                        storage.rollback()
