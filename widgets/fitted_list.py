"""An OptionList that says when its width changes, so a screen can fit its
prompts to it (cut to one line, status words where there is room): the
width is known only once the list is laid out, and a responsive layout
may lay it out more than once."""

from __future__ import annotations

from textual import events
from textual.message import Message
from textual.widgets import OptionList


class FittedOptionList(OptionList):
    """An OptionList posting `Resized` when its content width changes."""

    class Resized(Message):
        def __init__(self, width: int) -> None:
            super().__init__()
            self.width = width

    def on_resize(self, event: events.Resize) -> None:
        self.post_message(self.Resized(self.scrollable_content_region.width))
