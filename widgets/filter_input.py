"""The `/` text filter of a pane: one line, hidden until opened.

It posts `Changed` on every key (a pane refilters in place, well within a
key's 50 ms even over thousands of rows, so there is no pause to wait for),
`Submitted` on Enter (back to the list, the filter kept) and `Cleared` once
emptied and hidden. The pane decides what the text matches.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input


class FilterInput(Widget):
    """A one-line filter box; `open()` shows and focuses it, `clear()` ends it."""

    DEFAULT_CSS: ClassVar[str] = """
    FilterInput {
        height: 1;
        display: none;
    }
    FilterInput > Input, FilterInput > Input:focus {
        height: 1;
        border: none;
    }
    """

    class _Posted(Message):
        """What the three messages share: the filter that posted them. They
        are siblings, so a handler of one is never called for another."""

        def __init__(self, filter_input: FilterInput) -> None:
            super().__init__()
            self.filter_input = filter_input

        @property
        def control(self) -> FilterInput:
            return self.filter_input

    class Changed(_Posted):
        """The filter text is now `text`."""

        def __init__(self, filter_input: FilterInput, text: str) -> None:
            super().__init__(filter_input)
            self.text = text

    class Submitted(_Posted):
        """Enter: the user is done typing; the filter stays."""

        def __init__(self, filter_input: FilterInput, text: str) -> None:
            super().__init__(filter_input)
            self.text = text

    class Cleared(_Posted):
        """The filter is empty and hidden again."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "submit", "Done", show=False, priority=True),
    ]

    def __init__(
        self,
        placeholder: str,
        *,
        then: str,
        id: str | None = None,
    ) -> None:
        """`then`: the selector of what gets the focus once the filter is
        done (Enter) or cleared."""
        super().__init__(id=id)
        self._then = then
        self._placeholder = placeholder
        self.text = ""

    def _box(self) -> Input:
        """The text box, mounted when the filter first opens: an Input and
        its styles cost a stage's first frame some 15 ms, and most visits
        never filter."""
        boxes = self.query(Input)
        if boxes:
            return boxes.first()
        box = Input(placeholder=self._placeholder)
        self.mount(box)  # registered and styled now, so it can take the focus
        return box

    @property
    def is_active(self) -> bool:
        """Shown, or filtering by some text."""
        return bool(self.display or self.text)

    def open(self) -> None:
        self.display = True
        # at once, not after a refresh: the keys that came in one burst with
        # the key opening the filter are routed to whatever has the focus
        self.screen.set_focus(self._box())

    def clear(self) -> bool:
        """Empty and hide the filter; False when there was nothing to clear."""
        if not self.is_active:
            return False
        box = self._box()
        with box.prevent(Input.Changed):
            box.value = ""
        self.text = ""
        self.display = False
        self._hand_on_focus()
        self.post_message(self.Cleared(self))
        return True

    def _hand_on_focus(self) -> None:
        # at once, while the app handles the key: a key typed right after
        # Enter or Esc (a paste, a slow link) goes to the list, not in here
        self.screen.set_focus(self.screen.query_one(self._then))

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self.text = event.value
        self.post_message(self.Changed(self, self.text))

    def action_submit(self) -> None:
        self._hand_on_focus()
        self.display = bool(self.text)
        self.post_message(self.Submitted(self, self.text))
