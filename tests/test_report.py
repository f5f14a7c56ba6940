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
from store.format import ahead_words, number
from store.report import STATUS, build_report, md
from store.service import GOAL, INDICATOR, RISK, Wheel
from store.steering import parse_period
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


def test_figures_are_the_read_models(demo: Wheel, fixed_day: None) -> None:
    text = build_report(demo, period="2026")
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
            md(record["indicator"]), number(record["actual"]) + unit,
            number(record["target"]) + unit, STATUS["en"][record["status"]],
            ahead_words(record["ahead_days"]), number(record["forecast"]),
        ], record["indicator"]  # fmt: skip
    headings = re.findall(r"^#{3,6} (\d+)\. ", text, re.MULTILINE)
    running = [n for n in view.nodes if span.overlaps(n.goal.start, n.goal.due)]
    assert headings == [str(n.goal.id) for n in running]
    for node in running:
        record = view.goal_record(node.goal.id)
        row = f"| {node.goal.id} | {chr(0x2003) * node.depth}{md(record['goal'])} | "
        assert f"{row}{md(record['owner'])} | {STATUS['en'][record['status']]} | " in text


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
    assert [line.count(" | ") for line in summary if line.startswith("| 1")] == [5]
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
