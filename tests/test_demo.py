"""The demo wheel: complete, realistic, valid, reproducible and quick to build."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from store import documents as d
from store.backends import open_wheel
from store.compare import compare_wheel
from store.demo import build_demo
from store.errors import BadInput, NothingToUndo, StoreError
from store.record import fields
from store.service import GOAL, Wheel

TODAY = date(2026, 11, 30)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Wheel:
    return build_demo(tmp_path_factory.mktemp("demo") / "store", today=TODAY)


def _content(wheel: Wheel) -> dict[str, object]:
    """Everything a user sees of a wheel, without the who-and-when stamps."""

    def strip(rows: Sequence[Any]) -> list[dict[str, object]]:
        return [
            {f.name: getattr(row, f.name) for f in fields(row) if f.name != "stamp"} for row in rows
        ]

    return {
        "goals": strip(wheel.goals()),
        "indicators": strip(wheel.indicators()),
        "reviews": strip(wheel.reviews()),
        "lessons": strip(wheel.lessons()),
        "risks": strip(wheel.risks()),
        "series": wheel.all_series(),
    }


def test_the_cli_makes_the_demo_in_a_child_process_as_build_demo_does(
    demo: Wheel, tmp_path: Path
) -> None:
    from tui.cli import _demo_wheel, _fill_demo_beside

    root = tmp_path / "store"
    child = _fill_demo_beside(root, TODAY)
    assert child is not None  # Linux has fork: the demo is made beside Textual's import
    assert _content(_demo_wheel(root, TODAY, child)) == _content(demo)


def test_a_demo_the_child_cannot_make_is_said_in_a_line(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    from tui.cli import _demo_wheel, _fill_demo_beside

    root = tmp_path / "store"
    build_demo(root, today=TODAY)
    with pytest.raises(StoreError, match="the demo could not be made"):
        _demo_wheel(root, TODAY, _fill_demo_beside(root, TODAY))
    err = capfd.readouterr().err
    assert "styr: the demo could not be made: " in err
    assert "already holds a wheel" in err
    assert "Traceback" not in err


def test_the_demo_child_is_waited_for_when_sigchld_was_ignored(demo: Wheel, tmp_path: Path) -> None:
    """Some supervisors start programs with SIGCHLD ignored; the kernel
    would then reap the child and leave nothing to wait for."""
    import signal

    from tui.cli import _demo_wheel, _fill_demo_beside

    before = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        root = tmp_path / "store"
        assert _content(_demo_wheel(root, TODAY, _fill_demo_beside(root, TODAY))) == _content(demo)
    finally:
        signal.signal(signal.SIGCHLD, before)


def test_a_demo_child_left_behind_is_stopped_before_its_folder_goes(tmp_path: Path) -> None:
    """Textual failing to load, or a kill, while the child writes: the
    child is stopped and reaped, so it cannot make the folder again."""
    import os
    import tempfile

    from tui.cli import _fill_demo_beside, _stop_child

    with tempfile.TemporaryDirectory(dir=tmp_path) as folder:
        child = _fill_demo_beside(Path(folder) / "store", TODAY)
        _stop_child(child)
    assert child is not None
    with pytest.raises(ChildProcessError):
        os.waitpid(child, os.WNOHANG)  # reaped: nothing runs that could write
    assert list(tmp_path.iterdir()) == []


def test_builds_in_well_under_a_second(tmp_path: Path) -> None:
    started = time.perf_counter()
    build_demo(tmp_path / "store", today=TODAY)
    assert time.perf_counter() - started < 1.0


def test_counts_are_those_of_a_small_unit(demo: Wheel) -> None:
    measurements = sum(len(points) for points in demo.all_series().values())
    assert 8 <= len(demo.goals()) <= 12
    assert 25 <= len(demo.indicators()) <= 35
    assert 300 <= measurements <= 3000
    assert 5 <= len(demo.reviews()) <= 20
    assert 3 <= len(demo.lessons()) <= 5
    assert 5 <= len(demo.risks()) <= 10


def test_every_kind_and_every_option_is_shown(demo: Wheel) -> None:
    indicators = demo.indicators()
    assert {i.direction for i in indicators} == set(d.DIRECTIONS)
    assert {i.aggregation for i in indicators} == set(d.AGGREGATIONS)
    assert {i.chain for i in indicators} == set(d.CHAIN_LEVELS)
    assert {i.cadence for i in indicators} == set(d.CADENCES)
    assert {g.state for g in demo.goals()} == set(d.GOAL_STATES)
    assert {r.state for r in demo.risks()} == set(d.RISK_STATES)
    assert any(i.milestones for i in indicators)
    assert any(i.revisions for i in indicators)
    assert any(i.tolerance != 0.10 for i in indicators)
    assert any(i.weight != 1 for i in indicators)
    budgets = [i for i in indicators if i.chain == "input"]
    assert {i.unit for i in budgets} >= {"NOK", "timer"}


def test_goals_cascade_from_the_municipality_to_people(demo: Wheel) -> None:
    goals = {g.id: g for g in demo.goals()}

    def depth(goal: d.Goal) -> int:
        return 0 if goal.parent_id is None else 1 + depth(goals[goal.parent_id])

    assert max(depth(g) for g in goals.values()) >= 3
    assert any(g.unit == "Tjenestekontoret" for g in goals.values())
    closed = [g for g in goals.values() if g.state == "closed"]
    assert closed and all(g.outcome and g.closing_comment for g in closed)
    for goal in goals.values():
        if goal.state in ("agreed", "active", "closed"):
            assert goal.agreed_by and goal.agreed_on


def test_lessons_are_after_action_reviews_with_actions(demo: Wheel) -> None:
    for lesson in demo.lessons():
        assert lesson.planned and lesson.happened and lesson.why
        assert lesson.sustain and lesson.improve
    actions = [a for lesson in demo.lessons() for a in lesson.actions]
    assert actions and all(a.what and a.owner and a.due for a in actions)
    assert {a.done for a in actions} == {True, False}
    revised = next(i for i in demo.indicators() if i.revisions)
    assert revised.revisions[0].lesson_id in {x.id for x in demo.lessons()}


def test_risks_have_scores_mitigation_and_residuals(demo: Wheel) -> None:
    for risk in demo.risks():
        assert 1 <= risk.probability <= 5 and 1 <= risk.consequence <= 5
        assert risk.mitigation and risk.owner
    assert any(r.residual_probability is not None for r in demo.risks())
    assert any(r.score >= 15 for r in demo.risks())


def test_no_measurement_lies_in_the_future_or_before_its_start(demo: Wheel) -> None:
    indicators = {i.id: i for i in demo.indicators()}
    for indicator_id, points in demo.all_series().items():
        for day, _ in points:
            assert indicators[indicator_id].start <= day <= TODAY


def test_statuses_today_are_a_mix(demo: Wheel) -> None:
    result = compare_wheel(demo.goals(), demo.indicators(), demo.all_series(), TODAY)
    statuses = Counter(c.status for c in result.indicators.values())
    assert set(statuses) == {
        "on_track", "at_risk", "off_track", "achieved", "missed", "no_data", "not_started",
    }  # fmt: skip
    assert statuses["on_track"] > statuses["at_risk"] + statuses["off_track"]
    assert any(c.stale and c.actual is not None for c in result.indicators.values())
    efficiencies = [g.efficiency for g in result.goals.values() if g.efficiency]
    assert {e.overspending for e in efficiencies} == {True, False}
    assert any(g.activity_trap for g in result.goals.values())


@pytest.mark.parametrize("today", [date(2026, 1, 1), date(2027, 6, 15), date(2028, 2, 29)])
def test_the_mix_holds_on_any_day(tmp_path: Path, today: date) -> None:
    wheel = build_demo(tmp_path / "store", today=today)
    result = compare_wheel(wheel.goals(), wheel.indicators(), wheel.all_series(), today)
    statuses = {c.status for c in result.indicators.values()}
    assert {"on_track", "at_risk", "off_track", "achieved", "no_data"} <= statuses


def test_reviews_freeze_the_comparison_of_their_day(demo: Wheel) -> None:
    reviews = demo.reviews()
    assert any(r.goal_id for r in reviews) and any(r.indicator_id for r in reviews)
    for review in reviews:
        frozen = review.comparison
        json.dumps(frozen)  # plain JSON: dates went in as ISO strings
        assert 0 <= review.confidence <= 10
        if review.indicator_id is not None:
            assert frozen["at"] == review.date.isoformat()
            assert frozen["indicator_id"] == review.indicator_id
        else:
            assert frozen["goal_id"] == review.goal_id
        outside = frozen["status"] in d.OUTSIDE_TOLERANCE
        assert (review.cause is not None) == outside
        assert (review.decision is not None) == outside
    assert any(r.cause for r in reviews) and any(not r.cause for r in reviews)


def test_reopens_from_disk_the_same(demo: Wheel) -> None:
    again = open_wheel(demo.backend.store.root, user="someone")
    assert _content(again) == _content(demo)


def test_same_day_same_wheel(tmp_path: Path, demo: Wheel) -> None:
    other = build_demo(tmp_path / "store", today=TODAY)
    assert _content(other) == _content(demo)


def test_another_day_another_noise(tmp_path: Path, demo: Wheel) -> None:
    other = build_demo(tmp_path / "store", today=date(2026, 12, 1))
    assert other.all_series() != demo.all_series()


def test_is_written_as_demo_so_the_user_cannot_undo_it_away(demo: Wheel) -> None:
    assert {g.stamp.updated_by for g in demo.goals()} == {"demo"}
    assert demo.user != "demo"
    with pytest.raises(NothingToUndo):
        demo.undo()
    assert len(demo.goals()) == len(open_wheel(demo.backend.store.root, user="alice").goals())


def test_refuses_a_folder_that_holds_a_wheel(tmp_path: Path) -> None:
    root = tmp_path / "store"
    open_wheel(root, user="alice").add(GOAL, {"title": "Mine"})
    before = (root / "wheel.json").read_bytes()
    with pytest.raises(BadInput, match="already holds a wheel"):
        build_demo(root, today=TODAY)
    assert (root / "wheel.json").read_bytes() == before
