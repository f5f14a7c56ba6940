"""`styr log` appends to a year file without parsing it; the result is the
file the ordinary path would have written, and any file that is not exactly
in the layout the store writes goes the ordinary (checked) way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from store.backends import open_wheel
from store.errors import StoreCorrupt
from store.storage import parse
from store.store import MEASUREMENTS, storage_of

YEAR = "measurements-2026.json"


def _fresh_logs(root: Path, indicator: int, count: int, note: str = "") -> list[int]:
    """Each log from a new process's view: the year file is not parsed."""
    return [
        open_wheel(root, user="alice").log(indicator, n, f"2026-02-{n + 1:02d}", note).id
        for n in range(count)
    ]


def test_appended_file_is_what_the_ordinary_path_writes(seeded: Any) -> None:
    long_lived = open_wheel(seeded.root, user="alice")
    first = long_lived.log(seeded.indicator, 100, "2026-01-01").id
    ids = _fresh_logs(seeded.root, seeded.indicator, 5, note='quote " and ü')
    raw = (seeded.root / YEAR).read_bytes()
    data = parse(seeded.root / YEAR, raw)
    assert raw == orjson.dumps(data)  # byte for byte the canonical form
    meta = data["meta"]["1"]
    assert meta["counts"] == {MEASUREMENTS: 6}
    assert meta["generation"] == 6
    assert meta["next_id"] == {MEASUREMENTS: 7}
    assert [int(k) for k in data[MEASUREMENTS]] == [first, *ids]
    # the long-lived wheel sees the appends like any other write
    long_lived.backend.store.refresh()
    assert [v for _, v in long_lived.series(seeded.indicator)] == [100.0, 0, 1, 2, 3, 4]


def test_many_rows_in_one_change_and_undo(seeded: Any) -> None:
    _fresh_logs(seeded.root, seeded.indicator, 1)
    rows = [
        {"indicator_id": seeded.indicator, "date": f"2026-03-0{n}", "value": n}
        for n in range(1, 4)
    ]  # fmt: skip
    ids = open_wheel(seeded.root, user="alice").log_many(rows)
    assert len(set(ids)) == 3
    assert len(open_wheel(seeded.root).series(seeded.indicator)) == 4
    open_wheel(seeded.root, user="alice").undo()
    assert len(open_wheel(seeded.root).series(seeded.indicator)) == 1


def test_reading_inside_the_change_parses_and_keeps_what_was_staged(seeded: Any) -> None:
    _fresh_logs(seeded.root, seeded.indicator, 2)
    wheel = open_wheel(seeded.root, user="alice")
    store = wheel.backend.store
    with store.transaction():
        db = store.measure_db(2026)
        assert store.next_id(db, MEASUREMENTS) == 3  # appended: not parsed
        assert not storage_of(db).loaded
        data = storage_of(db).read()  # someone wants it all after all
        assert data is not None and len(data[MEASUREMENTS]) == 2
        assert store.next_id(db, MEASUREMENTS) == 4  # the counter went on
    # nothing was written, and the next change starts from the file again
    assert open_wheel(seeded.root).log(seeded.indicator, 1, "2026-04-01").id == 2026_000_003


@pytest.mark.parametrize(
    "edit",
    [
        lambda data: orjson.dumps(data, option=orjson.OPT_INDENT_2),  # hand-formatted
        lambda data: orjson.dumps({"measurements": data["measurements"], "meta": data["meta"]}),
        lambda data: orjson.dumps(data | {"extra": {}}),
    ],
)
def test_other_layouts_take_the_ordinary_path(seeded: Any, edit: Any) -> None:
    first = _fresh_logs(seeded.root, seeded.indicator, 2)
    path = seeded.root / YEAR
    path.write_bytes(edit(orjson.loads(path.read_bytes())))
    later = _fresh_logs(seeded.root, seeded.indicator, 1)
    data = parse(path, path.read_bytes())
    assert [int(k) for k in data[MEASUREMENTS]] == first + later


def test_a_brace_in_a_note_takes_the_ordinary_path(seeded: Any) -> None:
    ids = _fresh_logs(seeded.root, seeded.indicator, 2, note="{not json}")
    ids += _fresh_logs(seeded.root, seeded.indicator, 1)
    path = seeded.root / YEAR
    assert [int(k) for k in parse(path, path.read_bytes())[MEASUREMENTS]] == ids


def test_a_twin_in_the_compact_layout_is_refused(seeded: Any, store_bytes: Any) -> None:
    ids = _fresh_logs(seeded.root, seeded.indicator, 2)
    path = seeded.root / YEAR
    raw = path.read_bytes()
    doc = orjson.dumps(orjson.loads(raw)[MEASUREMENTS][str(ids[0])] | {"note": "twin"})
    path.write_bytes(raw[:-2] + b',"' + str(ids[0]).encode() + b'":' + doc + b"}}")
    before = store_bytes(seeded.root)
    with pytest.raises(StoreCorrupt, match="more than once"):
        open_wheel(seeded.root).log(seeded.indicator, 1, "2026-05-01")
    assert store_bytes(seeded.root) == before


def _month_history(root: Path) -> Path:
    (path,) = root.glob("history-????-??.json")
    return path


def _parsed_names(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    import store.storage

    names: list[str] = []

    def spy(path: Path, raw: bytes) -> Any:
        names.append(path.name)
        return parse(path, raw)

    monkeypatch.setattr(store.storage, "parse", spy)
    return names


def test_a_log_appends_to_the_months_history_without_parsing_it(
    seeded: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Late in a busy month the history file is a MB: a log must not cost
    more for it (styr wrote the file, so its bytes are trusted)."""
    _fresh_logs(seeded.root, seeded.indicator, 1)
    history = _month_history(seeded.root)
    before = len(parse(history, history.read_bytes())["history"])
    parsed = _parsed_names(monkeypatch)
    _fresh_logs(seeded.root, seeded.indicator, 2)
    assert not [name for name in parsed if name.startswith("history-")]
    raw = history.read_bytes()
    data = parse(history, raw)
    assert raw == orjson.dumps(data)  # the file the ordinary path would write
    assert len(data["history"]) == before + 2
    assert data["meta"]["1"]["counts"] == {"history": before + 2}
    open_wheel(seeded.root, user="alice").undo()  # the appended entry is read back
    assert len(open_wheel(seeded.root).series(seeded.indicator)) == 2


def test_a_history_file_changed_by_someone_else_is_checked_before_an_append(
    seeded: Any, monkeypatch: pytest.MonkeyPatch, store_bytes: Any
) -> None:
    _fresh_logs(seeded.root, seeded.indicator, 1)
    history = _month_history(seeded.root)
    data = parse(history, history.read_bytes())
    last = max(data["history"], key=int)
    data["history"][last]["by"] = "mallory"  # a colleague's write: bytes styr did not note
    history.write_bytes(orjson.dumps(data))
    parsed = _parsed_names(monkeypatch)
    _fresh_logs(seeded.root, seeded.indicator, 1)
    assert history.name in parsed
    data = parse(history, history.read_bytes())
    data["history"][last]["id"] = -5  # now a bad entry, in the layout styr writes
    history.write_bytes(orjson.dumps(data))
    kept = store_bytes(seeded.root)
    with pytest.raises(StoreCorrupt, match="history entry"):
        _fresh_logs(seeded.root, seeded.indicator, 1)
    assert store_bytes(seeded.root) == kept
