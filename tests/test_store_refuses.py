"""Broken, foreign and newer files are refused or opened read-only, never rewritten.

Every case checks what the user sees (exit code, a message naming the file,
no traceback) and that the bytes on disk are the same afterwards.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from store.backends import open_wheel
from store.errors import ReadOnly, StoreCorrupt
from store.service import GOAL
from store.store import PENDING
from tui.cli import main

FILES = ["wheel.json", "measurements-2026.json"]


def _duplicate_first_id(raw: bytes) -> bytes:
    """The same document id twice in the file's last table (a bad merge)."""
    data = orjson.loads(raw)
    table = [name for name in data if name != "meta"][-1]
    tables = []
    for name, docs in data.items():
        pairs = [f"{json.dumps(k)}: {json.dumps(v)}" for k, v in docs.items()]
        if name == table:
            key, doc = next(iter(docs.items()))
            pairs.append(f"{json.dumps(key)}: {json.dumps(doc | {'note': 'twin'})}")
        tables.append(f"{json.dumps(name)}: {{{', '.join(pairs)}}}")
    return ("{" + ", ".join(tables) + "}").encode()


def _trailing_comma(raw: bytes) -> bytes:
    body = raw.rstrip()
    return body[:-1] + b",}"


BREAKAGES: dict[str, Callable[[bytes], bytes]] = {
    "empty": lambda raw: b"",
    "truncated": lambda raw: raw[: len(raw) // 2],
    "trailing comma": _trailing_comma,
    "byte-order mark": lambda raw: b"\xef\xbb\xbf" + raw,
    "duplicate id": _duplicate_first_id,
}


@pytest.fixture
def logged(seeded: Any) -> Any:
    open_wheel(seeded.root).log(seeded.indicator, 7, "2026-01-05")
    return seeded


def _log(root: Path, indicator: int) -> int:
    return main(["--store", str(root), "log", str(indicator), "5", "--at", "2026-02-01"])


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("breakage", list(BREAKAGES))
def test_broken_file_is_refused_and_left_alone(
    logged: Any, name: str, breakage: str, store_bytes: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    path = logged.root / name
    path.write_bytes(BREAKAGES[breakage](path.read_bytes()))
    before = store_bytes(logged.root)

    assert _log(logged.root, logged.indicator) == 1
    out, err = capsys.readouterr()
    assert name in err and "Traceback" not in err and out == ""
    with pytest.raises(StoreCorrupt, match=name):
        open_wheel(logged.root).series(logged.indicator)
    assert store_bytes(logged.root) == before


def _newer(path: Path) -> None:
    data = orjson.loads(path.read_bytes())
    data["meta"]["1"]["schema_version"] = 99
    option = orjson.OPT_INDENT_2 if path.name == "wheel.json" else 0
    path.write_bytes(orjson.dumps(data, option=option))


@pytest.mark.parametrize("name", FILES)
def test_newer_schema_opens_read_only(
    logged: Any, name: str, store_bytes: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    _newer(logged.root / name)
    before = store_bytes(logged.root)

    wheel = open_wheel(logged.root, user="alice")
    assert wheel.read_only_reason is not None
    assert name in wheel.read_only_reason and "newer styr" in wheel.read_only_reason
    assert [g.title for g in wheel.goals()] == ["Shorter queues"]
    assert [v for _, v in wheel.series(logged.indicator)] == [7.0]
    with pytest.raises(ReadOnly, match="upgrade styr"):
        wheel.update(GOAL, logged.goal, {"title": "Changed"})
    # a write to another year's file is refused too: the store is one unit
    with pytest.raises(ReadOnly):
        wheel.log(logged.indicator, 1, "2025-05-01")

    assert _log(logged.root, logged.indicator) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "newer styr" in err and "Traceback" not in err
    assert store_bytes(logged.root) == before


def test_folder_the_user_may_not_write_opens_read_only(
    logged: Any,
    store_bytes: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # the tests run as root, who may write anywhere: os.access answers as a
    # user without write permission on the folder would
    real = os.access
    denied = logged.root

    def access(path: Any, mode: int, **kwargs: Any) -> bool:
        if Path(path) == denied and mode & os.W_OK:
            return False
        return real(path, mode, **kwargs)

    monkeypatch.setattr(os, "access", access)
    before = store_bytes(logged.root)
    wheel = open_wheel(logged.root, user="alice")
    assert wheel.read_only_reason == f"read-only: you may not write in {logged.root}"
    assert [v for _, v in wheel.series(logged.indicator)] == [7.0]
    with pytest.raises(ReadOnly, match="may not write"):
        wheel.log(logged.indicator, 1, "2026-01-06")
    assert _log(logged.root, logged.indicator) == 1
    assert "may not write" in capsys.readouterr().err
    assert store_bytes(logged.root) == before


META = '"meta": {"1": {"schema_version": 1}}'


@pytest.mark.parametrize(
    "text",
    [
        "[]",
        '{"goals": {}}',
        '{"meta": {"1": {}}, "goals": {}}',
        '{"meta": {"1": {"schema_version": 0}}, "goals": {}}',
        "{" + META + ', "goals": []}',
        "{" + META + ', "goals": {"abc": {"title": "x"}}}',
        "{" + META + ', "goals": {"": {"title": "x"}}}',
        "{" + META + ', "goals": {"\u00b2": {"title": "x"}}}',
        "{" + META + ', "goals": {"1": ["title"]}}',
        "{" + META + ', "goals": {"1": {"title": "x"}}, "risks": {"1": {}, "1": {}}}',
        "{" + META + ', "goals": {"1": {"title": NaN}}}',
    ],
)
def test_hand_edited_shapes_are_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "store" / "wheel.json"
    path.parent.mkdir()
    path.write_text(text)
    with pytest.raises(StoreCorrupt, match=str(path)):
        open_wheel(path.parent)
    assert path.read_text() == text


@pytest.mark.parametrize("old_schema", [1, 2])
def test_an_older_store_is_migrated_after_a_backup_by_its_wheel_alone(
    logged: Any, old_schema: int
) -> None:
    """Schemas 2 and 3 add the recent files that an older styr would not
    see: wheel.json takes the new version (an older styr reads it first and
    opens the store read-only), after a backup of the files as they were;
    the other files, all of a layout styr reads as it is, are left alone."""
    import store.storage

    files = sorted(p for p in logged.root.glob("*.json"))
    for path in files:
        data = orjson.loads(path.read_bytes())
        data["meta"]["1"]["schema_version"] = old_schema
        path.write_bytes(orjson.dumps(data))
    old = {p.name: p.read_bytes() for p in files}
    wheel = open_wheel(logged.root, user="alice")
    assert [v for _, v in wheel.series(logged.indicator)] == [7.0]
    meta = orjson.loads((logged.root / "wheel.json").read_bytes())["meta"]["1"]
    assert meta["schema_version"] == store.storage.SCHEMA_VERSION == 3
    assert {p.name: p.read_bytes() for p in files if p.name != "wheel.json"} == {
        name: raw for name, raw in old.items() if name != "wheel.json"
    }
    backup = logged.root / f"backups/before-schema-{store.storage.SCHEMA_VERSION}"
    assert {p.name: p.read_bytes() for p in backup.iterdir()} == old
    # a file of the older schema still takes new measurements
    wheel.log(logged.indicator, 8, "2026-02-02")
    assert [v for _, v in open_wheel(logged.root).series(logged.indicator)] == [7.0, 8.0]


def test_a_styr_of_schema_2_opens_a_migrated_store_read_only_and_leaves_its_commit(
    logged: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the styr before history recent files does with this one's store:
    read-only, and a commit cut short is left for this styr to finish (it
    names files the older one does not know)."""
    import store.storage
    import store.store

    open_wheel(logged.root, user="alice")
    temp = ".history-2026-12-recent.json.1-ab.tmp"
    (logged.root / temp).write_bytes(b"{}")
    marker = orjson.dumps([[temp, "history-2026-12-recent.json"]])
    (logged.root / PENDING).write_bytes(marker)
    monkeypatch.setattr(store.storage, "SCHEMA_VERSION", 2)
    monkeypatch.setattr(store.store, "SCHEMA_VERSION", 2)
    wheel = open_wheel(logged.root, user="bob")
    assert wheel.read_only_reason is not None
    assert "wheel.json was written by a newer styr (schema 3" in wheel.read_only_reason
    assert (logged.root / PENDING).read_bytes() == marker
    assert (logged.root / temp).exists()


def test_a_newer_styrs_commit_cut_short_is_left_to_it_by_a_running_styr(logged: Any) -> None:
    """A styr still open (the TUI) when a newer one took over the store:
    its next change finds the store read-only, and the newer styr's marker
    and temp files, which may name files this one does not know, as they were."""
    wheel = open_wheel(logged.root, user="alice")
    _newer(logged.root / "wheel.json")
    temp = ".measurements-2026.json.1-ab.tmp"
    (logged.root / temp).write_bytes(b"{}")
    marker = orjson.dumps([[temp, "measurements-2026.json"], [".f.1-cd.tmp", "future.json"]])
    (logged.root / PENDING).write_bytes(marker)
    with pytest.raises(ReadOnly, match="newer styr"):
        wheel.log(logged.indicator, 9, "2026-02-03")
    assert (logged.root / PENDING).read_bytes() == marker
    assert (logged.root / temp).read_bytes() == b"{}"
