"""A CSV import is one bulk write: validated whole, written in one commit,
one entry in the audit trail that names its ids, and undone whole."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from store import documents as d
from store import exchange
from store.backend import ids_of
from store.backends import open_wheel
from store.errors import Conflict, ValidationError
from store.store import MEASUREMENT_ID_SPAN
from tests.conftest import Seeded
from tui.cli import main

Snapshot = Callable[[Path], dict[str, bytes]]


def csv_rows(count: int, years: tuple[int, ...] = (2025, 2026)) -> str:
    rows = ["indicator,date,value,note"]
    for n in range(count):
        rows.append(f"Served per day,{years[n % len(years)]}-01-{n % 28 + 1:02d},{n}.5,row {n}")
    return "\n".join(rows) + "\n"


def _import(root: Path, tmp_path: Path, text: str) -> None:
    source = tmp_path / "m.csv"
    source.write_text(text)
    assert main(["import", str(source), "--store", str(root)]) == 0


def _history(root: Path) -> list[dict[str, Any]]:
    return open_wheel(root).history(limit=10_000)


PLAIN = {"indicator_id": 3, "date": "2026-01-05", "value": "12.5", "note": " a ", "source": "x"}
ROWS: list[dict[str, Any]] = [
    PLAIN,
    {"indicator_id": 3, "date": "2026-01-05", "value": "-7"},
    {"indicator_id": 3, "date": "2026-01-05", "value": 4, "note": None},
    {"indicator_id": 3, "date": "2026-01-05", "value": 4.25, "updated_by": "x"},
    PLAIN | {"value": " 1_000.5e2 "},
    # each of these is left to the general validator
    PLAIN | {"value": "1,5"},
    PLAIN | {"value": "1 234"},
    PLAIN | {"value": "nan"},
    PLAIN | {"value": 1e400},
    PLAIN | {"value": True},
    PLAIN | {"value": ""},
    PLAIN | {"date": " 2026-01-05"},
    PLAIN | {"date": "2026-02-30"},
    PLAIN | {"date": "today"},
    PLAIN | {"date": "\uff12\uff10\uff12\uff16-01-05"},  # full-width digits
    PLAIN | {"indicator_id": "3"},
    PLAIN | {"indicator_id": True},
    PLAIN | {"indicator_id": 0},
    PLAIN | {"note": 0},
    PLAIN | {"source": "y" * 10_001},
    PLAIN | {"colour": "red"},
]


@pytest.mark.parametrize("row", ROWS, ids=[str(n) for n in range(len(ROWS))])
def test_a_plain_row_validates_exactly_as_the_general_validator_does(row: dict[str, Any]) -> None:
    plain = d.plain_measurement(row)
    try:
        full: d.Doc | None = d.validate_measurement(row)
    except ValidationError:
        full = None
    if plain is not None:
        assert plain == full and list(plain) == list(full or {})
    assert (plain is not None) == (ROWS.index(row) < 5)


def test_an_import_is_one_history_entry_and_one_undo_takes_it_back(
    seeded: Seeded, tmp_path: Path, store_bytes: Snapshot, capsys: pytest.CaptureFixture[str]
) -> None:
    kept = open_wheel(seeded.root).log(seeded.indicator, 1, "2026-01-01")
    entries = len(_history(seeded.root))
    before = store_bytes(seeded.root)
    _import(seeded.root, tmp_path, csv_rows(1000))
    history = _history(seeded.root)
    assert len(history) == entries + 1
    bulk = history[0]["bulk"]
    stored = open_wheel(seeded.root).measurements(seeded.indicator)
    imported = [m for m in stored if m.id != kept.id]
    assert len(imported) == bulk["count"] == 1000
    assert ids_of(bulk["ids"]) == sorted(m.id for m in imported)
    assert len(bulk["ids"]) == 2  # a run of ids in each year's file
    assert {m.stamp.updated_at for m in imported} == {bulk["stamp"]}
    capsys.readouterr()
    assert main(["undo", "--store", str(seeded.root)]) == 0
    assert capsys.readouterr().out.startswith("undid: the import of 1000 measurements at ")
    assert [m.id for m in open_wheel(seeded.root).measurements(seeded.indicator)] == [kept.id]
    after = store_bytes(seeded.root)
    year = "measurements-2026.json"
    assert orjson.loads(after[year])["measurements"] == orjson.loads(before[year])["measurements"]
    assert _history(seeded.root)[0]["bulk"]["op"] == "remove"
    assert main(["undo", "--store", str(seeded.root)]) == 0  # then the log before it
    assert open_wheel(seeded.root).measurements(seeded.indicator) == []


@pytest.mark.parametrize("then", ["changed", "deleted"])
def test_an_import_someone_changed_since_is_not_undone(
    seeded: Seeded, tmp_path: Path, store_bytes: Snapshot, then: str
) -> None:
    exchange.import_measurements_csv(open_wheel(seeded.root, user="alice"), csv_rows(20))
    bob = open_wheel(seeded.root, user="bob")
    victim = bob.measurements(seeded.indicator)[7]
    if then == "changed":
        bob.update_measurement(victim.id, {"value": 99})
    else:
        bob.delete_measurement(victim.id)
    before = store_bytes(seeded.root)
    with pytest.raises(Conflict) as refused:
        open_wheel(seeded.root, user="alice").undo()
    assert "cannot undo the import of 20 measurements: " in str(refused.value)
    assert f"was {then} since by" in str(refused.value)
    assert store_bytes(seeded.root) == before


def test_an_import_appends_to_a_file_with_a_lost_counter_without_reusing_an_id(
    seeded: Seeded, tmp_path: Path
) -> None:
    logged = [open_wheel(seeded.root).log(seeded.indicator, n, "2026-02-01").id for n in (1, 2)]
    path = seeded.root / "measurements-2026.json"
    data = orjson.loads(path.read_bytes())
    data["meta"]["1"]["next_id"] = {"measurements": 1}  # a counter that fell behind
    path.write_bytes(orjson.dumps(data))
    _import(seeded.root, tmp_path, csv_rows(30, years=(2026,)))
    ids = [m.id for m in open_wheel(seeded.root).measurements(seeded.indicator)]
    assert len(ids) == len(set(ids)) == 32 and set(logged) <= set(ids)
    assert max(ids) == 2026 * MEASUREMENT_ID_SPAN + 32


def test_a_full_disk_during_the_commit_leaves_the_store_as_it_was(
    seeded: Seeded, tmp_path: Path, store_bytes: Snapshot, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    open_wheel(seeded.root).log(seeded.indicator, 1, "2026-01-01")
    before = store_bytes(seeded.root)
    real, written = os.write, []

    def fill(fd: int, data: Any) -> int:
        written.append(len(data))
        if len(written) > 2:  # the first file went to its temp file; the next does not
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd, data)

    monkeypatch.setattr(os, "write", fill)
    source = tmp_path / "m.csv"
    source.write_text(csv_rows(500))
    assert main(["import", str(source), "--store", str(seeded.root)]) == 1
    assert "the disk is full; nothing was changed" in capsys.readouterr().err
    monkeypatch.undo()
    assert store_bytes(seeded.root) == before
    assert len(open_wheel(seeded.root).measurements(seeded.indicator)) == 1


@pytest.mark.parametrize(
    ("bulk", "reason"),
    [
        ({"op": "add", "count": 2, "ids": [[5, 4]], "stamp": "s"}, "bulk ids are not a list"),
        ({"op": "add", "count": 3, "ids": [[4, 5]], "stamp": "s"}, "bulk count 3 is not"),
        ({"op": "add", "count": 2, "ids": [[4, 5]]}, "bulk stamp of an import is not text"),
        ({"op": "merge", "count": 2, "ids": [[4, 5]]}, "bulk op 'merge' is not add or remove"),
        ({"op": "remove", "count": 2, "ids": [[4, 5]], "why": 1}, "bulk has no field 'why'"),
    ],
)
def test_a_broken_bulk_entry_is_refused(
    seeded: Seeded, tmp_path: Path, capsys: pytest.CaptureFixture[str], bulk: Any, reason: str
) -> None:
    _import(seeded.root, tmp_path, csv_rows(2))
    (path,) = seeded.root.glob("history-*.json")
    data = orjson.loads(path.read_bytes())
    newest = max(data["history"], key=int)
    data["history"][newest]["bulk"] = bulk
    path.write_bytes(orjson.dumps(data))
    capsys.readouterr()
    assert main(["undo", "--store", str(seeded.root)]) == 1
    err = capsys.readouterr().err
    assert f"history entry {newest}" in err and reason in err
