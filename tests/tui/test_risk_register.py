"""The risk register (R in Goals and Compare), driven by keys: every goal's
risks by residual score, inherent and residual 5x5 matrices whose counts
match the register, the ones above the threshold marked, accepting one; and
a goal's highest open risk beside its status in Goals and Compare."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

import pytest
from rich.text import Text
from textual.widgets import DataTable, Static
from tuihelp import Small, press, screen_text, settle, table_keys

from store.backends import open_wheel
from store.service import RISK, Wheel
from tui.app import StyrApp
from tui.dialogs.form import FormDialog
from tui.dialogs.risk_register import RiskRegister
from tui.screens.compare import CompareScreen
from tui.screens.goals import GoalsScreen
from widgets.goal_tree import GoalTree
from widgets.risk_matrix import RiskMatrix

Make = Callable[[Wheel], StyrApp]


def add_risks(wheel: Wheel, small: Small) -> dict[str, int]:
    def risk(goal: int, title: str, p: int, c: int, **more: object) -> int:
        fields = {"goal_id": goal, "title": title, "probability": p, "consequence": c}
        return wheel.add(RISK, fields | more).id

    return {
        "dip": small.risk,  # 4x5 on the goal, residual not scored: 20, above 12
        "churn": risk(small.child, "Churn", 3, 3, residual_probability=2,
                      residual_consequence=2),
        "war": risk(small.goal, "Price war", 4, 4, residual_probability=2),
        "fire": risk(small.child, "Fire", 5, 5, state="closed"),
        "late": risk(small.child, "Late delivery", 4, 4),
    }  # fmt: skip


def title(register: RiskRegister) -> str:
    return str(register.query_one("#register-title", Static).content)


async def test_the_matrix_counts_match_the_register_and_a_risk_is_accepted_by_name(
    wheel: Wheel, make: Make, small: Small
) -> None:
    ids = add_risks(wheel, small)
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "R")
        register = app.screen
        assert isinstance(register, RiskRegister)
        records = open_wheel(small.root).risk_register()
        table = register.query_one("#register-table", DataTable)
        # highest residual first, closed ones too: the store's order (as styr risks)
        assert table_keys(table) == [str(r["risk_id"]) for r in records]
        assert table_keys(table)[:3] == [str(ids[name]) for name in ("fire", "dip", "late")]
        counted = [r for r in records if r["state"] != "closed"]
        inherent = Counter((r["probability"], r["consequence"]) for r in counted)
        residual = Counter((r["residual_probability"], r["residual_consequence"]) for r in counted)
        for name, expected in (("inherent", inherent), ("residual", residual)):
            matrix = register.query_one(f"#matrix-{name}", RiskMatrix)
            got = {
                (p, c): matrix.count(p, c)
                for p in range(1, 6)
                for c in range(1, 6)
                if matrix.count(p, c)
            }
            assert got == dict(expected)
        assert residual[(4, 5)] == 1 and residual[(2, 4)] == 1 and (5, 5) not in residual
        # the war risk: inherent 16, residual (2, 4) = 8: both shown
        row = [str(cell) for cell in table.get_row(str(ids["war"]))]
        assert row[3:] == ["4x4=16", "2x4=8", "open"]
        # above 12, nobody accepted: marked, and says what it needs
        dip = [str(cell) for cell in table.get_row(str(ids["dip"]))]
        assert (dip[0], dip[4], dip[5]) == ("!", "4x5=20", "mitigate/accept")
        assert "2 above 12 need mitigation or acceptance (!)" in title(register)
        await press(pilot, "down", "a")  # from the closed Fire to Market dip
        form = app.screen
        assert isinstance(form, FormDialog)
        assert form.values == {"by": "alice", "on": ""}  # empty: today
        await press(pilot, "ctrl+u", *"Kommunestyret", "enter")
        await settle(pilot)
        assert app.screen is register
        accepted = open_wheel(small.root).get(RISK, ids["dip"])
        assert accepted.accepted_by == "Kommunestyret" and accepted.accepted_on is not None
        assert str(table.get_row(str(ids["dip"]))[0]) == ""
        assert "1 above 12 needs mitigation or acceptance" in title(register)
        # the next one, accepted by the current user as the form suggests
        await press(pilot, "down", "a", "enter")
        await settle(pilot)
        assert open_wheel(small.root).get(RISK, ids["late"]).accepted_by == "alice"
        assert open_wheel(small.root).undecided_risks() == []
        await press(pilot, "u")  # in the register too
        await settle(pilot)
        assert app.screen is register
        assert open_wheel(small.root).get(RISK, ids["late"]).accepted_by == ""
        assert str(table.get_row(str(ids["late"]))[5]) == "mitigate/accept"


async def test_enter_on_a_risk_goes_to_its_goal(wheel: Wheel, make: Make, small: Small) -> None:
    ids = add_risks(wheel, small)
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        # j moves as the arrows do, in a modal too
        await press(pilot, "R", "j", "j", "j", "k")  # Late delivery, on the child goal
        register = app.screen
        assert isinstance(register, RiskRegister)
        assert register.selected_id() == ids["late"]
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, GoalsScreen)
        assert app.screen.query_one(GoalTree).goal_id == small.child


async def test_the_highest_open_risk_stands_beside_the_status_in_goals_and_compare(
    wheel: Wheel, make: Make, small: Small
) -> None:
    add_risks(wheel, small)
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one(GoalTree)
        labels = [str(node.label) for node in tree.root.children]
        assert "⚠20 Grow revenue" in labels[0]
        head = str(app.screen.query_one("#goal-head", Static).content)
        assert "top risk: Market dip (residual P4 x C5 = 20), above 12: mitigate or accept" in head
        risks = app.screen.query_one("#goal-risks", DataTable)
        assert [str(c) for c in risks.get_row(str(small.risk))][4:] == [
            "4x5=20", "! mitigate or accept",
        ]  # fmt: skip
        await press(pilot, "3")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        cell = app.screen.query_one("#compare-table", DataTable).get_row(f"g{small.goal}")[0]
        assert isinstance(cell, Text) and cell.plain.endswith(" ⚠20")
        # the child's highest open risk is Late delivery (16), not the closed Fire (25)
        child = app.screen.query_one("#compare-table", DataTable).get_row(f"g{small.child}")[0]
        assert isinstance(child, Text) and child.plain.endswith(" ⚠16")
        await press(pilot, "R")
        assert isinstance(app.screen, RiskRegister)


async def test_compare_says_a_goals_top_risk_needs_a_decision_until_accepted(
    wheel: Wheel, make: Make, small: Small
) -> None:
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "3")
        await settle(pilot)
        facts = app.screen.query_one("#compare-facts", Static)
        assert f"risk {small.risk} is above 12: mitigate or accept (R)" in str(facts.content)
        await press(pilot, "R", "a", "enter")
        await settle(pilot)
        await press(pilot, "escape")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        assert "mitigate or accept" not in str(facts.content)


async def test_the_register_and_the_reviews_read_without_colour_at_80x24(
    wheel: Wheel, make: Make, small: Small, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    add_risks(wheel, small)
    for day, confidence in (("2026-10-01", 3), ("2026-11-01", 8)):
        wheel.record_review(
            indicator_id=small.indicator, when=day, judgement="off_track",
            confidence=confidence, cause="internal", decision="continue",
        )  # fmt: skip
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.no_color
        await press(pilot, "R")
        shown = screen_text(app)
        # the mark, the words and the counts carry it, not a colour
        assert "!  Market dip" in shown and "mitigate/accept" in shown
        # probability 4 of the inherent matrix: Price war and Late delivery at C4, Market dip at C5
        assert re.search(r"^.{3}  4  l  m  m  2  1 ", shown, re.M)
        assert "Inherent" in shown and "Residual" in shown
        await press(pilot, "escape", "3", "down", "v")
        await settle(pilot)
        shown = screen_text(app)
        assert "confidence (0-10), oldest first 3 ▃▇ 8" in shown
        assert "2026-11-01  alice  off track  8/10   internal, continue" in shown
