"""The read model (store/views.py), the review verb and the one format."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from store.backends import open_wheel
from store.compare import compare, expected_at, plan_points, plan_value
from store.demo import build_demo
from store.documents import Goal, Indicator
from store.errors import ValidationError
from store.format import ahead_words, days, number, percent, status_label
from store.service import GOAL, INDICATOR, RISK, Wheel
from store.views import goal_tree
from tui.cli import main
from tui.status_report import run

AT = date(2026, 6, 30)


@pytest.fixture
def wheel(tmp_path: Path) -> Wheel:
    return open_wheel(tmp_path / "store", user="alice")


def _goal(wheel: Wheel, title: str, **fields: Any) -> int:
    return wheel.add(GOAL, {"title": title, **fields}).id


def _indicator(wheel: Wheel, goal_id: int, name: str, **fields: Any) -> int:
    base = {"goal_id": goal_id, "name": name, "baseline": 0, "target": 100,
            "start": "2026-01-01", "due": "2026-12-31"}  # fmt: skip
    return wheel.add(INDICATOR, base | fields).id


def _tree(wheel: Wheel) -> dict[str, int]:
    """Roots and siblings with equal due dates, one closed, one without a due date."""
    ids = {"closed": _goal(wheel, "Closed root", due="2026-03-01", state="closed",
                           outcome="achieved")}  # fmt: skip
    ids["b"] = _goal(wheel, "Team B", due="2026-12-31")
    ids["a"] = _goal(wheel, "Team A", due="2026-12-31")
    ids["undated"] = _goal(wheel, "Someday")
    ids["soon"] = _goal(wheel, "Soon", due="2026-09-30")
    ids["b2"] = _goal(wheel, "B's second", parent_id=ids["b"], due="2026-12-31")
    ids["b1"] = _goal(wheel, "B's first", parent_id=ids["b"], due="2026-11-30")
    ids["b1x"] = _goal(wheel, "Under B's first", parent_id=ids["b1"])
    return ids


def test_tree_order_is_open_then_due_then_id_closed_last(wheel: Wheel) -> None:
    ids = _tree(wheel)
    order = [(node.goal.id, node.depth) for node in wheel.view(AT).nodes]
    assert order == [
        (ids["soon"], 0),
        (ids["b"], 0),
        (ids["b1"], 1),
        (ids["b1x"], 2),
        (ids["b2"], 1),
        (ids["a"], 0),  # same due as Team B: the lower id first
        (ids["undated"], 0),
        (ids["closed"], 0),  # due first of all, but closed
    ]


def test_goals_in_a_parent_cycle_still_show() -> None:
    looped = [
        Goal(id=1, title="one", parent_id=2),
        Goal(id=2, title="two", parent_id=1),
        Goal(id=3, title="me", parent_id=3),
    ]
    assert [(g.id, depth) for g, depth in goal_tree(looped)] == [(3, 0), (1, 0), (2, 1)]


def test_status_table_and_json_list_goals_in_the_view_order(wheel: Wheel) -> None:
    ids = _tree(wheel)
    for key in ("a", "b", "b1"):
        _indicator(wheel, ids[key], f"KPI {key}")
    wanted = [node.goal.id for node in wheel.view(AT).nodes]
    out = io.StringIO()
    run(wheel, at=AT.isoformat(), as_json=True, goals_only=True, stream=out)
    assert [r["goal_id"] for r in json.loads(out.getvalue())] == wanted
    out = io.StringIO()
    run(wheel, at=AT.isoformat(), goals_only=True, stream=out)
    shown = [int(line.split()[0][1:]) for line in out.getvalue().splitlines() if "#" in line]
    assert shown == wanted
    out = io.StringIO()
    run(wheel, at=AT.isoformat(), as_json=True, stream=out)
    assert [r["goal_id"] for r in json.loads(out.getvalue())] == [ids["b"], ids["b1"], ids["a"]]


def test_goal_record_has_the_design_fields_and_its_top_risk(wheel: Wheel) -> None:
    goal = _goal(wheel, "Safe", owner="kari", state="agreed", agreed_by="ola",
                 agreed_on="2026-01-10")  # fmt: skip
    closed = _goal(wheel, "Done", state="closed", outcome="partly")

    def risk(title: str, p: int, c: int, **fields: Any) -> int:
        doc = {"goal_id": goal, "title": title, "probability": p, "consequence": c}
        return wheel.add(RISK, doc | fields).id

    risk("Worst but mitigated", 5, 5, state="mitigated")
    risk("High, mitigated down", 5, 5, residual_probability=1, residual_consequence=2)
    top = risk("Middling", 3, 3)
    risk("Also nine, but later", 3, 3)
    view = wheel.view(AT)
    record = view.goal_record(goal)
    assert {k: record[k] for k in ("owner", "state", "outcome", "agreed_by", "agreed_on")} == {
        "owner": "kari", "state": "agreed", "outcome": None, "agreed_by": "ola",
        "agreed_on": "2026-01-10",
    }  # fmt: skip
    assert record["top_risk"] == {
        "id": top, "title": "Middling", "probability": 3, "consequence": 3, "score": 9,
    }  # fmt: skip
    assert view.goal_record(closed)["top_risk"] is None
    assert view.goal_record(closed)["outcome"] == "partly"


def test_indicator_record_is_the_comparison(wheel: Wheel) -> None:
    goal = _goal(wheel, "Grow")
    kpi = _indicator(wheel, goal, "Revenue", unit="kNOK")
    wheel.log(kpi, 30, "2026-03-01")
    wheel.log(kpi, 45, "2026-06-01")
    c = compare(wheel.indicator(kpi), wheel.series(kpi), AT)
    record = wheel.view(AT).indicator_record(kpi)
    assert record["goal"] == "Grow" and record["unit"] == "kNOK"
    assert (record["actual"], record["expected"], record["progress"]) == (
        c.actual, c.expected, c.progress,
    )  # fmt: skip
    assert (record["status"], record["ahead_days"], record["forecast"]) == (
        c.status, c.ahead_days, c.forecast,
    )  # fmt: skip
    assert (record["at"], record["last_date"]) == ("2026-06-30", "2026-06-01")


def test_json_row_is_the_frozen_review_is_the_view_record(
    wheel: Wheel, capsys: pytest.CaptureFixture[str]
) -> None:
    goal = _goal(wheel, "Grow")
    kpi = _indicator(wheel, goal, "Revenue")
    wheel.log(kpi, 45, "2026-06-01")
    review = wheel.record_review(indicator_id=kpi, when=AT, judgement="on_track", confidence=7)
    goal_review = wheel.record_review(goal_id=goal, when=AT, judgement="on_track", confidence=7)
    assert main(["status", "--store", wheel.location, "--json", "--at", "2026-06-30"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    again = open_wheel(wheel.backend.store.root)
    assert again.reviews(indicator_id=kpi)[0].comparison == row
    assert row == again.view(AT).indicator_record(kpi)
    argv = ["status", "--store", wheel.location, "--json", "--goals", "--at", "2026-06-30"]
    assert main(argv) == 0
    (goal_row,) = json.loads(capsys.readouterr().out)
    assert again.reviews(goal_id=goal)[0].comparison == goal_row == again.view(AT).goal_record(goal)
    assert (review.date, goal_review.date) == (AT, AT)


def test_a_review_outside_tolerance_needs_cause_and_decision(wheel: Wheel) -> None:
    goal = _goal(wheel, "Grow")
    kpi = _indicator(wheel, goal, "Revenue")
    wheel.log(kpi, 5, "2026-06-01")  # far behind the plan's 49 by June
    assert wheel.view(AT).indicator_record(kpi)["status"] == "off_track"
    with pytest.raises(ValidationError, match="off track: give the deviation's cause"):
        wheel.record_review(indicator_id=kpi, when=AT, judgement="off_track", confidence=3)
    with pytest.raises(ValidationError, match="decision is missing"):
        wheel.record_review(
            indicator_id=kpi, when=AT, judgement="off_track", confidence=3, cause="internal"
        )
    assert open_wheel(wheel.backend.store.root).reviews() == []
    review = wheel.record_review(
        indicator_id=kpi, when=AT, judgement="off_track", confidence=3,
        cause="external", decision="escalate", comment="market fell",
    )  # fmt: skip
    stored = open_wheel(wheel.backend.store.root).reviews()[0]
    assert (stored.cause, stored.decision) == ("external", "escalate")
    assert stored.comment == "market fell"
    assert stored.comparison == wheel.view(AT).indicator_record(kpi) == review.comparison


def test_a_review_names_one_existing_subject(wheel: Wheel) -> None:
    goal = _goal(wheel, "Grow")
    kpi = _indicator(wheel, goal, "Revenue")
    with pytest.raises(ValidationError, match="one goal or one indicator"):
        wheel.record_review(indicator_id=kpi, goal_id=goal, judgement="on_track", confidence=5)
    with pytest.raises(ValidationError, match="one goal or one indicator"):
        wheel.record_review(judgement="on_track", confidence=5)
    with pytest.raises(ValidationError, match="indicator 99 does not exist"):
        wheel.record_review(indicator_id=99, judgement="on_track", confidence=5)
    with pytest.raises(ValidationError, match="goal 99 does not exist"):
        wheel.record_review(goal_id=99, judgement="on_track", confidence=5)


def test_the_review_freezes_the_day_it_is_for(wheel: Wheel) -> None:
    goal = _goal(wheel, "Grow")
    kpi = _indicator(wheel, goal, "Revenue")
    wheel.log(kpi, 45, "2026-06-01")
    wheel.log(kpi, 90, "2026-07-15")  # after the review's day: not in what it froze
    review = wheel.record_review(
        indicator_id=kpi, when="2026-06-30", judgement="on_track", confidence=7
    )
    assert review.comparison["actual"] == 45 and review.comparison["at"] == "2026-06-30"


def test_the_view_is_cached_per_version_and_day(wheel: Wheel) -> None:
    goal = _goal(wheel, "Grow")
    kpi = _indicator(wheel, goal, "Revenue")
    first = wheel.view(AT)
    assert wheel.view(AT) is first
    assert wheel.view(date(2026, 7, 1)) is not first
    wheel.log(kpi, 45, "2026-06-01")
    after = wheel.view(AT)
    assert after is not first and after.indicator_record(kpi)["actual"] == 45


def test_the_view_follows_a_write_by_another_wheel(tmp_path: Path) -> None:
    alice = open_wheel(tmp_path / "store", user="alice")
    goal = _goal(alice, "Grow")
    kpi = _indicator(alice, goal, "Revenue")
    before = alice.view(AT)
    assert before.indicator_record(kpi)["actual"] is None
    bob = open_wheel(tmp_path / "store", user="bob")
    bob.log(kpi, 45, "2026-06-01")
    bob.update(GOAL, goal, {"title": "Grow more"})
    alice.backend.store.refresh()  # what the TUI's timer does
    after = alice.view(AT)
    assert after.indicator_record(kpi)["actual"] == 45
    assert after.goal_record(goal)["goal"] == "Grow more"


def test_one_plan_line() -> None:
    plan = Indicator(id=1, goal_id=1, name="x", baseline=0, target=100, start=date(2026, 1, 1),
                     due=date(2026, 12, 31), milestones=((date(2026, 7, 1), 80.0),))  # fmt: skip
    points = plan_points(plan)
    assert points == ((date(2026, 1, 1), 0.0), (date(2026, 7, 1), 80.0), (date(2026, 12, 31), 100))
    april = date(2026, 4, 1)
    assert plan_value(points, april) == expected_at(plan, april) == 80 * 90 / 181
    assert plan_value(points, date(2025, 1, 1)) == 0 and plan_value(points, date(2027, 1, 1)) == 100
    floor = Indicator(id=2, goal_id=1, name="y", baseline=0, target=5, start=date(2026, 1, 1),
                      due=date(2026, 12, 31), direction="at_least")  # fmt: skip
    assert plan_points(floor) == ((date(2026, 1, 1), 5), (date(2026, 12, 31), 5))


@pytest.mark.parametrize(
    ("value", "compact", "shown"),
    [(12500, False, "12,500"), (3.25, False, "3.25"), (-0.001, False, "0"), (None, False, "-"),
     (125000, True, "125k"), (3_140_000, True, "3.14M"), (45, True, "45"), (0.125, True, "0.125")],
)  # fmt: skip
def test_numbers(value: float | None, compact: bool, shown: str) -> None:
    assert number(value, compact=compact) == shown


def test_percent_days_and_status() -> None:
    assert [percent(p) for p in (None, 0.454, 12.0, -3.0)] == ["-", "45%", ">999%", "<-99%"]
    assert [days(d) for d in (None, 0, 3, -16)] == ["", "0d", "+3d", "-16d"]
    assert [ahead_words(d) for d in (None, 0, 3, -16)] == ["-", "on plan", "3d ahead", "16d behind"]
    assert status_label("off_track") == "▼ off track"
    assert status_label("off_track", unicode=False) == "v off track"


def test_the_demo_reviews_hold_the_view_record_of_their_day(tmp_path: Path) -> None:
    demo = build_demo(tmp_path / "demo", today=date(2026, 11, 15))
    reviews = demo.reviews()
    assert any(r.goal_id for r in reviews) and any(r.indicator_id for r in reviews)
    for review in reviews:
        view = demo.view(review.date)
        if review.indicator_id is not None:
            assert review.comparison == view.indicator_record(review.indicator_id)
        else:
            assert review.goal_id is not None
            assert review.comparison == view.goal_record(review.goal_id)


def test_a_review_freezes_what_stands_when_it_is_written(tmp_path: Path) -> None:
    alice = open_wheel(tmp_path / "store", user="alice")
    kpi = _indicator(alice, _goal(alice, "Grow"), "Revenue")
    alice.log(kpi, 45, "2026-06-01")
    assert alice.view(AT).indicator_record(kpi)["actual"] == 45
    open_wheel(tmp_path / "store", user="bob").log(kpi, 60, "2026-06-20")
    review = alice.record_review(indicator_id=kpi, when=AT, judgement="on_track", confidence=8)
    assert review.comparison["actual"] == 60
