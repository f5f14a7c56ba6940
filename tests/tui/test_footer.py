"""StageFooter: the keys a stage shows, rebuilt only when they change."""

from __future__ import annotations

import asyncio
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer
from textual.widgets._footer import FooterKey
from tuihelp import screen_text

from widgets.footer import StageFooter


class Host(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("x", "toggle", "Toggle"),
        Binding("y", "only_when_on", "Only when on"),
    ]

    def __init__(self, after: asyncio.Event | None = None) -> None:
        super().__init__()
        self.on = False
        self.after = after

    def compose(self) -> ComposeResult:
        yield StageFooter(after=self.after)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.on if action == "only_when_on" else True

    def action_toggle(self) -> None:
        self.on = not self.on
        self.refresh_bindings()


async def test_the_footer_keeps_its_keys_until_they_change() -> None:
    app = Host()
    async with app.run_test(size=(80, 5)) as pilot:
        await pilot.pause()
        footer = app.query_one(Footer)
        keys = list(footer.query(FooterKey))
        assert "Toggle" in screen_text(app) and "Only when on" not in screen_text(app)
        app.screen.refresh_bindings()  # what a focus change or showing the screen again does
        await pilot.pause()
        await pilot.pause()
        assert list(footer.query(FooterKey)) == keys  # the same widgets, not built anew
        await pilot.press("x")
        await pilot.pause()
        await pilot.pause()
        assert "Only when on" in screen_text(app)
        await pilot.press("x")
        await pilot.pause()
        await pilot.pause()
        assert "Only when on" not in screen_text(app)


async def test_the_footer_shows_its_keys_once_the_first_frame_is_out() -> None:
    """Building the keys right after the first frame held that frame back
    from the terminal; they come once the app says the frame is out."""
    out = asyncio.Event()
    app = Host(after=out)
    async with app.run_test(size=(80, 5)) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert not app.query(FooterKey) and "Toggle" not in screen_text(app)
        await pilot.press("x")  # the keys work before they are shown
        assert app.on
        out.set()
        for _ in range(20):  # turns of the event loop, not time
            if app.query(FooterKey):
                break
            await pilot.pause()
        await pilot.pause()
        assert "Only when on" in screen_text(app)
