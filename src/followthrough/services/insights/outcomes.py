"""What works: what each rule's alerts led to, and how often each template and each intent
got the buyer to answer.

Two kinds of evidence. An alert raised in the period was acted on, snoozed or dismissed, and
the engine stamped it "engaged" when the buyer engaged within `outcome_days` of it being done.
A message sent in the period was answered when the buyer's first answer after it came within
`outcome_days` (services/insights/replies.py says what an answer is).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import tzinfo

from sqlalchemy import Connection, case, func, select

from followthrough.domain.alerts import AlertOutcome, AlertStatus
from followthrough.domain.figures import DAY, Rate, median
from followthrough.domain.period import Period
from followthrough.domain.reportview import (
    Bar,
    Chart,
    ChartKind,
    Figure,
    ReportView,
    Row,
    Span,
    Table,
)
from followthrough.domain.signals import Direction, SignalKind
from followthrough.services.insights.grouped_sql import (
    cases,
    floats,
    ints,
    joined,
    seconds_figure,
)
from followthrough.services.insights.replies import kept_answer, seconds_between
from followthrough.services.policy import load_policy
from followthrough.store.db import Database
from followthrough.store.event_facts import payload_fact
from followthrough.store.tables import ALERT, EVENT

BY_HAND = "written by hand"  # a message sent with no template
NOT_RECORDED = "not recorded"  # a message sent before intents were kept


@dataclass(frozen=True)
class RuleOutcome:
    rule: str
    raised: int
    acted: int  # done: drafted, sent or otherwise handled
    snoozed: int  # put off at least once
    dismissed: int
    engaged: Rate  # of those acted on
    reply_seconds: float | None  # median, from acting to the buyer engaging
    lead_ids: tuple[int, ...]


@dataclass(frozen=True)
class SendOutcome:
    key: str  # the template's slug or the intent; BY_HAND / NOT_RECORDED when none
    replied: Rate  # answered within outcome_days, of those sent
    reply_seconds: float | None  # median, over the answered ones
    lead_ids: tuple[int, ...]

    @property
    def sent(self) -> int:
        return self.replied.cases


@dataclass(frozen=True)
class Outcomes:
    period: Period
    outcome_days: float
    rules: tuple[RuleOutcome, ...]
    templates: tuple[SendOutcome, ...]
    intents: tuple[SendOutcome, ...]
    replied: Rate  # every message sent in the period
    reply_seconds: float | None


@dataclass
class _Sends:
    """The messages sent with one template or intent: who to, and the answered ones' delays."""

    lead_ids: list[int]
    delays: list[float]  # seconds to the buyer's first answer, within the window


def compute_outcomes(db: Database, period: Period) -> Outcomes:
    with db.read() as session:
        outcome_days = load_policy(session).outcome_days
        conn = session.connection()
        rules = _rule_outcomes(conn, period)
        by_template, by_intent = _sends(conn, period, outcome_days)
    answered = [d for group in by_template.values() for d in group.delays]
    sent = sum(len(group.lead_ids) for group in by_template.values())
    return Outcomes(
        period,
        outcome_days,
        rules,
        _outcomes(by_template),
        _outcomes(by_intent),
        Rate(len(answered), sent),
        median(answered),
    )


def template_reply_rates(db: Database, period: Period) -> dict[str, Rate]:
    """Each template's measured reply rate over the period, by slug (the draft dialog's
    chooser shows it beside the template's title)."""
    with db.read() as session:  # the sends only: the rules' figures are not needed here
        by_template, _ = _sends(session.connection(), period, load_policy(session).outcome_days)
    return {t.key: t.replied for t in _outcomes(by_template) if t.key != BY_HAND}


def _rule_outcomes(conn: Connection, period: Period) -> tuple[RuleOutcome, ...]:
    in_period = (ALERT.c.raised_at >= period.since) & (ALERT.c.raised_at < period.until)
    done = ALERT.c.status == AlertStatus.DONE.value
    engaged = done & (ALERT.c.outcome == AlertOutcome.ENGAGED.value)
    # From acting on the alert to the buyer engaging, for the engaged ones.
    delay = case(
        (
            engaged & ALERT.c.outcome_at.is_not(None),
            seconds_between(ALERT.c.outcome_at, ALERT.c.resolved_at),
        ),
        else_=None,
    )
    counts = conn.execute(
        select(
            ALERT.c.rule,
            func.count(),
            func.sum(case((done, 1), else_=0)),
            func.sum(case((ALERT.c.snoozes > 0, 1), else_=0)),
            func.sum(case((ALERT.c.status == AlertStatus.DISMISSED.value, 1), else_=0)),
            func.sum(case((engaged, 1), else_=0)),
            joined(ALERT.c.lead_id),
            joined(seconds_figure(delay)),
        )
        .where(in_period)
        .group_by(ALERT.c.rule)
    )
    rules = [
        RuleOutcome(
            rule=rule,
            raised=raised,
            acted=acted,
            snoozed=snoozed,
            dismissed=dismissed,
            engaged=Rate(hits, acted),
            reply_seconds=median(floats(delays)),
            lead_ids=tuple(sorted(set(ints(lead_ids)))),
        )
        for rule, raised, acted, snoozed, dismissed, hits, lead_ids, delays in counts
    ]
    rules.sort(key=lambda r: (-r.raised, r.rule))
    return tuple(rules)


def _sends(
    conn: Connection, period: Period, outcome_days: float
) -> tuple[dict[str, _Sends], dict[str, _Sends]]:
    """The period's messages sent, by template and by intent, grouped in SQL (grouped_sql)."""
    sends = cases(
        select(
            EVENT.c.lead_id,
            payload_fact(EVENT, "template").label("template"),
            payload_fact(EVENT, "intent").label("intent"),
            seconds_between(kept_answer(EVENT), EVENT.c.at).label("delay"),
        ).where(
            EVENT.c.kind == SignalKind.SENT.value,
            EVENT.c.at >= period.since,
            EVENT.c.at < period.until,
            EVENT.c.direction == Direction.OUT.value,
        ),
        "sends",
    )
    # The half-millisecond: stored times keep microseconds, julianday() does not quite.
    in_window = sends.c.delay <= outcome_days * DAY + 0.0005
    rows = conn.execute(
        select(
            sends.c.template,
            sends.c.intent,
            joined(sends.c.lead_id),
            joined(case((in_window, seconds_figure(sends.c.delay)))),
        ).group_by(sends.c.template, sends.c.intent)
    )
    by_template: dict[str, _Sends] = defaultdict(lambda: _Sends([], []))
    by_intent: dict[str, _Sends] = defaultdict(lambda: _Sends([], []))
    for template, intent, joined_ids, joined_delays in rows:
        lead_ids, delays = ints(joined_ids), floats(joined_delays)
        for group in (by_template[template or BY_HAND], by_intent[intent or NOT_RECORDED]):
            group.lead_ids += lead_ids
            group.delays += delays
    return by_template, by_intent


def _outcomes(groups: dict[str, _Sends]) -> tuple[SendOutcome, ...]:
    out = [
        SendOutcome(
            key,
            Rate(len(group.delays), len(group.lead_ids)),
            median(group.delays),
            tuple(sorted(set(group.lead_ids))),
        )
        for key, group in groups.items()
    ]
    out.sort(key=lambda s: (-s.sent, s.key))
    return tuple(out)


# --- the page ---------------------------------------------------------------------------


def rule_words(rule: str) -> str:
    return rule.replace("_", " ").capitalize()


def build_view(db: Database, period: Period, zone: tzinfo) -> ReportView:
    """The "What works" page. No dates in its tables, so `zone` changes nothing here."""
    from followthrough.services.templates import list_templates

    found = compute_outcomes(db, period)
    titles = {spec.slug: spec.title for spec in list_templates(db)}
    raised = sum(r.raised for r in found.rules)
    acted = sum(r.acted for r in found.rules)
    window = f"{found.outcome_days:g} day" + ("" if found.outcome_days == 1 else "s")
    figures = (
        Figure("Alerts raised", raised),
        Figure("Acted on", Rate(acted, raised), "alerts marked done, of those raised"),
        Figure("Replies after a follow-up", found.replied, f"answered within {window}"),
        Figure("Median time to reply", Span(found.reply_seconds), "over the answered ones"),
    )
    chart = Chart(
        "What each rule led to",
        ChartKind.BARS,
        ("Raised", "Acted on", "Engaged"),
        tuple(
            Bar(rule_words(r.rule), (r.raised, r.acted, r.engaged.hits), r.lead_ids)
            for r in found.rules
        ),
        unit="alerts",
    )
    by_rule = Table(
        "By rule",
        ("Rule", "Raised", "Acted on", "Snoozed", "Dismissed", "Buyer engaged", "Time to reply"),
        tuple(
            Row(
                (
                    rule_words(r.rule),
                    r.raised,
                    r.acted,
                    r.snoozed,
                    r.dismissed,
                    r.engaged,
                    Span(r.reply_seconds),
                ),
                r.lead_ids,
            )
            for r in found.rules
        ),
        "No alerts were raised in this period.",
    )
    return ReportView(
        key="outcomes",
        title="What works",
        since=period.since,
        until=period.until,
        figures=figures,
        chart=chart,
        tables=(
            by_rule,
            _sends_table("By template", "Template", found.templates, titles, window),
            _sends_table("By intent", "Intent", found.intents, {}, window),
        ),
        notes=(
            f"A follow-up counts as answered when the buyer replied, called or met within "
            f"{window} of it; an alert, when the buyer engaged within {window} of it being done.",
        ),
    )


def _sends_table(
    title: str, what: str, rows: tuple[SendOutcome, ...], titles: dict[str, str], window: str
) -> Table:
    def name(key: str) -> str:
        if what == "Intent" and key != NOT_RECORDED:
            return key.replace("_", " ").capitalize()
        return titles.get(key, key)

    return Table(
        title,
        (what, "Sent", f"Answered within {window}", "Time to reply"),
        tuple(
            Row((name(s.key), s.sent, s.replied, Span(s.reply_seconds)), s.lead_ids) for s in rows
        ),
        "No follow-ups were sent in this period.",
    )
