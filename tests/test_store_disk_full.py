"""A full disk during a write: clear failure, files untouched, memory rolled back.

os.write is replaced by one that raises ENOSPC once a byte budget is spent;
the budgets put the failure in the first file of a commit, in the second one
(the audit trail), and right at the start.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from store.backends import open_wheel
from store.errors import WriteFailed
from store.service import GOAL
from tui.cli import main


class DiskFull:
    """os.write that accepts `budget` more bytes, then fails with ENOSPC."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.budget: int | None = None
        self._real = os.write
        monkeypatch.setattr(os, "write", self)

    def __call__(self, fd: int, data: Any) -> int:
        if self.budget is not None:
            if self.budget <= 0:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            data = bytes(data)[: self.budget]
            self.budget -= len(data)
        return self._real(fd, data)

    def refuses_each(
        self, budgets: Iterable[int], write: Callable[[], object], held: Callable[[], object]
    ) -> None:
        """`write` fails as the disk fills after each of `budgets` bytes,
        and `held()` (what the store holds) is then as it was before."""
        for budget in budgets:
            before = held()
            self.budget = budget
            with pytest.raises(WriteFailed, match="the disk is full"):
                write()
            self.budget = None
            assert held() == before, budget


@pytest.fixture
def disk(monkeypatch: pytest.MonkeyPatch) -> Iterator[DiskFull]:
    yield DiskFull(monkeypatch)


def _budgets(root: Path) -> list[int]:
    first = (root / "measurements-2026.json").stat().st_size
    return [0, first // 2, first + 10]


def test_cli_log_on_a_full_disk_fails_cleanly(
    seeded: Any, disk: DiskFull, store_bytes: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    store = ["--store", str(seeded.root)]
    assert main([*store, "log", str(seeded.indicator), "1", "--at", "2026-01-05"]) == 0
    capsys.readouterr()
    for budget in _budgets(seeded.root):
        before = store_bytes(seeded.root)
        disk.budget = budget
        code = main([*store, "log", str(seeded.indicator), "2", "--at", "2026-01-06"])
        out, err = capsys.readouterr()
        assert code == 1, budget
        assert "the disk is full" in err and "nothing was changed" in err
        assert str(seeded.root) in err
        assert "Traceback" not in err and out == ""
        assert store_bytes(seeded.root) == before  # no temp file left either
    disk.budget = None
    assert main([*store, "log", str(seeded.indicator), "3", "--at", "2026-01-07"]) == 0
    assert [v for _, v in open_wheel(seeded.root).series(seeded.indicator)] == [1.0, 3.0]


def test_a_failed_write_rolls_back_the_open_wheel(seeded: Any, disk: DiskFull) -> None:
    wheel = open_wheel(seeded.root, user="alice")
    wheel.log(seeded.indicator, 1, "2026-01-05")
    title = wheel.goal(seeded.goal).title
    for budget in _budgets(seeded.root):
        disk.budget = budget
        with pytest.raises(WriteFailed, match="the disk is full"):
            wheel.log(seeded.indicator, 2, "2026-01-06")
        with pytest.raises(WriteFailed):
            wheel.update(GOAL, seeded.goal, {"title": "Never saved"})
        disk.budget = None
        assert [v for _, v in wheel.series(seeded.indicator)] == [1.0]
        assert wheel.goal(seeded.goal).title == title
        assert len(wheel.history(100)) == 3
    # space freed: the next write goes through, with fresh ids
    second = wheel.log(seeded.indicator, 2, "2026-01-06")
    assert [v for _, v in wheel.series(seeded.indicator)] == [1.0, 2.0]
    assert [m.id for m in open_wheel(seeded.root).measurements(seeded.indicator)][-1] == second.id
