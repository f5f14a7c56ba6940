"""A big year file is not rewritten by each log: new measurements go to its
small recent file, which is merged into it in one commit at its limit.

The limits are lowered here (store.store.RECENT_FROM, store.folder.RECENT_MAX)
so that a store of a few measurements takes that path; the forked writers
inherit them.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
from test_store_append import _parsed_names
from test_store_concurrency import _run_loggers
from test_store_crash import _die_after_replaces, _grow, _kill_many
from test_store_disk_full import DiskFull

import store.folder
import store.store
from store.backends import open_wheel
from store.storage import parse
from store.store import MEASUREMENT_ID_SPAN, PENDING
from tui.cli import main

FORK = mp.get_context("fork")
YEAR = "measurements-2026.json"
RECENT = "measurements-2026-recent.json"


@pytest.fixture
def disk(monkeypatch: pytest.MonkeyPatch) -> DiskFull:
    return DiskFull(monkeypatch)


@pytest.fixture
def small_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every year file counts as big; a recent file is merged at 3."""
    monkeypatch.setattr(store.store, "RECENT_FROM", 0)
    monkeypatch.setattr(store.folder, "RECENT_MAX", 3)


def _where(root: Path) -> dict[int, list[str]]:
    """Each measurement id with the files holding it, read straight from disk."""
    found: dict[int, list[str]] = {}
    for path in sorted(root.glob("measurements-*.json")):
        for key in parse(path, path.read_bytes())["measurements"]:
            found.setdefault(int(key), []).append(path.name)
    return found


def _log(root: Path, indicator: int, value: float, day: str = "2026-02-01") -> int:
    return open_wheel(root, user="alice").log(indicator, value, day).id


def log_killed_after_replaces(root: Path, indicator: int, value: float, replaced: int) -> None:
    """A log in a forked process killed (-9) once its commit renamed
    `replaced` files into place: past the marker, before the end."""

    def log_then_die(die: Any) -> None:
        die()
        _log(root, indicator, value)

    worker = FORK.Process(target=log_then_die, args=(_die_after_replaces(replaced),))
    worker.start()
    worker.join(timeout=60)
    assert worker.exitcode == -9
    assert (root / PENDING).exists()


def test_logs_into_a_big_year_leave_its_file_alone(seeded: Any, small_limits: None) -> None:
    first = _log(seeded.root, seeded.indicator, 0)
    before = (seeded.root / YEAR).stat()
    ids = [_log(seeded.root, seeded.indicator, n) for n in (1, 2)]
    after = (seeded.root / YEAR).stat()
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (
        before.st_ino,
        before.st_size,
        before.st_mtime_ns,
    )
    assert _where(seeded.root) == {first: [YEAR], ids[0]: [RECENT], ids[1]: [RECENT]}
    # the recent file carries on the year's counter: ids stay unique and of 2026
    assert ids == [first + 1, first + 2]
    assert {i // MEASUREMENT_ID_SPAN for i in ids} == {2026}
    wheel = open_wheel(seeded.root)
    assert [v for _, v in wheel.series(seeded.indicator)] == [0, 1, 2]
    logged = [e["id"] for e in wheel.history(10) if e["table"] == "measurements"]
    assert logged == [*reversed(ids), first]


def test_the_recent_file_is_merged_into_the_year_at_its_limit(
    seeded: Any, small_limits: None
) -> None:
    ids = [_log(seeded.root, seeded.indicator, n) for n in range(8)]
    where = _where(seeded.root)
    assert sorted(where) == ids
    assert all(len(files) == 1 for files in where.values())
    # 1 into the year file, 3 merged, 3 merged, 1 waiting
    assert [where[i] for i in ids].count([RECENT]) == 1
    year = orjson.loads((seeded.root / YEAR).read_bytes())["meta"]["1"]
    # the year file takes over the counter with the measurements merged
    assert year["next_id"]["measurements"] == ids[-2] % MEASUREMENT_ID_SPAN + 1
    assert [v for _, v in open_wheel(seeded.root).series(seeded.indicator)] == list(range(8))
    assert ids[-1] + 1 == _log(seeded.root, seeded.indicator, 8)


def test_a_measurement_in_the_recent_file_is_edited_moved_and_deleted(
    seeded: Any, small_limits: None
) -> None:
    _log(seeded.root, seeded.indicator, 0)
    edited = _log(seeded.root, seeded.indicator, 1)
    moved = _log(seeded.root, seeded.indicator, 2)
    wheel = open_wheel(seeded.root, user="alice")
    wheel.update_measurement(edited, {"value": "10"})
    wheel.update_measurement(moved, {"date": "2025-06-01"})
    assert _where(seeded.root)[edited] == [RECENT]
    assert _where(seeded.root)[moved] == ["measurements-2025.json"]
    wheel.delete_measurement(edited)
    assert edited not in _where(seeded.root)
    wheel.undo()
    assert _where(seeded.root)[edited] == [RECENT]
    assert sorted(v for _, v in open_wheel(seeded.root).series(seeded.indicator)) == [0, 2, 10]


def test_a_recent_file_counts_on_from_its_own_years_ids(
    seeded: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A measurement moved into another year keeps its id: the recent file
    of that year starts past the highest id of its year, not that one."""
    moved = _log(seeded.root, seeded.indicator, 0, "2026-03-01")
    open_wheel(seeded.root, user="alice").update_measurement(moved, {"date": "2025-04-01"})
    monkeypatch.setattr(store.store, "RECENT_FROM", 0)
    ids = [_log(seeded.root, seeded.indicator, n, f"{y}-05-01") for n, y in ((1, 2025), (2, 2026))]
    assert [i // MEASUREMENT_ID_SPAN for i in ids] == [2025, 2026]
    assert len({moved, *ids}) == 3
    where = _where(seeded.root)
    assert all(len(files) == 1 for files in where.values())


def test_undoing_a_log_in_the_recent_file_leaves_the_big_year_unread(
    seeded: Any, small_limits: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On the 10x store the year file is 88 MB: an undo looked there first
    (1.8-5 s, 1.9 GB) for a log that is in the small recent file."""
    _log(seeded.root, seeded.indicator, 0)
    _log(seeded.root, seeded.indicator, 1)
    parsed = _parsed_names(monkeypatch)
    open_wheel(seeded.root, user="alice").undo()
    assert YEAR not in parsed
    assert [v for _, v in open_wheel(seeded.root).series(seeded.indicator)] == [0]


def test_a_daily_backup_holds_the_recent_file(seeded: Any, small_limits: None) -> None:
    _log(seeded.root, seeded.indicator, 0)
    _log(seeded.root, seeded.indicator, 1)
    shutil.rmtree(seeded.root / "backups")
    _log(seeded.root, seeded.indicator, 2)
    (daily,) = (seeded.root / "backups").iterdir()
    # linked before this log, which then renamed a new recent file into place
    assert len(parse(daily / RECENT, (daily / RECENT).read_bytes())["measurements"]) == 1
    assert (
        len(parse(seeded.root / RECENT, (seeded.root / RECENT).read_bytes())["measurements"]) == 2
    )


@pytest.mark.parametrize("replaced", [1, 2])
def test_a_kill_in_the_middle_of_a_merge_leaves_every_measurement_once(
    seeded: Any, small_limits: None, replaced: int
) -> None:
    ids = [_log(seeded.root, seeded.indicator, n) for n in range(3)]
    log_killed_after_replaces(seeded.root, seeded.indicator, 3, replaced)
    reopened = open_wheel(seeded.root)
    where = _where(seeded.root)
    assert all(len(files) == 1 for files in where.values())
    assert set(ids) < set(where) and len(where) == 4
    assert [v for _, v in reopened.series(seeded.indicator)] == [0, 1, 2, 3]
    assert not (seeded.root / PENDING).exists()


def test_killed_writers_lose_nothing_across_merges(seeded: Any, small_limits: None) -> None:
    _grow(seeded.root, seeded.indicator, 200)
    _kill_many(seeded.root, seeded.indicator, rounds=3, max_delay=0.15)
    assert all(len(files) == 1 for files in _where(seeded.root).values())


@pytest.mark.slow
def test_many_kills_across_merges(seeded: Any, small_limits: None) -> None:
    _grow(seeded.root, seeded.indicator, 2_000)
    _kill_many(seeded.root, seeded.indicator, rounds=24, max_delay=0.2)
    assert all(len(files) == 1 for files in _where(seeded.root).values())


def test_eight_writers_at_once_keep_every_measurement(seeded: Any, small_limits: None) -> None:
    _log(seeded.root, seeded.indicator, -1)
    reported = _run_loggers(seeded.root, seeded.indicator, 8, 6)
    where = _where(seeded.root)
    assert all(len(files) == 1 for files in where.values())
    assert {i for ids in reported.values() for i in ids} < set(where)
    assert len(where) == 8 * 6 + 1
    assert len(open_wheel(seeded.root).series(seeded.indicator)) == 8 * 6 + 1


def test_a_recent_file_that_is_a_symlink_is_refused(
    seeded: Any, small_limits: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _log(seeded.root, seeded.indicator, 0)
    victim = tmp_path / "victim"
    victim.write_text("mine\n")
    (seeded.root / RECENT).symlink_to(victim)
    for command in (["status"], ["log", str(seeded.indicator), "5"]):
        assert main(["--store", str(seeded.root), *command]) == 1
        err = capsys.readouterr().err
        assert f"{RECENT} is a symbolic link" in err and "Traceback" not in err
    assert victim.read_text() == "mine\n"


def test_a_recent_file_that_is_a_fifo_hangs_nothing(seeded: Any) -> None:
    os.mkfifo(seeded.root / RECENT)
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--store", str(seeded.root), "status"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 1
    assert f"{RECENT} is a named pipe (FIFO)" in done.stderr


def test_a_measurement_in_both_files_is_refused_and_left_alone(
    seeded: Any, small_limits: None, capsys: pytest.CaptureFixture[str]
) -> None:
    _log(seeded.root, seeded.indicator, 0)
    twin = _log(seeded.root, seeded.indicator, 1)
    _log(seeded.root, seeded.indicator, 2)
    year = orjson.loads((seeded.root / YEAR).read_bytes())
    recent = orjson.loads((seeded.root / RECENT).read_bytes())
    year["measurements"][str(twin)] = recent["measurements"][str(twin)]
    year["meta"]["1"]["counts"]["measurements"] += 1
    (seeded.root / YEAR).write_bytes(orjson.dumps(year))
    before = {p.name: p.read_bytes() for p in seeded.root.glob("*.json")}
    # a read, and a log that fills the recent file so that it would be merged
    for command in (["status"], ["log", str(seeded.indicator), "5"]):
        assert main(["--store", str(seeded.root), *command]) == 1, command
        err = capsys.readouterr().err
        assert f"measurement {twin} is in both {YEAR} and {RECENT}" in err
        assert "Traceback" not in err
    assert {p.name: p.read_bytes() for p in seeded.root.glob("*.json")} == before


def test_a_full_disk_during_a_merge_changes_nothing(
    seeded: Any, small_limits: None, disk: DiskFull, store_bytes: Any
) -> None:
    for n in range(3):
        _log(seeded.root, seeded.indicator, n)
    year = (seeded.root / YEAR).stat().st_size
    # the merge writes the year file, the emptied recent file, the audit trail
    disk.refuses_each(
        (0, year // 2, year + 10, year + 400),
        lambda: _log(seeded.root, seeded.indicator, 9),
        lambda: store_bytes(seeded.root),
    )
    _log(seeded.root, seeded.indicator, 3)
    assert [v for _, v in open_wheel(seeded.root).series(seeded.indicator)] == [0, 1, 2, 3]
    # the last log did the merge
    assert set(map(tuple, _where(seeded.root).values())) == {(YEAR,)}
