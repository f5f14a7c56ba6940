"""The contract every backend keeps (store/backend.py), run against each one.

A new backend joins by adding a factory to BACKENDS; it must pass all of
these unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from store.backend import Backend, ids_of
from store.folder import FolderBackend

Opener = Callable[[str], Backend]


def _folder(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    root = tmp_path / "store"
    yield lambda user: FolderBackend.open(root, user=user)


def _postgres(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    """A fresh schema on the test server; each user logs in as their own role."""
    from store.postgres import PostgresBackend

    server = request.getfixturevalue("pg_server")
    schema = server.new_schema()
    opened: list[PostgresBackend] = []

    def opener(user: str) -> Backend:
        opened.append(PostgresBackend.open(server.url(user, schema)))
        return opened[-1]

    yield opener
    for backend in opened:
        backend.conn.close()


BACKENDS = {"folder": _folder, "postgres": _postgres}


@pytest.fixture(params=sorted(BACKENDS))
def opener(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    yield from BACKENDS[request.param](request, tmp_path)


GOAL = {"title": "Shorter queues", "parent_id": None}


def _goal(backend: Backend, title: str = "Shorter queues") -> int:
    with backend.transaction():
        doc_id = backend.next_id("goals")
        backend.put("goals", doc_id, GOAL | {"title": title})
    return doc_id


def test_documents_round_trip_and_survive_a_reopen(opener: Opener) -> None:
    backend = opener("alice")
    first, second = _goal(backend), _goal(backend, "Faster replies")
    assert backend.get("goals", first) == GOAL
    assert {k: v["title"] for k, v in backend.docs("goals").items()} == {
        first: "Shorter queues",
        second: "Faster replies",
    }
    with backend.transaction():
        backend.put("goals", first, GOAL | {"title": "Short queues"})
    again = opener("bob")
    assert again.get("goals", first) == GOAL | {"title": "Short queues"}
    assert again.get("goals", 999) is None and again.docs("risks") == {}


def test_ids_only_grow_and_are_never_reused(opener: Opener) -> None:
    backend = opener("alice")
    first = _goal(backend)
    with backend.transaction():
        backend.remove("goals", first)
    assert backend.get("goals", first) is None
    assert _goal(backend) > first
    assert _goal(opener("bob")) > first + 1


def test_a_failed_transaction_leaves_nothing(opener: Opener) -> None:
    backend = opener("alice")
    kept = _goal(backend)
    with pytest.raises(RuntimeError), backend.transaction():
        backend.put("goals", backend.next_id("goals"), GOAL | {"title": "Half"})
        backend.remove("goals", kept)
        backend.add_measurements([{"indicator_id": 1, "date": "2026-01-02", "value": 1.0}])
        raise RuntimeError("crash")
    for seen in (backend, opener("bob")):
        assert list(seen.docs("goals")) == [kept]
        assert seen.points() == {}
    assert [e["table"] for e in backend.history()] == ["goals"]


def test_every_write_is_in_the_history_newest_first(opener: Opener) -> None:
    backend = opener("alice")
    doc_id = _goal(backend)
    with backend.transaction():
        backend.put("goals", doc_id, GOAL | {"title": "Renamed"})
        backend.add_measurements([{"indicator_id": 1, "date": "2026-01-02", "value": 1.0}])
    with opener("bob").transaction() as _:
        pass
    entries = list(opener("carol").history())
    assert [(e["table"], e["by"]) for e in entries] == [
        ("measurements", "alice"),
        ("goals", "alice"),
        ("goals", "alice"),
    ]
    assert entries[0]["change"] == entries[1]["change"] != entries[2]["change"]
    assert entries[1]["before"] == GOAL and entries[1]["after"]["title"] == "Renamed"
    assert entries[2]["before"] is None


def test_measurements_by_indicator_and_date(opener: Opener) -> None:
    backend = opener("alice")
    rows = [
        {"indicator_id": 1, "date": "2026-03-01", "value": 3.0},
        {"indicator_id": 1, "date": "2025-12-31", "value": 2.0},
        {"indicator_id": 2, "date": "2026-01-01", "value": 9.0},
        {"indicator_id": 1, "date": "2026-03-01", "value": 4.0},
    ]
    with backend.transaction():
        ids = backend.add_measurements(rows)
    assert len(set(ids)) == 4
    reader = opener("bob")
    assert [(d, v) for d, _, v in reader.indicator_points(1)] == [
        (date(2025, 12, 31), 2.0),
        (date(2026, 3, 1), 3.0),
        (date(2026, 3, 1), 4.0),  # of two on one day, the later-logged last
    ]
    assert [v for _, _, v in reader.indicator_points(1, until=date(2026, 2, 1))] == [2.0]
    assert {k: [v for *_, v in p] for k, p in reader.points(until=date(2026, 1, 1)).items()} == {
        1: [2.0],
        2: [9.0],
    }
    assert reader.measurement(ids[2]) == rows[2]
    assert reader.measurement(10**12) is None


def test_all_measurements_by_id_with_given_ids_kept(opener: Opener) -> None:
    backend = opener("alice")
    rows = [
        {"indicator_id": 1, "date": "2026-03-01", "value": 3.0, "note": "n"},
        {"indicator_id": 2, "date": "2024-12-31", "value": 2.0},
    ]
    with backend.transaction():
        ids = backend.add_measurements(rows)
        given = backend.add_measurements([rows[0] | {"value": 5.0}], [ids[0] + 7])
    assert given == [ids[0] + 7]
    with backend.transaction():
        backend.put_measurement(ids[0], rows[0] | {"date": "2025-01-01"})
    expected = sorted([(ids[0], rows[0] | {"date": "2025-01-01"}), (ids[1], rows[1]),
                       (ids[0] + 7, rows[0] | {"value": 5.0})])  # fmt: skip
    assert list(opener("bob").all_measurements()) == expected


def test_a_bulk_write_is_one_history_entry_naming_its_ids(opener: Opener) -> None:
    backend = opener("alice")
    stamp = {"created_at": "2026-01-09T10:00:00.000000+00:00",
             "updated_at": "2026-01-09T10:00:00.000000+00:00", "updated_by": "alice"}  # fmt: skip
    given = [
        {"indicator_id": 1, "date": f"{year}-03-0{day}", "value": float(day)}
        for year in (2025, 2026) for day in (1, 2, 3)
    ]  # fmt: skip
    rows = [row | stamp for row in given]
    with backend.transaction():
        (logged,) = backend.add_measurements([rows[0] | {"value": 9.0}])
        ids = backend.add_bulk(given, stamp)
    assert len(set(ids)) == 6 and logged not in ids
    reader = opener("bob")
    assert [doc for key, doc in reader.all_measurements() if key in ids] == rows
    newest, single = list(reader.history())[:2]
    assert single["after"] == rows[0] | {"value": 9.0}
    assert (newest["table"], newest["before"], newest["after"]) == ("measurements", None, None)
    assert newest["bulk"]["op"] == "add" and newest["bulk"]["count"] == 6
    assert newest["bulk"]["stamp"] == stamp["updated_at"]
    assert ids_of(newest["bulk"]["ids"]) == sorted(ids)
    with backend.transaction():
        removed = backend.remove_bulk([*ids[:4], 10**12])
    assert removed == dict(zip(ids[:4], rows[:4], strict=True))
    reader = opener("carol")
    assert sorted(key for key, _ in reader.all_measurements()) == sorted([logged, *ids[4:]])
    gone = next(reader.history())
    assert (gone["bulk"]["op"], ids_of(gone["bulk"]["ids"])) == ("remove", sorted(ids[:4]))


def test_a_measurement_keeps_its_id_when_its_date_moves_to_another_year(opener: Opener) -> None:
    backend = opener("alice")
    with backend.transaction():
        (mid,) = backend.add_measurements([{"indicator_id": 1, "date": "2026-01-05", "value": 1.0}])
    moved = {"indicator_id": 1, "date": "2024-06-01", "value": 1.5}
    with backend.transaction():
        backend.put_measurement(mid, moved)
    reader = opener("bob")
    assert reader.measurement(mid) == moved
    assert reader.indicator_points(1) == [(date(2024, 6, 1), mid, 1.5)]
    with backend.transaction():
        backend.remove_measurement(mid)
    assert opener("carol").indicator_points(1) == []
    with backend.transaction():
        (again,) = backend.add_measurements([{"indicator_id": 1, "date": "2026-01-05", "value": 1}])
    assert again != mid


def test_another_writer_is_seen_after_refresh_with_who_it_was(opener: Opener) -> None:
    mine, theirs = opener("alice"), opener("bob")
    _goal(mine)
    version = mine.version()
    assert mine.refresh() == []
    doc_id = _goal(theirs, "Bob's goal")
    changes = mine.refresh()
    assert changes and all(c.writer.startswith("bob") for c in changes)
    assert mine.version() != version
    assert mine.get("goals", doc_id) == GOAL | {"title": "Bob's goal"}


def test_writes_need_a_transaction(opener: Opener) -> None:
    backend = opener("alice")
    _goal(backend)
    with pytest.raises(RuntimeError):
        backend.put("goals", 5, GOAL)


def test_a_writable_store_says_where_it_is_and_who_writes(opener: Opener) -> None:
    backend = opener("alice")
    _goal(backend)
    assert backend.read_only_reason is None and backend.user == "alice"
    labels = dict(backend.describe())
    assert labels["user"] == "alice" and backend.location in labels["store"]
