"""Write a reproducible large store for the benchmarks, fast.

    python tests/bench/make_store.py OUTDIR [--seed N] [--scale N]

500 goals in a cascade (org -> units -> teams -> people), 2,000 indicators
(mixed directions, aggregations, cadences and chain levels), 200,000
measurements over the five years ending this year, and an audit trail (one
file per month) with an entry per document as if all had been entered
through styr. The
files are built directly in the store's on-disk format (the same meta shape
FileStorage writes), then opened with Wheel.open to prove they are a store.
--scale N makes N times the measurements (and their audit entries) over the
same wheel: --scale 10 is the 2,000,000-measurement store. The files are
written as they are complete, so a big scale needs memory for one year only.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from store import documents as d
from store.backends import open_wheel
from store.storage import META, SCHEMA_VERSION
from store.store import HISTORY, MEASUREMENT_ID_SPAN, MEASUREMENTS, WHEEL, WHEEL_TABLES

GOALS = 500
INDICATORS = 2_000
MEASUREMENTS_TOTAL = 200_000
YEARS = 5
USERS = ("alice", "bob", "chen", "dagny", "erik", "fatima")
WRITER = "bench@make-store"


def meta(tables: dict[str, dict[str, Any]], next_ids: dict[str, int], when: str) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "generation": 1,
        "writer": WRITER,
        "written_at": when,
        "next_id": next_ids,
        "counts": {name: len(docs) for name, docs in tables.items()},
    }


def stamp(at: datetime, user: str) -> dict[str, str]:
    iso = at.isoformat(timespec="microseconds")
    return {"created_at": iso, "updated_at": iso, "updated_by": user}


def build(rng: random.Random, end: date, scale: int = 1) -> Iterator[tuple[str, dict[str, Any]]]:
    """(file name, file data), each file once it is complete."""
    total = MEASUREMENTS_TOTAL * scale
    now = datetime.now(UTC).isoformat(timespec="microseconds")
    first = date(end.year - YEARS + 1, 1, 1)
    span_days = (end - first).days
    created = datetime(first.year, 1, 2, 9, tzinfo=UTC)
    history: dict[tuple[int, int], list[dict[str, Any]]] = {}

    def trail(at: datetime, table: str, doc_id: int, doc: dict[str, Any], user: str) -> None:
        history.setdefault((at.year, at.month), []).append(
            {
                "change": f"{rng.getrandbits(48):012x}",
                "at": at.isoformat(timespec="microseconds"),
                "by": user,
                "table": table,
                "id": doc_id,
                "before": None,
                "after": doc,
                "undo_of": None,
            }
        )

    goals: dict[str, dict[str, Any]] = {}
    parents: list[int] = []
    for goal_id in range(1, GOALS + 1):
        if goal_id == 1:
            parent = None
        elif goal_id <= 11:
            parent = 1
        elif goal_id <= 61:
            parent = rng.randint(2, 11)
        else:
            parent = rng.randint(12, 61)
        parents.append(goal_id)
        user = rng.choice(USERS)
        doc = d.validate_goal(
            {
                "title": f"Goal {goal_id}: {rng.choice(['Grow', 'Cut', 'Keep', 'Ship'])} "
                f"{rng.choice(['revenue', 'churn', 'lead time', 'quality', 'costs'])}",
                "parent_id": parent,
                "owner": user,
                "unit": f"unit-{(goal_id % 10) + 1}",
                "start": first.isoformat(),
                "due": date(end.year, 12, 31).isoformat(),
                "state": rng.choice(["agreed", "active", "active", "proposed"]),
                "tags": rng.choice(["", "okr", "okr finance", "ops"]),
            }
        ) | stamp(created, user)
        goals[str(goal_id)] = doc
        trail(created, "goals", goal_id, doc, user)

    indicators: dict[str, dict[str, Any]] = {}
    for ind_id in range(1, INDICATORS + 1):
        direction = rng.choice(d.DIRECTIONS)
        baseline = float(rng.randint(0, 100))
        target = baseline + rng.randint(10, 100) * (-1 if direction == "decrease" else 1)
        user = rng.choice(USERS)
        doc = d.validate_indicator(
            {
                "goal_id": rng.randint(1, GOALS),
                "name": f"Indicator {ind_id}",
                "unit": rng.choice(["", "%", "NOK", "h", "count"]),
                "baseline": baseline,
                "target": target,
                "start": first.isoformat(),
                "due": date(end.year, 12, 31).isoformat(),
                "direction": direction,
                "aggregation": rng.choice(d.AGGREGATIONS),
                "chain": rng.choice(d.CHAIN_LEVELS),
                "cadence": rng.choice(d.CADENCES),
            }
        ) | stamp(created, user)
        indicators[str(ind_id)] = doc
        trail(created, "indicators", ind_id, doc, user)

    def year_file(year: int, docs: dict[str, dict[str, Any]]) -> tuple[str, dict[str, Any]]:
        table = {MEASUREMENTS: docs}
        return f"{MEASUREMENTS}-{year}.json", {
            META: {"1": meta(table, {MEASUREMENTS: len(docs) + 1}, now)}
        } | table

    def month_file(year: int, month: int) -> tuple[str, dict[str, Any]]:
        entries = history.pop((year, month))
        table = {HISTORY: {str(i): e for i, e in enumerate(entries, 1)}}
        return f"{HISTORY}-{year}-{month:02d}.json", {
            META: {"1": meta(table, {HISTORY: len(entries) + 1}, now)}
        } | table

    # measurement dates spread evenly over the five years, in date order
    by_year: dict[int, dict[str, dict[str, Any]]] = {}
    counters: dict[int, int] = {}
    for n in range(total):
        day = first + timedelta(days=n * span_days // total)
        for year, month in [k for k in history if k < (day.year, day.month)]:
            yield month_file(year, month)
        for year in [y for y in by_year if y < day.year]:
            yield year_file(year, by_year.pop(year))
        counters[day.year] = counters.get(day.year, 0) + 1
        m_id = day.year * MEASUREMENT_ID_SPAN + counters[day.year]
        user = rng.choice(USERS)
        at = datetime(day.year, day.month, day.day, 16, tzinfo=UTC) + timedelta(seconds=n % 3600)
        doc = {
            "indicator_id": rng.randint(1, INDICATORS),
            "date": day.isoformat(),
            "value": round(rng.uniform(0, 200), 2),
            "note": rng.choice(["", "", "", "from the monthly report", "estimate"]),
            "source": rng.choice(["", "", "erp", "survey"]),
        } | stamp(at, user)
        by_year.setdefault(day.year, {})[str(m_id)] = doc
        trail(at, MEASUREMENTS, m_id, doc, user)

    for year, docs in by_year.items():
        yield year_file(year, docs)
    for year, month in list(history):
        yield month_file(year, month)
    tables = {"goals": goals, "indicators": indicators} | {
        t: {} for t in WHEEL_TABLES if t not in ("goals", "indicators")
    }
    next_ids = {"goals": GOALS + 1, "indicators": INDICATORS + 1}
    yield WHEEL, {META: {"1": meta(tables, next_ids, now)}} | tables


def as_installed() -> None:
    """Time styr as a user runs it: with its modules compiled to bytecode.
    With PYTHONDONTWRITEBYTECODE set (some shells and tools set it) every
    start would compile the project's sources again, which pip does once at
    install time for a normal install."""
    import compileall

    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    root = Path(__file__).resolve().parents[2]
    for package in ("store", "widgets", "tui"):
        compileall.compile_dir(root / package, quiet=1)


def print_sizes(root: Path) -> None:
    """Sizes by kind of file: count, total and largest."""
    kinds: dict[str, list[int]] = {}
    for path in sorted(root.glob("*.json")):
        kinds.setdefault(path.name.split("-")[0].removesuffix(".json"), []).append(
            path.stat().st_size
        )
    for kind, sizes in kinds.items():
        print(
            f"  {kind:<13} {len(sizes):3} file(s)  {sum(sizes) / 1e6:7.2f} MB"
            f"  largest {max(sizes) / 1e6:6.2f} MB"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scale", type=int, default=1, help="times the measurements")
    args = parser.parse_args(argv)
    out: Path = args.outdir
    if out.exists() and any(out.iterdir()):
        print(f"{out} is not empty; give a new folder", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for name, data in build(random.Random(args.seed), date.today(), args.scale):
        option = orjson.OPT_INDENT_2 if name == WHEEL else 0
        (out / name).write_bytes(orjson.dumps(data, option=option))
    built = time.perf_counter() - started

    started = time.perf_counter()
    wheel = open_wheel(out, user="bench")
    count = sum(len(wheel.series(i.id)) for i in wheel.indicators())
    opened = time.perf_counter() - started
    assert len(wheel.goals()) == GOALS and len(wheel.indicators()) == INDICATORS
    assert count == MEASUREMENTS_TOTAL * args.scale, count
    print(f"wrote {out} in {built:.1f} s; opened and read all series in {opened:.1f} s")
    print_sizes(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
