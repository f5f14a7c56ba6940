"""The styr Textual app: one screen per stage of the steering wheel.

    1 Goals -> 2 Measure -> 3 Compare -> 4 Learn -> back to 1

The app holds the open Wheel (`app.wheel`), the date compared at
(`app.today`) and the wheel filters (`app.goal_filter`: my goals, a state,
a period; `M`, `S`, `P`), which every stage applies through
`app.shown_nodes()` and which stay on while the user moves around the
wheel; screens reach all three through it, never through globals. Stages
are App MODES, so each keeps its own focus and view state when left. Every
second a timer re-reads files another process replaced (or hears a server's
news, in a worker: keys keep working while the server is away); the active
stage then redraws and the wheel bar says who changed the store, or that
its server is away until it is back.

The first load (and the rebuild after another process wrote) reads the store
and builds the read model in a worker thread, so the first frame paints at
once; the stage then draws from the built view. Each finished load sets
`app.loaded` and posts `StyrApp.Loaded`: tests await those, not time.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.css.stylesheet import Stylesheet
from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from store.documents import GOAL_STATES
from store.errors import StoreAway, StoreCorrupt, StoreError
from store.plain import plain
from store.service import GOAL, Kind, Wheel
from store.steering import GoalFilter, Period, parse_period
from tui.commands import WheelCommands
from widgets.wheel_bar import STAGES

if TYPE_CHECKING:
    from textual.actions import ActionParseResult
    from textual.dom import DOMNode

    from store.backend import Change
    from store.compare import WheelComparison
    from store.steering import PeriodClose
    from store.views import GoalNode, WheelView
    from tui.screens.stage import StageScreen

AWAY = "server away — reconnecting"
SWITCH_HOLD = 0.005  # seconds the screen is held while a stage switches
STAGE_KEYS: tuple[str, ...] = tuple(key for key, _ in STAGES)

# Stage screens are imported when first shown: a screen nobody visits costs
# nothing at start-up. Each module defines the class named here.
STAGE_SCREENS: dict[str, tuple[str, str]] = {
    "goals": ("tui.screens.goals", "GoalsScreen"),
    "measure": ("tui.screens.measure", "MeasureScreen"),
    "compare": ("tui.screens.compare", "CompareScreen"),
    "learn": ("tui.screens.learn", "LearnScreen"),
}


def _stage_factory(stage: str) -> Callable[[], Screen[Any]]:
    module_name, class_name = STAGE_SCREENS[stage]

    def build() -> Screen[Any]:
        screen_class: type[Screen[Any]] = getattr(importlib.import_module(module_name), class_name)
        return screen_class()

    return build


def _hhmm(written_at: str) -> str:
    """Local hh:mm of a UTC ISO timestamp ('' when unreadable)."""
    try:
        when = datetime.fromisoformat(written_at)
    except ValueError:
        return ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone().strftime("%H:%M")


def short_path(location: str) -> str:
    """A store folder with the home folder written as ~."""
    try:
        return "~/" + str(Path(location).resolve().relative_to(Path.home()))
    except ValueError:
        return location


class ParsedOnceStylesheet(Stylesheet):
    """A stylesheet that parses each source once per set of variables.

    Textual re-parses every source when the theme's variables are set, even
    to the values they had, and re-parses into a new sheet whose results it
    drops, so the next widget class mounted parses every source a third
    time. At start that was 16 ms of the 32 spent parsing CSS before the
    first frame (app.tcss alone 6 ms a time)."""

    def set_variables(self, variables: dict[str, str]) -> None:
        if variables != self._variables:
            super().set_variables(variables)

    def reparse(self) -> None:
        # parse() replaces the rules only once every source parsed, so a
        # bad source leaves the sheet as it was, as Textual's reparse does
        self.parse()


class StyrApp(App[None]):
    """The steering wheel TUI over one store."""

    CSS_PATH = "app.tcss"
    TITLE = "styr"
    DEFAULT_MODE = "goals"
    MODES: ClassVar[dict[str, str | Callable[[], Screen[Any]]]] = {
        stage: _stage_factory(stage) for stage in STAGE_KEYS
    }
    COMMANDS = App.COMMANDS | {WheelCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "stage('goals')", "Goals", show=False, id="stage.goals"),
        Binding("2", "stage('measure')", "Measure", show=False, id="stage.measure"),
        Binding("3", "stage('compare')", "Compare", show=False, id="stage.compare"),
        Binding("4", "stage('learn')", "Learn", show=False, id="stage.learn"),
        Binding("left_square_bracket", "step(-1)", "Prev stage", show=False, id="stage.prev"),
        Binding("right_square_bracket", "step(1)", "Next stage", show=False, id="stage.next"),
        Binding("u", "undo", "Undo", id="app.undo"),
        Binding("question_mark", "keys", "Keys", id="app.keys"),
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("j", "cursor('down')", "Down", show=False, id="app.down"),
        Binding("k", "cursor('up')", "Up", show=False, id="app.up"),
        # the wheel filters and closing a period work in every stage: capitals,
        # so no stage's own keys (m in Learn, s in Goals and Compare) clash
        Binding("M", "my_goals", "My goals", show=False, id="app.mine"),
        Binding("S", "state_filter", "State", show=False, id="app.state"),
        Binding("P", "period_filter", "Period", show=False, id="app.period"),
        Binding("C", "close_period", "Close period", show=False, id="app.close_period"),
    ]
    POLL_SECONDS: ClassVar[float] = 1.0
    # long enough for the writer thread to put the first frame out, and for
    # a terminal on the same machine (two cores: tmux, a local emulator) to
    # draw it before the load and the held-back parts take the CPU: 20 ms
    # put the demo's first frame on screen some 20 ms later than 50 ms do.
    # The load that follows mostly reads the private caches
    # (store.seriescache), and the delay is part of every start's time to data
    FIRST_LOAD_DELAY: ClassVar[float] = 0.05

    class Loaded(Message):
        """The store is read and the read model built; the stage shows it."""

    def __init__(self, wheel: Wheel, *, today: date | None = None) -> None:
        super().__init__()
        self.stylesheet = ParsedOnceStylesheet(variables=self.get_css_variables())
        self.wheel = wheel
        # a bad measurement file found by any read (a key press) must not
        # end the app: it reads as empty, and the app goes read-only
        wheel.tolerant = True
        self._fixed_today = today
        self.notice = ""
        """The latest change by someone else, shown in every wheel bar."""
        self._instant_switch = False
        # a read model built before the app started (the demo's) is drawn in
        # the first frame; the first load still runs, and finds it built
        self.is_ready = wheel.has_view(self.today)
        """True once the read model is there to draw from: after the first
        load, or from the start when it was built before."""
        self.first_frame_out = asyncio.Event()
        """Set a moment after the first frame, once it is written out: what
        a stage holds back for it is mounted then (GoalsScreen's detail)."""
        self.loaded = asyncio.Event()
        """Set when a load (the first, or a rebuild after another process
        wrote) is done and shown; cleared while one runs, and while a
        worker asks the store's server what others wrote."""
        self.broken: str | None = None
        """The message of a bad file found while reading: the app is then read-only."""
        self.goal_filter = GoalFilter()
        """The owner, state and period filters, kept while moving around the wheel."""
        self.goal_in_view: int | None = None
        """The goal the user last looked at in a stage (StageScreen.look_at)."""
        self._kept: tuple[WheelView, GoalFilter, tuple[GoalNode, ...]] | None = None
        self.away = False
        """True while the store's server cannot be reached (the bar says so)."""

    # ------------------------------------------------------------ data
    @property
    def today(self) -> date:
        """The date everything is compared at."""
        return self._fixed_today or date.today()

    @property
    def data_version(self) -> tuple[object, ...]:
        """Changes whenever any goal, indicator or measurement changes,
        in this process or (after a refresh) another one, and when the
        wheel filters change: a stage then shows other goals."""
        return (self.today, self.wheel.version, self.goal_filter)

    def view(self) -> WheelView:
        """The read model at `today`, built once per data version: key
        presses reuse it instead of recomputing."""
        view = self.wheel.view(self.today)
        self._note_broken()
        return view

    def shown_nodes(self) -> tuple[GoalNode, ...]:
        """The view's goal tree as the wheel filters keep it (every stage
        shows these goals), built once per view and filter."""
        view = self.view()
        kept = self._kept
        if kept is None or kept[0] is not view or kept[1] != self.goal_filter:
            nodes = view.kept(self.goal_filter.keep(self.wheel.user))
            kept = self._kept = (view, self.goal_filter, nodes)
        return kept[2]

    def shown_goal_ids(self) -> frozenset[int] | None:
        """The goals the wheel filters keep; None when no filter is on."""
        if not self.goal_filter.active:
            return None
        return frozenset(node.goal.id for node in self.shown_nodes())

    @property
    def filter_words(self) -> str:
        """The wheel filters as the bar shows them: `filter: mine active 2026-Q3`."""
        f = self.goal_filter
        parts = [
            "mine" if f.owner == "me" else plain(f.owner or ""),
            f.state or "",
            f.period.label if f.period else "",
        ]
        words = " ".join(part for part in parts if part)
        return f"filter: {words}" if words else ""

    def comparison(self) -> WheelComparison:
        """The whole wheel compared at `today` (the view's comparison)."""
        return self.view().comparison

    @property
    def read_only_reason(self) -> str | None:
        if self.broken:
            return f"read-only: {self.broken}"
        return self.wheel.read_only_reason

    def refuse_edit(self) -> bool:
        """True (and says why) when the store cannot be changed."""
        reason = self.read_only_reason
        if reason:
            self.notify(reason, severity="warning", markup=False)
        return reason is not None

    # --------------------------------------------------------- lifecycle
    def on_mount(self) -> None:
        self.set_interval(self.POLL_SECONDS, self.poll_store, name="poll-store")

    def on_ready(self) -> None:
        """The first frame is rendered: read the store for the first stage
        a moment later, once the frame is written out. Parsing a big file
        holds the GIL inside one C call, which would keep Textual's writer
        thread (and so the frame) waiting even with the read in a worker."""
        self.set_timer(self.FIRST_LOAD_DELAY, self._after_first_frame)

    def _after_first_frame(self) -> None:
        self.first_frame_out.set()
        self._load()

    def _load(self) -> None:
        self.loaded.clear()
        self._build_view()

    @work(thread=True, exclusive=True, group="load")
    def _build_view(self) -> None:
        """Read the store and build the view off the event loop, then draw
        the stage from it."""
        try:
            self.wheel.view(self.today)
        except StoreError:
            pass  # the stage's reload reads again and shows the error
        finally:
            self.call_from_thread(self._show_loaded)

    def _show_loaded(self) -> None:
        self.is_ready = True
        screen = self.stage_screen
        # a stage still being built (its key pressed during the load) loads
        # itself once mounted
        if screen is not None and screen.is_mounted:
            screen.sync_bar()
            screen.reload()
            self._announce_loaded(screen)
        else:
            self._announce_loaded(None)

    @work(group="loaded")
    async def _announce_loaded(self, screen: StageScreen | None) -> None:
        """Say the load is shown once the stage has mounted all its parts
        (some come just after its first frame)."""
        if screen is not None:
            await screen.settled()
        self.loaded.set()
        self.post_message(self.Loaded())

    def _note_broken(self) -> None:
        """A bad measurement file read as empty (Wheel.tolerant): say so."""
        if self.wheel.broken and not self.broken:
            self.fail(StoreCorrupt(self.wheel.broken))

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded and self._split_escape(event):
            return
        await super().on_event(event)

    def _split_escape(self, key: events.Key) -> bool:
        """Over a slow link Esc and the next key arrive together and
        Textual reads them as alt+key; the user pressed Esc, then the key.
        On a form, Esc closes it and the key is dropped (it must not be
        typed into the form, nor act on the stage unseen); elsewhere both
        are handled in turn. Alt keys that type nothing (alt+backspace)
        keep working."""
        from tui.dialogs.saving import SavingDialog
        from tui.screens.stage import StageScreen

        if not (key.key.startswith("alt+") and key.is_printable):
            return False
        screen = self.screen
        if isinstance(screen, SavingDialog):
            screen.action_cancel()
            return True
        if not isinstance(screen, StageScreen):
            return False
        self.post_message(events.Key("escape", None))
        self.post_message(events.Key(key.key.removeprefix("alt+"), key.character))
        return True

    def fail(self, exc: StoreError) -> None:
        """A bad file found while reading: show its message and go
        read-only, keeping on screen what could be read (nothing may be
        written over the file, nor from a wheel read without it)."""
        first = self.broken is None
        self.broken = plain(str(exc))
        if first:
            self.notify(self.broken, severity="error", markup=False, timeout=600)
        screen = self.stage_screen
        if screen is not None:
            screen.sync_bar()

    def delay_update(self, delay: float = 0.05) -> None:
        # Textual holds the screen for 50 ms on a mode switch, then repaints
        # it whole; a stage switch is a key press with a 50 ms budget, so
        # the hold is kept only as long as the switch itself takes
        super().delay_update(SWITCH_HOLD if self._instant_switch else delay)

    def show_stage(self, stage: str) -> None:
        """Switch to a stage (a key of STAGES)."""
        if stage == self.current_mode:
            return
        self._instant_switch = True
        try:
            self.switch_mode(stage)
        finally:
            self._instant_switch = False

    def poll_store(self) -> None:
        """Pick up what other processes wrote; redraw and say who it was.

        A server's news are waited for in a worker, so keys keep working
        while it is away (a connect waits up to its timeout); `loaded` is
        clear meanwhile, so no load or other check uses the wheel with it.
        The folder's check (a stat of a few files) stays here: it costs
        less than starting a thread, and it changes the store's state."""
        if not self.loaded.is_set():
            return  # a load or a server check is under way in its worker
        for notice in self.wheel.take_notices():
            self.notify(notice, severity="warning", markup=False, timeout=8)
        if self.wheel.refresh_waits:
            self.loaded.clear()
            self._fetch_news()
        else:
            self._take_news(self.wheel.refresh)

    @work(exclusive=True, group="news")
    async def _fetch_news(self) -> Callable[[], list[Change]]:
        """Wait for the server's news in a thread of its own. Not a thread
        worker's (the loop's executor): quitting would then wait for a
        connect to time out, up to 10 s after the screen is gone; a daemon
        thread is left behind instead."""
        loop = asyncio.get_running_loop()
        news: asyncio.Future[Callable[[], list[Change]]] = loop.create_future()

        def deliver(found: Callable[[], list[Change]] | None, exc: BaseException | None) -> None:
            if news.done():  # cancelled: the app is ending
                return
            if exc is not None:
                news.set_exception(exc)  # a bug: the worker fails with it
            else:
                assert found is not None
                news.set_result(found)

        def wait() -> None:
            found, exc = None, None
            try:
                found = self.wheel.fetch_news()
            except BaseException as error:
                exc = error
            with contextlib.suppress(RuntimeError):  # the app has ended meanwhile
                loop.call_soon_threadsafe(deliver, found, exc)

        threading.Thread(target=wait, name="styr-news", daemon=True).start()
        return await news

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # the news are taken in here, on the loop, where the wheel is used
        worker = event.worker
        if worker.group == "news" and event.state == WorkerState.SUCCESS:
            take_in = worker.result
            if take_in is None or not self._take_news(take_in):
                self.loaded.set()

    def _take_news(self, take_in: Callable[[], list[Change]]) -> bool:
        """Take in what the store's check found; True when a load started."""
        try:
            changes = take_in()
        except StoreCorrupt as exc:
            self.fail(exc)
            return False
        except StoreError as exc:
            self.store_failed(exc)
            return False
        self._note_broken()
        if self.away:
            # reconnected: everything is read afresh, whoever wrote meanwhile
            self.away = False
            self._say(f"server back {datetime.now().astimezone():%H:%M}")
            self._load()
            return True
        if not changes:
            return False
        latest = max(changes, key=lambda change: change.written_at)
        writer = latest.writer.split("@", 1)[0]
        self._say(f"updated by {writer} {_hhmm(latest.written_at)}".strip())
        self._load()
        return True

    def store_failed(self, exc: StoreError) -> None:
        """A store error met while handling a key, a message or a check:
        said, never a traceback. A server away is said once, in the bar
        (the poll tries again every second and says when it is back)."""
        if isinstance(exc, StoreCorrupt):
            self.fail(exc)
        elif isinstance(exc, StoreAway):
            if not self.away:
                self.away = True
                self._say(AWAY)
        else:
            self.notify(plain(str(exc)), severity="error", markup=False, timeout=8)

    async def run_action(
        self,
        action: str | ActionParseResult,
        default_namespace: DOMNode | None = None,
        namespaces: Mapping[str, DOMNode] | None = None,
    ) -> bool:
        # a key's action that reads what a server away cannot give
        try:
            return await super().run_action(action, default_namespace, namespaces)
        except StoreError as exc:
            self.store_failed(exc)
            return True

    def _say(self, notice: str) -> None:
        self.notice = plain(notice)
        screen = self.stage_screen
        if screen is not None and screen.is_mounted:
            screen.sync_bar()

    def refresh_stage(self) -> None:
        """Ask the active stage to re-read the wheel and update its bar."""
        screen = self.stage_screen
        if screen is not None:
            screen.sync_bar()
            screen.refresh_data()

    @property
    def stage_screen(self) -> StageScreen | None:
        """The active stage's screen (also while a dialog is open over it)."""
        from tui.screens.stage import StageScreen

        for screen in reversed(self.screen_stack):
            if isinstance(screen, StageScreen):
                return screen
        return None

    # ------------------------------------------------------------ actions
    def action_stage(self, stage: str) -> None:
        self.show_stage(stage)

    def action_step(self, delta: int) -> None:
        index = STAGE_KEYS.index(self.current_mode) if self.current_mode in STAGE_KEYS else 0
        self.show_stage(STAGE_KEYS[(index + delta) % len(STAGE_KEYS)])

    def action_undo(self) -> None:
        if self.refuse_edit():
            return
        try:
            message = self.wheel.undo()
        except StoreError as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return
        self.notify(plain(message), markup=False)
        self.refresh_stage()

    # ------------------------------------------------------- filters
    def set_goal_filter(self, wanted: GoalFilter) -> None:
        """Show only the goals `wanted` keeps, in every stage from now on."""
        self.goal_filter = wanted
        self.refresh_stage()

    def action_my_goals(self) -> None:
        mine = None if self.goal_filter.owner else "me"
        self.set_goal_filter(replace(self.goal_filter, owner=mine))

    def action_state_filter(self) -> None:
        """The next state: draft, proposed, agreed, active, closed, then any."""
        cycle: list[str | None] = [None, *GOAL_STATES]
        following = cycle[(cycle.index(self.goal_filter.state) + 1) % len(cycle)]
        self.set_goal_filter(replace(self.goal_filter, state=following))

    def action_period_filter(self) -> None:
        from tui.dialogs.period import period_prompt

        def chosen(period: Period | str | None) -> None:
            if period is not None:  # None: cancelled
                wanted = period if isinstance(period, Period) else None
                self.set_goal_filter(replace(self.goal_filter, period=wanted))

        self.push_screen(period_prompt(self.goal_filter.period), chosen)

    def action_clear_filters(self) -> None:
        self.set_goal_filter(GoalFilter())

    def action_close_period(self) -> None:
        screen = self.stage_screen
        if screen is None:
            return
        from tui.dialogs.close_period import ClosePeriodDialog

        first = self.goal_filter.period or parse_period(str(self.today.year))
        screen.open_form(ClosePeriodDialog(self.wheel, first), self._period_closed)

    def _period_closed(self, done: PeriodClose) -> None:
        from store.format import counted

        closed = counted(len(done.closed), "goal")
        carried = f", {len(done.carried)} carried into {done.next.label}" if done.carried else ""
        self.notify(
            f"period {done.period.label} closed: {closed} closed{carried} (u undoes)",
            markup=False,
        )

    def jump_to(self, kind: Kind[Any], doc_id: int) -> None:
        """Show a goal in Goals, an indicator in Measure."""
        stage = "goals" if kind is GOAL else "measure"

        def show() -> None:
            screen = self.stage_screen
            if screen is None or not screen.select(kind, doc_id):
                hidden = f" ({self.filter_words} may hide it)" if self.goal_filter.active else ""
                self.notify(f"{kind.name} {doc_id} is not shown here{hidden}", markup=False)

        self.show_stage(stage)
        self.call_after_refresh(show)

    def action_keys(self) -> None:
        from tui.dialogs.keys import KeysDialog

        self.push_screen(KeysDialog(self.screen))

    def action_cursor(self, direction: str) -> None:
        """j/k move like the arrows in whatever list has focus."""
        focused = self.focused
        action = getattr(focused, f"action_cursor_{direction}", None)
        if action is not None:
            action()
        elif direction == "down":
            self.screen.focus_next()
        else:
            self.screen.focus_previous()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        for index, (stage, label) in enumerate(STAGES, 1):
            yield SystemCommand(
                f"Go to {label.split(' ', 1)[1]}",
                f"stage {index} of the wheel",
                partial(self.show_stage, stage),
            )
        yield SystemCommand("Undo", "undo your last change", self.action_undo)
        yield SystemCommand(
            "My goals / everyone's", "only the goals you own, in every stage (M)",
            self.action_my_goals,
        )  # fmt: skip
        yield SystemCommand(
            "Filter by goal state", "next state: draft … closed, then any (S)",
            self.action_state_filter,
        )  # fmt: skip
        yield SystemCommand(
            "Filter by period", "a year, quarter or month: 2026, 2026-Q3, 2026-11 (P)",
            self.action_period_filter,
        )  # fmt: skip
        if self.goal_filter.active:
            yield SystemCommand(
                "Clear the wheel filters", "show every goal", self.action_clear_filters
            )
        yield SystemCommand(
            "Close a period…", "outcomes, carry goals into the next period (C)",
            self.action_close_period,
        )  # fmt: skip
        yield SystemCommand("Keys", "show every key", self.action_keys)
        # the import, export and report dialogs load with the palette, not
        # before the first frame
        from tui import exchange_actions

        yield from exchange_actions.commands(self)
        stage_screen = self.stage_screen
        if stage_screen is not None:
            yield from stage_screen.palette_commands()
        yield from super().get_system_commands(screen)


def make_app(wheel: Wheel, *, today: date | None = None) -> StyrApp:
    """The app as the CLI builds it; tests use the same factory."""
    return StyrApp(wheel, today=today)
