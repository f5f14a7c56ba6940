"""The base of every stage screen (Goals, Measure, Compare, Learn).

Contract for subclasses (keep it stable; other stages build on it):

- `STAGE: ClassVar[str]`: the stage key, one of `widgets.wheel_bar.STAGES`
  ("goals", "measure", "compare", "learn"); the wheel bar marks it.
- `compose_body()`: yield the stage's own widgets. The base composes the
  wheel bar above them and a footer of keys below; do not override `compose`.
- `refresh_data()`: re-read what the stage shows from `self.wheel` (and
  `self.comparison()`, computed once per data version) and redraw, keeping
  the selection where possible. Never call it directly: call `reload()`,
  which the base also calls on mount (for the first stage: once the
  app's first load, run in a worker while the first frame paints, is
  done), when the stage is shown again after
  the data changed, after undo, and when another process wrote the store.
- `HORIZONTAL_BREAKPOINTS = split_below(width)` (optional): the screen has
  the class `-narrow` below `width` columns and `-wide` from there, and the
  stylesheet puts a `.split` body's detail below its list when narrow.
- `palette_commands()` (optional): extra command palette entries for this
  stage, as `textual.app.SystemCommand`s.
- `select(kind, doc_id)` (optional): show that document; the palette uses it
  to jump to a goal or indicator. Return True when it was found.
- A `/` text filter (optional): a `widgets.filter_input.FilterInput`, bound
  as `Binding("slash", ..., priority=True)` to an action that calls
  `self.open_filter(selector)`.
- `look_at(goal_id)`: call it when the user's selection lands on a goal
  (or a row of one), so another stage can start from the goal last looked
  at (`self.styr.goal_in_view`; Learn's `a` offers it first).

Helpers for subclasses: `self.styr` (the app), `self.wheel`, `self.today`,
`self.view()` (the read model, `wheel.view(today)`), `self.comparison()`,
`self.shown_nodes()` (the view's goals the wheel filters keep: every stage
shows only these, their indicators and lessons; `shown_goal_ids()` is None
without a filter), `self.filtered_out(what)` (the line saying the filter
hides everything),
`self.can_edit()` (False, with the read-only reason shown, when the store
cannot be changed), `self.show_error(exc)` (a store error as a notification,
never a traceback), `self.open_form(dialog, on_done)` (push a modal, reload
when it returns something) and `self.confirm(question, on_yes)`.

User text goes into widgets as `rich.text.Text` (or `store.plain.plain`
strings with markup off), never interpolated into markup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual.actions import SkipAction
from textual.app import ComposeResult, SystemCommand
from textual.screen import ModalScreen, Screen
from textual.widgets import Input

from store.errors import StoreCorrupt, StoreError
from store.plain import plain
from store.service import Kind, Wheel
from widgets.filter_input import FilterInput
from widgets.footer import StageFooter
from widgets.wheel_bar import WheelBar

if TYPE_CHECKING:
    from textual.message import Message

    from store.compare import WheelComparison
    from store.views import GoalNode, WheelView
    from tui.app import StyrApp

T = TypeVar("T")


def split_below(width: int) -> list[tuple[int, str]]:
    """Breakpoints for a screen whose detail goes below its list under `width` columns."""
    return [(0, "-narrow"), (width, "-wide")]


class StageScreen(Screen[None]):
    """One stage of the wheel: wheel bar, the stage's body, footer."""

    STAGE: ClassVar[str] = ""

    def __init__(self) -> None:
        super().__init__(id=f"stage-{self.STAGE}")
        self._seen_version: tuple[object, ...] | None = None

    # ------------------------------------------------------------ access
    @property
    def styr(self) -> StyrApp:
        from tui.app import StyrApp

        app = self.app
        assert isinstance(app, StyrApp)
        return app

    @property
    def wheel(self) -> Wheel:
        return self.styr.wheel

    @property
    def today(self) -> date:
        return self.styr.today

    def view(self) -> WheelView:
        return self.styr.view()

    def comparison(self) -> WheelComparison:
        return self.styr.comparison()

    def shown_nodes(self) -> tuple[GoalNode, ...]:
        return self.styr.shown_nodes()

    def shown_goal_ids(self) -> frozenset[int] | None:
        return self.styr.shown_goal_ids()

    def filtered_out(self, what: str) -> str:
        """Why a stage shows no `what` although the wheel has some: the
        filter, and the keys that change it."""
        words = self.styr.filter_words.removeprefix("filter: ")
        return f"No {what} passes the filter ({words}): M, S or P changes it."

    # ----------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        # the breakpoint class for the terminal's width now: Textual sets it
        # on the screen's first Resize, after the first frame was laid out
        # and drawn without it (at 80x24 the detail beside the list, then
        # below it), a second layout and frame right after the first
        width = self.app.size.width
        for least, name in sorted(self.HORIZONTAL_BREAKPOINTS or (), reverse=True):
            if width >= least:
                self.set_class(True, name, update=False)
                break
        yield self._make_bar()
        yield from self.compose_body()
        yield StageFooter(after=self.styr.first_frame_out)

    def compose_body(self) -> ComposeResult:
        """The stage's own widgets; subclasses override."""
        yield from ()

    def _make_bar(self) -> WheelBar:
        from tui.app import short_path

        app = self.styr
        return WheelBar(
            self.STAGE,
            location=short_path(app.wheel.location),
            user=plain(app.wheel.user),
            read_only=app.read_only_reason or "",
            notice=app.notice,
            filters=app.filter_words,
            id="wheel-bar",
        )

    def sync_bar(self) -> None:
        """Bring the wheel bar up to date with the app."""
        bar = self.query_one(WheelBar)
        bar.notice = self.styr.notice
        bar.filters = self.styr.filter_words
        bar.read_only = self.styr.read_only_reason or ""

    # ------------------------------------------------------------- data
    def refresh_data(self) -> None:
        """Re-read from the wheel and redraw; subclasses override."""

    def reload(self) -> None:
        """Redraw from the store (see the module docstring)."""
        try:
            self.refresh_data()
        except StoreCorrupt as exc:
            self.styr.fail(exc)
            return
        except StoreError as exc:
            self.show_error(exc)
        self._seen_version = self.styr.data_version

    def on_mount(self) -> None:
        # the first stage loads once the app's first load is done (a worker
        # started by StyrApp.on_ready): on a big store it takes a second
        if self.styr.is_ready:
            self.reload()

    def on_screen_resume(self) -> None:
        self.sync_bar()
        if self.styr.is_ready and self._seen_version != self.styr.data_version:
            self.reload()

    async def settled(self) -> None:
        """Wait until every part of the stage is mounted: a stage may mount
        what is below its first frame just after it."""

    def palette_commands(self) -> Iterable[SystemCommand]:
        """Extra command palette entries while this stage is shown."""
        return ()

    def select(self, kind: Kind[Any], doc_id: int) -> bool:
        """Show the document `doc_id` of `kind`; False when it is not here."""
        return False

    # ---------------------------------------------------------- helpers
    def open_filter(self, selector: str) -> None:
        """Open the `/` filter `selector` with the focus in it.

        A priority binding runs this while the app routes the `/` itself,
        before the keys that arrived with it (a paste, a slow link): they
        are routed to the focus, by then the filter, in order. A normal
        binding would run only once the `/` came back up from the focused
        list, after those keys had reached the list (u undoing, r opening
        the risk form). In a text input, the filter included, the `/` is
        a character to type."""
        from textual.widgets import TextArea  # on the first /, not at start

        if isinstance(self.focused, (Input, TextArea)):
            raise SkipAction()
        self.query_one(selector, FilterInput).open()

    def look_at(self, goal_id: int | None) -> None:
        """The user now looks at goal `goal_id` (None: at no goal, which
        keeps the goal looked at before)."""
        if goal_id is not None:
            self.styr.goal_in_view = goal_id

    async def _on_message(self, message: Message) -> None:
        # a highlight or selection whose handler reads what a server away
        # cannot give: said by the app (the bar), not a traceback that ends it
        try:
            await super()._on_message(message)
        except StoreError as exc:
            self.styr.store_failed(exc)

    def can_edit(self) -> bool:
        """False, and the reason shown, when the store is read-only."""
        return not self.styr.refuse_edit()

    def show_error(self, exc: BaseException) -> None:
        """An error as a notification (the text is shown literally); a
        server away is said once, in the bar."""
        if isinstance(exc, StoreError):
            self.styr.store_failed(exc)
        else:
            self.notify(plain(str(exc)), severity="error", markup=False, timeout=8)

    def open_form(
        self, dialog: ModalScreen[T | None], on_done: Callable[[T], None] | None = None
    ) -> None:
        """Push a modal; when it returns something, reload and call on_done."""
        if not self.can_edit():
            return

        def done(result: T | None) -> None:
            if result is None:
                return
            self.reload()
            if on_done is not None:
                on_done(result)

        from tui.dialogs.form import FormDialog  # with the first form

        if isinstance(dialog, FormDialog):
            # a form of the same shape stays mounted and is refilled
            name = dialog.shape
            if self.app.is_screen_installed(name):
                self.app.get_screen(name, FormDialog).take_over(dialog)
            else:
                self.app.install_screen(dialog, name)
            self.app.push_screen(name, done)
            return
        self.app.push_screen(dialog, done)

    def confirm(self, question: str, on_yes: Callable[[], None], *, yes: str = "Delete") -> None:
        """Ask first; run on_yes only when the user confirms."""
        from tui.dialogs.confirm import ConfirmDialog

        if not self.can_edit():
            return

        def done(answer: bool | None) -> None:
            if answer:
                on_yes()

        self.app.push_screen(ConfirmDialog(question, yes=yes), done)
