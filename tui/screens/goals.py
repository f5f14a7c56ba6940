"""Stage 1, Goals: the goal tree and the selected goal's detail.

Each tree row shows a status glyph, a progress bar and the title; the detail
shows the goal's agreement, its top risk, the lessons it came from, its
indicators against plan, its risks (inherent and residual) with a 5x5
matrix, the revisions of its indicators' plans and its recent history.
Goals, indicators and risks are added, edited and deleted in modal forms;
`R` opens the register of every goal's risks.
"""

from __future__ import annotations

import asyncio
import textwrap
from collections.abc import Iterable
from typing import Any, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Static

from store import documents as d
from store.errors import StoreError
from store.plain import plain
from store.service import GOAL, INDICATOR, LESSON, RISK, Kind
from store.steering import ACCEPTANCE_THRESHOLD, check_move, needs_decision
from store.views import Record
from tui.screens.register import open_register
from tui.screens.stage import StageScreen, split_below
from tui.screens.welcome import Welcome
from widgets.filter_input import FilterInput
from widgets.gauge import bar, goal_status_text, number, percent, status_text
from widgets.goal_tree import GoalTree
from widgets.risk_matrix import RiskMatrix, level

HISTORY_SHOWN = 6
INDICATOR_COLUMNS = ("status", "indicator", "baseline", "target", "actual", "progress")
RISK_COLUMNS = ("level", "risk", "P", "C", "residual", "state")
REVISION_COLUMNS = ("when, by", "change and why")
# the revision table's first column with its padding, the border and the
# scrollbar: what the change and its reason wrap beside
WHEN_CELLS = 24
MIN_WRAP = 30
WIDE = 110  # columns from which the detail sits beside the tree
# an indicator's name gets what the detail pane has left beside the figures
FIGURE_CELLS = 48
NAME_WIDTHS = (24, 48)


class GoalDetail(VerticalScroll):
    """The selected goal's detail; says when its width changes, since the
    indicator names are clipped to fit it."""

    class Resized(Message):
        pass

    def on_resize(self, event: events.Resize) -> None:
        self.post_message(self.Resized())


class GoalsScreen(StageScreen):
    """Goals: set them, break them down, agree on them, see their risks."""

    STAGE = "goals"
    HORIZONTAL_BREAKPOINTS = split_below(WIDE)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add_goal", "Add goal", id="goals.add"),
        Binding("s", "add_subgoal", "Sub-goal", show=False, id="goals.add_sub"),
        Binding("i", "add_indicator", "Indicator", id="goals.add_indicator"),
        Binding("r", "add_risk", "Risk", id="goals.add_risk"),
        Binding("e", "edit", "Edit", id="goals.edit"),
        Binding("d", "delete", "Delete", id="goals.delete"),
        Binding("p", "move('proposed')", "Propose", show=False, id="goals.propose"),
        Binding("b", "move('draft')", "Back to draft", show=False, id="goals.send_back"),
        Binding("g", "move('agreed')", "Agree", show=False, id="goals.agree"),
        Binding("v", "move('active')", "Activate", show=False, id="goals.activate"),
        Binding("c", "move('closed')", "Close", show=False, id="goals.close"),
        Binding("o", "reopen", "Reopen", show=False, id="goals.reopen"),
        Binding("R", "register", "Risks", show=False, id="goals.register"),
        # priority: see StageScreen.open_filter
        Binding("slash", "filter", "Filter", show=False, id="goals.filter", priority=True),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="goals.clear_filter"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._filter = ""
        self._detail_pending = False
        self._name_width = 0
        self._revision_room = 0
        self._parts_mounted = asyncio.Event()

    def compose_body(self) -> ComposeResult:
        yield Welcome()
        with Horizontal(id="goals-body", classes="split"):
            with Vertical(id="goals-left", classes="list-pane"):
                yield FilterInput("filter goals by title", then="#goal-tree", id="goal-filter")
                yield GoalTree(id="goal-tree")
            with GoalDetail(id="goal-detail", classes="detail-pane"):
                yield Static(id="goal-head")

    def _detail_parts(self) -> Vertical:
        """What the detail shows below its head. Mounted after the first
        frame: the three tables, the matrix and their styles cost that frame
        some 60 ms, and the tree and the goal's head come first. DataTable
        loads here too, and the methods that reach the tables import it
        once these parts are mounted."""
        from textual.widgets import DataTable

        return Vertical(
            Static(Text("Indicators", style="bold"), classes="section-title"),
            DataTable(id="goal-indicators", cursor_type="row", zebra_stripes=True),
            Static(Text("Risks", style="bold"), classes="section-title"),
            Horizontal(
                DataTable(id="goal-risks", cursor_type="row", zebra_stripes=True),
                RiskMatrix(id="risk-matrix"),
                id="risk-area",
            ),
            Static(id="revisions-title", classes="section-title"),
            DataTable(id="goal-revisions", cursor_type="row", zebra_stripes=True),
            Static(Text("Recent history", style="bold"), classes="section-title"),
            Static(id="goal-history"),
            id="goal-parts",
        )

    def on_mount(self) -> None:
        self.query_one("#goal-detail").can_focus = False
        self.set_focus(self.query_one(GoalTree))
        self._mount_parts()

    @work(group="detail-parts")
    async def _mount_parts(self) -> None:
        await self.styr.first_frame_out.wait()
        await self.query_one(GoalDetail).mount(self._detail_parts())
        self._parts_mounted.set()
        try:
            self._show_detail()
        except StoreError as exc:  # said by the app, as for a key's
            self.styr.store_failed(exc)

    async def settled(self) -> None:
        await self._parts_mounted.wait()

    @on(GoalDetail.Resized)
    def _detail_resized(self) -> None:
        if not (self.styr.is_ready and self._parts_mounted.is_set()):
            return
        if self._fitting_name_width() != self._name_width:
            self._show_detail()
        elif self._revision_width() != self._revision_room:
            self._show_revisions(self.selected_goal)

    def _revision_width(self) -> int:
        return max(MIN_WRAP, self.query_one(GoalDetail).size.width - WHEN_CELLS)

    def _fitting_name_width(self) -> int:
        room = self.query_one(GoalDetail).size.width - FIGURE_CELLS
        return NAME_WIDTHS[1] if room >= NAME_WIDTHS[1] else NAME_WIDTHS[0]

    # -------------------------------------------------------------- data
    @property
    def selected_goal(self) -> d.Goal | None:
        goal_id = self.query_one(GoalTree).goal_id
        if goal_id is None:
            return None
        view = self.view()
        return view.node(goal_id).goal if view.has_goal(goal_id) else None

    def refresh_data(self) -> None:
        view = self.view()
        self.set_class(not view.nodes, "-empty")
        nodes = self.shown_nodes()
        risks = {
            node.goal.id: risk["score"]
            for node in nodes
            if (risk := view.goal_record(node.goal.id)["top_risk"]) is not None
        }
        self.query_one(GoalTree).show(nodes, self._filter, risks)
        self._show_detail()

    @on(GoalTree.Selected)
    def _on_goal_selected(self, event: GoalTree.Selected) -> None:
        self.look_at(event.goal_id)
        # one detail redraw for a burst of cursor moves (a held j)
        if not self._detail_pending:
            self._detail_pending = True
            self.call_after_refresh(self._show_detail)

    def _show_detail(self) -> None:
        self._detail_pending = False
        if not self.styr.is_ready:
            return  # the store is read in the app's first load, not before the first frame
        goal = self.selected_goal
        self._show_head(goal)
        if not self._parts_mounted.is_set():
            return  # _mount_parts shows the rest once it is there
        from textual.widgets import DataTable

        indicators = self.query_one("#goal-indicators", DataTable)
        risks = self.query_one("#goal-risks", DataTable)
        # columns too, so their widths fit the rows shown now
        indicators.clear(columns=True)
        indicators.add_columns(*INDICATOR_COLUMNS)
        risks.clear(columns=True)
        risks.add_columns(*RISK_COLUMNS)
        if goal is None:
            self.query_one(RiskMatrix).cells = ()
            self.query_one("#goal-history", Static).update("")
            self._show_revisions(None)
            return
        view = self.view()
        # a narrow detail gives long names less room than the numbers
        name_width = self._name_width = self._fitting_name_width()
        for ind in view.node(goal.id).indicators:
            record = view.indicator_record(ind.id)
            indicators.add_row(
                status_text(record["status"]),
                _clipped(plain(ind.name), name_width),
                Text(number(ind.baseline, ind.unit)),
                Text(number(ind.target, ind.unit)),
                Text(number(record["actual"], ind.unit)),
                Text(percent(record["progress"])),
                key=str(ind.id),
            )
        goal_risks = self.wheel.risks(goal.id)
        for risk in goal_risks:
            zone = level(risk.probability, risk.consequence)
            p, c = risk.residual
            risks.add_row(
                Text(f"{zone} {risk.probability * risk.consequence}"),
                Text(plain(risk.title)),
                Text(str(risk.probability)),
                Text(str(risk.consequence)),
                Text(f"{p}x{c}={p * c}"),
                Text("! mitigate or accept", style="bold")
                if needs_decision(risk)
                else Text(risk.state + (", accepted" if risk.accepted_by else "")),
                key=str(risk.id),
            )
        self.query_one(RiskMatrix).cells = tuple(
            (r.probability, r.consequence) for r in goal_risks if r.state != "closed"
        )
        self.query_one("#goal-history", Static).update(self._history_text(goal))
        self._show_revisions(goal)

    def _show_head(self, goal: d.Goal | None) -> None:
        head = self.query_one("#goal-head", Static)
        if goal is not None:
            head.update(self._head_text(goal, self.view().goal_record(goal.id)))
        elif not self.view().nodes:
            head.update(Text("No goal yet. Press a to add one.", style="italic"))
        elif self._filter:
            head.update(Text(f"No goal matches '{plain(self._filter)}'. Esc clears the filter."))
        else:
            head.update(Text(self.filtered_out("goal")))

    def _show_revisions(self, goal: d.Goal | None) -> None:
        """Every change of plan of the goal's indicators, newest first, in a
        table so Tab reaches it (and scrolls the detail to it) at 80x24."""
        from textual.widgets import DataTable

        indicators = self.wheel.indicators(goal.id) if goal is not None else []
        rows = [(rev, ind) for ind in indicators for rev in ind.revisions]
        table = self.query_one("#goal-revisions", DataTable)
        table.clear(columns=True)
        table.add_columns(*REVISION_COLUMNS)
        room = self._revision_room = self._revision_width()
        table.display = bool(rows)
        title = Text("Revisions", style="bold")
        title.append(
            f"  {len(rows)}, newest first" if rows else "  none: the plan is as first set",
            style="dim",
        )
        self.query_one("#revisions-title", Static).update(title if goal is not None else "")
        ordered = sorted(rows, key=lambda row: row[0].at, reverse=True)
        for row_number, (rev, ind) in enumerate(ordered):
            changes = (
                "; ".join(
                    f"{name} {_shown(old)} -> {_shown(new)}"
                    for name, (old, new) in rev.changes.items()
                )
                or f"target {rev.old:g} -> {rev.new:g}"
            )
            source = "".join(
                f", from {what} {ref}"
                for what, ref in (("lesson", rev.lesson_id), ("review", rev.review_id))
                if ref is not None
            )
            # a row of several lines, wrapped to the detail: the reason is
            # the point of a revision and must be read whole at 80 columns
            what = [f"{plain(ind.name)}: {plain(changes)}", f"why: {plain(rev.why)}{source}"]
            table.add_row(
                Text(f"{rev.at[:16].replace('T', ' ')}\n{plain(rev.by)}"),
                Text("\n".join(line for part in what for line in textwrap.wrap(part, room))),
                key=str(row_number),
                height=None,
            )

    def _head_text(self, goal: d.Goal, record: Record) -> Text:
        text = Text()
        text.append(plain(goal.title), style="bold")
        text.append(f"  (goal {goal.id})\n", style="dim")
        text.append_text(goal_status_text(record["status"], record["outcome"]))
        text.append("  ")
        text.append_text(bar(record["progress"], 16))
        text.append(f" {percent(record['progress']).strip()}")
        if record["activity_trap"]:
            text.append("  activity trap: activity moves, results do not", style="bold")
        text.append("\n")
        agreement = f"state: {record['state']}"
        if goal.agreed_by or goal.agreed_on:
            agreement += f", agreed by {plain(goal.agreed_by) or '?'} on {goal.agreed_on or '?'}"
        elif goal.state in ("draft", "proposed"):
            agreement += ", not agreed yet"
        if goal.outcome:
            agreement += f", outcome: {plain(goal.outcome)}"
        text.append(agreement + "\n")
        risk = record["top_risk"]
        if risk is not None:
            text.append(
                f"top risk: {plain(risk['title'])} "
                f"(residual P{risk['probability']} x C{risk['consequence']} = {risk['score']})"
            )
            if risk["score"] > ACCEPTANCE_THRESHOLD:
                text.append_text(self._decision_words(risk["id"]))
            text.append("\n")
        for lesson_id in goal.lessons:
            text.append(self._lesson_source(lesson_id) + "\n")
        facts = []
        if goal.owner:
            facts.append(f"owner: {plain(goal.owner)}")
        if goal.unit:
            facts.append(f"unit: {plain(goal.unit)}")
        if goal.start or goal.due:
            facts.append(f"{goal.start or '…'} → {goal.due or '…'}")
        if goal.tags:
            facts.append("tags: " + plain(" ".join(goal.tags)))
        if facts:
            text.append("  ".join(facts) + "\n", style="dim")
        if goal.description:
            text.append(plain(goal.description))
        text.rstrip()
        return text

    def _decision_words(self, risk_id: int) -> Text:
        """What a risk above the acceptance threshold still needs, or who accepted it."""
        risk = self.wheel.get(RISK, risk_id)
        if needs_decision(risk):
            return Text(f", above {ACCEPTANCE_THRESHOLD}: mitigate or accept (R)", style="bold")
        return Text(f", above {ACCEPTANCE_THRESHOLD}, accepted by {plain(risk.accepted_by)}")

    def _lesson_source(self, lesson_id: int) -> str:
        """`from lesson 4: Cross-train two case workers` (4 Learn shows it whole)."""
        try:
            improve = " ".join(self.wheel.get(LESSON, lesson_id).improve.split())
        except StoreError:
            return f"from lesson {lesson_id} (deleted since)"
        return f"from lesson {lesson_id}: " + plain(
            improve if len(improve) <= 60 else improve[:59] + "…"
        )

    def _history_text(self, goal: d.Goal) -> Text:
        """The latest changes to the goal, its indicators and risks, from
        their stamps and target revisions (the audit trail files are large
        on a big store and are read only by undo)."""
        events: list[tuple[str, str, str]] = []
        # a move or a revision says what changed: the stamp of the same
        # change (the same second) would only repeat it as "changed"
        told = {str(m.get("at", ""))[:19] for m in goal.moves}

        def stamped(what: str, stamp: d.Stamp) -> None:
            if stamp.updated_at and stamp.updated_at[:19] not in told:
                verb = "added" if stamp.updated_at == stamp.created_at else "changed"
                events.append((stamp.updated_at, stamp.updated_by, f"{verb} {what}"))

        for m in goal.moves:
            why = f" ({plain(str(m['why']))})" if m.get("why") else ""
            moved = f"moved goal {goal.id} {m.get('from')} → {m.get('to')}{why}"
            events.append((str(m.get("at", "")), str(m.get("by", "")), moved))
        stamped(f"goal {goal.id}", goal.stamp)
        for ind in self.wheel.indicators(goal.id):
            told |= {rev.at[:19] for rev in ind.revisions}
            stamped(f"indicator '{plain(ind.name)}'", ind.stamp)
            for rev in ind.revisions:
                changes = "; ".join(
                    f"{name} {_shown(old)} → {_shown(new)}"
                    for name, (old, new) in rev.changes.items()
                )
                events.append(
                    (rev.at, rev.by, f"revised '{plain(ind.name)}': {plain(changes)} "
                     f"({plain(rev.why)})")
                )  # fmt: skip
        for risk in self.wheel.risks(goal.id):
            stamped(f"risk '{plain(risk.title)}'", risk.stamp)
        text = Text()
        for when, who, what in sorted(events, reverse=True)[:HISTORY_SHOWN]:
            text.append(f"{when[:16].replace('T', ' ')}  {plain(who)} {what}\n")
        if not events:
            text.append("no changes recorded", style="dim")
        text.rstrip()
        return text

    # ----------------------------------------------------------- filter
    def action_filter(self) -> None:
        self.open_filter("#goal-filter")

    def action_clear_filter(self) -> None:
        self.query_one("#goal-filter", FilterInput).clear()

    @on(FilterInput.Changed, "#goal-filter")
    def _on_filter_changed(self, event: FilterInput.Changed) -> None:
        self._filter = event.text.strip()
        self.refresh_data()

    @on(FilterInput.Cleared, "#goal-filter")
    def _on_filter_cleared(self) -> None:
        self._filter = ""
        self.set_focus(self.query_one(GoalTree))
        self.refresh_data()

    # ---------------------------------------------------------- actions
    def _focused_row(self, table_id: str) -> int | None:
        if not self._parts_mounted.is_set():
            return None
        from textual.widgets import DataTable

        table = self.query_one(table_id, DataTable)
        if self.focused is not table or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(key) if key is not None else None

    def _need_goal(self) -> d.Goal | None:
        goal = self.selected_goal
        if goal is None:
            self.notify("select a goal first (or press a to add one)", markup=False)
        return goal

    # The forms load on the first one opened, not with the first frame; the
    # same holds for the form dialog and Textual's TextArea (StageScreen)
    def action_add_goal(self) -> None:
        from tui.dialogs.goal_forms import goal_form

        self.open_form(goal_form(self.wheel), self._select_new)

    def action_add_subgoal(self) -> None:
        from tui.dialogs.goal_forms import goal_form

        parent = self._need_goal()
        if parent is not None:
            self.open_form(goal_form(self.wheel, parent=parent), self._select_new)

    def action_add_indicator(self) -> None:
        from tui.dialogs.goal_forms import indicator_form

        goal = self._need_goal()
        if goal is not None:
            self.open_form(indicator_form(self.wheel, goal), self._added)

    def action_add_risk(self) -> None:
        from tui.dialogs.goal_forms import risk_form

        goal = self._need_goal()
        if goal is not None:
            self.open_form(risk_form(self.wheel, goal), self._added)

    def _select_new(self, goal: d.Goal) -> None:
        self.select(GOAL, goal.id)
        verb = "added" if goal.stamp.updated_at == goal.stamp.created_at else "saved"
        self.notify(f"{verb} goal {goal.id}", markup=False)

    def _added(self, doc: d.Indicator | d.Risk) -> None:
        kind = "indicator" if isinstance(doc, d.Indicator) else "risk"
        self.notify(f"saved {kind} {doc.id}", markup=False)

    def action_edit(self) -> None:
        from tui.dialogs.goal_forms import goal_form, indicator_form, risk_form

        goal = self._need_goal()
        if goal is None:
            return
        try:
            indicator_id = self._focused_row("#goal-indicators")
            risk_id = self._focused_row("#goal-risks")
            if indicator_id is not None:
                self.open_form(
                    indicator_form(self.wheel, goal, self.wheel.indicator(indicator_id)),
                    self._added,
                )
            elif risk_id is not None:
                self.open_form(
                    risk_form(self.wheel, goal, self.wheel.get(RISK, risk_id)), self._added
                )
            else:
                self.open_form(goal_form(self.wheel, self.wheel.goal(goal.id)), self._select_new)
        except StoreError as exc:
            self.show_error(exc)

    def action_delete(self) -> None:
        goal = self._need_goal()
        if goal is None:
            return
        indicator_id = self._focused_row("#goal-indicators")
        risk_id = self._focused_row("#goal-risks")
        try:
            if indicator_id is not None:
                kind: Kind[Any] = INDICATOR
                doc_id, name = indicator_id, self.wheel.indicator(indicator_id).name
            elif risk_id is not None:
                kind, doc_id, name = RISK, risk_id, self.wheel.get(RISK, risk_id).title
            else:
                kind, doc_id, name = GOAL, goal.id, goal.title
            deps = self.wheel.dependants(kind, doc_id)
        except StoreError as exc:
            self.show_error(exc)
            return
        question = f"Delete {kind.name} {doc_id} '{plain(name)}'?"
        if deps:
            question += f"\nIt has {self.wheel.describe(deps)}; they are deleted with it."
        question += "\nu undoes it afterwards."

        def delete() -> None:
            try:
                self.wheel.delete(kind, doc_id, cascade=True)
            except StoreError as exc:
                self.show_error(exc)
                return
            self.notify(f"deleted {kind.name} {doc_id} '{plain(name)}' (u undoes)", markup=False)
            self.reload()

        self.confirm(question, delete)

    def action_move(self, to: str) -> None:
        """Move the selected goal one step; agreeing and closing ask first."""
        goal = self._need_goal()
        if goal is None or not self.can_edit():
            return
        if to in ("agreed", "closed"):
            self._ask_move(goal, to)
            return
        try:
            moved = self.wheel.move_goal(goal.id, to)
        except StoreError as exc:
            self.show_error(exc)
            return
        self.reload()
        self._moved(moved)

    def action_reopen(self) -> None:
        goal = self._need_goal()
        if goal is not None:
            self._ask_move(goal, "active")

    def _ask_move(self, goal: d.Goal, to: str) -> None:
        """The form of a move that asks first, once the move is one the
        wheel allows: a form filled in for nothing would be refused on Enter."""
        from tui.dialogs.goal_forms import move_form

        try:
            check_move(goal, to)
        except StoreError as exc:
            self.show_error(exc)
            return
        self.open_form(move_form(self.wheel, goal, to), self._moved)

    def _moved(self, goal: d.Goal) -> None:
        self.notify(f"goal {goal.id} is {goal.state} (u undoes)", markup=False)

    def action_register(self) -> None:
        open_register(self)

    # ------------------------------------------------------ palette, jump
    def select(self, kind: Kind[Any], doc_id: int) -> bool:
        if kind is not GOAL:
            return False
        tree = self.query_one(GoalTree)
        if not tree.select_goal(doc_id):
            return False
        self.set_focus(tree)
        return True

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Add goal", "a new top-level goal", self.action_add_goal)
        yield SystemCommand(
            "Add sub-goal", "a goal under the selected one", self.action_add_subgoal
        )
        yield SystemCommand("Add indicator", "to the selected goal", self.action_add_indicator)
        yield SystemCommand("Add risk", "to the selected goal", self.action_add_risk)
        yield SystemCommand("Edit", "the selected goal, indicator or risk", self.action_edit)
        yield SystemCommand("Delete", "the selected goal, indicator or risk", self.action_delete)
        yield SystemCommand("Filter goals", "by title", self.action_filter)
        for verb, to, key in (("Propose", "proposed", "p"), ("Send back to draft", "draft", "b"),
                              ("Agree", "agreed", "g"), ("Activate", "active", "v"),
                              ("Close", "closed", "c")):  # fmt: skip
            yield SystemCommand(
                f"{verb} goal", f"the selected goal ({key})", lambda to=to: self.action_move(to)
            )
        yield SystemCommand("Reopen goal", "a closed goal, with a reason (o)", self.action_reopen)
        yield SystemCommand(
            "Risk register", "every goal's risks, the 5x5 matrices, accept a risk (R)",
            self.action_register,
        )  # fmt: skip


def _shown(value: object) -> str:
    if value is None or value == []:
        return "none"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return ",".join(f"{day}={v:g}" for day, v in value)
    return str(value)


def _clipped(text: str, width: int) -> Text:
    """One line of at most `width` cells, with an ellipsis when cut."""
    line = Text(text, no_wrap=True)
    line.truncate(width, overflow="ellipsis")
    return line
