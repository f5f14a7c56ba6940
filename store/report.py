"""`styr report`: the period report in Markdown, shaped as the årsrapport's
parts II-V (Norwegian public administration's annual report), in English or
bokmål.

Every figure is the read model's (store.views records, formatted by
store.format), so the report says what `styr status` says. User text is
escaped (`md`) so a title holding Markdown or HTML shows literally; charts
are Unicode blocks in code blocks, holding no user text, so they read the
same in a terminal and in a Markdown viewer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, Final

from store.compare import expected_at, running_actuals
from store.dates import today
from store.documents import Indicator, Review, Risk
from store.format import NONE, Lang, ahead_words, number, percent
from store.plain import plain
from store.service import GOAL, Wheel
from store.steering import Period, parse_period
from store.views import GoalNode, Record, WheelView

Progress = Callable[[str, int, int], None]

# characters that Markdown (CommonMark, GFM tables) or HTML would read as markup
_MARKUP = re.compile(r"([\\`*_\[\]<>|~&$])")


def md(text: object) -> str:
    """User text for a Markdown line or table cell: controls made visible,
    newlines as spaces, every markup character backslash-escaped."""
    line = plain(str(text)).strip()
    return _MARKUP.sub(r"\\\1", line) if line else NONE


WORDS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "title": "Period report {period}",
        "as_of": "As of {at}, from {store}.",
        "scope": "Goal {goal} and the goals below it.",
        "summary": "Summary",
        "II": "II Introduction to the organisation and key figures",
        "III": "III The year's activities and results",
        "IV": "IV Steering and control",
        "V": "V Assessment of future prospects",
        "goal": "Goal",
        "owner": "Owner",
        "status": "Status",
        "progress": "Progress",
        "top_risk": "Top risk",
        "indicator": "Indicator",
        "unit": "Unit",
        "actual": "Actual",
        "target": "Target",
        "ahead": "Ahead/behind",
        "forecast": "Forecast at due",
        "review": "Latest review",
        "due": "Due",
        "plan": "plan",
        "chart_range": "monthly, {first} to {last}; scale {low} to {high}",
        "agreed": "Agreed by {by} on {on}.",
        "efficiency": "Resource use: {spent} of the budget spent for {results} of the results.",
        "overspending": "Spending runs ahead of results.",
        "trap": "Warning: this goal is measured only by activities (the activity trap); "
        "add an output or outcome indicator.",
        "no_goals": "No goal runs in this period.",
        "no_indicators": "No indicators.",
        "risks": "Risk register",
        "risk": "Risk",
        "inherent": "Inherent",
        "residual": "Residual",
        "state": "State",
        "accepted": "Accepted by",
        "no_risks": "No risks are registered.",
        "deviations": "Deviations and decisions",
        "date": "Date",
        "of": "Of",
        "judgement": "Judgement",
        "cause": "Cause",
        "decision": "Decision",
        "comment": "Comment",
        "no_deviations": "No review in the period found a deviation.",
        "revisions": "Revisions of plans",
        "change": "Change",
        "why": "Reason",
        "no_revisions": "No plan was revised in the period.",
        "forecasts": "Forecasts at due",
        "reaches": "Reaches target",
        "yes": "yes",
        "no": "no",
        "open_risks": "Open risks reaching into {next}",
        "no_open_risks": "No open risk reaches into the next period.",
        "years": "Key figures by year (the indicator's aggregation of the year's values).",
    },
    "nb": {
        "title": "Rapport for {period}",
        "as_of": "Per {at}, fra {store}.",
        "scope": "Mål {goal} og målene under det.",
        "summary": "Sammendrag",
        "II": "II Introduksjon til virksomheten og hovedtall",
        "III": "III Årets aktiviteter og resultater",
        "IV": "IV Styring og kontroll i virksomheten",
        "V": "V Vurdering av framtidsutsikter",
        "goal": "Mål",
        "owner": "Eier",
        "status": "Status",
        "progress": "Framdrift",
        "top_risk": "Største risiko",
        "indicator": "Indikator",
        "unit": "Enhet",
        "actual": "Faktisk",
        "target": "Målverdi",
        "ahead": "Foran/bak",
        "forecast": "Prognose ved frist",
        "review": "Siste gjennomgang",
        "due": "Frist",
        "plan": "plan",
        "chart_range": "månedlig, {first} til {last}; skala {low} til {high}",
        "agreed": "Vedtatt av {by} {on}.",
        "efficiency": "Ressursbruk: {spent} av budsjettet brukt for {results} av resultatene.",
        "overspending": "Forbruket ligger foran resultatene.",
        "trap": "Advarsel: målet måles bare med aktiviteter (aktivitetsfellen); "
        "legg til en indikator for resultat eller effekt.",
        "no_goals": "Ingen mål løper i perioden.",
        "no_indicators": "Ingen indikatorer.",
        "risks": "Risikoregister",
        "risk": "Risiko",
        "inherent": "Iboende",
        "residual": "Gjenværende",
        "state": "Tilstand",
        "accepted": "Akseptert av",
        "no_risks": "Ingen risikoer er registrert.",
        "deviations": "Avvik og beslutninger",
        "date": "Dato",
        "of": "Gjelder",
        "judgement": "Vurdering",
        "cause": "Årsak",
        "decision": "Beslutning",
        "comment": "Kommentar",
        "no_deviations": "Ingen gjennomgang i perioden fant avvik.",
        "revisions": "Revisjoner av planer",
        "change": "Endring",
        "why": "Begrunnelse",
        "no_revisions": "Ingen plan ble revidert i perioden.",
        "forecasts": "Prognoser ved frist",
        "reaches": "Når målet",
        "yes": "ja",
        "no": "nei",
        "open_risks": "Åpne risikoer som går inn i {next}",
        "no_open_risks": "Ingen åpen risiko går inn i neste periode.",
        "years": "Hovedtall per år (indikatorens aggregering av årets verdier).",
    },
}
STATUS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "missed": "✗ missed", "off_track": "▼ off track", "at_risk": "! at risk",
        "no_data": "? no data", "on_track": "● on track", "achieved": "✓ achieved",
        "not_started": "· not started", "closed": "■ closed",
    },
    "nb": {
        "missed": "✗ ikke nådd", "off_track": "▼ ute av kurs", "at_risk": "! i fare",
        "no_data": "? ingen data", "on_track": "● i rute", "achieved": "✓ nådd",
        "not_started": "· ikke startet", "closed": "■ avsluttet",
    },
}  # fmt: skip
TERMS: Final[dict[str, dict[str, str]]] = {
    "en": {},
    "nb": {
        "internal": "intern", "external": "ekstern", "measurement": "måling",
        "continue": "fortsette", "adjust_measure": "justere tiltak",
        "adjust_target": "justere mål", "escalate": "eskalere",
        "open": "åpen", "mitigated": "redusert", "occurred": "inntruffet",
        "closed": "lukket", "baseline": "utgangsverdi", "target": "mål", "due": "frist",
        "milestones": "milepæler",
        "achieved": "nådd", "partly": "delvis nådd", "missed": "ikke nådd",
        "dropped": "avbrutt",
    },
}  # fmt: skip


class Words(dict[str, str]):
    """A language's words (WORDS), knowing the language, so what formats a
    number with them writes it as that language does."""

    def __init__(self, lang: Lang) -> None:
        super().__init__(WORDS[lang])
        self.lang: Lang = lang


BLOCKS: Final = "▁▂▃▄▅▆▇█"
MAX_COLUMNS: Final = 36


def depth_mark(depth: int) -> str:
    """How deep a goal sits in the cascade, in the summary's goal cell:
    `↳ ` under a top goal, `· ↳ ` one further, and so on. Visible marks,
    because Markdown viewers trim a cell's leading whitespace, no-break and
    em spaces included (CommonMark tables, markdown-it, Python-Markdown)."""
    return "· " * (depth - 1) + "↳ " if depth else ""


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    return [_row(header), _row(["---"] * len(header)), *(_row(r) for r in rows), ""]


def _month_ends(first: date, last: date) -> list[date]:
    ends: list[date] = []
    year, month = first.year, first.month
    while True:
        following = date(year + month // 12, month % 12 + 1, 1)
        end = date.fromordinal(following.toordinal() - 1)
        ends.append(min(end, last))
        if end >= last:
            return ends
        year, month = following.year, following.month


def chart(indicator: Indicator, series: Sequence[tuple[date, float]], first: date, last: date,
          words: Words) -> list[str]:  # fmt: skip
    """Plan against actual, one block per month end, in a code block: the
    plan line and the actual as it stood then (blank before the first value).
    `series`: the values the comparison counts (Wheel.counted_series)."""
    days = _month_ends(first, last)
    step = max(1, -(-len(days) // MAX_COLUMNS))
    days = days[step - 1 :: step] if step > 1 else days
    ordinals, running = running_actuals(series, indicator.aggregation)
    plan = [expected_at(indicator, day) for day in days]
    actual: list[float | None] = []
    for day in days:
        known = [v for o, v in zip(ordinals, running, strict=True) if o <= day.toordinal()]
        actual.append(known[-1] if known else None)
    values = plan + [v for v in actual if v is not None]
    low, high = min(values), max(values)

    def block(value: float | None) -> str:
        if value is None:
            return " "
        share = 0.0 if high == low else (value - low) / (high - low)
        return BLOCKS[min(len(BLOCKS) - 1, int(share * len(BLOCKS)))]

    label = max(len(words["plan"]), len(words["actual"]))
    scale = words["chart_range"].format(
        first=days[0].isoformat(),
        last=days[-1].isoformat(),
        low=number(low, lang=words.lang),
        high=number(high, lang=words.lang),
    )
    return [
        "```text",
        f"{words['plan']:<{label}} {''.join(block(v) for v in plan)}",
        f"{words['actual'].lower():<{label}} {''.join(block(v) for v in actual)}",
        "```",
        f"*{scale}*",
        "",
    ]


class _Report:
    def __init__(self, wheel: Wheel, span: Period, goal: int | None, lang: Lang, day: date) -> None:
        self.wheel = wheel
        self.span = span
        self.lang = lang
        self.w = Words(lang)
        self.at = min(span.end, day)
        self.view: WheelView = wheel.view(self.at)
        nodes = self.view.subtree(goal) if goal is not None else self.view.nodes
        self.goal = goal
        self.nodes = [n for n in nodes if span.overlaps(n.goal.start, n.goal.due)]
        self.goal_ids = {n.goal.id for n in self.nodes}
        self.indicators = [i for n in self.nodes for i in n.indicators]
        self.reviews = [r for r in wheel.reviews() if r.date <= self.at]
        self.risks = [r for r in wheel.risks() if r.goal_id in self.goal_ids]

    def term(self, word: str | None) -> str:
        return NONE if word is None else TERMS[self.lang].get(word, word.replace("_", " "))

    def status(self, status: str) -> str:
        return STATUS[self.lang][status]

    def goal_status(self, record: Record) -> str:
        """A goal's status; a closed one with its outcome, as Goals and
        Compare show it: `■ closed: achieved`."""
        shown = self.status(record["status"])
        if record["status"] == "closed" and record["outcome"]:
            shown += f": {self.term(record['outcome'])}"
        return shown

    def number(self, value: float | None) -> str:
        return number(value, lang=self.lang)

    def percent(self, share: float | None) -> str:
        return percent(share, lang=self.lang)

    def shown(self, value: Any) -> str:
        """A revised field's value: a number, a date, milestones `date=value`."""
        if isinstance(value, float | int) and not isinstance(value, bool):
            return self.number(float(value))
        if isinstance(value, list):
            return ", ".join(f"{d}={self.number(float(v))}" for d, v in value) or NONE
        return NONE if value is None else str(value)

    def latest_review(self, indicator_id: int) -> Review | None:
        return next((r for r in self.reviews if r.indicator_id == indicator_id), None)

    def review_text(self, review: Review | None) -> str:
        if review is None:
            return NONE
        text = f"{review.date.isoformat()}: {self.status(review.judgement)}"
        if review.cause or review.decision:
            text += f" ({self.term(review.cause)}; {self.term(review.decision)})"
        return text

    # ------------------------------------------------------------ parts
    def head(self) -> list[str]:
        w = self.w
        lines = [f"# {w['title'].format(period=md(self.span.label))}", ""]
        lines += [w["as_of"].format(at=self.at.isoformat(), store=md(self.wheel.location)), ""]
        if self.goal is not None:
            lines += [w["scope"].format(goal=self.goal), ""]
        lines += [f"## {w['summary']}", ""]
        if not self.nodes:
            return [*lines, w["no_goals"], ""]
        rows = []
        for node in self.nodes:
            record = self.view.goal_record(node.goal.id)
            risk = record["top_risk"]
            rows.append([
                str(node.goal.id), depth_mark(node.depth) + md(node.goal.title),
                md(node.goal.owner), self.goal_status(record), self.percent(record["progress"]),
                f"{md(risk['title'])} ({risk['score']})" if risk else NONE,
            ])  # fmt: skip
        header = ["#", w["goal"], w["owner"], w["status"], w["progress"], w["top_risk"]]
        return lines + _table(header, rows)

    def key_figures(self) -> list[str]:
        w = self.w
        years = list(range(self.span.end.year - 3, self.span.end.year + 1))
        lines = [f"## {w['II']}", "", w["years"], ""]
        rows = []
        for ind in self.indicators:
            series = self.wheel.series(ind.id, until=self.at)
            cells = [str(ind.id), md(ind.name), md(ind.unit)]
            for year in years:
                points = [p for p in series if p[0].year == year]
                cells.append(self.number(running_actuals(points, ind.aggregation)[1][-1])
                             if points else NONE)  # fmt: skip
            rows.append(cells)
        if not rows:
            return [*lines, w["no_indicators"], ""]
        return lines + _table(["#", w["indicator"], w["unit"], *map(str, years)], rows)

    def results(self, progress: Progress) -> list[str]:
        w = self.w
        lines = [f"## {w['III']}", ""]
        for n, node in enumerate(self.nodes, 1):
            lines += self.goal_section(node)
            progress("goals", n, len(self.nodes))
        return lines

    def goal_section(self, node: GoalNode) -> list[str]:
        w = self.w
        goal = node.goal
        record = self.view.goal_record(goal.id)
        level = "#" * min(6, 3 + node.depth)
        lines = [f"{level} {goal.id}. {md(goal.title)}", ""]
        facts = [
            f"{w['status']}: {self.goal_status(record)}",
            f"{w['progress']}: {self.percent(record['progress'])}",
            f"{w['owner']}: {md(goal.owner)}",
            f"{w['due']}: {goal.due.isoformat() if goal.due else NONE}",
        ]
        lines += [" · ".join(facts), ""]
        if goal.agreed_by:
            on = goal.agreed_on.isoformat() if goal.agreed_on else NONE
            lines += [w["agreed"].format(by=md(goal.agreed_by), on=on), ""]
        eff = record["efficiency"]
        if eff is not None:
            lines += [w["efficiency"].format(spent=self.percent(eff["spent"]),
                                             results=self.percent(eff["results"]))]  # fmt: skip
            lines += [w["overspending"], ""] if eff["overspending"] else [""]
        if record["activity_trap"]:
            lines += [f"> **{w['trap']}**", ""]
        if not node.indicators:
            return [*lines, w["no_indicators"], ""]
        header = ["#", w["indicator"], w["actual"], w["target"], w["status"], w["ahead"],
                  w["forecast"], w["review"]]  # fmt: skip
        rows = []
        for ind in node.indicators:
            r = self.view.indicator_record(ind.id)
            unit = f" {md(ind.unit)}" if ind.unit else ""
            rows.append([
                str(ind.id), md(ind.name), self.number(r["actual"]) + unit,
                self.number(r["target"]) + unit, self.status(r["status"]),
                ahead_words(r["ahead_days"], lang=self.lang), self.number(r["forecast"]),
                self.review_text(self.latest_review(ind.id)),
            ])  # fmt: skip
        lines += _table(header, rows)
        for ind in node.indicators:
            first, last = max(ind.start, self.span.start), min(ind.due, self.at)
            if first > last:
                continue
            lines += [f"**{ind.id}. {md(ind.name)}**", ""]
            lines += chart(ind, self.wheel.counted_series(ind, self.at), first, last, w)
        return lines

    def steering(self) -> list[str]:
        w = self.w
        lines = [f"## {w['IV']}", "", f"### {w['risks']}", ""]
        register = sorted(self.risks, key=lambda r: (-r.residual_score, -r.score, r.id))
        if register:
            header = ["#", w["risk"], w["goal"], w["inherent"], w["residual"], w["state"],
                      w["owner"], w["accepted"]]  # fmt: skip
            lines += _table(header, [self.risk_row(r) for r in register])
        else:
            lines += [w["no_risks"], ""]
        lines += [f"### {w['deviations']}", ""]
        deviations = [
            r for r in reversed(self.reviews)
            if (r.cause or r.decision) and self.span.contains(r.date) and self.in_scope(r)
        ]  # fmt: skip
        if deviations:
            header = [w["date"], w["of"], w["judgement"], w["cause"], w["decision"], w["comment"]]
            lines += _table(header, [[
                r.date.isoformat(), self.reviewed(r), self.status(r.judgement),
                self.term(r.cause), self.term(r.decision), md(r.comment),
            ] for r in deviations])  # fmt: skip
        else:
            lines += [w["no_deviations"], ""]
        lines += [f"### {w['revisions']}", ""]
        revisions = [
            (rev.at[:10], ind, rev)
            for ind in self.indicators
            for rev in ind.revisions
            if self.span.start.isoformat() <= rev.at[:10] <= self.span.end.isoformat()
        ]
        if revisions:
            header = [w["date"], w["indicator"], w["change"], w["why"]]
            lines += _table(header, [[
                day, f"{ind.id}. {md(ind.name)}",
                "; ".join(f"{self.term(name)} {md(self.shown(a))} → {md(self.shown(b))}"
                          for name, (a, b) in sorted(rev.changes.items())),
                md(rev.why),
            ] for day, ind, rev in sorted(revisions, key=lambda x: (x[0], x[1].id))])  # fmt: skip
        else:
            lines += [w["no_revisions"], ""]
        return lines

    def in_scope(self, review: Review) -> bool:
        if review.goal_id is not None:
            return review.goal_id in self.goal_ids
        return any(i.id == review.indicator_id for i in self.indicators)

    def reviewed(self, review: Review) -> str:
        if review.indicator_id is not None and self.view.has_indicator(review.indicator_id):
            ind = self.view.indicator(review.indicator_id)
            return f"{self.w['indicator'].lower()} {ind.id}. {md(ind.name)}"
        if review.goal_id is not None and self.view.has_goal(review.goal_id):
            goal = self.view.node(review.goal_id).goal
            return f"{self.w['goal'].lower()} {goal.id}. {md(goal.title)}"
        return NONE

    def risk_row(self, risk: Risk) -> list[str]:
        p, c = risk.residual
        goal = self.view.node(risk.goal_id).goal
        return [
            str(risk.id), md(risk.title), f"{goal.id}. {md(goal.title)}",
            f"{risk.probability}x{risk.consequence} = {risk.score}", f"{p}x{c} = {p * c}",
            self.term(risk.state), md(risk.owner),
            f"{md(risk.accepted_by)} {risk.accepted_on or ''}".strip() if risk.accepted_by
            else NONE,
        ]  # fmt: skip

    def outlook(self) -> list[str]:
        w = self.w
        following = self.span.next()
        lines = [f"## {w['V']}", "", f"### {w['forecasts']}", ""]
        rows = []
        for ind in self.indicators:
            r = self.view.indicator_record(ind.id)
            reaches = _reaches(ind, r["forecast"])
            rows.append([
                str(ind.id), md(ind.name), ind.due.isoformat(), self.number(r["target"]),
                self.number(r["forecast"]),
                NONE if reaches is None else w["yes"] if reaches else w["no"],
            ])  # fmt: skip
        header = ["#", w["indicator"], w["due"], w["target"], w["forecast"], w["reaches"]]
        lines += _table(header, rows) if rows else [w["no_indicators"], ""]
        lines += [f"### {w['open_risks'].format(next=md(following.label))}", ""]
        reaching = [
            r for r in self.risks
            if r.state == "open" and (
                (r.due or self.view.node(r.goal_id).goal.due or date.max) > self.span.end)
        ]  # fmt: skip
        if reaching:
            header = ["#", w["risk"], w["goal"], w["inherent"], w["residual"], w["state"],
                      w["owner"], w["accepted"]]  # fmt: skip
            ordered = sorted(reaching, key=lambda r: (-r.residual_score, r.id))
            lines += _table(header, [self.risk_row(r) for r in ordered])
        else:
            lines += [w["no_open_risks"], ""]
        return lines


def _reaches(indicator: Indicator, forecast: float | None) -> bool | None:
    if forecast is None:
        return None
    if indicator.direction in ("increase", "at_least"):
        return forecast >= indicator.target
    return forecast <= indicator.target


def build_report(
    wheel: Wheel,
    *,
    period: str | None = None,
    goal: str | None = None,
    lang: Lang = "en",
    progress: Progress | None = None,
    day: date | None = None,
) -> str:
    """The report of `period` (default this year) for every goal running in
    it, or `goal` and those below it, in `lang` (en or nb), as of the period's
    end or `day` (default today), whichever is first."""
    day = day or today()
    span = parse_period(period or str(day.year))
    goal_id = wheel.find(GOAL, goal).id if goal is not None else None
    report = _Report(wheel, span, goal_id, lang, day)
    lines = report.head() + report.key_figures()
    lines += report.results(progress or (lambda what, done, total: None))
    lines += report.steering() + report.outlook()
    return "\n".join(lines).rstrip("\n") + "\n"
