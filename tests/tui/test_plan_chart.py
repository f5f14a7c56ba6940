"""The plan chart reads without colour: plan `·`, actuals `●`, today `│`."""

from __future__ import annotations

from datetime import date

from textual.app import App, ComposeResult

from widgets.plan_chart import (
    ACTUAL_MARK,
    LEGEND,
    OLD_MARK,
    PLAN_MARK,
    TODAY_MARK,
    ChartData,
    PlanChart,
    plain_chart,
    render_chart,
)

PLAN = ((date(2026, 1, 1), 0.0), (date(2026, 7, 1), 40.0), (date(2026, 12, 31), 100.0))
ACTUAL = ((date(2026, 2, 1), 5.0), (date(2026, 6, 1), 20.0), (date(2026, 10, 1), 60.0))
DATA = ChartData(plan=PLAN, actual=ACTUAL, today=date(2026, 11, 30))


def test_plain_chart_holds_plan_actual_today_and_the_legend() -> None:
    text = plain_chart(DATA, 60, 12)
    lines = text.splitlines()
    assert len(lines) == 12
    assert all(len(line) <= 60 for line in lines)
    assert LEGEND in lines[0]
    plot = "\n".join(lines[1:-2])
    assert plot.count(ACTUAL_MARK) == 3
    assert plot.count(PLAN_MARK) > 20
    assert TODAY_MARK in plot
    assert "┴" in lines[-2]
    assert "2026-01-01" in lines[-1] and "2026-12-31" in lines[-1]
    # the axis names the highest and lowest value drawn
    assert lines[1].lstrip().startswith("100")
    assert lines[-3].lstrip().startswith("0")


def test_actuals_sit_at_their_height_and_the_plan_rises() -> None:
    lines = plain_chart(DATA, 60, 14).splitlines()[1:-2]
    rows_of = {
        index: line.index(ACTUAL_MARK) for index, line in enumerate(lines) if ACTUAL_MARK in line
    }
    # three actuals, later ones higher up (smaller row index) and further right
    ordered = sorted(rows_of.items(), key=lambda item: item[1])
    assert [row for row, _ in ordered] == sorted((row for row, _ in ordered), reverse=True)
    first_plan = [line.find(PLAN_MARK) for line in lines]
    assert first_plan[-1] < max(first_plan)  # the plan starts low on the left


def test_no_actuals_still_draws_the_plan() -> None:
    text = plain_chart(ChartData(plan=PLAN, actual=(), today=date(2026, 3, 1)), 40, 8)
    assert ACTUAL_MARK not in text.split("\n", 1)[1]
    assert PLAN_MARK in text.split("\n", 1)[1]


def test_a_flat_threshold_plan_and_tiny_sizes_do_not_break() -> None:
    flat = ChartData(
        plan=((date(2026, 1, 1), 5.0), (date(2026, 12, 31), 5.0)),
        actual=((date(2026, 3, 1), 5.0),),
        today=date(2026, 3, 1),
    )
    for width, height in ((10, 4), (20, 6), (120, 30)):
        lines = render_chart(flat, width, height)
        assert lines
        assert ACTUAL_MARK in "".join(text for line in lines for text, _ in line)


class ChartApp(App[None]):
    def compose(self) -> ComposeResult:
        yield PlanChart()


async def test_the_widget_shows_a_hint_then_the_chart() -> None:
    app = ChartApp()
    async with app.run_test(size=(60, 14)) as pilot:
        chart = app.query_one(PlanChart)
        assert "Select an indicator" in str(chart.render())
        chart.data = DATA
        await pilot.pause()
        rendered = str(chart.render())
        assert ACTUAL_MARK in rendered and PLAN_MARK in rendered and LEGEND in rendered


def test_an_earlier_plan_is_drawn_with_its_own_mark_and_named_in_the_legend() -> None:
    old = ((date(2026, 1, 1), 0.0), (date(2026, 12, 31), 60.0))
    revised = ChartData(plan=PLAN, actual=ACTUAL, today=date(2026, 11, 30), earlier=(old,))
    lines = plain_chart(revised, 60, 14).splitlines()
    assert "╌ old plan" in lines[0]
    plot = "\n".join(lines[1:-2])
    assert plot.count(OLD_MARK) > 10
    # the old line ends lower (60) than today's (100): its mark sits below on the right
    right = [line[-3:] for line in lines[1:-2]]
    assert max(i for i, cell in enumerate(right) if OLD_MARK in cell) > min(
        i for i, cell in enumerate(right) if PLAN_MARK in cell
    )
    # narrow, the short legend still names it
    assert "╌old" in plain_chart(revised, 32, 10).splitlines()[0]
    assert OLD_MARK not in plain_chart(DATA, 60, 14)
