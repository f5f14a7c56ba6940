"""The Compare table: a roll-up row per goal followed by its indicators.

It takes the read model (`store.views.WheelView`: goals in the one tree
order, one record per goal and indicator) and shows it sorted and filtered
as its owner says (`order_rows`); it reads no store. Moving the cursor posts
`CompareTable.Selected` with the row's kind and id.

The rules it shows by, tested without a terminal through `build_rows` and
`arranged`: goals sort by their own status, progress and name, by their
first shown indicator for days ahead and eta; indicators sort within their
goal; a missing value always goes last, whichever the order. "Needs
attention" is an open goal's missed, off-track or at-risk rows: a closed
goal and its indicators are done with, whatever their figures say. In a
table narrower than COMPACT_BELOW names, bars and big figures are shorter,
so status, progress, actual, expected and ahead/behind fit at 80 columns
without scrolling sideways.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any, Final, Literal, TypeVar

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual._two_way_dict import TwoWayDict
from textual.events import Resize
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets._data_table import default_cell_formatter
from textual.widgets.data_table import Row as TableRow
from textual.widgets.data_table import RowKey

from store.compare import SEVERITY, STATUS_GLYPH, STATUS_WORD, Status
from store.format import STATUS_COLOUR, ahead_words, number, percent, status_label
from store.plain import plain
from store.views import GoalNode, Record, WheelView
from widgets.gauge import bar
from widgets.goal_tree import RISK_MARK

RowKind = Literal["goal", "indicator"]
NAME_WIDTH: Final = 30
BAR_WIDTH: Final = 8
MAX_INDENT: Final = 3
# below this many columns names and bars are shorter and big figures compact
COMPACT_BELOW: Final = 96  # the table's own width: a 100-column terminal less borders is not
COMPACT_NAME_WIDTH: Final = 19
COMPACT_BAR_WIDTH: Final = 3
COLUMNS: Final[tuple[tuple[str, str], ...]] = (
    ("name", "Goal / indicator"),
    ("status", "Status"),
    ("progress", "Progress"),
    ("actual", "Actual"),
    ("expected", "Expected"),
    ("ahead", "Ahead"),
    ("forecast", "Forecast"),
    ("eta", "ETA"),
    ("flags", "Flags"),
)
# the sort orders `s` cycles through; "wheel" is the one goal tree order
SORTS: Final[tuple[tuple[str, str], ...]] = (
    ("wheel", "wheel order"),
    ("status", "status, worst first"),
    ("progress", "progress, least first"),
    ("ahead", "days ahead, most behind first"),
    ("eta", "eta, soonest first"),
    ("name", "name"),
)
ATTENTION: Final[tuple[Status, ...]] = ("missed", "off_track", "at_risk")
NEEDS_ATTENTION: Final = "needs attention"
FILTERS: Final[tuple[tuple[str, tuple[Status, ...]], ...]] = (
    ("all", ()),
    (NEEDS_ATTENTION, ATTENTION),
    *((STATUS_WORD[s], (s,)) for s in SEVERITY),
)
_RANK: Final = {status: rank for rank, status in enumerate(SEVERITY)}
MISSING: Final[tuple[Any, ...]] = (1,)
T = TypeVar("T")


@cache
def status_text(status: Status, outcome: str | None = None, compact: bool = False) -> Text:
    """Glyph and word, so the status reads without colour; a closed goal's
    with its outcome, as in Goals: `■ closed: achieved`, in a compact table
    `■ achieved` (the longer one would push ahead/behind off an 80-column
    screen). Cells are shared: a table of thousands of rows builds each
    distinct one once."""
    label = status_label(status)
    if status == "closed" and outcome:
        label = f"{STATUS_GLYPH[status]} {outcome}" if compact else f"{label}: {outcome}"
    return Text(label, style=STATUS_COLOUR[status])


def progress_text(progress: float | None, width: int = BAR_WIDTH) -> Text:
    if progress is None:
        return _progress_cell(None, percent(None), width)
    share = min(max(progress, 0.0), 1.0)
    return _progress_cell(round(share * width * 8) / (width * 8), percent(progress), width)


@cache
def _progress_cell(share: float | None, shown: str, width: int) -> Text:
    return bar(share, width) + Text(" " + shown.rjust(4))


def cell_width(cell: Text | str) -> int:
    """The columns a cell takes, as DataTable measures it (no wrapping)."""
    text = default_cell_formatter(cell, wrap=False, height=1)
    assert isinstance(text, Text)
    return max(map(cell_len, text.plain.split("\n")))


def clipped(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def risk_words(risk: Record | None) -> str:
    """A goal's highest open risk, short: `risk 20 Market dip`."""
    return "" if risk is None else f"risk {risk['score']} {plain(risk['title'])}"


def goal_name(name: str, width: int, risk: Record | None) -> Text:
    """A goal's name cell; with an open risk its score ends the cell, right
    beside the status (`⚠20`), where the Flags column is off screen at 80."""
    if risk is None:
        return Text(clipped(name, width), style="bold")
    mark = f" {RISK_MARK}{risk['score']:<2}"
    cell = Text(clipped(name, width - len(mark)).ljust(width - len(mark)), style="bold")
    return cell.append(mark)


def goal_flags(record: Record) -> str:
    """What a goal row says beside its figures (its status cell has the
    outcome): top risk, warnings."""
    flags = []
    if record["top_risk"] is not None:
        flags.append(risk_words(record["top_risk"]))
    if record["activity_trap"]:
        flags.append("activity trap")
    if record["efficiency"] is not None and record["efficiency"]["overspending"]:
        flags.append("overspending")
    return ", ".join(flags)


@dataclass(slots=True)
class Row:
    """One table row, with the values it sorts and filters by."""

    key: str
    kind: RowKind
    doc_id: int
    name: str
    search: str
    status: Status
    progress: float | None
    ahead: int | None
    eta: str | None
    open: bool  # under an open goal: it may need attention
    cells: tuple[Text | str, ...]
    children: list[Row] = field(default_factory=list)

    def sort_key(self, column: str) -> tuple[Any, ...]:
        """Smaller comes first; a missing value always last."""
        if column == "status":
            return (0, _RANK[self.status])
        if column == "name":
            return (0, self.name.casefold())
        value = {"progress": self.progress, "ahead": self.ahead, "eta": self.eta}[column]
        return MISSING if value is None else (0, value)

    def shown_by(self, statuses: tuple[Status, ...], attention: bool, text: str) -> bool:
        if attention and not self.open:
            return False
        return (not statuses or self.status in statuses) and (not text or text in self.search)


def _indent(depth: int) -> str:
    # deep cascades stop indenting, so names keep their room
    return "  " * min(depth, MAX_INDENT)


def goal_name_cell(record: Record, compact: bool, depth: int) -> Text:
    name_width = COMPACT_NAME_WIDTH if compact else NAME_WIDTH
    return goal_name(_indent(depth) + "▸ " + plain(record["goal"]), name_width, record["top_risk"])


def indicator_name_cell(record: Record, compact: bool, depth: int) -> Text:
    name = _indent(depth) + "  " + plain(record["indicator"])
    return Text(clipped(name, COMPACT_NAME_WIDTH if compact else NAME_WIDTH))


def goal_row(record: Record, compact: bool, depth: int) -> Row:
    title = plain(record["goal"])
    return Row(
        key=f"g{record['goal_id']}",
        kind="goal",
        doc_id=record["goal_id"],
        name=title,
        search=title.casefold(),
        status=record["status"],
        progress=record["progress"],
        ahead=None,
        eta=None,
        open=record["state"] != "closed",
        cells=(
            goal_name_cell(record, compact, depth),
            status_text(record["status"], record["outcome"], compact),
            progress_text(record["progress"], COMPACT_BAR_WIDTH if compact else BAR_WIDTH),
            "",
            "",
            "",
            "",
            "",
            Text(goal_flags(record), style="italic"),
        ),
    )


def indicator_row(record: Record, depth: int, is_open: bool, compact: bool) -> Row:
    name = plain(record["indicator"])
    goal = plain(record["goal"] or "")
    return Row(
        key=f"i{record['indicator_id']}",
        kind="indicator",
        doc_id=record["indicator_id"],
        name=name,
        search=f"{name} {goal}".casefold(),
        status=record["status"],
        progress=record["progress"],
        ahead=record["ahead_days"],
        eta=record["eta"],
        open=is_open,
        cells=(
            indicator_name_cell(record, compact, depth),
            status_text(record["status"]),
            progress_text(record["progress"], COMPACT_BAR_WIDTH if compact else BAR_WIDTH),
            Text(number(record["actual"], compact=compact), justify="right"),
            Text(number(record["expected"], compact=compact), justify="right"),
            Text(ahead_words(record["ahead_days"]), justify="right"),
            Text(number(record["forecast"]), justify="right"),
            record["eta"] or "-",
            Text("stale", style="italic") if record["stale"] else "",
        ),
    )


def build_rows(
    view: WheelView, compact: bool, nodes: Sequence[GoalNode] | None = None
) -> list[Row]:
    """A goal row per goal of `nodes` (default: the view's tree) in order,
    indented by the node's depth, its indicators as children."""
    rows = []
    for node in view.nodes if nodes is None else nodes:
        record = view.goal_record(node.goal.id)
        row = goal_row(record, compact, node.depth)
        row.children = [
            indicator_row(view.indicator_record(i.id), node.depth, row.open, compact)
            for i in node.indicators
        ]
        rows.append(row)
    return rows


def at_depth(row: Row, view: WheelView, compact: bool, depth: int) -> Row:
    """A goal's rows as build_rows makes them at another depth: only the
    names are indented otherwise, every other cell is shared."""
    name = goal_name_cell(view.goal_record(row.doc_id), compact, depth)
    goal = replace(row, cells=(name, *row.cells[1:]))
    goal.children = []
    for kid in row.children:
        name = indicator_name_cell(view.indicator_record(kid.doc_id), compact, depth)
        goal.children.append(replace(kid, cells=(name, *kid.cells[1:])))
    return goal


def arranged(
    rows: Sequence[Row], sort: str, reverse: bool, filter_name: str, text: str
) -> list[Row]:
    """The rows to show, in order: a goal heads its shown indicators, and is
    shown itself when it or one of them passes the filters."""
    statuses = dict(FILTERS)[filter_name]
    attention = filter_name == NEEDS_ATTENTION
    needle = text.casefold()
    groups: list[tuple[Row, list[Row]]] = []
    for goal in rows:
        kids = [kid for kid in goal.children if kid.shown_by(statuses, attention, needle)]
        if kids or goal.shown_by(statuses, attention, needle):
            groups.append((goal, kids))
    if sort != "wheel":
        for _, kids in groups:
            kids[:] = _ordered(kids, lambda row: row.sort_key(sort), reverse)
        groups = _ordered(groups, lambda group: _group_key(group, sort), reverse)
    elif reverse:
        groups.reverse()
    return [row for goal, kids in groups for row in (goal, *kids)]


def _group_key(group: tuple[Row, list[Row]], column: str) -> tuple[Any, ...]:
    goal, kids = group
    if column in ("ahead", "eta") and kids:
        return kids[0].sort_key(column)
    return goal.sort_key(column)


def _ordered(items: list[T], key: Callable[[T], tuple[Any, ...]], reverse: bool) -> list[T]:
    """Sorted by key (flipped by reverse); items without a value stay last."""
    present = [item for item in items if key(item) != MISSING]
    missing = [item for item in items if key(item) == MISSING]
    return sorted(present, key=key, reverse=reverse) + missing


class CompareTable(DataTable[Text | str]):
    """The comparison of a WheelView as a table; see the module docstring."""

    class Selected(Message):
        """The cursor is on another row (kind and id), or on none."""

        def __init__(self, table: CompareTable, kind: RowKind | None, doc_id: int) -> None:
            super().__init__()
            self.table = table
            self.kind = kind
            self.doc_id = doc_id

        @property
        def control(self) -> CompareTable:
            return self.table

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.compact = False
        self.rows_shown: list[Row] = []
        self._view: WheelView | None = None
        self._goal_nodes: Sequence[GoalNode] | None = None
        self._rows: list[Row] = []
        self._by_key: dict[str, Row] = {}
        # the rows of this view built so far, by goal and depth: a wheel
        # filter that hangs a goal at another depth indents it otherwise
        self._made: dict[tuple[int, int], Row] = {}
        self._made_at: dict[int, Row] = {}  # a goal's rows at some depth
        # every row the table ever held since its last clear, shown or not:
        # its cells as placed and the table's own record of it
        self._placed: dict[str, tuple[tuple[Text | str, ...], TableRow]] = {}
        self._arrangement: tuple[str, bool, str, str] = ("wheel", False, "all", "")

    def on_mount(self) -> None:
        self._add_columns()

    def _add_columns(self) -> None:
        for key, label in COLUMNS:
            self.add_column(label, key=key)

    def on_resize(self, event: Resize) -> None:
        # the cells are built for a width; a column keeps the width of the
        # widest cell it ever held, so a change of width builds them anew
        compact = event.size.width < COMPACT_BELOW
        if compact != self.compact:
            self.compact = compact
            self.clear(columns=True)
            self._placed.clear()
            self._add_columns()
            if self._view is not None:
                self.show(self._view, self._goal_nodes, rebuild=True)

    # ------------------------------------------------------------ data
    @property
    def has_rows(self) -> bool:
        """Whether the wheel has any goal at all (filters aside)."""
        return bool(self._rows)

    def row_of(self, key: str) -> Row | None:
        return self._by_key.get(key)

    def show(
        self, view: WheelView, nodes: Sequence[GoalNode] | None = None, rebuild: bool = False
    ) -> None:
        """Show the goals `nodes` (default: all) of `view`. A goal's rows are
        built once per view (and depth): a wheel filter picks among them."""
        if rebuild or view is not self._view:
            self._made.clear()
            self._made_at.clear()
        if rebuild or view is not self._view or nodes is not self._goal_nodes:
            self._view, self._goal_nodes = view, nodes
            self._rows = []
            for node in view.nodes if nodes is None else nodes:
                depth = min(node.depth, MAX_INDENT)  # deeper is drawn the same
                row = self._made.get((node.goal.id, depth))
                if row is None:
                    made = self._made_at.get(node.goal.id)
                    row = self._made[node.goal.id, depth] = (
                        build_rows(view, self.compact, (node,))[0]
                        if made is None
                        else at_depth(made, view, self.compact, depth)
                    )
                    self._made_at[node.goal.id] = row
                self._rows.append(row)
            self._by_key = {row.key: row for row in self._rows}
            for row in self._rows:
                self._by_key.update((child.key, child) for child in row.children)
        self._fill()

    def order_rows(self, sort: str, reverse: bool, filter_name: str, text: str) -> None:
        self._arrangement = (sort, reverse, filter_name, text)
        self._fill()

    def _fill(self) -> None:
        keep = self.selected_key()
        rows = arranged(self._rows, *self._arrangement)
        self._place(rows)
        self.rows_shown = rows
        if keep is not None and keep in self.rows:
            self.move_cursor(row=self.get_row_index(keep))
        else:
            self.move_cursor(row=0)
            self.scroll_home(animate=False)
        self._post_selected()

    def _place(self, rows: list[Row]) -> None:
        """Show exactly `rows`, in order. DataTable can only add and remove
        rows one by one, measuring every cell of each again: a filter over
        thousands of rows cost a tenth of a second. Its rows stay held here,
        and a filter or sort only chooses which are placed where, as
        DataTable.sort does; a cell never shown before widens its column
        (a column keeps the width of the widest cell it ever held)."""
        placed, data = self._placed, self._data
        columns = self.ordered_columns
        shown: dict[RowKey, TableRow] = {}
        for row in rows:
            held = placed.get(row.key)
            if held is None or held[0] is not row.cells:
                before = held[0] if held is not None else ()
                for n, (column, cell) in enumerate(zip(columns, row.cells, strict=True)):
                    if n >= len(before) or before[n] is not cell:
                        column.content_width = max(column.content_width, cell_width(cell))
                key = held[1].key if held is not None else RowKey(row.key)
                data[key] = dict(zip((c.key for c in columns), row.cells, strict=True))
                held = placed[row.key] = (row.cells, TableRow(key, 1))
            shown[held[1].key] = held[1]
        self.rows = shown
        self._row_locations = TwoWayDict({key: index for index, key in enumerate(shown)})
        self._update_count += 1
        self._require_update_dimensions = True
        self.cursor_coordinate = self.cursor_coordinate  # clamped to the rows now shown
        self.refresh()
        self.check_idle()

    def selected_key(self) -> str | None:
        if self.row_count == 0:
            return None
        return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value

    def selected_row(self) -> Row | None:
        key = self.selected_key()
        return None if key is None else self._by_key.get(key)

    def go_to(self, key: str) -> bool:
        """Put the cursor on row `key`; False when it is not shown."""
        if key not in self.rows:
            return False
        self.move_cursor(row=self.get_row_index(key))
        return True

    def _post_selected(self) -> None:
        row = self.selected_row()
        kind, doc_id = (None, 0) if row is None else (row.kind, row.doc_id)
        self.post_message(self.Selected(self, kind, doc_id))

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._post_selected()
