"""Checking what a user types about a lead, before anything is stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from followthrough.domain.leadfields import clean_email, clean_name, clean_phone, clean_tags
from followthrough.domain.leads import LeadEdit, NewLead
from followthrough.domain.states import State, parse_state
from followthrough.errors import FieldError, InvalidData

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "name", ["Zoë Ångström", "李小龙", "מרים כהן", "مريم الحسن", "Ana 🚀 Silva", "O'Neil-Smith"]
)
def test_names_in_any_script_are_kept_as_typed(name: str) -> None:
    assert clean_name(f"  {name} ") == name


def test_name_limits() -> None:
    assert clean_name("x" * 500) == "x" * 500
    with pytest.raises(InvalidData, match="at most 500"):
        clean_name("x" * 501)
    with pytest.raises(InvalidData, match="name is empty"):
        clean_name(" \t ")


@pytest.mark.parametrize(
    "email", ["ana@acme", "ana@@acme.com", "ana acme.com", "@acme.com", "ana@acme.", "a b@c.de"]
)
def test_malformed_emails_are_refused(email: str) -> None:
    with pytest.raises(InvalidData, match="not a valid e-mail"):
        clean_email(email)


@pytest.mark.parametrize(
    "email", ["ana@acme.com", "Ana.Silva+crm@sub.acme.co.uk", "josé@exämple.de"]
)
def test_real_emails_pass(email: str) -> None:
    assert clean_email(email) == email


def test_phone_and_tags() -> None:
    assert clean_phone("+33 (0)1 23 45 67 89 ext 12") == "+33 (0)1 23 45 67 89 ext 12"
    with pytest.raises(InvalidData, match="not a phone number"):
        clean_phone("call me")
    assert clean_tags(["#SaaS", "saas", " q4 ", ""]) == ["SaaS", "q4"]


def test_recycle_needs_a_future_date_and_other_states_refuse_one() -> None:
    # The domain names the field to fill in; the CLI says it as --until (tests/cli).
    with pytest.raises(FieldError, match="needs a date to come back") as missing:
        NewLead.create(name="Ana", now=NOW, state=State.RECYCLE)
    assert (missing.value.field, missing.value.needs) == ("until", "until")
    assert "--" not in str(missing.value)
    with pytest.raises(InvalidData, match="future"):
        NewLead.create(
            name="Ana", now=NOW, state=State.RECYCLE, recycle_until=NOW - timedelta(days=1)
        )
    with pytest.raises(FieldError, match="only apply") as misplaced:
        NewLead.create(name="Ana", now=NOW, recycle_until=NOW + timedelta(days=9))
    assert (
        str(misplaced.value) == "a date to come back and a reason only apply to a lead in Recycle"
    )
    parked = NewLead.create(
        name="Ana", now=NOW, state=State.RECYCLE, recycle_until=NOW + timedelta(days=30)
    )
    assert parked.recycle_until == NOW + timedelta(days=30)


def test_a_due_time_needs_a_step() -> None:
    with pytest.raises(InvalidData, match="needs a next step"):
        NewLead.create(name="Ana", now=NOW, next_step_due=NOW)
    with pytest.raises(InvalidData, match="needs a next step"):
        LeadEdit.create(next_step="", next_step_due=NOW)


def test_edit_keeps_none_and_clears_blank() -> None:
    edit = LeadEdit.create(company="  ", phone=None)
    assert edit.company == ""
    assert edit.phone is None
    assert not edit.is_empty
    assert LeadEdit.create().is_empty


def test_states_read_case_insensitively() -> None:
    assert parse_state("WARM") is State.WARM
    with pytest.raises(InvalidData, match="unknown state 'cold'"):
        parse_state("cold")
