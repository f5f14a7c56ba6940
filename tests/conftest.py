"""Shared fixtures: a store folder seeded with one goal and one indicator."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from store.backends import open_wheel
from store.service import GOAL, INDICATOR


@dataclass(frozen=True)
class Seeded:
    root: Path
    goal: int
    indicator: int


def seed_store(root: Path, user: str = "alice") -> Seeded:
    wheel = open_wheel(root, user=user)
    goal = wheel.add(GOAL, {"title": "Shorter queues"})
    indicator = wheel.add(
        INDICATOR,
        {
            "goal_id": goal.id,
            "name": "Served per day",
            "baseline": "0",
            "target": "100",
            "start": "2025-01-01",
            "due": "2026-12-31",
        },
    )
    return Seeded(root, goal.id, indicator.id)


@pytest.fixture(autouse=True, scope="session")
def private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """styr's per-user cache (which files it checked) in a folder of the run's own."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture
def seeded(tmp_path: Path) -> Seeded:
    return seed_store(tmp_path / "store")


def _store_bytes(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


@pytest.fixture
def store_bytes() -> Callable[[Path], dict[str, bytes]]:
    """Every file under a store folder (but the lock) with its bytes."""
    return _store_bytes


def _server(starter: str) -> Iterator[Any]:
    """The server tests/pghelp.py's `starter` gives, or a skip saying why
    there is none."""
    try:
        import pghelp
    except ModuleNotFoundError as exc:
        pytest.skip(f"no psycopg for the PostgreSQL tests: {exc}")
    for found in getattr(pghelp, starter)():
        if isinstance(found, str):
            pytest.skip(found)
        yield found


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Any]:
    """A PostgreSQL server with the team's roles."""
    yield from _server("start_server")


@pytest.fixture
def own_pg_server() -> Iterator[Any]:
    """A PostgreSQL server of this test's own, to crash and restart (OwnServer)."""
    yield from _server("own_server")
