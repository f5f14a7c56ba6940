"""Several processes on one store: nothing lost, others' writes seen, edits conflict.

The writers are real processes (fork) released together by a barrier, so
their transactions really contend for the lock.
"""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path
from typing import Any

import orjson
import pytest

from store.backends import open_wheel
from store.errors import Conflict, StoreLocked
from store.service import GOAL

FORK = mp.get_context("fork")


def _logger(root: Path, indicator: int, count: int, barrier: Any, results: Any, n: int) -> None:
    try:
        wheel = open_wheel(root, user=f"writer{n}", lock_timeout=120)
        barrier.wait()
        ids = [wheel.log(indicator, i, "2026-03-01", note=f"{n}:{i}").id for i in range(count)]
        results.put(("ok", n, ids))
    except BaseException as exc:
        results.put(("error", n, repr(exc)))


def _run_loggers(root: Path, indicator: int, procs: int, count: int) -> dict[int, list[int]]:
    barrier = FORK.Barrier(procs)
    results = FORK.Queue()
    workers = [
        FORK.Process(target=_logger, args=(root, indicator, count, barrier, results, n))
        for n in range(procs)
    ]
    for worker in workers:
        worker.start()
    reported = [results.get(timeout=300) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    errors = [r for r in reported if r[0] != "ok"]
    assert not errors
    return {n: ids for _, n, ids in reported}


def _meta(path: Path) -> dict[str, Any]:
    meta: dict[str, Any] = orjson.loads(path.read_bytes())["meta"]["1"]
    return meta


def _check_all_there(root: Path, indicator: int, procs: int, count: int) -> None:
    reported = _run_loggers(root, indicator, procs, count)
    wheel = open_wheel(root, user="checker")
    stored = wheel.measurements(indicator)
    total = procs * count
    assert len(stored) == total
    assert len({m.id for m in stored}) == total
    assert {m.id for m in stored} == {i for ids in reported.values() for i in ids}
    assert {m.note for m in stored} == {f"{n}:{i}" for n in range(procs) for i in range(count)}
    # one write of the year file per log: no write was lost or merged
    assert _meta(root / "measurements-2026.json")["generation"] == total
    logged = [e for e in wheel.history(limit=10 * total) if e["table"] == "measurements"]
    assert len(logged) == total


def test_eight_processes_logging_at_once_lose_nothing(seeded: Any) -> None:
    _check_all_there(seeded.root, seeded.indicator, procs=8, count=50)


@pytest.mark.slow
def test_eight_processes_logging_many_at_once_lose_nothing(seeded: Any) -> None:
    _check_all_there(seeded.root, seeded.indicator, procs=8, count=250)


def _log_once(root: Path, indicator: int, day: str, value: float) -> None:
    worker = FORK.Process(
        target=lambda: open_wheel(root, user="bob").log(indicator, value, day, note="by bob")
    )
    worker.start()
    worker.join(timeout=60)
    assert worker.exitcode == 0


def test_long_lived_wheel_sees_another_process_write(seeded: Any) -> None:
    wheel = open_wheel(seeded.root, user="alice")
    wheel.log(seeded.indicator, 10, "2026-03-01")
    assert [v for _, v in wheel.series(seeded.indicator)] == [10.0]
    assert wheel.refresh() == []

    _log_once(seeded.root, seeded.indicator, "2026-03-02", 20)
    changes = wheel.refresh()
    assert "measurements-2026.json" in {c.file for c in changes}
    assert {c.writer.split("@")[0] for c in changes} == {"bob"}
    assert [v for _, v in wheel.series(seeded.indicator)] == [10.0, 20.0]
    assert wheel.refresh() == []

    # a year file another process created is a change too
    _log_once(seeded.root, seeded.indicator, "2025-06-01", 5)
    assert "measurements-2025.json" in {c.file for c in wheel.backend.store.refresh()}
    assert [v for _, v in wheel.series(seeded.indicator)] == [5.0, 10.0, 20.0]


def _retitle(root: Path, goal: int, seen: str, title: str, barrier: Any, results: Any) -> None:
    wheel = open_wheel(root, user=title)
    barrier.wait()
    try:
        wheel.update(GOAL, goal, {"title": title}, expected=seen)
        results.put(("saved", title))
    except Conflict as exc:
        results.put(("conflict", title if exc.theirs else ""))


def test_concurrent_edits_of_one_goal_conflict_instead_of_overwriting(seeded: Any) -> None:
    seen = open_wheel(seeded.root).goal(seeded.goal).stamp.updated_at
    barrier = FORK.Barrier(2)
    results = FORK.Queue()
    workers = [
        FORK.Process(target=_retitle, args=(seeded.root, seeded.goal, seen, t, barrier, results))
        for t in ("alice", "bob")
    ]
    for worker in workers:
        worker.start()
    outcomes = sorted(results.get(timeout=60) for _ in workers)
    for worker in workers:
        worker.join(timeout=60)
    assert [kind for kind, _ in outcomes] == ["conflict", "saved"]
    winner = outcomes[1][1]
    assert open_wheel(seeded.root).goal(seeded.goal).title == winner


def _hold_lock(root: Path, held: Any, release: Any) -> None:
    wheel = open_wheel(root, user="bob")
    with wheel.backend.store.transaction():
        held.set()
        release.wait(30)


def test_a_writer_waits_for_the_lock_then_says_the_store_is_busy(seeded: Any) -> None:
    held, release = FORK.Event(), FORK.Event()
    holder = FORK.Process(target=_hold_lock, args=(seeded.root, held, release))
    holder.start()
    try:
        assert held.wait(30)
        waiting = open_wheel(seeded.root, user="alice", lock_timeout=0.3)
        with pytest.raises(StoreLocked, match="busy"):
            waiting.log(seeded.indicator, 1, "2026-01-01")
    finally:
        release.set()
        holder.join(timeout=30)
    # once the holder is gone the same wheel writes
    assert waiting.log(seeded.indicator, 1, "2026-01-01").value == 1.0
