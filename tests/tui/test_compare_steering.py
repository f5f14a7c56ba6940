"""Steering from the Compare pane, driven by keys: every review listed with
the confidence over time, a review deciding `adjust_target` leading to the
revision form, and the chart showing where a revised plan line was."""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot
from textual.widgets import DataTable, Static
from tuihelp import Small, press, screen_text, settle, table_keys

from store.backends import open_wheel
from store.service import Wheel
from tui.app import StyrApp
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.form import FormDialog
from tui.dialogs.review_form import ReviewForm
from tui.dialogs.reviews import ReviewsDialog
from tui.screens.compare import CompareScreen
from widgets.block_spark import BlockSpark
from widgets.plan_chart import OLD_MARK, PlanChart, plain_chart

Make = Callable[[Wheel], StyrApp]


def facts(app: StyrApp) -> str:
    return str(app.screen.query_one("#compare-facts", Static).content)


async def to_indicator(pilot: Pilot[None], app: StyrApp, small: Small) -> CompareScreen:
    await press(pilot, "3")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, CompareScreen)
    await press(pilot, "down")
    assert screen.selected_key() == f"i{small.indicator}"
    return screen


def reviewed_three_times(wheel: Wheel, small: Small) -> list[int]:
    ids = []
    for day, confidence, decision in (
        ("2026-09-01", 3, "escalate"),
        ("2026-10-01", 5, "continue"),
        ("2026-11-01", 8, "continue"),
    ):
        review = wheel.record_review(
            indicator_id=small.indicator, when=day, judgement="off_track",
            confidence=confidence, cause="internal", decision=decision,
            comment=f"said on {day}",
        )  # fmt: skip
        ids.append(review.id)
    return ids


async def test_the_detail_lists_the_latest_review_and_v_lists_them_all_newest_first(
    wheel: Wheel, make: Make, small: Small
) -> None:
    ids = reviewed_three_times(wheel, small)
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await to_indicator(pilot, app, small)
        shown = facts(app)
        # the confidence over time reads as figures and blocks, oldest first
        assert "3 reviews, confidence 3 ▃▅▇ 8  v: all" in shown
        assert "2026-11-01 alice: off track 8/10, internal, continue" in shown
        await press(pilot, "v")
        dialog = app.screen
        assert isinstance(dialog, ReviewsDialog)
        table = dialog.query_one("#reviews-table", DataTable)
        assert table_keys(table) == [str(i) for i in reversed(ids)]
        assert [str(c) for c in table.get_row_at(2)] == [
            "2026-09-01", "alice", "off track", "3/10", "internal, escalate",
        ]  # fmt: skip
        assert dialog.query_one(BlockSpark).values == (3.0, 5.0, 8.0)
        assert "said on 2026-11-01" in screen_text(app)
        await press(pilot, "down", "down")
        assert "said on 2026-09-01" in screen_text(app)
        # the comparison as it stood that day, frozen in the review
        assert "it stood at ● on track: actual 16 against 16.68 expected" in screen_text(app)
        await press(pilot, "escape")
        assert isinstance(app.screen, CompareScreen)


async def test_a_review_deciding_adjust_target_opens_the_revision_form_citing_it(
    wheel: Wheel, make: Make, small: Small
) -> None:
    values = wheel.measurements(small.indicator)
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await to_indicator(pilot, app, small)
        await press(pilot, "r")
        assert isinstance(app.screen, ReviewForm)
        await press(pilot, "tab", "4", "tab", "tab", *"external", "tab", *"adjust_target", "enter")
        await settle(pilot)
        [review] = open_wheel(small.root).reviews(indicator_id=small.indicator)
        assert review.decision == "adjust_target"
        assert isinstance(app.screen, ConfirmDialog)
        assert f"Review {review.id} decided to adjust the target" in screen_text(app)
        await press(pilot, "y")
        form = app.screen
        assert isinstance(form, FormDialog)
        assert form.values["review_id"] == str(review.id)
        # the goal is a draft, yet the form asks a reason: it cites the review
        await press(pilot, "tab", "tab", "tab", "ctrl+u", *"17", "enter")
        assert isinstance(app.screen, FormDialog)
        assert "needs a reason" in str(form.query_one("#error-reason", Static).content)
        assert open_wheel(small.root).indicator(small.indicator).target == 20
        await press(pilot, *"two customers paused", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        after = open_wheel(small.root)
        ind = after.indicator(small.indicator)
        (rev,) = ind.revisions
        assert (ind.target, rev.old, rev.new, rev.review_id, rev.why, rev.by) == (
            17, 20, 17, review.id, "two customers paused", "alice",
        )  # fmt: skip
        assert after.measurements(small.indicator) == values
        assert [r.id for r in after.reviews()] == [review.id]
        assert f"target 20 → 17 (from review {review.id})" in facts(app)
        # the chart draws the plan as it was before, with its own mark
        await press(pilot, "c")
        chart = app.screen.query_one("#compare-chart", PlanChart)
        assert chart.display and chart.data is not None
        assert chart.data.earlier == (((ind.start, 10.0), (ind.due, 20.0)),)
        assert OLD_MARK in plain_chart(chart.data, 32, 10)


async def test_declining_the_offer_writes_no_revision(
    wheel: Wheel, make: Make, small: Small
) -> None:
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await to_indicator(pilot, app, small)
        await press(pilot, "r", "tab", "4", "tab", "tab", *"external", "tab")
        await press(pilot, *"adjust_target", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await press(pilot, "n")
        assert isinstance(app.screen, CompareScreen)
        assert open_wheel(small.root).indicator(small.indicator).revisions == ()


async def test_a_goal_review_asks_which_indicator_to_revise(
    wheel: Wheel, make: Make, small: Small
) -> None:
    from store.service import INDICATOR
    from tui.dialogs.pick import PickDialog

    other = wheel.add(
        INDICATOR,
        {"goal_id": small.goal, "name": "Margin", "baseline": "5", "target": "9",
         "start": "2026-01-01", "due": "2026-12-31"},
    )  # fmt: skip
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "3")
        await settle(pilot)
        await press(pilot, "r", "tab", "4", "tab", "tab", *"internal", "tab")
        await press(pilot, *"adjust_target", "enter")
        await settle(pilot)
        [review] = open_wheel(small.root).reviews(goal_id=small.goal)
        await press(pilot, "y")
        assert isinstance(app.screen, PickDialog)
        await press(pilot, "down", "enter")
        form = app.screen
        assert isinstance(form, FormDialog)
        assert form.values["name"] == "Margin"
        assert form.values["review_id"] == str(review.id)
        await press(pilot, "tab", "tab", "tab", "ctrl+u", "8")
        await press(pilot, "tab", "tab", "tab", "tab", "tab", "tab", "tab", "tab", "tab", "tab")
        await press(pilot, *"margin squeezed", "enter")
        await settle(pilot)
        (rev,) = open_wheel(small.root).indicator(other.id).revisions
        assert (rev.new, rev.review_id) == (8, review.id)
