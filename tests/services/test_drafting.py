"""Drafting for real leads: what templates see, a clean draft for every alert, and Mark as sent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from followthrough.domain.leads import NewLead
from followthrough.domain.preferences import Preferences
from followthrough.domain.signals import SignalKind
from followthrough.domain.states import State
from followthrough.errors import InvalidData, NotFound
from followthrough.services import alerts, lead_queries, leads
from followthrough.services.drafting import draft_for, mark_sent, preview_context
from followthrough.services.preferences import update_preferences
from followthrough.services.rendering import day_words, draft_context
from followthrough.services.templates import get_template, list_templates, sample_context
from followthrough.store.db import Database
from tests.conftest import NOW

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
T0 = NOW - 20 * DAY  # histories start here; alerts are raised at NOW


def add(db: Database, name: str = "Ana Silva", **fields: object) -> int:
    fields.setdefault("next_step", "Agree the pilot scope")
    fields.setdefault("company", "Acme Studio")
    email = f"{name.split()[0].lower()}@example.com"
    new = NewLead.create(name=name, now=T0, email=email, **fields)  # type: ignore[arg-type]
    return leads.add_lead(db, new, T0, at=T0).id


def log(db: Database, lead_id: int, kind: SignalKind, at: datetime) -> None:
    leads.log_event(db, lead_id, kind, at=at, now=at)


def silence(db: Database) -> int:
    lead_id = add(db)
    log(db, lead_id, SignalKind.SENT, NOW - 3 * DAY)
    return lead_id


def due(db: Database) -> int:
    return add(db, next_step_due=NOW - HOUR)


def stall(db: Database) -> int:
    lead_id = add(db, next_step=None)
    log(db, lead_id, SignalKind.REPLIED, NOW - 2 * DAY)
    return lead_id


def guard(db: Database) -> int:
    lead_id = add(db)
    for days in (9, 6, 3):
        log(db, lead_id, SignalKind.SENT, NOW - days * DAY)
    return lead_id


def proposal_views(db: Database) -> int:
    lead_id = add(db)
    log(db, lead_id, SignalKind.PROPOSAL_SENT, NOW - DAY)
    log(db, lead_id, SignalKind.PROPOSAL_VIEWED, NOW - 20 * HOUR)
    log(db, lead_id, SignalKind.PROPOSAL_VIEWED, NOW - 2 * HOUR)
    return lead_id


def meeting_missed(db: Database) -> int:
    lead_id = add(db)
    log(db, lead_id, SignalKind.MEETING_MISSED, NOW - HOUR)
    return lead_id


def pricing_silence(db: Database) -> int:
    lead_id = add(db)
    log(db, lead_id, SignalKind.PRICING_DISCUSSED, NOW - 3 * DAY)
    return lead_id


def link_clicks(db: Database) -> int:
    lead_id = add(db)
    log(db, lead_id, SignalKind.LINK_CLICKED, NOW - 5 * HOUR)
    log(db, lead_id, SignalKind.LINK_CLICKED, NOW - HOUR)
    return lead_id


def engagement_drop(db: Database) -> int:
    lead_id = add(db, state=State.WARM)
    for days in (14, 12, 10):
        log(db, lead_id, SignalKind.REPLIED, NOW - days * DAY)
    return lead_id


def reactivate(db: Database) -> int:
    return add(
        db,
        state=State.RECYCLE,
        next_step=None,
        recycle_until=NOW - DAY,
        recycle_reason="budget frozen until the new year",
    )


SCENARIOS: dict[str, Callable[[Database], int]] = {
    "silence": silence,
    "due": due,
    "stall": stall,
    "guard": guard,
    "proposal_views": proposal_views,
    "meeting_missed": meeting_missed,
    "pricing_silence": pricing_silence,
    "link_clicks": link_clicks,
    "engagement_drop": engagement_drop,
    "reactivate": reactivate,
}


def raise_alert(db: Database, rule: str) -> tuple[int, alerts.AlertView]:
    lead_id = SCENARIOS[rule](db)
    raised = [a for a in alerts.tick(db, NOW) if a.lead_id == lead_id and a.rule == rule]
    assert raised, f"the scenario for {rule} raised nothing"
    return lead_id, raised[0]


@pytest.fixture
def signed(db: Database) -> Database:
    update_preferences(db, {"sender_name": "Sam Lee", "signature": "Sam Lee\nLee Consulting"})
    return db


# --- the context -------------------------------------------------------------------------


def test_days_read_in_words_on_the_local_clock() -> None:
    assert day_words(datetime(2026, 12, 4, 9, 0, tzinfo=UTC)) == "Friday 4 Dec"
    # 23:30 UTC is already the next day in Paris.
    assert day_words(datetime(2026, 12, 3, 23, 30, tzinfo=UTC)) == "Friday 4 Dec"


def test_the_context_holds_the_lead_the_alert_the_sender_and_dates(signed: Database) -> None:
    lead_id, alert = raise_alert(signed, "proposal_views")
    due_at = datetime(2026, 11, 26, 13, 0, tzinfo=UTC)  # Thursday, 14:00 in Paris
    leads.set_next_step(signed, lead_id, "Walk through the proposal", due_at, NOW)
    detail = lead_queries.get_lead(signed, lead_id, NOW)
    prefs = Preferences(sender_name="Sam Lee", signature="Sam")

    context = draft_context(detail.lead, alert, prefs, NOW, detail.timeline)

    lead = context["lead"]
    assert (lead["name"], lead["first_name"], lead["company"]) == (
        "Ana Silva",
        "Ana",
        "Acme Studio",
    )
    assert lead["next_step"] == "Walk through the proposal"
    assert (lead["next_step_due"], lead["next_step_due_time"]) == ("Thursday 26 Nov", "14:00")
    assert lead["next_step_due_at"] == due_at.isoformat()
    assert (lead["proposal_views"], lead["days_silent"], lead["state"]) == (2, 0, "hot")
    assert context["alert"] == {"rule": "proposal_views", "reason": alert.reason, "kind": "trigger"}
    assert context["sender"] == {"name": "Sam Lee", "signature": "Sam"}
    dates = context["dates"]  # NOW is Monday 23 Nov
    assert (dates["today"], dates["tomorrow"]) == ("Monday 23 Nov", "Tuesday 24 Nov")
    assert (dates["next_monday"], dates["in_a_week"]) == ("Monday 30 Nov", "Monday 30 Nov")
    assert (dates["thursday"], dates["next_working_day"]) == ("Thursday 26 Nov", "Tuesday 24 Nov")
    working = replace(prefs, work_days=("mon", "wed"))
    assert draft_context(detail.lead, None, working, NOW)["dates"]["next_working_day"] == (
        "Wednesday 25 Nov"
    )


def test_days_silent_counts_from_our_last_unanswered_touch(db: Database) -> None:
    lead_id = silence(db)
    lead = lead_queries.get_lead(db, lead_id, NOW).lead
    assert draft_context(lead, None, Preferences(), NOW)["lead"]["days_silent"] == 3
    log(db, lead_id, SignalKind.REPLIED, NOW - DAY)
    lead = lead_queries.get_lead(db, lead_id, NOW).lead
    assert draft_context(lead, None, Preferences(), NOW)["lead"]["days_silent"] == 0


def test_a_preview_reads_the_lead_and_its_most_urgent_open_alert(signed: Database) -> None:
    lead_id, alert = raise_alert(signed, "proposal_views")
    spec = get_template(signed, draft_for(signed, lead_id, now=NOW).template)

    context = preview_context(signed, spec, lead_id, NOW)

    assert context["lead"]["name"] == "Ana Silva"
    assert context["alert"] == {"rule": "proposal_views", "reason": alert.reason, "kind": "trigger"}
    assert context["sender"]["name"] == "Sam Lee"


def test_a_preview_without_a_lead_or_for_one_deleted_meanwhile_reads_the_sample(
    db: Database,
) -> None:
    lead_id = silence(db)
    spec = get_template(db, draft_for(db, lead_id, now=NOW).template)
    sample = sample_context(spec)
    assert preview_context(db, spec, None, NOW) == sample
    leads.delete_lead(db, lead_id)
    assert preview_context(db, spec, lead_id, NOW) == sample


def test_a_preview_of_a_lead_with_no_open_alert_has_none(db: Database) -> None:
    lead_id = add(db)
    spec = list_templates(db)[0]
    assert preview_context(db, spec, lead_id, NOW)["alert"] is None


# --- drafts ------------------------------------------------------------------------------


@pytest.mark.parametrize("rule", list(SCENARIOS))
def test_every_alert_the_engine_raises_gets_a_clean_draft(signed: Database, rule: str) -> None:
    lead_id, alert = raise_alert(signed, rule)

    draft = draft_for(signed, lead_id, now=NOW)

    assert draft.alert_id == alert.id
    from followthrough.services.templates import get_template

    chosen = get_template(signed, draft.template)
    assert not chosen.rules or rule in chosen.rules
    assert draft.intent == chosen.intent
    assert draft.body.strip()
    assert "{{" not in draft.body + draft.subject
    assert draft.findings == (), [f"{f.code}: {f.message}" for f in draft.findings]
    assert draft.template not in draft.alternatives


def test_a_named_template_is_used_and_the_others_stay_alternatives(signed: Database) -> None:
    lead_id, alert = raise_alert(signed, "silence")
    first = draft_for(signed, lead_id, alert.id, now=NOW)
    assert first.alternatives, "a silence alert should have more than one fitting template"
    other = first.alternatives[0]

    switched = draft_for(signed, lead_id, alert.id, template_slug=other, now=NOW)

    assert switched.template == other
    assert first.template in switched.alternatives
    assert other not in switched.alternatives


def test_drafting_for_another_leads_alert_is_refused(signed: Database) -> None:
    lead_id, _ = raise_alert(signed, "silence")
    other = add(signed, "Bo Chen")
    log(signed, other, SignalKind.MEETING_MISSED, NOW - HOUR)
    other_alert = next(a for a in alerts.tick(signed, NOW) if a.lead_id == other)
    with pytest.raises(InvalidData, match="another lead"):
        draft_for(signed, lead_id, other_alert.id, now=NOW)
    with pytest.raises(NotFound):
        draft_for(signed, 999, now=NOW)


# --- mark as sent ------------------------------------------------------------------------


def test_a_message_from_a_shipped_template_remembers_the_decision_it_asked_for(
    signed: Database,
) -> None:
    lead_id, alert = raise_alert(signed, "silence")
    mark_sent(
        signed,
        lead_id,
        subject="20 minutes on Thursday",
        body="Hi Ana,\n\nShall we take 20 minutes on Thursday?\n\nSam",
        template="hot-silence-pick-a-slot",
        alert_id=alert.id,
        next_step=None,
        next_step_due=None,
        now=NOW + HOUR,
    )
    sent = lead_queries.get_lead(signed, lead_id, NOW + HOUR).timeline[0]
    assert (sent.payload["intent"], sent.payload["decision"]) == ("advance", "next_step")


def test_mark_sent_logs_the_message_closes_the_alert_and_replans(signed: Database) -> None:
    lead_id, alert = raise_alert(signed, "silence")
    when = NOW + HOUR
    next_due = NOW + DAY

    mark_sent(
        signed,
        lead_id,
        subject="Pilot: Thursday or Friday?",
        body="Hi Ana,\n\nWould Thursday at 10:00 suit for the pilot call?\n\nSam",
        template="hot-silence",
        alert_id=alert.id,
        next_step="Pilot call",
        next_step_due=next_due,
        now=when,
    )

    detail = lead_queries.get_lead(signed, lead_id, when)
    sent = detail.timeline[0]
    assert (sent.kind, sent.direction, sent.channel, sent.at) == ("sent", "out", "email", when)
    # What the reports need: the template, what it asked for, the alert (rule) it answered.
    assert sent.payload == {
        "template": "hot-silence",
        "subject": "Pilot: Thursday or Friday?",
        "intent": alert.intent,
        "decision": None,  # no stored template of that name to say which decision
        "alert": alert.id,
        "rule": "silence",
    }
    assert sent.text is not None
    assert sent.text.startswith("Pilot: Thursday or Friday?\n\nHi Ana,")
    done = alerts.get_alert(signed, alert.id)
    assert (done.status, done.resolved_at) == ("done", when)
    lead = detail.lead
    assert (lead.next_step, lead.next_step_due) == ("Pilot call", next_due)
    assert (lead.unanswered, lead.last_outbound_at) == (2, when)
    # The engine looks again when the new step falls due (before the new silence window).
    assert lead.next_check_at == next_due
    assert alerts.list_alerts(signed) == []


def test_mark_sent_without_a_next_step_keeps_the_current_one(signed: Database) -> None:
    lead_id, alert = raise_alert(signed, "meeting_missed")
    mark_sent(
        signed,
        lead_id,
        subject="",
        body="Hi Ana, shall we try Thursday at 10:00 instead?",
        template=None,
        alert_id=alert.id,
        next_step=None,
        next_step_due=None,
        now=NOW,
        channel="linkedin",
    )
    detail = lead_queries.get_lead(signed, lead_id, NOW)
    assert detail.lead.next_step == "Agree the pilot scope"
    assert (detail.timeline[0].channel, detail.timeline[0].text) == (
        "linkedin",
        "Hi Ana, shall we try Thursday at 10:00 instead?",
    )


def test_mark_sent_is_all_or_nothing(signed: Database) -> None:
    lead_id, alert = raise_alert(signed, "stall")  # the lead has no next step
    before = len(lead_queries.get_lead(signed, lead_id, NOW).timeline)
    with pytest.raises(InvalidData, match="next step"):
        mark_sent(
            signed,
            lead_id,
            subject="Next step",
            body="Hi Ana, shall we meet Thursday at 10:00?",
            template="stall",
            alert_id=alert.id,
            next_step=None,
            next_step_due=NOW + DAY,  # a due time with no step to go with it
            now=NOW,
        )
    assert len(lead_queries.get_lead(signed, lead_id, NOW).timeline) == before
    assert alerts.get_alert(signed, alert.id).status == "open"
    with pytest.raises(InvalidData, match="empty"):
        mark_sent(signed, lead_id, subject="Hi", body="  \n", template=None, alert_id=None,
                  next_step=None, next_step_due=None, now=NOW)  # fmt: skip
    with pytest.raises(NotFound):
        mark_sent(signed, lead_id, subject="Hi", body="Hello", template=None, alert_id=999,
                  next_step=None, next_step_due=None, now=NOW)  # fmt: skip
    assert len(lead_queries.get_lead(signed, lead_id, NOW).timeline) == before


def test_a_template_that_cannot_render_here_is_skipped_unless_named(signed: Database) -> None:
    from followthrough.domain.templates import TemplateSpec
    from followthrough.services.rendering import TemplateProblem
    from followthrough.services.templates import save_template

    # Fine with an alert (it was checked against one when saved), broken without.
    needs_alert = TemplateSpec(
        slug="aaa-about-the-alert",
        title="About the alert",
        intent="clarify",
        decision="risk",
        rules=(),
        states=("hot",),
        channel="email",
        subject="A quick question",
        body="Hi {{ lead.first_name }},\n\n{{ alert.reason }}\n\n{{ sender.name }}",
    )
    save_template(signed, needs_alert)
    lead_id = add(signed)  # no alert is open on it

    draft = draft_for(signed, lead_id, now=NOW)
    assert draft.template != "aaa-about-the-alert"
    assert "aaa-about-the-alert" in draft.alternatives  # still offered, to see its problem
    with pytest.raises(TemplateProblem) as caught:
        draft_for(signed, lead_id, template_slug="aaa-about-the-alert", now=NOW)
    # Line 12 of its file: 7 header lines with '---', the subject, a blank, then the body.
    assert caught.value.message == (
        "line 12: there is no alert for this draft, so 'alert.reason' is undefined"
    )
