"""The TinyDB behaviour the folder backend relies on, pinned so that an
upgrade that changes it fails here first, not in a user's store."""

from __future__ import annotations

from typing import Any

import pytest
from tinydb import TinyDB
from tinydb.storages import MemoryStorage, Storage
from tinydb.table import Document


class Recording(Storage):
    """Counts reads and takes keyword arguments, as FileStorage does."""

    def __init__(self, *, pretty: bool = False) -> None:
        self.pretty = pretty
        self.data: dict[str, Any] | None = None
        self.reads = 0

    def read(self) -> dict[str, Any] | None:
        self.reads += 1
        return self.data

    def write(self, data: dict[str, Any]) -> None:
        self.data = data


def test_keyword_arguments_reach_the_storage() -> None:
    db = TinyDB(storage=Recording, pretty=True)
    assert isinstance(db.storage, Recording) and db.storage.pretty


def test_a_document_inserted_with_an_id_keeps_it_and_a_twin_is_refused() -> None:
    table = TinyDB(storage=MemoryStorage).table("goals", cache_size=0)
    assert table.insert(Document({"title": "a"}, doc_id=7)) == 7
    with pytest.raises(ValueError):
        table.insert(Document({"title": "b"}, doc_id=7))
    row = table.get(doc_id=7)
    assert isinstance(row, Document) and row.doc_id == 7 and row == {"title": "a"}
    assert table.get(doc_id=8) is None


def test_ids_are_stored_as_string_keys_of_one_dict_per_table() -> None:
    db = TinyDB(storage=MemoryStorage)
    db.table("goals").insert(Document({"title": "a"}, doc_id=3))
    assert db.storage.read() == {"goals": {"3": {"title": "a"}}}


def test_a_table_without_cache_reads_the_storage_on_every_access() -> None:
    db = TinyDB(storage=Recording)
    assert isinstance(db.storage, Recording)
    table = db.table("goals", cache_size=0)
    table.insert({"title": "a"})
    before = db.storage.reads
    table.all()
    table.all()
    assert db.storage.reads == before + 2


def test_remove_and_update_by_id_touch_only_that_document() -> None:
    table = TinyDB(storage=MemoryStorage).table("goals", cache_size=0)
    table.insert(Document({"title": "a"}, doc_id=1))
    table.insert(Document({"title": "b"}, doc_id=2))
    assert table.update({"title": "B"}, doc_ids=[2]) == [2]
    assert table.remove(doc_ids=[1]) == [1]
    assert [(r.doc_id, dict(r)) for r in table.all()] == [(2, {"title": "B"})]
