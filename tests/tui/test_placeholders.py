"""Without colour (NO_COLOR, a monochrome terminal) an empty input must not
read as filled in: its placeholder starts with `e.g.`, `default:` or
`one of:`, and a typed value shows without that word."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.widgets import Input
from tuihelp import Small, press, screen_text, settle

from store.backends import open_wheel
from store.service import Wheel
from tui.app import StyrApp
from tui.dialogs.form import FormDialog
from widgets.placeholder import MARKERS, hint

Make = Callable[[Wheel], StyrApp]


def field_text(app: StyrApp, label: str) -> str:
    """What the screen shows right of a form row's label."""
    for line in screen_text(app).splitlines():
        at = line.find(f" {label}  ")
        if at >= 0:
            return line[at + len(label) + 1 :].strip(" █│")
    raise AssertionError(f"no row {label!r} on screen:\n{screen_text(app)}")


def test_a_hint_opens_with_what_it_is() -> None:
    assert hint("12.5") == "e.g. 12.5"
    assert hint(default="today") == "default: today"
    assert hint("-2d", default="today") == "default: today; e.g. -2d"
    assert hint(choices=("a", "b")) == "one of: a, b"
    assert hint(default="b", choices=("a", "b", "c")) == "default: b; or a, c"
    assert hint() == ""


@pytest.fixture
def no_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")


@pytest.mark.usefixtures("no_colour")
async def test_the_indicator_forms_empty_fields_say_they_are_empty(
    wheel: Wheel, make: Make
) -> None:
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.no_color
        await press(pilot, "i")
        form = app.screen
        assert isinstance(form, FormDialog)
        empty = [spec.label for spec in form._fields if not spec.value]
        assert {"Name", "Unit", "Baseline", "Target", "Milestones"} <= set(empty)
        for label in empty:
            assert field_text(app, label).startswith(MARKERS), label
        assert field_text(app, "Milestones").startswith("e.g. 2026-06-30=20, 2026-12-31=40")
        # italic survives NO_COLOR (it drops only colours): a second cue
        box = form.query_one("#field-name", Input)
        assert box.get_component_rich_style("input--placeholder").italic

        await press(pilot, *"Revenue")
        assert field_text(app, "Name").startswith("Revenue")
        # a prefilled default, cleared, says what leaving it empty means
        box = form.query_one("#field-direction", Input)
        box.focus()
        await press(pilot, "ctrl+u")
        assert field_text(app, "Direction").startswith(
            "default: increase; or decrease, at_least, at_most"
        )


@pytest.mark.usefixtures("no_colour")
async def test_agreeing_shows_the_current_user_as_the_default_not_as_a_value(
    wheel: Wheel, make: Make, small: Small
) -> None:
    app = make(wheel)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "p", "g")
        form = app.screen
        assert isinstance(form, FormDialog)
        assert form.values == {"by": "", "on": ""}
        assert field_text(app, "Agreed by").startswith("default: alice")
        assert field_text(app, "Agreed on").startswith("default: today")
        await press(pilot, *"Board")
        assert field_text(app, "Agreed by").startswith("Board")
        await press(pilot, "enter")
        await settle(pilot)
        goal = open_wheel(small.root).goal(small.goal)
        assert goal.agreed_by == "Board" and goal.agreed_on is not None
