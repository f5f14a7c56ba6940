"""Compare's presentation rules on the read model, mostly without a
terminal: order (and the pane showing it), closed goals, needs attention,
top risks, sorting, figures, the review's arguments."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

import pytest
from rich.text import Text
from tuihelp import open_stage, table_keys

from store.backends import open_wheel
from store.service import GOAL, INDICATOR, RISK, Wheel
from store.views import WheelView
from tui.app import make_app
from tui.cli import main
from tui.dialogs.review_form import ReviewSubject, review_arguments
from tui.screens.compare import CompareScreen, goal_facts, indicator_facts, review_summary
from widgets.compare_table import CompareTable, Row, arranged, at_depth, build_rows

AT = date(2026, 11, 30)


def _indicator(wheel: Wheel, goal: int, name: str, value: float | None, **fields: str) -> int:
    indicator = wheel.add(
        INDICATOR,
        {
            "goal_id": goal,
            "name": name,
            "baseline": "0",
            "target": "100",
            "start": "2026-01-01",
            "due": "2026-12-31",
            **fields,
        },
    )
    if value is not None:
        wheel.log(indicator.id, value, "2026-11-01")
    return indicator.id


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """Siblings with equal due dates (added out of id-friendly order), a
    closed goal whose indicator missed, an open one off track with a risk."""
    root = tmp_path / "store"
    wheel = open_wheel(root, user="alice")
    top = wheel.add(GOAL, {"title": "Top", "start": "2026-01-01", "due": "2026-12-31"}).id
    for title in ("Team B", "Team A", "Team C"):
        wheel.add(GOAL, {"title": title, "parent_id": top, "due": "2026-06-30"})
    done = wheel.add(
        GOAL,
        {"title": "Done early", "due": "2026-03-31", "state": "closed", "outcome": "partly"},
    ).id
    _indicator(wheel, done, "Old target", 10, due="2026-03-31")
    _indicator(wheel, top, "Behind", 20)
    _indicator(wheel, top, "Fine", 95)
    _indicator(wheel, 2, "Unmeasured", None)
    wheel.add(RISK, {"goal_id": top, "title": "Budget cut", "probability": "3", "consequence": "4"})
    wheel.add(
        RISK, {"goal_id": top, "title": "Key people leave", "probability": "4", "consequence": "4"}
    )
    return root


@pytest.fixture
def view(root: Path) -> WheelView:
    return open_wheel(root, user="alice").view(AT)


def keys(rows: list[Row]) -> list[str]:
    return [row.key for row in rows]


def wheel_order(view: WheelView) -> list[str]:
    return [
        key
        for node in view.nodes
        for key in (f"g{node.goal.id}", *(f"i{i.id}" for i in node.indicators))
    ]


def test_compare_lists_goals_and_indicators_in_the_order_of_status_json(
    root: Path, view: WheelView, capsys: pytest.CaptureFixture[str]
) -> None:
    shown = keys(arranged(build_rows(view, compact=False), "wheel", False, "all", ""))
    assert shown == wheel_order(view)
    assert main(["status", "--store", str(root), "--json", "--at", AT.isoformat()]) == 0
    indicators = [f"i{row['indicator_id']}" for row in json.loads(capsys.readouterr().out)]
    assert [key for key in shown if key.startswith("i")] == indicators
    assert main(["status", "--store", str(root), "--json", "--goals", "--at", AT.isoformat()]) == 0
    goals = [f"g{row['goal_id']}" for row in json.loads(capsys.readouterr().out)]
    assert [key for key in shown if key.startswith("g")] == goals
    # equal due dates: by id, so Team B (added first) above Team A; the closed goal last
    titles = [row.name for row in build_rows(view, compact=False)]
    assert titles == ["Top", "Team B", "Team A", "Team C", "Done early"]


def test_a_closed_goal_shows_closed_with_its_outcome(view: WheelView) -> None:
    rows = {row.name: row for row in build_rows(view, compact=True)}
    done = rows["Done early"]
    assert done.status == "closed"
    # the glyph says closed; the word "closed" would push ahead/behind off 80 columns
    assert str(done.cells[1]) == "■ partly"
    wide = {row.name: row for row in build_rows(view, compact=False)}["Done early"]
    assert str(wide.cells[1]) == "■ closed: partly"
    assert "partly" not in str(wide.cells[-1])  # said once, in the status
    facts = goal_facts(view.goal_record(done.doc_id)).plain
    assert "■ closed, outcome partly" in facts
    assert "no data" not in facts


def test_needs_attention_leaves_closed_goals_and_their_indicators_out(view: WheelView) -> None:
    rows = build_rows(view, compact=False)
    done = next(row for row in rows if row.name == "Done early")
    [old] = done.children
    assert old.status == "missed"  # its figures did miss ...
    attention = arranged(rows, "wheel", False, "needs attention", "")
    names = [row.name for row in attention]
    assert names == ["Top", "Behind"]  # ... but the goal is closed: nothing to attend to
    missed = [row.name for row in arranged(rows, "wheel", False, "missed", "")]
    assert missed == ["Done early", "Old target"]
    closed = [row.name for row in arranged(rows, "wheel", False, "closed", "")]
    assert closed == ["Done early"]


def test_a_goal_shows_its_highest_open_risk(view: WheelView) -> None:
    top = build_rows(view, compact=True)[0]
    assert "risk 16 Key people leave" in str(top.cells[-1])
    facts = goal_facts(view.goal_record(top.doc_id)).plain
    assert "top risk 16 Key people leave (probability 4, consequence 4)" in facts
    team = build_rows(view, compact=True)[1]
    assert "risk" not in goal_facts(view.goal_record(team.doc_id)).plain


def test_sorting_keeps_missing_values_last_and_goals_head_their_indicators(
    view: WheelView,
) -> None:
    rows = build_rows(view, compact=False)
    for reverse in (False, True):
        shown = arranged(rows, "progress", reverse, "all", "")
        names = [row.name for row in shown]
        start = names.index("Top")
        assert names[start + 1 : start + 3] == (
            ["Fine", "Behind"] if reverse else ["Behind", "Fine"]
        )
        # no progress at all (Team C, nothing measured) stays after those with one
        progressed = [row.progress is not None for row in shown if row.kind == "goal"]
        assert progressed == sorted(progressed, reverse=True)
    by_name = [row.name for row in arranged(rows, "name", False, "all", "") if row.kind == "goal"]
    assert by_name == ["Done early", "Team A", "Team B", "Team C", "Top"]


def test_text_filter_matches_indicator_and_goal_names(view: WheelView) -> None:
    rows = build_rows(view, compact=False)
    assert [row.name for row in arranged(rows, "wheel", False, "all", "BEHIND")] == [
        "Top",
        "Behind",
    ]
    # an indicator matches by its goal's name too
    assert [row.name for row in arranged(rows, "wheel", False, "all", "team b")] == [
        "Team B",
        "Unmeasured",
    ]


def test_figures_are_compact_below_the_breakpoint_and_whole_above(tmp_path: Path) -> None:
    wheel = open_wheel(tmp_path / "big", user="alice")
    goal = wheel.add(GOAL, {"title": "Web"}).id
    _indicator(wheel, goal, "Visitors", 654321.5, baseline="100000", target="900000")
    view = wheel.view(AT)
    compact = build_rows(view, compact=True)[0].children[0]
    whole = build_rows(view, compact=False)[0].children[0]
    assert str(compact.cells[3]) == "654k" and str(whole.cells[3]) == "654,321.5"
    facts = indicator_facts(view.indicator_record(compact.doc_id), with_goal=True).plain
    assert facts.startswith("Web / Visitors\n")
    assert "actual 654,321.5 (last value 2026-11-01)" in facts
    assert "plan 100,000 → 900,000 by 2026-12-31" in facts
    assert not indicator_facts(
        view.indicator_record(compact.doc_id), with_goal=False
    ).plain.startswith("Web")


@pytest.mark.parametrize("compact", [False, True])
def test_rows_moved_to_another_depth_read_as_if_built_there(view: WheelView, compact: bool) -> None:
    """A wheel filter hangs a goal higher up: its rows are re-indented, not
    built again, and must read exactly as rows built at that depth."""
    node = next(node for node in view.nodes if node.depth > 0 and node.indicators)
    built = build_rows(view, compact, (node,))[0]
    higher = build_rows(view, compact, (dataclasses.replace(node, depth=0),))[0]
    moved = at_depth(built, view, compact, 0)
    assert moved.cells != built.cells  # the indent did change
    assert [moved.cells, *(kid.cells for kid in moved.children)] == [
        higher.cells,
        *(kid.cells for kid in higher.children),
    ]
    assert moved.cells[2] is built.cells[2]  # shared, not built again


def test_no_value_reads_as_a_dash_everywhere(view: WheelView) -> None:
    team_b = build_rows(view, compact=False)[1]
    [unmeasured] = team_b.children
    cells = [cell.plain if isinstance(cell, Text) else cell for cell in unmeasured.cells]
    assert cells[3] == "-" and cells[5] == "-" and cells[7] == "-"
    record = view.indicator_record(unmeasured.doc_id)
    summary = review_summary(record)
    assert summary.startswith("? no data: actual - against ")
    assert summary.endswith(" expected, progress -, -")


def test_the_review_passes_what_was_typed_to_the_verb() -> None:
    subject = ReviewSubject("Top / Behind", "", "off_track", AT, indicator_id=5)
    typed = {
        "judgement": " off_track ",
        "confidence": "7",
        "comment": " slow ",
        "cause": "",
        "decision": "",
    }
    assert review_arguments(subject, typed) == {
        "indicator_id": 5,
        "goal_id": None,
        "when": AT,
        "judgement": "off_track",
        "confidence": "7",
        "comment": "slow",
        "cause": None,
        "decision": None,
    }


async def test_the_compare_pane_shows_that_order(root: Path, view: WheelView) -> None:
    app = make_app(open_wheel(root, user="alice"), today=AT)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_stage(pilot, "3", CompareScreen, "#compare-state")
        assert table_keys(screen.query_one(CompareTable)) == wheel_order(view)
