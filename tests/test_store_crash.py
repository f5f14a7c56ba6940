"""A writer killed with SIGKILL never costs committed data or leaves a torn file.

The writer (a forked process) logs measurements in a loop into a store of a
few MB and reports each id through a pipe only after `log` returned, i.e.
after the commit. The parent kills it at a random moment; then every file
must parse, every reported id must be there, at most the one write in flight
may be there beyond them, and each measurement must have its audit entry
(a commit spans two files). Opening the store cleans temp files and finishes
an interrupted multi-file commit.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import random
import select
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from store.backends import open_wheel
from store.storage import parse
from store.store import PENDING

FORK = mp.get_context("fork")


def _grow(root: Path, indicator: int, rows: int) -> None:
    """Make the year files a few MB, so that writing them takes a while."""
    padding = (
        {"indicator_id": indicator, "date": f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}",
         "value": n, "note": "padding " * 8}
        for n in range(rows)
    )  # fmt: skip
    # dates all over 2026, some after today: the padding is not about dates
    open_wheel(root, user="seed").log_many(padding, confirm_future=True)


def _writer(root: Path, indicator: int, fd: int) -> None:
    wheel = open_wheel(root, user="writer")
    n = 0
    while True:
        n += 1
        measurement = wheel.log(indicator, n, "2026-05-01", note="crash test")
        os.write(fd, b"%d\n" % measurement.id)


def _stored_ids(root: Path) -> tuple[set[int], set[int]]:
    """Measurement ids and ids with a history entry, parsing every file
    directly (not through the store, which would repair first)."""
    measured: set[int] = set()
    audited: set[int] = set()
    for path in sorted(root.glob("*.json")):
        data = parse(path, path.read_bytes())  # raises if a file is torn
        measured |= {int(k) for k in data.get("measurements", {})}
        audited |= {
            e["id"] for e in data.get("history", {}).values() if e["table"] == "measurements"
        }
    return measured, audited


def _kill_round(root: Path, indicator: int, rng: random.Random, max_delay: float) -> set[int]:
    read_end, write_end = os.pipe()
    worker = FORK.Process(target=_writer, args=(root, indicator, write_end))
    worker.start()
    os.close(write_end)
    ready, _, _ = select.select([read_end], [], [], 60)
    assert ready, "the writer never committed"
    time.sleep(rng.uniform(0, max_delay))
    assert worker.pid is not None
    os.kill(worker.pid, signal.SIGKILL)
    worker.join(timeout=30)
    assert worker.exitcode == -signal.SIGKILL
    reported = b""
    while chunk := os.read(read_end, 65536):
        reported += chunk
    os.close(read_end)
    return {int(line) for line in reported.split()}


def _kill_many(root: Path, indicator: int, rounds: int, max_delay: float) -> int:
    rng = random.Random(rounds)
    committed, _ = _stored_ids(root)
    interrupted = 0
    for _ in range(rounds):
        reported = _kill_round(root, indicator, rng, max_delay)
        assert reported
        leftovers = list(root.glob(".*.tmp")) + list(root.glob(PENDING))
        interrupted += bool(leftovers)
        on_disk, _ = _stored_ids(root)
        assert reported <= on_disk
        open_wheel(root, user="checker")  # cleans up
        assert not list(root.glob(".*.tmp")) and not (root / PENDING).exists()
        after, audited = _stored_ids(root)
        assert committed | reported <= after
        assert len(after - committed - reported) <= 1  # the write in flight
        assert after <= audited  # data and its audit entry went in together
        committed = after
    return interrupted


def test_killed_writer_loses_nothing_committed(seeded: Any) -> None:
    _grow(seeded.root, seeded.indicator, 2_000)
    _kill_many(seeded.root, seeded.indicator, rounds=4, max_delay=0.15)


@pytest.mark.slow
def test_many_kills_mid_write_of_a_large_store(seeded: Any) -> None:
    _grow(seeded.root, seeded.indicator, 20_000)
    assert (seeded.root / "measurements-2026.json").stat().st_size > 4_000_000
    interrupted = _kill_many(seeded.root, seeded.indicator, rounds=24, max_delay=0.4)
    # the kills did land inside writes, not only between them
    assert interrupted >= 3


def _move_then_die(root: Path, measurement: int, die: Callable[[], None]) -> None:
    die()
    open_wheel(root, user="mover").update_measurement(measurement, {"date": "2025-06-01"})


def _run_dying(root: Path, measurement: int, die: Callable[[], None]) -> None:
    worker = FORK.Process(target=_move_then_die, args=(root, measurement, die))
    worker.start()
    worker.join(timeout=60)
    assert worker.exitcode == -signal.SIGKILL


def _die_after_replaces(count: int) -> Callable[[], None]:
    def install() -> None:
        real = os.replace
        done = []

        def replace(src: Any, dst: Any) -> None:
            real(src, dst)
            done.append(dst)
            if len(done) == count:
                os.kill(os.getpid(), signal.SIGKILL)

        os.replace = replace  # type: ignore[assignment]

    return install


def _die_before_marker() -> None:
    import store.store

    def atomic_write(path: Path, *args: Any) -> None:
        assert path.name == PENDING
        os.kill(os.getpid(), signal.SIGKILL)

    store.store.atomic_write = atomic_write  # type: ignore[assignment]


def _copies(root: Path, measurement: int) -> dict[str, dict[str, Any]]:
    found = {}
    for path in root.glob("measurements-*.json"):
        doc = parse(path, path.read_bytes())["measurements"].get(str(measurement))
        if doc is not None:
            found[path.name] = doc
    return found


@pytest.mark.parametrize("replaced", [1, 2])
def test_kill_between_the_renames_of_a_move_leaves_one_copy(seeded: Any, replaced: int) -> None:
    wheel = open_wheel(seeded.root, user="alice")
    wheel.log(seeded.indicator, 1, "2025-03-01")  # the move's target file exists
    moved = wheel.log(seeded.indicator, 2, "2026-03-01").id
    _run_dying(seeded.root, moved, _die_after_replaces(replaced))
    assert (seeded.root / PENDING).exists()

    reopened = open_wheel(seeded.root, user="alice")
    copies = _copies(seeded.root, moved)
    assert list(copies) == ["measurements-2025.json"]
    assert copies["measurements-2025.json"]["date"] == "2025-06-01"
    assert reopened.measurement(moved).date.isoformat() == "2025-06-01"
    assert [v for _, v in reopened.series(seeded.indicator)] == [1.0, 2.0]
    assert not (seeded.root / PENDING).exists()
    assert not list(seeded.root.glob(".*.tmp"))
    assert reopened.history(1)[0]["id"] == moved  # its audit entry went in with it


def test_kill_before_the_marker_leaves_the_old_state(seeded: Any, store_bytes: Any) -> None:
    wheel = open_wheel(seeded.root, user="alice")
    wheel.log(seeded.indicator, 1, "2025-03-01")
    moved = wheel.log(seeded.indicator, 2, "2026-03-01").id
    before = store_bytes(seeded.root)
    _run_dying(seeded.root, moved, _die_before_marker)
    assert list(seeded.root.glob(".*.tmp"))  # the temp files were written

    open_wheel(seeded.root, user="alice")
    assert store_bytes(seeded.root) == before
    assert list(_copies(seeded.root, moved)) == ["measurements-2026.json"]


def test_a_long_lived_writer_finishes_a_crashed_commit_before_its_own(seeded: Any) -> None:
    tui = open_wheel(seeded.root, user="alice")  # open before the crash
    first = tui.log(seeded.indicator, 1, "2025-03-01").id
    moved = tui.log(seeded.indicator, 2, "2026-03-01").id
    _run_dying(seeded.root, moved, _die_after_replaces(1))
    assert (seeded.root / PENDING).exists()

    mine = tui.log(seeded.indicator, 3, "2026-04-01").id
    assert not (seeded.root / PENDING).exists()
    reopened = open_wheel(seeded.root)
    assert [m.id for m in reopened.measurements(seeded.indicator)] == [first, moved, mine]
    assert list(_copies(seeded.root, moved)) == ["measurements-2025.json"]
    assert sorted(v for _, v in reopened.series(seeded.indicator)) == [1.0, 2.0, 3.0]


def test_a_marker_from_an_older_styr_gets_the_consistency_pass(seeded: Any) -> None:
    wheel = open_wheel(seeded.root, user="alice")
    kept = wheel.log(seeded.indicator, 1, "2026-03-01").id
    # a move written in place by an older styr, cut short: a copy in each year
    data = orjson.loads((seeded.root / "measurements-2026.json").read_bytes())
    doc = data["measurements"][str(kept)]
    other = open_wheel(seeded.root, user="alice")
    other.log(seeded.indicator, 9, "2025-01-01")
    year_2025 = seeded.root / "measurements-2025.json"
    old = orjson.loads(year_2025.read_bytes())
    # the half a move to 2026 left behind: older than the copy it became
    old["measurements"][str(kept)] = doc | {"date": "2025-03-01", "updated_at": "2020-01-01"}
    old["meta"]["1"]["counts"]["measurements"] += 1
    year_2025.write_bytes(orjson.dumps(old))
    (seeded.root / PENDING).write_bytes(orjson.dumps(["measurements-2026.json"]))

    reopened = open_wheel(seeded.root)
    assert list(_copies(seeded.root, kept)) == ["measurements-2026.json"]
    assert sorted(v for _, v in reopened.series(seeded.indicator)) == [1.0, 9.0]
    assert not (seeded.root / PENDING).exists()
