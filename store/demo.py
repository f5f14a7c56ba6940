"""A sample wheel for `styr --demo`: Tjenestekontoret, a municipal service
office that decides on health and care services, one year into its plan.

Everything goes through the service API, so the demo obeys every rule a user
does. Measurements follow each indicator's plan line with seeded noise, bent
so that the wheel shows every status: on track, at risk, off track, achieved,
missed, stale, no data and not started. The same `today` gives the same wheel.
"""

from __future__ import annotations

import calendar
import itertools
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from store import documents as d
from store.backends import open_wheel
from store.errors import BadInput
from store.service import GOAL, INDICATOR, LESSON, RISK, Wheel

# -------------------------------------------------------------- dates


def _months(day: date, count: int) -> date:
    """The same day `count` months later (or earlier), clamped to the month."""
    index = day.year * 12 + day.month - 1 + count
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


@dataclass(frozen=True, slots=True)
class _Clock:
    """Every demo date is a month offset from `t0`, the plan's first day,
    eleven months before today, so a demo built on any day has a year of data."""

    today: date
    t0: date

    @classmethod
    def at(cls, today: date) -> _Clock:
        return cls(today, _months(today.replace(day=1), -11))

    def month(self, offset: int) -> date:
        return _months(self.t0, offset)

    def end(self, months: int) -> date:
        """The last day of a period of `months` months from t0."""
        return _months(self.t0, months) - timedelta(days=1)


# -------------------------------------------------------------- goals


@dataclass(frozen=True, slots=True)
class _Goal:
    key: str
    title: str
    parent: str | None
    unit: str
    owner: str
    state: str
    start: int  # months from t0
    months: int  # length of the period
    description: str = ""
    agreed_by: str = ""
    tags: str = ""
    outcome: str | None = None
    closing_comment: str = ""


GOALS: tuple[_Goal, ...] = (
    _Goal(
        "kommune", "Gode og likeverdige helse- og omsorgstjenester", None, "Helse og omsorg",
        "Randi Solberg", "active", 0, 24,
        description="Kommuneplanens samfunnsdel, mål 3: tjenester som kommer tidlig, er "
        "riktige og er like gode uansett hvor du bor.",
        agreed_by="Kommunestyret", tags="kommuneplan",
    ),
    _Goal(
        "kontor", "Raske og riktige vedtak til innbyggerne", "kommune", "Tjenestekontoret",
        "Kari Nordmann", "active", 0, 24,
        description="Tjenestekontoret tildeler hjemmetjenester, sykehjemsplass og "
        "koordinator. Innbyggerne skal få svar raskt, og svaret skal holde ved klage.",
        agreed_by="Randi Solberg", tags="virksomhetsplan",
    ),
    _Goal(
        "tid", "Kortere saksbehandlingstid", "kontor", "Team vedtak", "Ola Hansen",
        "active", 0, 18, agreed_by="Kari Nordmann", tags="saksbehandling",
    ),
    _Goal(
        "klage", "Færre klager får medhold", "kontor", "Team vedtak", "Aisha Khan",
        "active", 0, 18, agreed_by="Kari Nordmann", tags="kvalitet",
    ),
    _Goal(
        "kontakt", "Enklere å komme i kontakt med oss", "kontor", "Team mottak", "Per Johansen",
        "active", 0, 18, agreed_by="Kari Nordmann", tags="tilgjengelighet",
    ),
    _Goal(
        "koordinering", "Koordinerte tjenester ved sammensatte behov", "kontor",
        "Team koordinering", "Aisha Khan", "agreed", 0, 18, agreed_by="Kari Nordmann",
    ),
    _Goal(
        "digital", "Digital søknad som standard", "tid", "Team vedtak", "Ingrid Berg",
        "active", 0, 15, agreed_by="Ola Hansen", tags="digitalisering",
    ),
    _Goal(
        "chat", "Chat på kommunens nettside", "kontakt", "Team mottak", "Jonas Lie",
        "proposed", 10, 12, description="Forslag fra teamet etter brukerundersøkelsen.",
        tags="digitalisering",
    ),
    _Goal(
        "miljo", "Godt arbeidsmiljø og lavt sykefravær", "kontor", "Tjenestekontoret",
        "Kari Nordmann", "active", 0, 24, agreed_by="Randi Solberg", tags="HMS",
    ),
    _Goal(
        "velferd", "Kompetanseløft i velferdsteknologi", "kontor", "Tjenestekontoret",
        "Kari Nordmann", "draft", 13, 12, description="Utkast til neste års plan.",
    ),
    _Goal(
        "fagsystem", "Nytt fagsystem tatt i bruk", None, "Team vedtak", "Ola Hansen",
        "closed", -6, 6, agreed_by="Kari Nordmann", tags="digitalisering",
        outcome="partly",
        closing_comment="Alle saker er flyttet, men fire ansatte mangler fortsatt opplæring.",
    ),
)  # fmt: skip


# --------------------------------------------------------- indicators


@dataclass(frozen=True, slots=True)
class _Indicator:
    goal: str
    name: str
    unit: str
    direction: str
    aggregation: str
    chain: str
    cadence: str
    baseline: float
    target: float
    # on, risk, off, achieved, missed, stale or none: where the data leaves it today
    profile: str
    decimals: int = 0
    milestones: tuple[tuple[int, float], ...] = ()  # (months from t0, value)
    weight: float = 1.0
    tolerance: float = 0.10
    source: str = ""


INDICATORS: tuple[_Indicator, ...] = (
    _Indicator("kommune", "Innbyggere som er fornøyd med tjenestene", "%", "increase", "last",
               "impact", "yearly", 71, 80, "on", source="innbyggerundersøkelsen"),
    _Indicator("kommune", "Eldre over 80 som bor hjemme", "%", "increase", "last", "impact",
               "yearly", 86, 90, "risk", decimals=1, source="KOSTRA"),
    _Indicator("kontor", "Vedtak fattet innen frist", "%", "at_least", "mean", "outcome",
               "monthly", 82, 90, "on", decimals=1, weight=2, source="fagsystem"),
    _Indicator("kontor", "Vedtak omgjort etter klage", "%", "at_most", "mean", "outcome",
               "quarterly", 12, 8, "risk", decimals=1, source="klageregister"),
    _Indicator("kontor", "Innleid bistand", "NOK", "increase", "sum", "input", "monthly",
               0, 450_000, "overspend", source="økonomisystem"),
    _Indicator("kontor", "Timer til opplæring", "timer", "increase", "sum", "input", "monthly",
               0, 600, "on"),
    _Indicator("tid", "Gjennomsnittlig saksbehandlingstid", "dager", "decrease", "last",
               "outcome", "monthly", 38, 21, "risk", decimals=1,
               milestones=((6, 32), (12, 26)), weight=2, source="fagsystem"),
    _Indicator("tid", "Saker i kø", "saker", "decrease", "last", "output", "daily", 140, 60,
               "off", source="fagsystem"),
    _Indicator("tid", "Vedtak fattet", "vedtak", "increase", "sum", "output", "weekly",
               0, 2600, "on", source="fagsystem"),
    _Indicator("tid", "Saker som har ventet over 60 dager", "saker", "at_most", "max",
               "outcome", "monthly", 25, 10, "off", source="fagsystem"),
    _Indicator("tid", "Deltakelser på fagdag", "deltakelser", "increase", "sum", "activity",
               "monthly", 0, 120, "on"),
    _Indicator("klage", "Klager som får medhold hos Statsforvalteren", "%", "decrease", "last",
               "outcome", "quarterly", 18, 10, "on", decimals=1, source="Statsforvalteren"),
    _Indicator("klage", "Klagesaker behandlet innen tre uker", "%", "at_least", "last",
               "output", "monthly", 70, 85, "on", decimals=1, source="klageregister"),
    _Indicator("klage", "Veiledninger om klagerett", "samtaler", "increase", "sum",
               "activity", "weekly", 0, 300, "stale"),
    _Indicator("kontakt", "Telefoner besvart innen to minutter", "%", "increase", "last",
               "output", "weekly", 62, 85, "off", decimals=1,
               milestones=((4, 66), (9, 74), (14, 82)), source="sentralbord"),
    _Indicator("kontakt", "Henvendelser løst i første kontakt", "%", "increase", "last",
               "outcome", "monthly", 55, 70, "on", decimals=1, weight=2),
    _Indicator("kontakt", "Åpningstimer i servicetorget", "timer/uke", "at_least", "min",
               "activity", "weekly", 25, 30, "on"),
    _Indicator("kontakt", "Ventetid på telefon", "minutter", "at_most", "mean", "output",
               "weekly", 6, 3, "risk", decimals=1, tolerance=0.15, source="sentralbord"),
    _Indicator("koordinering", "Brukere med individuell plan", "brukere", "increase", "last",
               "output", "quarterly", 40, 70, "on"),
    _Indicator("koordinering", "Koordinatorer med fullført opplæring", "%", "increase", "last",
               "activity", "quarterly", 20, 80, "risk"),
    _Indicator("koordinering", "Pårørende som opplever god involvering", "%", "increase",
               "last", "outcome", "yearly", 60, 75, "on", source="pårørendeundersøkelsen"),
    _Indicator("digital", "Søknader mottatt digitalt", "%", "increase", "last", "outcome",
               "monthly", 35, 60, "achieved", decimals=1, source="fagsystem"),
    _Indicator("digital", "Søknadsskjema i digital løsning", "skjema", "increase", "last",
               "activity", "monthly", 3, 12, "on"),
    _Indicator("chat", "Henvendelser løst i chat", "%", "increase", "last", "outcome",
               "weekly", 0, 25, "none"),
    _Indicator("miljo", "Sykefravær", "%", "at_most", "mean", "outcome", "monthly", 9.5, 7,
               "off", decimals=1, source="HR-portalen"),
    _Indicator("miljo", "Medarbeidertilfredshet", "skala 1-6", "at_least", "last", "outcome",
               "yearly", 4.4, 4.7, "on", decimals=1, source="medarbeiderundersøkelsen"),
    _Indicator("miljo", "Medarbeidersamtaler gjennomført", "%", "increase", "last",
               "activity", "quarterly", 60, 100, "on"),
    _Indicator("miljo", "Overtid", "timer", "increase", "sum", "input", "monthly", 0, 900,
               "on", source="lønnssystem"),
    _Indicator("velferd", "Ansatte med kurs i velferdsteknologi", "ansatte", "increase",
               "last", "output", "quarterly", 0, 20, "none"),
    _Indicator("fagsystem", "Saker flyttet til nytt fagsystem", "%", "increase", "last",
               "output", "monthly", 0, 100, "achieved", source="fagsystem"),
    _Indicator("fagsystem", "Ansatte opplært i nytt fagsystem", "ansatte", "increase", "last",
               "activity", "monthly", 0, 45, "missed"),
)  # fmt: skip

# months after a yearly indicator's start when its survey comes in
SURVEY_MONTH = 9
STALE_DAYS = 45

# ---------------------------------------------------------- generation


def _schedule(cadence: str, start: date, until: date) -> list[date]:
    """The days a value comes in: daily, every Friday, the 1st of each month,
    every third month, or once a year when the survey is done."""
    days: list[date] = []
    if cadence == "daily":
        step = start + timedelta(days=1)
        while step <= until:
            days.append(step)
            step += timedelta(days=1)
    elif cadence == "weekly":
        step = start + timedelta(days=(4 - start.weekday()) % 7 or 7)
        while step <= until:
            days.append(step)
            step += timedelta(days=7)
    else:
        every = {"monthly": 1, "quarterly": 3}.get(cadence, 12)
        first = every if cadence != "yearly" else SURVEY_MONTH
        count = first
        while (step := _months(start, count)) <= until:
            days.append(step)
            count += every
    return days


def _fraction(spec: _Indicator, start: date, due: date, clock: _Clock, day: date) -> float:
    """How far along the plan line (0 at start, 1 at due) `day` is, through the
    milestones, as a share of the way from baseline to target."""
    span = spec.target - spec.baseline
    points = [(start, 0.0)]
    points += [(clock.month(m), (v - spec.baseline) / span) for m, v in spec.milestones]
    points.append((due, 1.0))
    if day <= start:
        return 0.0
    for (d0, f0), (d1, f1) in itertools.pairwise(points):
        if day <= d1:
            return f0 + (f1 - f0) * (day - d0).days / (d1 - d0).days
    return 1.0


def _progress_now(spec: _Indicator, planned: float) -> float:
    """The share of the way to target the data reaches on its last day."""
    tol = spec.tolerance
    return {
        "on": planned + 0.4 * tol,
        "stale": planned,
        "risk": planned - 1.5 * tol,
        "off": planned - 3.2 * tol,
        "overspend": min(0.92, planned + 0.45),
        "achieved": 1.08,
        "missed": 0.9,
    }[spec.profile]


def _trend_values(
    spec: _Indicator,
    start: date,
    due: date,
    days: Sequence[date],
    clock: _Clock,
    rng: random.Random,
) -> list[float]:
    """Values along the plan line, scaled so the last one lands on the profile."""
    if not days:
        return []
    now = min(clock.today, due)
    planned_now = _fraction(spec, start, due, clock, now)
    goal = _progress_now(spec, planned_now)
    last = days[-1]
    span = spec.target - spec.baseline
    shares: list[float] = []
    for day in days:
        if spec.profile == "achieved":
            # got there early, then held on a little above target
            reach = start + (last - start) * 0.8
            share = goal * min(1.0, (day - start).days / max(1, (reach - start).days))
        else:
            base = _fraction(spec, start, due, clock, last) or 1.0
            share = goal * _fraction(spec, start, due, clock, day) / base
        wobble = 0.012 if day == last else 0.03
        noise = max(-wobble, min(wobble, rng.gauss(0, wobble / 2)))
        if share >= 1:
            noise = abs(noise)  # once there, it stays there
        shares.append(share + noise)
    if spec.aggregation == "sum":
        # the plan is for the running total; each value is what came in since last time
        steps, reached = [], 0.0
        for share in shares:
            total = max(reached, span * share)
            steps.append(round(total - reached, spec.decimals))
            reached = total
        return steps
    ceiling = 100.0 if spec.unit == "%" else float("inf")
    return [round(min(ceiling, spec.baseline + span * s), spec.decimals) for s in shares]


def _level_values(spec: _Indicator, days: Sequence[date], rng: random.Random) -> list[float]:
    """Values hovering around a level that keeps, nearly keeps or breaks the threshold."""
    sign = 1 if spec.direction == "at_least" else -1
    miss = {"on": -0.6, "risk": 0.5, "off": 2.0}[spec.profile] * spec.tolerance
    level = spec.target * (1 - sign * miss)
    spread = abs(spec.target) * spec.tolerance * 0.3
    values = [level + max(-spread, min(spread, rng.gauss(0, spread / 2))) for _ in days]
    if not values:
        return values
    if spec.aggregation in ("max", "min"):
        # the worst value is the one that counts; keep the others on the good side of it
        values = [level + sign * abs(v - level) for v in values]
        values[rng.randrange(len(values))] = level
    elif spec.aggregation == "last":
        values[-1] = level
    else:
        shift = level - sum(values) / len(values)
        values = [v + shift for v in values]
    return [round(v, spec.decimals) for v in values]


def _rows(
    indicator: d.Indicator, spec: _Indicator, clock: _Clock, rng: random.Random
) -> list[dict[str, Any]]:
    if spec.profile == "none":
        return []
    until = min(clock.today, indicator.due)
    if spec.profile == "stale":
        until = clock.today - timedelta(days=STALE_DAYS)
    days = _schedule(spec.cadence, indicator.start, until)
    if spec.direction in ("at_least", "at_most"):
        values = _level_values(spec, days, rng)
    else:
        values = _trend_values(spec, indicator.start, indicator.due, days, clock, rng)
    return [
        {
            "indicator_id": indicator.id,
            "date": day,
            "value": value,
            "note": "",
            "source": spec.source,
        }
        for day, value in zip(days, values, strict=True)
    ]


# ------------------------------------------------- reviews, lessons, risks

# (indicator name or goal title, days before today, judgement, confidence, comment,
#  cause and decision if the comparison is outside tolerance)
_REVIEWS: tuple[tuple[str, int, str, int, str, tuple[str, str]], ...] = (
    ("Gjennomsnittlig saksbehandlingstid", 40, "at_risk", 6,
     "Bedre etter sommeren, men fortsatt bak milepælen.", ("internal", "continue")),
    ("Gjennomsnittlig saksbehandlingstid", 9, "at_risk", 5,
     "Ny saksbehandler er på plass fra neste måned.", ("internal", "continue")),
    ("Saker i kø", 40, "off_track", 4,
     "Køen vokste i ferien og har ikke kommet ned igjen.", ("internal", "escalate")),
    ("Saker i kø", 9, "off_track", 3,
     "Flere søknader enn ventet etter at sykehjemmet stengte en avdeling.",
     ("external", "adjust_target")),
    ("Telefoner besvart innen to minutter", 9, "off_track", 4,
     "Sentralbordet mangler to personer i perioden.", ("internal", "escalate")),
    ("Sykefravær", 9, "off_track", 5, "Langtidsfraværet er ikke arbeidsrelatert.",
     ("external", "continue")),
    ("Vedtak omgjort etter klage", 40, "at_risk", 7,
     "Tallene fra Statsforvalteren kommer sent; tallet kan bli bedre.",
     ("measurement", "adjust_measure")),
    ("Søknader mottatt digitalt", 9, "on_track", 9, "Målet er nådd før tiden.",
     ("internal", "continue")),
    ("Vedtak fattet innen frist", 9, "on_track", 8, "Stabilt over målet hele året.",
     ("internal", "continue")),
    ("Kortere saksbehandlingstid", 9, "at_risk", 5,
     "Køen trekker ned; tiltakene virker, men for sakte.", ("internal", "escalate")),
    ("Raske og riktige vedtak til innbyggerne", 9, "at_risk", 6,
     "Tertialrapport: gode tall på frist, svake på kø og telefon.", ("internal", "continue")),
)  # fmt: skip

# (goal title or "", days before today, planned, happened, why, sustain, improve,
#  actions as (what, owner, days from today to due, done))
_LESSONS: tuple[tuple[str, int, str, str, str, str, str, tuple[tuple[str, str, int, bool], ...]],
                ...] = (
    ("Kortere saksbehandlingstid", 120,
     "Halvere køen før sommeren med en ekstra saksbehandler.",
     "Køen gikk ned i mai, men vokste igjen i juli.",
     "Ferieavviklingen ble lagt uten å se på saksinngangen, og stillingen kom først i august.",
     "Den ukentlige køgjennomgangen i teamet.",
     "Planlegg ferien mot forventet saksinngang; sett et realistisk mål for køen.",
     (("Lag ferieplan som tar høyde for saksinngang", "Ola Hansen", -30, True),
      ("Avtal vikarpool med Team koordinering", "Ola Hansen", 21, False))),
    ("Nytt fagsystem tatt i bruk", 300,
     "Alle saker i nytt fagsystem og alle ansatte opplært innen fristen.",
     "Sakene ble flyttet i tide; fire ansatte mangler opplæring.",
     "Opplæringen ble lagt til samme uke som migreringen, og sykefravær gjorde resten.",
     "Prøvemigrering og kontroll av data før vi skrudde av det gamle systemet.",
     "Legg opplæringen før migreringen, med en ny runde for dem som var borte.",
     (("Opplæring for de fire som mangler", "Ingrid Berg", 14, False),)),
    ("Enklere å komme i kontakt med oss", 60,
     "Svare 80 prosent av telefonene innen to minutter.",
     "Svarandelen falt da sentralbordet ble slått sammen med servicetorget.",
     "Samme personer skulle betjene skranke og telefon i rushtiden.",
     "Tilbakeringing når køen er lang; innbyggerne liker det.",
     "Egen telefonvakt mellom 09 og 11.",
     (("Sett opp telefonvakt i turnus", "Per Johansen", 7, False),)),
    ("Digital søknad som standard", 30,
     "60 prosent digitale søknader innen fristen.",
     "Vi passerte 60 prosent tre måneder før tiden.",
     "Pårørende søker gjerne på vegne av foreldre, og skjemaet ble enklere.",
     "Korte skjema, og veiledning i servicetorget for dem som trenger det.",
     "Ta med pårørende når vi tester nye skjema.",
     ()),
    ("", 14,
     "Månedlige oppfølgingsmøter med tall for alle team.",
     "Møtene ble lange og handlet mest om tallene som var i rute.",
     "Vi gikk gjennom alle indikatorer i samme rekkefølge hver gang.",
     "Felles tall for alle; det gir et felles bilde.",
     "Start med avvikene, og la det som er i rute være en linje.",
     (("Ny agenda for oppfølgingsmøtet", "Kari Nordmann", 10, False),)),
)  # fmt: skip

# (goal title, title, cause, probability, consequence, mitigation, owner,
#  months from t0 to due, residual probability, residual consequence, state)
_RISKS: tuple[tuple[str, str, str, int, int, str, str, int, int | None, int | None, str],
              ...] = (
    ("Kortere saksbehandlingstid", "Høyt sykefravær i Team vedtak",
     "Stor arbeidsbelastning over tid", 4, 4,
     "Omfordele saker og bruke innleid bistand i toppene", "Ola Hansen", 14, 3, 3, "open"),
    ("Enklere å komme i kontakt med oss", "Nytt telefonsystem blir forsinket",
     "Leverandøren har få folk", 3, 4, "Avtale om reserveløsning med leverandøren",
     "Per Johansen", 8, 2, 3, "mitigated"),
    ("Digital søknad som standard", "Innbyggere uten digital kompetanse faller utenfor",
     "Mange eldre søkere", 3, 3, "Papirskjema beholdes; veiledning i servicetorget",
     "Ingrid Berg", 12, 2, 2, "open"),
    ("Nytt fagsystem tatt i bruk", "Data går tapt ved migrering", "Gamle data av varierende "
     "kvalitet", 2, 5, "Prøvemigrering og kontroll av utvalgte saker", "Ola Hansen", 0, 1, 5,
     "closed"),
    ("Færre klager får medhold", "Statsforvalteren skjerper praksis",
     "Ny veileder for tildeling", 2, 3, "Jurist går gjennom avslag før vedtak", "Aisha Khan",
     10, 2, 2, "occurred"),
    ("Godt arbeidsmiljø og lavt sykefravær", "Nøkkelpersoner slutter",
     "Konkurranse om erfarne saksbehandlere", 3, 4, "Dokumenterte rutiner og fadderordning",
     "Kari Nordmann", 18, 2, 3, "open"),
    ("Raske og riktige vedtak til innbyggerne", "Budsjettkutt neste år",
     "Kommunens økonomi er stram", 3, 5, "Prioriter lovpålagte oppgaver", "Kari Nordmann",
     12, None, None, "open"),
)  # fmt: skip

_REVISED = "Saker i kø"
_FIRST_TARGET = 40.0


def _add_reviews(wheel: Wheel, clock: _Clock, goals: Mapping[str, d.Goal]) -> None:
    indicators = {i.name: i for i in wheel.indicators()}
    for name, days_ago, judgement, confidence, comment, (cause, decision) in _REVIEWS:
        at = clock.today - timedelta(days=days_ago)
        view = wheel.view(at)
        if name in indicators:
            subject = {"indicator_id": indicators[name].id}
            record = view.indicator_record(indicators[name].id)
        else:
            subject = {"goal_id": goals[name].id}
            record = view.goal_record(goals[name].id)
        # the demo's cause and decision are written for the deviation it expects
        outside = record["status"] in d.OUTSIDE_TOLERANCE
        wheel.record_review(
            **subject,
            when=at,
            judgement=judgement,
            confidence=confidence,
            comment=comment,
            cause=cause if outside else None,
            decision=decision if outside else None,
            as_of=clock.today,
        )


def _add_lessons(wheel: Wheel, clock: _Clock, goals: Mapping[str, d.Goal]) -> list[d.Lesson]:
    lessons = []
    for title, days_ago, planned, happened, why, sustain, improve, actions in _LESSONS:
        lessons.append(
            wheel.add(
                LESSON,
                {
                    "date": clock.today - timedelta(days=days_ago),
                    "goal_id": goals[title].id if title else None,
                    "planned": planned,
                    "happened": happened,
                    "why": why,
                    "sustain": sustain,
                    "improve": improve,
                    "actions": [
                        {
                            "what": what,
                            "owner": owner,
                            "due": clock.today + timedelta(days=due_in),
                            "done": done,
                        }
                        for what, owner, due_in, done in actions
                    ],
                },
            )
        )
    return lessons


def _add_risks(wheel: Wheel, clock: _Clock, goals: Mapping[str, d.Goal]) -> None:
    for title, risk, cause, p, c, mitigation, owner, due, rp, rc, state in _RISKS:
        wheel.add(
            RISK,
            {
                "goal_id": goals[title].id,
                "title": risk,
                "cause": cause,
                "probability": p,
                "consequence": c,
                "mitigation": mitigation,
                "owner": owner,
                "due": clock.end(due) if due else clock.t0 - timedelta(days=1),
                "residual_probability": rp,
                "residual_consequence": rc,
                "state": state,
            },
        )


def _revise_target(wheel: Wheel, indicator: d.Indicator, lesson: d.Lesson) -> None:
    """The queue target was eased after the summer lesson; the demo shows that
    trail, linked both ways as Wheel.revise links it (written directly here:
    the revision is dated a week after the lesson, not today)."""
    at = (lesson.date + timedelta(days=7)).isoformat()
    wheel.update(
        INDICATOR,
        indicator.id,
        {
            "revisions": [
                {
                    "old": _FIRST_TARGET,
                    "new": indicator.target,
                    "at": at,
                    "by": "Kari Nordmann",
                    "why": "Ekstrastillingen kom sent og søknadene økte; 60 saker er realistisk.",
                    "lesson_id": lesson.id,
                }
            ]
        },
    )
    link = {"kind": "revision", "id": indicator.id, "at": at, "by": "Kari Nordmann"}
    wheel.update(LESSON, lesson.id, {"links": [link]})


def build_demo(root: Path, *, today: date | None = None, user: str = "demo") -> Wheel:
    """Fill the empty store folder `root` with the sample wheel, written as
    `user`, and return it open for the person at the keyboard: the demo is one
    change by `user`, so their first undo cannot wipe the whole wheel. Its
    read model for today is built (a blink for the demo), so the TUI's first
    frame shows the wheel."""
    day = today or date.today()
    fill_demo(root, today=day, user=user)
    opened = open_wheel(root)
    opened.view(day)
    return opened


def fill_demo(root: Path, *, today: date, user: str = "demo") -> None:
    """Write the sample wheel into the empty store folder `root` as `user`."""
    clock = _Clock.at(today)
    rng = random.Random(clock.today.toordinal())
    wheel = open_wheel(root, user=user)
    if wheel.goals():
        raise BadInput(f"{root} already holds a wheel; the demo needs an empty folder")
    # one transaction: one write of each file, so the demo builds in a blink
    with wheel.transaction():
        goals: dict[str, d.Goal] = {}
        for g in GOALS:
            agreed = g.state in ("agreed", "active", "closed")
            goals[g.key] = wheel.add(
                GOAL,
                {
                    "title": g.title,
                    "description": g.description,
                    "parent_id": goals[g.parent].id if g.parent else None,
                    "owner": g.owner,
                    "unit": g.unit,
                    "start": clock.month(g.start),
                    "due": clock.end(int(g.start) + g.months),
                    "state": g.state,
                    "agreed_by": g.agreed_by if agreed else "",
                    "agreed_on": clock.month(g.start) - timedelta(days=14) if agreed else None,
                    "outcome": g.outcome,
                    "closing_comment": g.closing_comment,
                    "tags": g.tags,
                },
            )
        rows: list[dict[str, Any]] = []
        by_name: dict[str, d.Indicator] = {}
        for spec in INDICATORS:
            goal = goals[spec.goal]
            assert goal.start is not None and goal.due is not None
            indicator = wheel.add(
                INDICATOR,
                {
                    "goal_id": goal.id,
                    "name": spec.name,
                    "unit": spec.unit,
                    "baseline": spec.baseline,
                    "target": spec.target,
                    "start": goal.start,
                    "due": goal.due,
                    "direction": spec.direction,
                    "aggregation": spec.aggregation,
                    "chain": spec.chain,
                    "weight": spec.weight,
                    "cadence": spec.cadence,
                    "tolerance": spec.tolerance,
                    "milestones": [(clock.month(m), v) for m, v in spec.milestones],
                },
            )
            by_name[spec.name] = indicator
            rows += _rows(indicator, spec, clock, rng)
        # the demo's clock may be set after the real today (tests build it on any day)
        wheel.log_many(rows, confirm_future=True)
        by_title = {g.title: g for g in goals.values()}
        lessons = _add_lessons(wheel, clock, by_title)
        _revise_target(wheel, by_name[_REVISED], lessons[0])
        _add_risks(wheel, clock, by_title)
        _add_reviews(wheel, clock, by_title)
