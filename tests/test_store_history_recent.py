"""Late in a busy month its history file is megabytes: a change's history
entries then go to the month's small recent file, merged into it in one
commit at its limit, so a log costs the same on the 1st and the 30th.

The limits are lowered here (store.store.HISTORY_RECENT_FROM and
HISTORY_RECENT_MAX) so that a store of a few changes takes that path; the
forked writers inherit them.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from test_store_concurrency import _run_loggers
from test_store_crash import _grow, _kill_many
from test_store_disk_full import DiskFull
from test_store_recent import log_killed_after_replaces

import store.store
from store.backends import open_wheel
from store.storage import parse
from store.store import PENDING
from tui.cli import main

MONTH = datetime.now(UTC).strftime("history-%Y-%m.json")
RECENT = MONTH.removesuffix(".json") + "-recent.json"


@pytest.fixture
def small_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every month file counts as big; a recent file is merged at 3 entries."""
    monkeypatch.setattr(store.store, "HISTORY_RECENT_FROM", 0)
    monkeypatch.setattr(store.store, "HISTORY_RECENT_MAX", 3)


def _entries(root: Path) -> dict[str, dict[int, Any]]:
    """Each history file of this month with its entries by id, from disk."""
    found: dict[str, dict[int, Any]] = {}
    for name in (MONTH, RECENT):
        path = root / name
        if path.exists():
            rows = parse(path, path.read_bytes()).get("history", {})
            found[name] = {int(key): entry for key, entry in rows.items()}
    return found


def _logged(root: Path) -> list[int]:
    """The measurement ids the audit trail holds, in id order of the month."""
    rows = {k: e for entries in _entries(root).values() for k, e in entries.items()}
    return [rows[k]["id"] for k in sorted(rows) if rows[k]["table"] == "measurements"]


def _log(root: Path, indicator: int, value: float) -> int:
    return open_wheel(root, user="alice").log(indicator, value, "2026-02-01").id


def test_changes_late_in_a_busy_month_leave_its_history_file_alone(
    seeded: Any, small_limits: None
) -> None:
    before = (seeded.root / MONTH).stat()
    seeded_entries = set(_entries(seeded.root)[MONTH])
    ids = [_log(seeded.root, seeded.indicator, n) for n in (1, 2)]
    after = (seeded.root / MONTH).stat()
    assert (after.st_ino, after.st_size) == (before.st_ino, before.st_size)
    entries = _entries(seeded.root)
    # the recent file carries on the month's counter: entry ids stay unique
    assert set(entries[MONTH]) == seeded_entries
    assert sorted(entries[RECENT]) == [max(seeded_entries) + 1, max(seeded_entries) + 2]
    assert [e["id"] for e in entries[RECENT].values()] == ids
    wheel = open_wheel(seeded.root, user="alice")
    newest = [e["id"] for e in wheel.history(3)]
    assert newest[:2] == [ids[1], ids[0]]
    # undo finds the last change in the recent file
    wheel.undo()
    assert [v for _, v in open_wheel(seeded.root).series(seeded.indicator)] == [1]


def test_the_recent_history_is_merged_into_the_months_file_at_its_limit(
    seeded: Any, small_limits: None
) -> None:
    ids = [_log(seeded.root, seeded.indicator, n) for n in range(8)]
    entries = _entries(seeded.root)
    assert not set(entries[MONTH]) & set(entries[RECENT])
    # 3 merged, 3 merged, 2 waiting; every log audited once, in order
    assert len(entries[RECENT]) == 2
    assert _logged(seeded.root) == ids
    month = orjson.loads((seeded.root / MONTH).read_bytes())["meta"]["1"]
    # the month file takes over the counter with the entries merged
    assert month["next_id"]["history"] == max(entries[MONTH]) + 1
    assert [e["id"] for e in open_wheel(seeded.root).history(8)] == list(reversed(ids))
    # the ninth fills the recent file again: merged, after the others
    _log(seeded.root, seeded.indicator, 8)
    now = _entries(seeded.root)
    assert now[RECENT] == {}
    merged = sorted([*entries[MONTH], *entries[RECENT]])
    assert sorted(now[MONTH]) == [*merged, merged[-1] + 1]


def test_a_daily_backup_holds_the_recent_history(seeded: Any, small_limits: None) -> None:
    _log(seeded.root, seeded.indicator, 0)
    shutil.rmtree(seeded.root / "backups")
    _log(seeded.root, seeded.indicator, 1)
    (daily,) = (seeded.root / "backups").iterdir()
    assert len(parse(daily / RECENT, (daily / RECENT).read_bytes())["history"]) == 1


@pytest.mark.parametrize("replaced", [1, 2])
def test_a_kill_in_the_middle_of_a_history_merge_leaves_every_entry_once(
    seeded: Any, small_limits: None, replaced: int
) -> None:
    ids = [_log(seeded.root, seeded.indicator, n) for n in range(2)]
    log_killed_after_replaces(seeded.root, seeded.indicator, 2, replaced)
    reopened = open_wheel(seeded.root)
    assert not (seeded.root / PENDING).exists()
    entries = _entries(seeded.root)
    assert not set(entries[MONTH]) & set(entries.get(RECENT, {}))
    logged = _logged(seeded.root)
    assert logged[:2] == ids and len(logged) == 3
    assert [v for _, v in reopened.series(seeded.indicator)] == [0, 1, 2]


def test_killed_writers_lose_no_history_across_merges(seeded: Any, small_limits: None) -> None:
    _grow(seeded.root, seeded.indicator, 200)
    _kill_many(seeded.root, seeded.indicator, rounds=3, max_delay=0.15)
    entries = _entries(seeded.root)
    assert not set(entries[MONTH]) & set(entries.get(RECENT, {}))


def test_eight_writers_at_once_keep_every_history_entry(seeded: Any, small_limits: None) -> None:
    reported = _run_loggers(seeded.root, seeded.indicator, 8, 6)
    logged = _logged(seeded.root)
    assert len(logged) == len(set(logged)) == 8 * 6
    assert {i for ids in reported.values() for i in ids} <= set(logged)


def test_a_recent_history_file_that_is_a_symlink_is_refused(
    seeded: Any, small_limits: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _log(seeded.root, seeded.indicator, 0)
    victim = tmp_path / "victim"
    victim.write_text("mine\n")
    (seeded.root / RECENT).unlink()
    (seeded.root / RECENT).symlink_to(victim)
    for command in (["status"], ["log", str(seeded.indicator), "5"]):
        assert main(["--store", str(seeded.root), *command]) == 1
        err = capsys.readouterr().err
        assert f"{RECENT} is a symbolic link" in err and "Traceback" not in err
    assert victim.read_text() == "mine\n"


def _twin_in_month(root: Path, change: Callable[[dict[str, Any]], None]) -> str:
    """Copy the recent file's first entry into the month file (its id too),
    changed by `change`; its id."""
    month = orjson.loads((root / MONTH).read_bytes())
    recent = orjson.loads((root / RECENT).read_bytes())
    twin = next(iter(recent["history"]))
    entry = dict(recent["history"][twin])
    change(entry)
    month["history"][twin] = entry
    month["meta"]["1"]["counts"]["history"] += 1
    (root / MONTH).write_bytes(orjson.dumps(month))
    return twin


def test_a_history_entry_in_both_files_not_the_same_is_kept_under_a_new_id(
    seeded: Any, small_limits: None
) -> None:
    _log(seeded.root, seeded.indicator, 0)
    _log(seeded.root, seeded.indicator, 1)
    recent = _entries(seeded.root)[RECENT]
    twin = int(_twin_in_month(seeded.root, lambda entry: entry.update(by="mallory")))
    # the log fills the recent file, so that it is merged
    _log(seeded.root, seeded.indicator, 2)
    month = _entries(seeded.root)[MONTH]
    assert month[twin]["by"] == "mallory"
    assert month[max(month)] == recent[twin]
    assert all(entry in month.values() for entry in recent.values())
    assert len(month) == len(set(map(str, month.values())))


def test_a_merge_cut_short_that_a_styr_of_schema_2_finished_loses_and_repeats_nothing(
    seeded: Any, small_limits: None
) -> None:
    """It renames the month file but not the recent one, which it does not
    know, and drops the marker: the recent file holds the merged entries
    again, and its counter is behind the month's."""
    ids = [_log(seeded.root, seeded.indicator, n) for n in range(2)]
    log_killed_after_replaces(seeded.root, seeded.indicator, 2, 2)
    moves = orjson.loads((seeded.root / PENDING).read_bytes())
    for temp, target in moves:
        if (seeded.root / temp).exists():  # the renames the kill cut short
            if target == RECENT:
                (seeded.root / temp).unlink()
            else:
                (seeded.root / temp).replace(seeded.root / target)
    (seeded.root / PENDING).unlink()
    wheel = open_wheel(seeded.root, user="alice")
    ids.append(_logged(seeded.root)[-1])  # the killed log's, committed
    # newest first, each once: the undo takes the last log
    assert [e["id"] for e in wheel.history(3)] == list(reversed(ids))
    wheel.undo()
    assert [v for _, v in open_wheel(seeded.root).series(seeded.indicator)] == [0, 1]
    more = [_log(seeded.root, seeded.indicator, n) for n in (3, 4, 5)]
    logged = _logged(seeded.root)
    assert logged[: len(ids)] == ids and logged[-3:] == more
    assert [e["id"] for e in open_wheel(seeded.root).history(4)][:3] == list(reversed(more))


def test_an_entry_in_both_files_alike_is_merged_once(seeded: Any, small_limits: None) -> None:
    """As a styr of schema 2 leaves a merge cut short that it finished: the
    month file renamed into place, the recent file (unknown to it) not."""
    ids = [_log(seeded.root, seeded.indicator, n) for n in range(2)]
    _twin_in_month(seeded.root, lambda entry: None)
    ids.append(_log(seeded.root, seeded.indicator, 2))
    entries = _entries(seeded.root)
    assert entries[RECENT] == {}
    assert _logged(seeded.root) == ids


def test_a_recent_history_file_without_its_months_file_is_merged_into_a_new_one(
    seeded: Any, small_limits: None
) -> None:
    ids = [_log(seeded.root, seeded.indicator, n) for n in range(2)]
    (seeded.root / MONTH).unlink()
    ids.append(_log(seeded.root, seeded.indicator, 2))
    assert _logged(seeded.root) == ids
    assert _entries(seeded.root)[RECENT] == {}


def test_a_months_counter_behind_its_entries_issues_no_id_twice(
    seeded: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hand edit left the month's counter behind, at a gap: the recent
    file that starts then counts on from the highest entry, not the counter."""
    for n in range(3):
        _log(seeded.root, seeded.indicator, n)
    month = orjson.loads((seeded.root / MONTH).read_bytes())
    highest = max(map(int, month["history"]))
    del month["history"][str(highest - 1)]
    month["meta"]["1"]["next_id"]["history"] = highest - 1
    month["meta"]["1"]["counts"]["history"] -= 1
    (seeded.root / MONTH).write_bytes(orjson.dumps(month))
    monkeypatch.setattr(store.store, "HISTORY_RECENT_FROM", 0)
    monkeypatch.setattr(store.store, "HISTORY_RECENT_MAX", 3)
    # none refused: a merge meets no entry of its id in the month file
    new = [_log(seeded.root, seeded.indicator, 10 + n) for n in range(4)]
    assert _logged(seeded.root)[-4:] == new
    entries = _entries(seeded.root)
    kept = [k for rows in entries.values() for k in rows]
    assert len(kept) == len(set(kept))
    assert min(entries[RECENT]) > highest


def test_a_full_disk_during_a_history_merge_changes_nothing(
    seeded: Any, small_limits: None, monkeypatch: pytest.MonkeyPatch, store_bytes: Any
) -> None:
    disk = DiskFull(monkeypatch)
    for n in range(2):
        _log(seeded.root, seeded.indicator, n)
    month = (seeded.root / MONTH).stat().st_size
    disk.refuses_each(
        (0, month // 2, month + 10, month + 400),
        lambda: _log(seeded.root, seeded.indicator, 9),
        lambda: store_bytes(seeded.root),
    )
    _log(seeded.root, seeded.indicator, 2)
    # the last log did the merge
    assert len(_entries(seeded.root)[RECENT]) == 0
    assert len(_logged(seeded.root)) == 3
