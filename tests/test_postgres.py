"""The PostgreSQL backend beyond the contract suite: sessions of different
roles on one wheel, conflicts across connections, the schema's version, the
server's faults, and styr without psycopg. Needs a server (tests/pghelp.py)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from store.backends import open_wheel
from store.errors import BadInput, Conflict, ReadOnly, StoreAway, StoreError
from store.service import GOAL, INDICATOR, Wheel
from tui.cli import main

psycopg = pytest.importorskip("psycopg")


@pytest.fixture
def schema(pg_server: Any) -> str:
    return str(pg_server.new_schema())


@pytest.fixture
def url(pg_server: Any, schema: str) -> Iterator[Any]:
    """url(role) of this test's wheel; every wheel opened is closed after."""
    yield lambda role, **kw: pg_server.url(role, schema, **kw)


def _wheel(url: Any, role: str) -> Wheel:
    return open_wheel(url(role))


def test_a_write_in_one_session_is_seen_by_the_others_refresh_with_who(url: Any) -> None:
    alice, bob = _wheel(url, "alice"), _wheel(url, "bob")
    goal = alice.add(GOAL, {"title": "Shorter queues"})
    assert bob.goal(goal.id).title == "Shorter queues"
    assert alice.refresh() == [] and bob.refresh() != []
    # the CLI is another session: bob logging in on the command line
    assert main(["--store", url("bob"), "add", "goal", "Faster replies"]) == 0
    changes = alice.refresh()
    assert {(c.file, c.writer) for c in changes} == {("goals", "bob")}
    assert [g.title for g in alice.goals()] == ["Shorter queues", "Faster replies"]
    assert [g.stamp.updated_by for g in alice.goals()] == ["alice", "bob"]


def test_a_stale_save_is_a_conflict_across_two_connections(url: Any) -> None:
    alice, bob = _wheel(url, "alice"), _wheel(url, "bob")
    goal = alice.add(GOAL, {"title": "Shorter queues"})
    seen = bob.goal(goal.id).stamp.updated_at
    alice.update(GOAL, goal.id, {"title": "Short queues"})
    with pytest.raises(Conflict) as caught:
        bob.update(GOAL, goal.id, {"title": "Queues"}, expected=seen)
    assert caught.value.theirs is not None and caught.value.theirs["title"] == "Short queues"
    assert caught.value.mine["title"] == "Queues"
    assert _wheel(url, "carol").goal(goal.id).title == "Short queues"


def test_a_save_racing_another_commit_is_a_conflict_not_an_overwrite(url: Any) -> None:
    alice, bob = _wheel(url, "alice"), _wheel(url, "bob")
    goal = alice.add(GOAL, {"title": "Shorter queues"})
    backend = bob.backend
    with pytest.raises(Conflict) as caught, backend.transaction():
        read = dict(backend.get("goals", goal.id) or {})
        # alice commits after bob's transaction read the goal, before he saves
        alice.update(GOAL, goal.id, {"title": "Alice's"})
        backend.put("goals", goal.id, read | {"title": "Bob's"})
    assert caught.value.theirs is not None and caught.value.theirs["title"] == "Alice's"
    assert _wheel(url, "carol").goal(goal.id).title == "Alice's"
    assert [e["by"] for e in bob.history()] == ["alice", "alice"]


def test_the_role_is_the_user_of_history_and_undo(url: Any) -> None:
    alice, bob = _wheel(url, "alice"), _wheel(url, "bob")
    mine = alice.add(GOAL, {"title": "Alice's"})
    bob.add(GOAL, {"title": "Bob's"})
    assert alice.user == "alice" and bob.user == "bob"
    assert "'Alice's' added" in alice.undo()
    alice.refresh()
    assert [g.title for g in alice.goals()] == ["Bob's"]
    assert [(e["by"], e["id"]) for e in alice.history()][:1] == [("alice", mine.id)]


def test_the_history_is_append_only_and_the_server_says_who(url: Any) -> None:
    alice = _wheel(url, "alice")
    alice.add(GOAL, {"title": "Shorter queues"})
    conn = alice.backend.conn  # type: ignore[attr-defined]
    conn.execute(
        "INSERT INTO history (change, at, by, tbl, doc_id) VALUES ('x', 'now', 'bob', 'goals', 1)"
    )
    assert [e["by"] for e in alice.history()] == ["alice", "alice"]
    for statement in ("UPDATE history SET by = 'bob'", "DELETE FROM history"):
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            conn.execute(statement)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("TRUNCATE history")


def test_a_newer_schema_opens_read_only(
    url: Any, pg_server: Any, schema: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _wheel(url, "alice").add(GOAL, {"title": "Shorter queues"})
    pg_server.admin("UPDATE styr_schema SET version = 99", schema)
    wheel = _wheel(url, "alice")
    assert wheel.read_only_reason is not None
    assert "newer styr (schema version 99" in wheel.read_only_reason
    assert [g.title for g in wheel.goals()] == ["Shorter queues"]
    with pytest.raises(ReadOnly):
        wheel.add(GOAL, {"title": "More"})
    assert main(["--store", url("alice"), "add", "goal", "More"]) == 1
    assert "read-only" in capsys.readouterr().err
    assert main(["--store", url("alice"), "status", "--json"]) == 0


def test_a_role_that_may_only_read_gets_a_read_only_wheel(
    url: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    _wheel(url, "alice").add(GOAL, {"title": "Shorter queues"})
    reader = _wheel(url, "reader")
    assert reader.read_only_reason == "read-only: the role reader may not write to the wheel"
    assert [g.title for g in reader.goals()] == ["Shorter queues"]
    assert main(["--store", url("reader"), "add", "goal", "More"]) == 1
    assert capsys.readouterr().err.count("\n") == 1


def test_a_member_cannot_create_the_tables_and_a_reading_command_never_does(
    pg_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = "wheel_empty"
    pg_server.admin(f"CREATE SCHEMA {empty} AUTHORIZATION styr_owner")
    pg_server.admin(f"GRANT USAGE ON SCHEMA {empty} TO styr_member")
    assert main(["--store", pg_server.url("alice", empty), "add", "goal", "X"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "permission denied for schema wheel_empty" in err
    assert main(["--store", pg_server.url("styr_owner", empty), "status"]) == 1
    assert "no styr wheel in" in capsys.readouterr().err
    with psycopg.connect(pg_server.url("postgres", empty)) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = %s", (empty,)
        ).fetchone()
    assert tables == (0,)


def test_a_search_path_naming_no_schema_is_one_line(
    pg_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--store", pg_server.url("alice", "nowhere"), "add", "goal", "X"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no schema to keep the wheel in" in err


def test_where_shows_server_database_and_user_never_a_password(
    url: Any, schema: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--store", url("alice", password="s3cret"), "where"]) == 0
    out = capsys.readouterr().out
    labels = dict(line.split(":", 1) for line in out.splitlines())
    assert labels["user"].strip() == "alice" and labels["schema"].strip() == schema
    assert labels["database"].strip().startswith("styr_tests_")
    assert labels["server"].strip()
    assert "s3cret" not in out


def test_text_is_kept_literally_queries_are_parameterised(url: Any) -> None:
    alice = _wheel(url, "alice")
    title = "'); DROP TABLE goals;-- \"$$ %s {}"
    goal = alice.add(GOAL, {"title": title})
    assert _wheel(url, "bob").goal(goal.id).title == title


def test_measurements_of_many_sessions_keep_unique_ids(url: Any) -> None:
    wheels = [_wheel(url, role) for role in ("alice", "bob", "carol")]
    goal = wheels[0].add(GOAL, {"title": "Shorter queues"})
    indicator = wheels[0].add(
        INDICATOR,
        {"goal_id": goal.id, "name": "Served", "baseline": "0", "target": "100",
         "start": "2025-01-01", "due": "2026-12-31"},
    )  # fmt: skip
    for day in range(1, 8):
        for wheel in wheels:
            wheel.log(indicator.id, day, f"2026-01-0{day}")
    reader = _wheel(url, "alice")
    ids = [m.id for m in reader.measurements(indicator.id)]
    assert len(ids) == len(set(ids)) == 21
    assert [v for _, v in reader.series(indicator.id)][:3] == [1.0, 1.0, 1.0]


def test_the_packed_read_of_every_point_matches_the_read_of_one_indicator(url: Any) -> None:
    # the whole wheel's points come packed per indicator with day numbers
    # counted from 2000-01-01: days either side of it, and two on one day
    backend = _wheel(url, "alice").backend
    days = ["2026-03-01", "1999-12-31", "2026-03-01", "2000-01-01", "1970-01-01"]
    with backend.transaction():
        backend.add_measurements(
            [{"indicator_id": n % 2 + 1, "date": d, "value": 0.5 + n} for n, d in enumerate(days)]
        )
    reader = _wheel(url, "bob").backend
    every = reader.points()
    assert {k: [(str(day), value) for day, _, value in found] for k, found in every.items()} == {
        1: [("1970-01-01", 4.5), ("2026-03-01", 0.5), ("2026-03-01", 2.5)],
        2: [("1999-12-31", 1.5), ("2000-01-01", 3.5)],
    }
    assert every == {1: reader.indicator_points(1), 2: reader.indicator_points(2)}


def _series(backend: Any) -> dict[int, list[tuple[str, float]]]:
    return {
        ind: [(str(day), value) for day, value in col] for ind, col in backend.day_series().items()
    }


def test_the_series_columns_match_the_points_and_survive_a_server_out_of_order(
    url: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import store.postgres

    backend = _wheel(url, "alice").backend
    days = ["2026-03-01", "1999-12-31", "2026-03-01", "2000-01-01", "0001-01-01"]
    with backend.transaction():
        backend.add_measurements(
            [{"indicator_id": n % 2 + 1, "date": d, "value": 0.5 + n} for n, d in enumerate(days)]
        )
    expected = {
        1: [("0001-01-01", 4.5), ("2026-03-01", 0.5), ("2026-03-01", 2.5)],
        2: [("1999-12-31", 1.5), ("2000-01-01", 3.5)],
    }
    assert _series(_wheel(url, "bob").backend) == expected
    # a plan that hands the rows over in another order: the points decide
    reversed_order = store.postgres._PACKED_SERIES.replace("day, id) AS", "day DESC, id) AS")
    assert reversed_order != store.postgres._PACKED_SERIES
    monkeypatch.setattr(store.postgres, "_PACKED_SERIES", reversed_order)
    assert _series(_wheel(url, "bob").backend) == expected


def test_status_on_a_server_compares_again_only_what_changed_since_the_last_run(
    url: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    import store.compare

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    writer = _wheel(url, "alice")
    goal = writer.add(GOAL, {"title": "Grow", "start": "2026-01-01", "due": "2026-12-31"})
    ids = [
        writer.add(
            INDICATOR,
            {"goal_id": goal.id, "name": f"I{n}", "baseline": "0", "target": "10",
             "start": "2026-01-01", "due": "2026-12-31"},
        ).id
        for n in range(3)
    ]  # fmt: skip
    for ind in ids:
        writer.log(ind, 2, "2026-03-01")
    compared: list[int] = []
    real = store.compare.compare

    def counting(indicator: Any, *args: Any, **kwargs: Any) -> Any:
        compared.append(indicator.id)
        return real(indicator, *args, **kwargs)

    monkeypatch.setattr(store.compare, "compare", counting)
    at = date(2026, 6, 1)
    first = _wheel(url, "bob").view(at).comparison
    assert sorted(compared) == ids
    compared.clear()
    writer.log(ids[1], 9, "2026-05-01")  # another session, after the first run
    again = _wheel(url, "bob").view(at).comparison
    assert compared == [ids[1]]
    assert again.indicators[ids[0]] == first.indicators[ids[0]]
    assert again.indicators[ids[1]].actual == 9 != first.indicators[ids[1]].actual
    compared.clear()
    writer.update(INDICATOR, ids[0], {"target": "20"})  # a document: all again
    _wheel(url, "bob").view(at)
    assert sorted(compared) == ids


def test_a_lost_connection_is_one_line_and_the_next_refresh_reconnects(
    url: Any, pg_server: Any
) -> None:
    alice = _wheel(url, "alice")
    goal = alice.add(GOAL, {"title": "Shorter queues"})
    pg_server.admin(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'alice'"
    )
    with pytest.raises(StoreError) as caught:
        alice.update(GOAL, goal.id, {"title": "Lost"})
    assert "\n" not in str(caught.value) and "connection" in str(caught.value)
    alice.refresh()
    assert alice.update(GOAL, goal.id, {"title": "Found"}).title == "Found"
    assert _wheel(url, "bob").goal(goal.id).title == "Found"


def test_after_a_reconnect_the_wheels_own_last_write_is_not_news(url: Any, pg_server: Any) -> None:
    """The server's note of the wheel's own write, not taken in before the
    connection was lost, was read after the reconnect as someone else's:
    the TUI told alice she had been "updated by alice"."""
    alice = _wheel(url, "alice")
    alice.add(GOAL, {"title": "Shorter queues"})  # its note waits, not taken in yet
    pg_server.admin(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'alice'"
    )
    with pytest.raises(StoreAway):
        alice.refresh()
    assert [change.writer for change in alice.refresh()] == ["(reconnected)"]
    assert alice.refresh() == []
    _wheel(url, "bob").add(GOAL, {"title": "Faster replies"})
    assert [change.writer for change in alice.refresh()] == ["bob"]


def test_without_psycopg_a_url_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)
    monkeypatch.delitem(sys.modules, "store.postgres", raising=False)
    assert main(["--store", "postgresql://127.0.0.1:1/styr", "status"]) == 1
    assert capsys.readouterr().err == (
        "styr: a postgresql:// store needs psycopg: pip install 'styr[postgres]'\n"
    )


def test_the_cli_imports_psycopg_only_for_a_url(tmp_path: Any) -> None:
    probe = (
        "import sys; from tui.cli import main; main(['--store', sys.argv[1], 'where']);"
        "print('psycopg' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path)], capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines()[-1] == "False"


def _log_many(url: str, indicator_id: int, count: int) -> None:
    wheel = open_wheel(url)
    for n in range(count):
        wheel.log(indicator_id, n, "2026-01-05")


def test_eight_processes_logging_at_once_keep_every_value(url: Any) -> None:
    alice = _wheel(url, "alice")
    goal = alice.add(GOAL, {"title": "Shorter queues"})
    indicator = alice.add(
        INDICATOR,
        {"goal_id": goal.id, "name": "Served", "baseline": "0", "target": "100",
         "start": "2025-01-01", "due": "2026-12-31"},
    )  # fmt: skip
    roles = ["alice", "bob", "carol"]
    # forked children leave by os._exit: the parent's connection is never closed by them
    context = multiprocessing.get_context("fork")
    workers = [
        context.Process(target=_log_many, args=(url(roles[n % 3]), indicator.id, 25))
        for n in range(8)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert [w.exitcode for w in workers] == [0] * 8
    ids = [m.id for m in _wheel(url, "bob").measurements(indicator.id)]
    assert len(ids) == len(set(ids)) == 200
    assert sum(1 for e in alice.backend.history() if e["table"] == "measurements") == 200


def test_a_connection_killed_mid_transaction_keeps_the_last_commit(
    url: Any, pg_server: Any
) -> None:
    alice = _wheel(url, "alice")
    kept = alice.add(GOAL, {"title": "Kept"})
    backend = alice.backend
    with pytest.raises(StoreError) as caught, backend.transaction():
        backend.put("goals", backend.next_id("goals"), {"title": "Half"})
        backend.remove("goals", kept.id)
        pg_server.admin(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'alice'"
        )
    assert "lost the connection" in str(caught.value)
    bob = _wheel(url, "bob")
    assert [g.title for g in bob.goals()] == ["Kept"]
    assert len(bob.history()) == 1


def _waiting_on_a_lock(watcher: Any, query_start: str) -> int | None:
    """The server process of the session waiting for a lock in a statement
    that starts so, if there is one."""
    row = watcher.execute(
        "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE %s",
        (query_start + "%",),
    ).fetchone()
    return int(row[0]) if row else None


def _until_cut(conn: Any) -> None:
    """Wait for the server to cut a session (it does so to all of them
    when one of its processes dies, before it recovers)."""
    deadline = time.monotonic() + 60
    while True:
        try:
            conn.execute("SELECT 1")
        except psycopg.OperationalError:
            return
        assert time.monotonic() < deadline, "the server kept the session"
        time.sleep(0.05)


def _until_it_answers(url: str) -> None:
    """Wait for a server that restarts itself after a crash to take connections."""
    deadline = time.monotonic() + 60
    while True:
        try:
            psycopg.connect(url).close()
            return
        except psycopg.OperationalError:
            assert time.monotonic() < deadline, "the server did not come back"
            time.sleep(0.05)


@pytest.mark.parametrize("kill", ["pg_ctl stop -m immediate", "SIGKILL"])
def test_a_server_killed_mid_write_keeps_the_last_commit_and_the_cli_says_so(
    own_pg_server: Any, kill: str
) -> None:
    server = own_pg_server
    schema = server.new_schema()
    url = server.url("alice", schema)
    wheel = open_wheel(url)
    goal = wheel.add(GOAL, {"title": "Shorter queues"})
    indicator = wheel.add(
        INDICATOR,
        {"goal_id": goal.id, "name": "Served", "baseline": "0", "target": "100",
         "start": "2025-01-01", "due": "2026-12-31"},
    )  # fmt: skip
    assert main(["--store", url, "log", str(indicator.id), "1", "--at", "2026-01-05"]) == 0
    committed = list(wheel.backend.history())
    # another session holds the history, so the next log waits inside its
    # transaction with its measurement written: the server dies right there
    holder = psycopg.connect(server.url("postgres", schema))
    holder.execute("LOCK TABLE history IN SHARE MODE")
    cli = subprocess.Popen(
        [sys.executable, "-m", "tui.cli", "--store", url, "log", str(indicator.id), "2", "--at",
         "2026-01-06"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    with psycopg.connect(server.url("postgres"), autocommit=True) as watcher:
        deadline = time.monotonic() + 60
        while (pid := _waiting_on_a_lock(watcher, "INSERT INTO history")) is None:
            assert cli.poll() is None and time.monotonic() < deadline, cli.communicate()
            time.sleep(0.02)
    if kill == "SIGKILL":
        # the CLI's own server process: the server cuts every session, recovers, restarts
        os.kill(pid, signal.SIGKILL)
        _until_cut(holder)
    else:
        server.crash()
    holder.close()
    out, err = cli.communicate(timeout=60)
    assert cli.returncode == 1 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("styr: lost the connection to ")
    if kill == "SIGKILL":
        _until_it_answers(server.admin_url)
    else:
        server.restart()
    after = open_wheel(server.url("bob", schema))
    assert [v for _, v in after.series(indicator.id)] == [1.0]
    assert list(after.backend.history()) == committed
    # and the wheel goes on from there
    assert main(["--store", url, "log", str(indicator.id), "3", "--at", "2026-01-07"]) == 0
    assert [v for _, v in open_wheel(url).series(indicator.id)] == [1.0, 3.0]


def test_on_a_server_the_user_is_the_role_not_a_name_given(url: Any) -> None:
    with pytest.raises(BadInput, match="the user is the database role"):
        open_wheel(url("alice"), user="bob")


def test_a_role_the_server_does_not_know_is_one_line(
    pg_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--store", pg_server.url("nobody"), "status"]) == 1
    err = capsys.readouterr().err
    assert err.endswith(': role "nobody" does not exist\n') and err.count("\n") == 1


def test_a_team_moves_from_a_folder_to_the_server_and_back_losslessly(
    url: Any, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """export | import: the export from PostgreSQL equals the export from
    the folder byte for byte, and back again. (The audit trail is not
    carried over: the import is the first change in the new store's trail,
    and the old trail stays readable in `export --with-history`.)"""
    from datetime import date

    from store.demo import build_demo

    folder = tmp_path / "demo"
    build_demo(folder, today=date(2026, 11, 30))
    first, second, third = (tmp_path / name for name in ("a.json", "b.json", "c.json"))
    assert main(["--store", str(folder), "export", "--out", str(first)]) == 0
    assert main(["--store", url("alice"), "import", str(first)]) == 0
    assert main(["--store", url("bob"), "export", "--out", str(second)]) == 0
    assert first.read_bytes() == second.read_bytes()
    assert main(["--store", str(tmp_path / "back"), "import", str(second)]) == 0
    assert main(["--store", str(tmp_path / "back"), "export",
                 "--out", str(third)]) == 0  # fmt: skip
    assert third.read_bytes() == first.read_bytes()
