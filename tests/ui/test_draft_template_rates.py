"""The draft dialog's template chooser shows each template's measured reply rate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pytestqt.qtbot import QtBot

from followthrough.domain.leads import NewLead
from followthrough.domain.signals import SignalKind
from followthrough.services import alerts, drafting, leads
from followthrough.store.db import Database
from followthrough.ui.drafting.dialog import DraftDialog
from followthrough.ui.drafting.template_rates import TITLE_ROLE
from followthrough.ui.ops import Operations

SLOT = "hot-silence-pick-a-slot"
RECAP = "call-recap-next-step"


def sent_with(db: Database, template: str, count: int, answered: int, now: datetime) -> None:
    """`count` leads sent `template` ten days ago; the first `answered` replied a day later."""
    for i in range(count):
        lead = leads.add_lead(db, NewLead.create(name=f"{template} {i}", now=now), now, now)
        sent_at = now - timedelta(days=10)
        drafting.mark_sent(
            db, lead.id, subject="Hello", body="Thursday at 10?", template=template,
            alert_id=None, next_step=None, next_step_due=None, now=sent_at,
        )  # fmt: skip
        if i < answered:
            leads.log_event(db, lead.id, SignalKind.REPLIED, at=sent_at + timedelta(days=1))


def test_the_chooser_shows_how_often_each_template_was_answered(
    qtbot: QtBot, ops: Operations, db: Database
) -> None:
    now = datetime.now(UTC)
    sent_with(db, SLOT, 6, 4, now - timedelta(days=20))
    sent_with(db, RECAP, 3, 1, now - timedelta(days=20))
    sent_with(db, SLOT, 2, 2, now - timedelta(days=90))  # before the 60 days: not counted
    lead = leads.add_lead(db, NewLead.create(name="Ana Silva", now=now, next_step="Pilot"), now)
    leads.log_event(db, lead.id, SignalKind.SENT, at=now - timedelta(days=3), now=now)
    [alert] = [a for a in alerts.tick(db, now) if a.lead_id == lead.id]

    dialog = DraftDialog(ops, lead.id, alert.id)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.rates.shown, timeout=5000):
        dialog.show()
    chooser = dialog.template
    texts = {chooser.itemData(i): chooser.itemText(i) for i in range(chooser.count())}
    assert texts[SLOT] == "Hot lead gone quiet: offer one slot — replied 4 of 6 (67 %)"
    assert texts[RECAP].endswith(" — 3 sent, too few to rate")
    assert list(texts) == [SLOT, RECAP]
    assert chooser.itemData(0, TITLE_ROLE) == "Hot lead gone quiet: offer one slot"
    assert chooser.itemData(0) == SLOT  # the best fit stays first, and drafted
    assert dialog.draft is not None
    assert dialog.draft.template == SLOT
