"""The risk register: every goal's risks on one screen, highest residual
score first (Wheel.risk_register's order), each with its inherent and
residual score (residual is the inherent one until mitigation is scored),
and a 5x5 matrix of each. A risk whose residual score is above the store's
acceptance threshold and that nobody accepted is marked `!` and says it
needs mitigation or acceptance; `a` accepts the selected one (who, default
you; when, default today) through Wheel.accept_risk, `u` undoes. Enter goes
to the risk's goal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Static

from store.errors import StoreError
from store.plain import plain
from store.service import Wheel
from store.steering import ACCEPTANCE_THRESHOLD
from tui.dialogs.form import FormDialog, FormField
from tui.dialogs.list_keys import ListKeys
from widgets.risk_matrix import RiskMatrix

COLUMNS = ("!", "risk", "goal", "inherent", "residual", "state")
TITLE_WIDTH = 20
GOAL_WIDTH = 12
NEEDS = "mitigate/accept"


def clipped(text: str, width: int) -> Text:
    line = Text(plain(text), no_wrap=True)
    line.truncate(width, overflow="ellipsis")
    return line


def score_words(probability: int, consequence: int) -> str:
    """`4x5=20`: the pair and the score, so it reads without the matrix."""
    return f"{probability}x{consequence}={probability * consequence}"


def state_words(record: dict[str, Any]) -> str:
    if record["needs_decision"]:
        return NEEDS
    if record["accepted_by"]:
        return "accepted"
    return str(record["state"])


def counted(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The risks the matrices count: every one not closed."""
    return [r for r in records if r["state"] != "closed"]


class RiskRegister(ListKeys[Any]):
    """The register over `wheel`; dismisses with a goal id to go to, or None."""

    DEFAULT_CSS = """
    RiskRegister .register-box {
        width: 100%;
        max-width: 110;
        height: 100%;
        max-height: 34;
    }
    RiskRegister .dialog-title {
        margin-bottom: 0;
    }
    RiskRegister #register-table {
        height: 1fr;
        min-height: 3;
    }
    RiskRegister #register-matrices {
        height: 9;
    }
    RiskRegister .matrix-column {
        width: 25;
    }
    RiskRegister #register-detail {
        width: 1fr;
        padding-left: 1;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "accept", "Accept", id="register.accept", tooltip="accept the selected risk"),
        Binding("u", "undo", "Undo", id="register.undo", tooltip="undo your last change"),
        Binding("escape,R,q", "close", "Close", id="register.close"),
    ]

    def __init__(self, wheel: Wheel, can_edit: Callable[[], bool]) -> None:
        super().__init__(classes="dialog")
        self.wheel = wheel
        self._can_edit = can_edit
        self.records: list[dict[str, Any]] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box register-box"):
            yield Static("", id="register-title", classes="dialog-title")
            table: DataTable[Text | str] = DataTable(
                id="register-table", cursor_type="row", zebra_stripes=True
            )
            table.add_columns(*COLUMNS)
            yield table
            with Horizontal(id="register-matrices"):
                with Vertical(classes="matrix-column"):
                    yield Static(Text("Inherent", style="bold"))
                    yield RiskMatrix(id="matrix-inherent")
                with Vertical(classes="matrix-column"):
                    yield Static(Text("Residual", style="bold"))
                    yield RiskMatrix(id="matrix-residual")
                yield Static("", id="register-detail")
            yield Static(
                "a accept   u undo   Enter goes to the goal   Esc closes", classes="dialog-hint"
            )

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#register-table", DataTable))
        self.load()

    def load(self) -> None:
        """Read the register again and redraw, keeping the selected risk."""
        table = self.query_one("#register-table", DataTable)
        keep = self.selected_id()
        try:
            self.records = self.wheel.risk_register()
        except StoreError as exc:
            self.notify(plain(str(exc)), severity="error", markup=False)
            self.records = []
        table.clear()
        for r in self.records:
            table.add_row(
                Text("!", style="bold") if r["needs_decision"] else "",
                clipped(r["title"], TITLE_WIDTH),
                clipped(r["goal"] or f"goal {r['goal_id']}", GOAL_WIDTH),
                score_words(r["probability"], r["consequence"]),
                score_words(r["residual_probability"], r["residual_consequence"]),
                Text(state_words(r), style="bold" if r["needs_decision"] else ""),
                key=str(r["risk_id"]),
            )
        ids = [r["risk_id"] for r in self.records]
        if keep in ids:
            table.move_cursor(row=ids.index(keep))
        shown = counted(self.records)
        self.query_one("#matrix-inherent", RiskMatrix).cells = tuple(
            (r["probability"], r["consequence"]) for r in shown
        )
        self.query_one("#matrix-residual", RiskMatrix).cells = tuple(
            (r["residual_probability"], r["residual_consequence"]) for r in shown
        )
        undecided = sum(r["needs_decision"] for r in self.records)
        title = Text("Risk register", style="bold")
        title.append(
            f"  {len(self.records)} risks, highest residual first; {undecided} above "
            f"{ACCEPTANCE_THRESHOLD} need{'s' if undecided == 1 else ''} mitigation or "
            f"acceptance (!); the matrices count the {len(shown)} not closed",
            style="dim",
        )
        self.query_one("#register-title", Static).update(title)
        self._show_detail()

    def selected_id(self) -> int | None:
        table = self.query_one("#register-table", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(key) if key is not None else None

    def selected(self) -> dict[str, Any] | None:
        risk_id = self.selected_id()
        return next((r for r in self.records if r["risk_id"] == risk_id), None)

    @on(DataTable.RowHighlighted, "#register-table")
    def _highlighted(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        detail = self.query_one("#register-detail", Static)
        r = self.selected()
        if r is None:
            detail.update(Text("No risks yet: r in 1 Goals adds one to a goal.", style="italic"))
            return
        text = Text(f"risk {r['risk_id']}, goal {r['goal_id']}", style="bold")
        for label, name in (("cause", "cause"), ("mitigation", "mitigation"), ("owner", "owner")):
            if r[name]:
                text.append(f"\n{label}: {plain(r[name])}")
        if r["due"]:
            text.append(f"\ndue {r['due']}")
        if r["accepted_by"]:
            text.append(f"\naccepted by {plain(r['accepted_by'])} on {r['accepted_on']}")
        elif r["needs_decision"]:
            text.append(
                f"\nresidual {r['residual_score']} is above {ACCEPTANCE_THRESHOLD}: "
                "mitigate it (e in 1 Goals) or accept it (a)",
                style="bold",
            )
        detail.update(text)

    def action_accept(self) -> None:
        r = self.selected()
        if r is None or not self._can_edit():
            return
        risk_id = r["risk_id"]
        fields = [
            FormField("by", "Accepted by", self.wheel.user, "the board (a person or a body)",
                      aliases=("accepted by",)),
            FormField("on", "Accepted on", "", "2026-03-01, -2d", aliases=("accepted on",),
                      default="today"),
        ]  # fmt: skip

        def save(values: dict[str, str], _overwrite: bool) -> Any:
            return self.wheel.accept_risk(risk_id, values["by"], values["on"])

        def done(result: Any) -> None:
            if result is not None:
                self.notify(
                    f"risk {risk_id} accepted by {plain(result.accepted_by)} (u undoes)",
                    markup=False,
                )
                self.load()

        title = f"Accept risk {risk_id} '{plain(r['title'])}' as it stands"
        self.app.push_screen(FormDialog(title, fields, save), done)

    def action_undo(self) -> None:
        # the app's u does not reach a modal; an acceptance is undone here too
        undo = getattr(self.app, "action_undo", None)
        if undo is not None:
            undo()
            self.load()

    @on(DataTable.RowSelected, "#register-table")
    def _go(self, event: DataTable.RowSelected) -> None:
        event.stop()
        r = self.selected()
        if r is not None:
            self.dismiss(r["goal_id"])

    def action_close(self) -> None:
        self.dismiss(None)
