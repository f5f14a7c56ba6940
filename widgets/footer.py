"""The key footer of a stage, built again only when the keys it shows change.

Textual's Footer throws away and mounts anew every key it shows whenever the
screen's bindings may have changed: on each focus change, and each time its
screen is shown again. A stage switch is a key press with a 50 ms budget,
and building and styling the footer's keys took most of it, although the
keys of a stage seldom change. This footer first compares what it would show
with what it shows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable
from typing import Any

from textual import work
from textual.screen import Screen
from textual.widgets import Footer


class StageFooter(Footer):
    """A Footer that keeps its keys while they stay the same."""

    def __init__(self, *, after: asyncio.Event | None = None) -> None:
        """`after`: the keys are first shown once it is set (the app's first
        frame out): building them right after that frame kept the main
        thread, and so Textual's writer thread, from putting the frame out
        for some 10-20 ms, and the frame then waited for the keys' own."""
        super().__init__()
        self._shown: Hashable = None
        self._after = after

    def bindings_changed(self, screen: Screen[Any]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            if self._after is not None and not self._after.is_set():
                self._keys_after(self._after)
            else:
                self.call_after_refresh(self._recompose_if_changed)

    @work(group="footer-keys", exclusive=True)
    async def _keys_after(self, after: asyncio.Event) -> None:
        # a worker, so the footer's own messages are not held up meanwhile;
        # the keys are built in the footer's own turn (they bind to it)
        await after.wait()
        self.call_later(self._recompose_if_changed)

    def _keys(self) -> Hashable:
        """Everything of the active bindings the footer draws from."""
        palette = self.app.COMMAND_PALETTE_BINDING
        return tuple(
            (key, binding.key, binding.description, binding.action, binding.group, enabled, tip)
            for key, (_, binding, enabled, tip) in self.screen.active_bindings.items()
            if binding.show or key == palette
        )

    async def _recompose_if_changed(self) -> None:
        if not self.is_attached:
            return
        keys = self._keys()
        if keys != self._shown:
            self._shown = keys
            await self.recompose()
