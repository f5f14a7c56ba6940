"""`styr report`: the period report in Markdown, parts II-V of the årsrapport,
with the read model's figures and user text shown literally."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from store.backends import open_wheel
from store.demo import build_demo
from store.format import NBSP, Lang, ahead_words, number, percent
from store.report import STATUS, build_report, depth_mark, md
from store.service import GOAL, INDICATOR, RISK, Wheel
from store.steering import parse_period
from tests.steerhelp import agreed, build
from tui.cli import main

TODAY = date(2026, 11, 30)
GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Wheel]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("store.report.today", lambda: TODAY)
        yield build_demo(tmp_path_factory.mktemp("demo") / "store", today=TODAY)


@pytest.fixture
def fixed_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("store.report.today", lambda: TODAY)


def structure(text: str) -> str:
    """The headings and the table headers: what the golden files hold."""
    lines = text.splitlines()
    kept = [
        line for n, line in enumerate(lines)
        if line.startswith("#") or (n + 1 < len(lines) and lines[n + 1].startswith("| ---"))
    ]  # fmt: skip
    return "\n".join(kept) + "\n"


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_structure_matches_the_golden_file(demo: Wheel, fixed_day: None, lang: str) -> None:
    text = build_report(demo, period="2026", lang=lang)
    assert structure(text) == (GOLDEN / f"report-structure-{lang}.md").read_text()


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_figures_are_the_read_models(demo: Wheel, fixed_day: None, lang: Lang) -> None:
    text = build_report(demo, period="2026", lang=lang)
    view = demo.view(TODAY)
    rows = {
        line.split(" | ")[0].removeprefix("| "): line
        for line in text.split("## III")[1].split("## IV")[0].splitlines()
        if line.startswith("| ") and line.split(" | ")[0][2:].isdecimal()
    }
    span = parse_period("2026")
    indicators = view.indicator_records(
        [n for n in view.nodes if span.overlaps(n.goal.start, n.goal.due)]
    )
    assert len(rows) == len(indicators) > 20
    for record in indicators:
        unit = f" {md(record['unit'])}" if record["unit"] else ""
        cells = rows[str(record["indicator_id"])].split(" | ")
        assert cells[1:7] == [
            md(record["indicator"]), number(record["actual"], lang=lang) + unit,
            number(record["target"], lang=lang) + unit, STATUS[lang][record["status"]],
            ahead_words(record["ahead_days"], lang=lang), number(record["forecast"], lang=lang),
        ], record["indicator"]  # fmt: skip
    headings = re.findall(r"^#{3,6} (\d+)\. ", text, re.MULTILINE)
    running = [n for n in view.nodes if span.overlaps(n.goal.start, n.goal.due)]
    assert headings == [str(n.goal.id) for n in running]
    for node in running:
        record = view.goal_record(node.goal.id)
        row = f"| {node.goal.id} | {depth_mark(node.depth)}{md(record['goal'])} | "
        status = STATUS[lang][record["status"]]
        progress = percent(record["progress"], lang=lang)
        assert f"{row}{md(record['owner'])} | {status} | {progress} | " in text


def test_numbers_in_bokmaal() -> None:
    assert number(1234.5, lang="nb") == f"1{NBSP}234,5"
    assert number(408750, lang="nb") == f"408{NBSP}750"
    assert number(-1234567.891, lang="nb") == f"-1{NBSP}234{NBSP}567,89"
    assert number(73.73, lang="nb") == "73,73" and number(-0.001, lang="nb") == "0"
    assert percent(0.456, lang="nb") == f"46{NBSP}%" and percent(12, lang="nb") == f">999{NBSP}%"
    assert ahead_words(-215, lang="nb") == "215 dager bak"
    assert ahead_words(1, lang="nb") == "1 dag foran"
    assert ahead_words(0, lang="nb") == "som planlagt"
    # English as before
    assert (number(1234.5), number(73.73), percent(0.456)) == ("1,234.5", "73.73", "46%")
    assert (ahead_words(-215), ahead_words(3), ahead_words(0)) == (
        "215d behind", "3d ahead", "on plan",
    )  # fmt: skip


def test_bokmaal_report_has_no_english_numbers_or_days(demo: Wheel, fixed_day: None) -> None:
    text = build_report(demo, period="2026", lang="nb")
    assert f"| 450{NBSP}000 NOK |" in text and re.search(r"\| \d+,\d+ % \|", text)
    assert re.search(f"Framdrift: \\d+{NBSP}% ", text) and re.search(r"\| \d+ dager bak \|", text)
    assert re.search(r"\d[.,]\d{3}(?!\d)|\d\.\d", text) is None
    assert re.search(r"\dd\b|ahead|behind|on plan|track|no data|monthly|scale", text) is None
    assert re.search(r"skala \d+,\d+ til ", text)


def _viewer_cells(line: str) -> list[str]:
    """A table row's cells as a Markdown viewer reads them: split on the
    pipes that are not escaped, each trimmed of every kind of whitespace
    (markdown-it and Python-Markdown strip no-break and em spaces too)."""
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]


def test_the_cascade_survives_rendering(demo: Wheel, fixed_day: None) -> None:
    text = build_report(demo, period="2026")
    summary = text.split("## Summary")[1].split("## II")[0].splitlines()[4:]
    depth = {n.goal.id: n.depth for n in demo.view(TODAY).nodes}
    assert sorted(set(depth.values())) == [0, 1, 2, 3]
    for line in filter(None, summary):
        number_cell, goal_cell = _viewer_cells(line)[:2]
        level = depth[int(number_cell)]
        marks = goal_cell.split(" ")[:level]
        assert marks == ["·"] * (level - 1) + ["↳"] * (level > 0), line
        assert goal_cell.split(" ")[level] not in ("·", "↳")


def test_a_closed_goal_shows_its_outcome(
    tmp_path: Path, fixed_day: None, capsys: pytest.CaptureFixture[str]
) -> None:
    wheel = build(tmp_path / "s")
    agreed(wheel)
    wheel.move_goal(1, "active")
    wheel.move_goal(1, "closed", outcome="partly", comment="half the queue")
    en = build_report(wheel, period="2026")
    assert "| 1 | Shorter queues | alice | ■ closed: partly | " in en
    assert "Status: ■ closed: partly · " in en
    nb = build_report(wheel, period="2026", lang="nb")
    assert "| 1 | Shorter queues | alice | ■ avsluttet: delvis nådd | " in nb
    assert "Status: ■ avsluttet: delvis nådd · " in nb
    wheel.move_goal(1, "active", reason="reopened")
    wheel.move_goal(1, "closed", outcome="dropped", comment="merged into another goal")
    nb = build_report(wheel, period="2026", lang="nb")
    assert "■ avsluttet: avbrutt" in nb and "dropped" not in nb


def test_user_text_with_markup_comes_out_literally(
    tmp_path: Path, fixed_day: None, capsys: pytest.CaptureFixture[str]
) -> None:
    wheel = open_wheel(tmp_path / "s", user="alice")
    title = "**Bold** <script>alert(1)</script> [link](http://x) | pipe \x1b[31m"
    goal = wheel.add(GOAL, {"title": title, "start": "2026-01-01", "due": "2026-12-31",
                            "owner": "_me_"})  # fmt: skip
    ind = wheel.add(INDICATOR, {"goal_id": goal.id, "name": "`code` & ~~x~~", "baseline": 0,
                                "target": 10, "start": "2026-01-01", "due": "2026-12-31",
                                "chain": "activity"})  # fmt: skip
    wheel.log(ind.id, 4, "2026-05-01")
    wheel.add(GOAL, {"title": "* [x](y) <b>| under", "parent_id": goal.id,
                     "start": "2026-01-01", "due": "2026-12-31"})  # fmt: skip
    wheel.add(RISK, {"goal_id": goal.id, "title": "# not a heading", "probability": 2,
                     "consequence": 3})  # fmt: skip
    out = tmp_path / "report.md"
    assert main(["report", "--store", str(tmp_path / "s"), "--period", "2026",
                 "--out", str(out)]) == 0  # fmt: skip
    text = out.read_text()
    escaped = (r"\*\*Bold\*\* \<script\>alert(1)\</script\> \[link\](http://x) \| pipe "
               r"\\x1b\[31m")  # fmt: skip
    assert f"### 1. {escaped}" in text
    assert "<script>" not in text and "\x1b" not in text
    assert r"\`code\` \& \~\~x\~\~" in text and r"\_me\_" in text
    assert "| 1 | # not a heading |" in text
    # the pipe inside the title does not add a column to the summary table
    summary = text.split("## Summary")[1].split("##")[0].splitlines()
    assert [line.count(" | ") for line in summary if line.startswith("| ")][2:] == [5, 5]
    # the child's depth mark stays outside the escaped title
    assert r"| 2 | ↳ \* \[x\](y) \<b\>\| under | - |" in text
    assert "activity trap" in text
    assert capsys.readouterr().out == ""


def test_goal_scope_and_chart(demo: Wheel, fixed_day: None) -> None:
    whole = build_report(demo, period="2026")
    part = build_report(demo, period="2026", goal="3")
    assert "### 3. " in part and "### 4. " not in part and "### 4. " in whole
    chart = part.split("```text\n")[1].split("\n```")[0].splitlines()
    assert [line.split(" ")[0] for line in chart] == ["plan", "actual"]
    assert set("".join(line[7:] for line in chart)) <= set("▁▂▃▄▅▆▇█ ")
    assert len(chart[0]) == len(chart[1]) > 7


def test_the_chart_draws_only_the_values_the_status_counts(tmp_path: Path) -> None:
    wheel = open_wheel(tmp_path / "s", user="alice")
    goal = wheel.add(GOAL, {"title": "Sales", "start": "2026-01-01", "due": "2026-12-31"})
    ind = wheel.add(INDICATOR, {
        "goal_id": goal.id, "name": "Orders", "baseline": "0", "target": "100",
        "start": "2026-03-01", "due": "2026-12-31", "aggregation": "sum",
    })  # fmt: skip
    for day, value in [("2026-04-10", 20), ("2026-07-10", 30)]:
        wheel.log(ind.id, value, day)

    def chart() -> str:
        return build_report(wheel, period="2026", day=TODAY).split("```text\n")[1]

    inside = chart()
    # a value before the start is data, but the status does not count it
    early = wheel.log(ind.id, 500, "2026-02-01")
    assert chart() == inside
    wheel.delete_measurement(early.id)
    wheel.log(ind.id, 5, "2026-08-01")
    assert chart() != inside  # one that counts does change the chart


def test_bokmaal_words(demo: Wheel, fixed_day: None) -> None:
    text = build_report(demo, period="2026", lang="nb")
    for part in ("## II Introduksjon til virksomheten og hovedtall",
                 "## III Årets aktiviteter og resultater",
                 "## IV Styring og kontroll i virksomheten",
                 "## V Vurdering av framtidsutsikter"):  # fmt: skip
        assert part in text
    assert "Risikoregister" in text and "on track" not in text
