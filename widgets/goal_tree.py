"""The goal cascade, drawn from the read model's rows (`WheelView.nodes`).

The rows come in the view's one order with their depths; the tree only
draws them: a status glyph (and word, when the tree is wide enough), a
progress bar, the goal's highest open risk score when it has one (`⚠20`:
a mark and a number, readable without colour) and the title. Moving the
cursor posts `GoalTree.Selected`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from store.format import STATUS_LABEL_WIDTH
from store.plain import plain
from store.views import GoalNode
from widgets.gauge import bar, goal_status_text

# tree width from which each row says its status in words too: with the
# word, the bar and some indentation a title still gets half the row; and
# from which a closed goal's row says its outcome
WORDS_FROM = 60
OUTCOMES_FROM = 76
BAR_WIDTH = 8
RISK_MARK = "⚠"


class GoalTree(Tree[int]):
    """The goal tree; node data is the goal id."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "toggle_node", "Fold", show=False),
    ]
    # Textual's ▶/▼ fold marks would read as the status glyph ▼ (off track)
    ICON_NODE = "+ "
    ICON_NODE_EXPANDED = "\N{MINUS SIGN} "

    class Selected(Message):
        """The cursor is on goal `goal_id` (None: on no goal)."""

        def __init__(self, tree: GoalTree, goal_id: int | None) -> None:
            super().__init__()
            self.tree = tree
            self.goal_id = goal_id

        @property
        def control(self) -> GoalTree:
            return self.tree

    def __init__(self, *, id: str | None = None) -> None:
        # a Text, not a str: Textual parses a str label as markup, which
        # loads rich's table of emoji codes (3 ms of the start)
        super().__init__(Text("goals"), id=id)
        self.show_root = False
        self.guide_depth = 2
        self._rows: Sequence[GoalNode] = ()
        self._risks: Mapping[int, int] = {}
        self._needle = ""
        self._fitted = (False, False)

    @property
    def goal_id(self) -> int | None:
        """The goal under the cursor."""
        node = self.cursor_node
        # an emptied tree (a filter matching nothing) can keep its old cursor
        if node is None or not self.root.children:
            return None
        return node.data

    def show(
        self, rows: Sequence[GoalNode], needle: str = "", risks: Mapping[int, int] | None = None
    ) -> None:
        """Draw `rows` (tree order, with depths): those whose title holds
        `needle` (any case) and their ancestors; keep the cursor and folds.
        `risks` gives a goal's highest open (residual) risk score."""
        self._rows, self._needle = rows, needle.casefold()
        self._risks = risks or {}
        self._draw()

    def _shown(self) -> list[GoalNode]:
        if not self._needle:
            return list(self._rows)
        keep: set[int] = set()
        path: list[GoalNode] = []
        for row in self._rows:
            del path[row.depth :]
            path.append(row)
            if self._needle in row.goal.title.casefold():
                keep.update(node.goal.id for node in path)
        return [row for row in self._rows if row.goal.id in keep]

    def _draw(self) -> None:
        selected = self.goal_id
        folded = {n.data for n in walk(self.root) if n.allow_expand and not n.is_expanded}
        rows = self._shown()
        words, outcomes = self._fitted = self._fit(self.size.width)
        # one status column width whatever the filter shows; a closed goal's
        # outcome widens it, only where there is room
        labels = [
            goal_status_text(r.rollup.status, r.goal.outcome if outcomes else None, word=words)
            for r in rows
        ]
        width = max([len(label) for label in labels] + [STATUS_LABEL_WIDTH]) if words else 0
        # a column for the risk mark only where a goal shown has a risk
        risky = any(r.goal.id in self._risks for r in rows)
        self.clear()
        parents: list[TreeNode[int]] = [self.root]
        placed: dict[int, TreeNode[int]] = {}
        for n, (row, status) in enumerate(zip(rows, labels, strict=True)):
            has_kids = n + 1 < len(rows) and rows[n + 1].depth > row.depth
            del parents[row.depth + 1 :]
            status.pad_right(width - len(status))
            score = self._risks.get(row.goal.id)
            label = Text.assemble(
                # the fold mark's width on a leaf, so siblings line up
                "" if has_kids else " " * len(self.ICON_NODE),
                status,
                " ",
                bar(row.rollup.progress, BAR_WIDTH),
                " ",
                (f"{RISK_MARK}{score:<2} " if score is not None else "    ") if risky else "",
                Text(plain(row.goal.title)),
                no_wrap=True,
            )
            # unfolded as it is added: expand() afterwards would post a
            # message per node (hundreds on a big wheel, each a trip
            # through the event loop before the tree shows)
            unfold = has_kids and row.goal.id not in folded
            node = parents[-1].add(label, data=row.goal.id, allow_expand=has_kids, expand=unfold)
            placed[row.goal.id] = node
            if has_kids:
                parents.append(node)
        target = placed.get(selected) if selected is not None else None
        if target is None and placed:
            target = next(iter(placed.values()))
        if target is not None:
            self.move_to(target)
        else:
            self.post_message(self.Selected(self, None))

    def move_to(self, node: TreeNode[int]) -> None:
        """Put the cursor on `node`. A node knows its line only once the
        tree has laid out its lines, which it does lazily; asking for a line
        does."""
        self.get_node_at_line(0)
        self.move_cursor(node)

    def select_goal(self, goal_id: int) -> bool:
        """Unfold down to the goal and put the cursor on it."""
        for node in walk(self.root):
            if node.data == goal_id:
                parent = node.parent
                while parent is not None:
                    parent.expand()
                    parent = parent.parent
                self.move_to(node)
                return True
        return False

    @staticmethod
    def _fit(width: int) -> tuple[bool, bool]:
        """Whether status words, and closed goals' outcomes, fit `width`."""
        return width >= WORDS_FROM, width >= OUTCOMES_FROM

    def on_resize(self, event: events.Resize) -> None:
        # a tree's own width decides whether the status words fit
        if self._rows and self._fit(event.size.width) != self._fitted:
            self._draw()

    @on(Tree.NodeHighlighted)
    def _highlighted(self, event: Tree.NodeHighlighted[int]) -> None:
        event.stop()
        self.post_message(self.Selected(self, event.node.data))


def walk(node: TreeNode[int]) -> Iterable[TreeNode[int]]:
    """Every node below `node`, depth first."""
    for child in node.children:
        yield child
        yield from walk(child)
