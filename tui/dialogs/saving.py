"""What every editing dialog does when the user saves: call the store,
keep the form open with the message on a bad value, and on a concurrent
change show both versions and let the user choose."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from textual.screen import ModalScreen

from store.errors import Conflict, StoreError, ValidationError

Save = Callable[[Any, bool], Any]


class SavingDialog(ModalScreen[Any]):
    """A modal form; subclasses say what the values are and where errors go.

    `save(values, overwrite)` writes and returns the saved document, raising
    ValidationError (each problem shown by its field; `show_error` is called
    once per problem, last first, and adds to what a field already shows),
    Conflict (both versions shown; a second call with overwrite=True only if
    the user keeps theirs) or StoreError.
    """

    def __init__(self, save: Save, *, classes: str = "dialog") -> None:
        super().__init__(classes=classes)
        self._save = save

    def current_values(self) -> Any:
        raise NotImplementedError

    def clear_errors(self) -> None:
        raise NotImplementedError

    def show_error(self, message: str, field: str | None) -> None:
        raise NotImplementedError

    def conflict_labels(self) -> Mapping[str, str]:
        return {}

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self, overwrite: bool = False) -> None:
        self.clear_errors()
        try:
            result = self._save(self.current_values(), overwrite)
        except ValidationError as exc:
            # every problem at once, each by its field; the first field gets focus
            for field, message in reversed(exc.problems):
                self.show_error(message, field)
            return
        except Conflict as exc:
            self._ask_conflict(exc)
            return
        except StoreError as exc:
            self.show_error(str(exc), None)
            return
        self.dismiss(result)

    def _ask_conflict(self, exc: Conflict) -> None:
        from tui.dialogs.conflict import ConflictDialog

        def decided(choice: str | None) -> None:
            if choice == "mine":
                self.action_save(overwrite=True)
            elif choice == "theirs":
                self.notify("kept their version", markup=False)
                self.dismiss(None)

        self.app.push_screen(ConflictDialog(exc, dict(self.conflict_labels())), decided)
