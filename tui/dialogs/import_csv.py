"""Import a CSV of measurements: a path entry that completes file names, a
summary of what the file would add (rows, first and last date per indicator)
and every row refused with why, then the import only on `y`. A file with any
refused row writes nothing, as `styr import` does."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from store.backend import MEASUREMENTS
from store.errors import StoreError
from store.exchange import Preview, outside_words
from store.format import counted
from store.plain import plain
from tui.dialogs.file_name import PathSuggester
from widgets.placeholder import hint

REFUSED_SHOWN = 50  # refused rows listed; the rest are counted
ENTER_HINT = "Enter shows what the file would add; nothing is written before y"
YES_HINT = "y imports these rows in one change (u undoes it); Esc cancels"
FIX_HINT = "nothing to import: fix the rows above, Enter to look again"


def summary_text(path: str, preview: Preview) -> Text:
    """The lines shown before anything is written."""
    plan = preview.would_add
    rows = sum(n for n, _, _ in plan.per_indicator.values())
    text = Text()
    text.append(
        f"{plain(path)}: {rows} row{'s' * (rows != 1)} for "
        f"{counted(len(plan.per_indicator), 'indicator')}\n",
        style="bold",
    )
    width = max((len(plain(plan.names.get(i, ""))) for i in plan.per_indicator), default=0)
    for ind_id, (count, first, last) in sorted(plan.per_indicator.items()):
        name = plain(plan.names.get(ind_id, f"indicator {ind_id}"))
        text.append(
            f"  {name:<{min(width, 30)}} {count:>6} row{'s' * (count != 1)}  {first} … {last}"
            f"{outside_words(plan, ind_id)}\n"
        )
    if preview.refused:
        n = len(preview.refused)
        text.append(f"{n} problem{'s' * (n != 1)}; nothing will be written:\n", style="bold")
        for _, message in preview.refused[:REFUSED_SHOWN]:
            text.append(f"  {plain(message)}\n")
        if n > REFUSED_SHOWN:
            text.append(f"  … and {n - REFUSED_SHOWN} more (styr import FILE lists them all)\n")
    text.rstrip()
    return text


class ImportDialog(ModalScreen[tuple[str, str] | None]):
    """Returns (path, text) of a file whose every row the store accepts,
    once the user confirms; None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="import.cancel"),
        Binding("y", "confirm", "Import", id="import.yes"),
    ]

    def __init__(self, preview: Callable[[str], Preview], suggestion: str = "") -> None:
        super().__init__(classes="dialog")
        self._preview = preview
        self._suggestion = suggestion
        self._ready: tuple[str, str] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(Text("Import measurements from a CSV file"), classes="dialog-title")
            yield Input(
                self._suggestion,
                id="import-path",
                placeholder=hint("values.csv (→ completes the name)"),
                suggester=PathSuggester(),
            )
            with VerticalScroll(id="import-summary-box"):
                yield Static(
                    Text("columns: indicator,date,value[,note] (`,` or `;`, decimal commas)"),
                    id="import-summary",
                )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Import (y)", id="yes", variant="primary", disabled=True)
                yield Button("Cancel (Esc)", id="no")
            yield Static(Text(ENTER_HINT), id="import-hint", classes="dialog-hint")

    def _show(
        self, text: Text, *, ready: tuple[str, str] | None, hint_text: str = ENTER_HINT
    ) -> None:
        self._ready = ready
        self.query_one("#import-summary", Static).update(text)
        # the focus stays in the path where there is nothing to import, so
        # the hint says what y would not do: a y there is typed
        self.query_one("#import-hint", Static).update(Text(YES_HINT if ready else hint_text))
        button = self.query_one("#yes", Button)
        button.disabled = ready is None
        if ready is not None:
            self.set_focus(button)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        name = event.value.strip()
        if not name:
            return
        path = Path(name).expanduser()
        try:
            content = path.read_text(encoding="utf-8-sig")
            preview = self._preview(content)
        except OSError as exc:
            self._show(Text(plain(f"cannot read {path}: {exc.strerror or exc}")), ready=None)
            return
        except UnicodeDecodeError:
            self._show(Text(plain(f"{path} is not UTF-8 text")), ready=None)
            return
        except StoreError as exc:
            self._show(Text(plain(f"{path}: {exc}")), ready=None)
            return
        rows = preview.would_add.added.get(MEASUREMENTS, 0)
        ok = not preview.refused and rows > 0
        self._show(
            summary_text(str(path), preview),
            ready=(str(path), content) if ok else None,
            hint_text=FIX_HINT if preview.refused else ENTER_HINT,
        )

    def on_input_changed(self, event: Input.Changed) -> None:
        # a summary belongs to the path it was made for
        if self._ready is not None and event.value.strip() != self._ready[0]:
            self._show(Text("Enter shows what this file would add"), ready=None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "yes":
            self.action_confirm()
        else:
            self.action_cancel()

    def action_confirm(self) -> None:
        if self._ready is not None:
            self.dismiss(self._ready)

    def action_cancel(self) -> None:
        self.dismiss(None)
