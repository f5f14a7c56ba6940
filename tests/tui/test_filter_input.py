"""FilterInput on its own: the messages a pane gets from the `/` filter."""

from __future__ import annotations

from textual import on
from textual.app import App, ComposeResult
from textual.message import Message
from textual.widgets import Input

from widgets.filter_input import FilterInput


class Host(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.got: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        yield FilterInput("filter", then="#list")
        yield Input(id="list")

    @on(FilterInput.Changed)
    @on(FilterInput.Submitted)
    @on(FilterInput.Cleared)
    def _note(self, event: Message) -> None:
        self.got.append((type(event).__name__, getattr(event, "text", "")))


async def test_every_key_sends_the_text_then_enter_submits() -> None:
    app = Host()
    async with app.run_test() as pilot:
        box = app.query_one(FilterInput)
        assert not box.display
        box.open()
        await pilot.press(*"rain")
        await pilot.pause()
        assert app.got == [("Changed", "r"), ("Changed", "ra"), ("Changed", "rai"),
                           ("Changed", "rain")]  # fmt: skip
        await pilot.press("enter")
        await pilot.pause()
        assert app.got[-1] == ("Submitted", "rain")
        assert box.display and box.text == "rain"  # a filter in use stays in sight


async def test_clear_empties_hides_and_says_so_once() -> None:
    app = Host()
    async with app.run_test() as pilot:
        box = app.query_one(FilterInput)
        assert box.clear() is False  # nothing to clear
        box.open()
        await pilot.press(*"x")
        assert box.clear() is True
        await pilot.pause()
        assert app.got == [("Changed", "x"), ("Cleared", "")]
        assert not box.display and box.text == "" and box.query_one(Input).value == ""


async def test_a_key_right_after_enter_goes_to_the_list_not_the_filter() -> None:
    """Keys sent at once (a paste, a slow link): the focus moves while the
    app handles Enter, so the next key cannot land in the filter."""
    app = Host()
    async with app.run_test() as pilot:
        box = app.query_one(FilterInput)
        box.open()
        await pilot.press(*"rain", "enter", "l")
        await pilot.pause()
        assert box.text == "rain" and app.query_one("#list", Input).value == "l"
