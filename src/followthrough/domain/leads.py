"""What a user asks of a lead, checked and normalised before anything is stored.

Building one of these is pure, so the CLI can refuse bad input before it opens the database
and the GUI can explain a problem inline while the user is still typing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from followthrough.domain.bounds import check_moment
from followthrough.domain.leadfields import (
    clean_email,
    clean_name,
    clean_optional,
    clean_phone,
    clean_tags,
)
from followthrough.domain.states import BOARD_STATES, State
from followthrough.errors import FieldError, InvalidData

# Clocks drift between machines and people type "now" a little late: allow a small lead.
FUTURE_TOLERANCE = timedelta(minutes=5)
REASON_MAX = 500
STEP_MAX = 500


def check_recycle(until: datetime | None, at: datetime) -> None:
    """A lead is parked with a way back: a reactivation date after the move."""
    if until is None:
        raise FieldError(
            "moving a lead to Recycle needs a date to come back to it", "until", needs="until"
        )
    check_moment(until, "until")
    if until <= at:
        raise InvalidData("the date to come back must be in the future", "until")


def check_event_time(at: datetime, now: datetime) -> None:
    check_moment(at, "at")
    if at > now + FUTURE_TOLERANCE:
        raise InvalidData("that time is in the future; log what has already happened", "at")


def check_next_step(step: str | None, due: datetime | None) -> None:
    if due is not None and not step:
        raise FieldError("a due time needs a next step", "due", needs="next_step")
    if due is not None:
        check_moment(due, "due")


@dataclass(frozen=True)
class NewLead:
    name: str
    company: str | None = None
    email: str | None = None
    phone: str | None = None
    state: State = State.HOT
    next_step: str | None = None
    next_step_due: datetime | None = None
    recycle_until: datetime | None = None
    recycle_reason: str | None = None
    tags: tuple[str, ...] = ()

    @classmethod
    def create(
        cls,
        *,
        name: str,
        now: datetime,
        company: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        state: State = State.HOT,
        next_step: str | None = None,
        next_step_due: datetime | None = None,
        recycle_until: datetime | None = None,
        recycle_reason: str | None = None,
        tags: Iterable[str] = (),
    ) -> NewLead:
        if state not in BOARD_STATES:
            raise InvalidData("a new lead starts in Hot, Warm or Recycle", "state")
        step = clean_optional(next_step, "next step", STEP_MAX)
        check_next_step(step, next_step_due)
        if state is State.RECYCLE:
            check_recycle(recycle_until, now)
        elif recycle_until is not None or recycle_reason:
            raise FieldError(
                "{until} and {reason} only apply to a lead in Recycle",
                "until",
                names={"until": "a date to come back", "reason": "a reason"},
            )
        return cls(
            name=clean_name(name),
            company=clean_optional(company, "company", 300),
            email=clean_email(email),
            phone=clean_phone(phone),
            state=state,
            next_step=step,
            next_step_due=next_step_due if step else None,
            recycle_until=recycle_until,
            recycle_reason=clean_optional(recycle_reason, "reason", REASON_MAX),
            tags=tuple(clean_tags(tags)),
        )


def _keep_or_clean(value: str | None, clean: Callable[[str], str | None]) -> str | None:
    """None keeps the stored value; anything else is cleaned, and blank becomes "" (clear)."""
    if value is None:
        return None
    return clean(value) or ""


@dataclass(frozen=True)
class LeadEdit:
    """Changes to a lead's fields. None keeps a field; an empty string clears it."""

    name: str | None = None
    company: str | None = None
    email: str | None = None
    phone: str | None = None
    title: str | None = None
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()
    next_step: str | None = None
    next_step_due: datetime | None = None

    @classmethod
    def create(
        cls,
        *,
        name: str | None = None,
        company: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        title: str | None = None,
        add_tags: Iterable[str] = (),
        remove_tags: Iterable[str] = (),
        next_step: str | None = None,
        next_step_due: datetime | None = None,
    ) -> LeadEdit:
        step = _keep_or_clean(next_step, lambda v: clean_optional(v, "next step", STEP_MAX))
        if step == "":
            check_next_step(None, next_step_due)  # clearing the step and dating it at once
        return cls(
            name=clean_name(name) if name is not None else None,
            company=_keep_or_clean(company, lambda v: clean_optional(v, "company", 300)),
            email=_keep_or_clean(email, clean_email),
            phone=_keep_or_clean(phone, clean_phone),
            title=_keep_or_clean(title, lambda v: clean_optional(v, "title", 300)),
            add_tags=tuple(clean_tags(add_tags)),
            remove_tags=tuple(clean_tags(remove_tags)),
            next_step=step,
            next_step_due=next_step_due,
        )

    @property
    def touches_next_step(self) -> bool:
        return self.next_step is not None or self.next_step_due is not None

    @property
    def is_empty(self) -> bool:
        fields = (self.name, self.company, self.email, self.phone, self.title)
        return (
            all(value is None for value in fields)
            and not self.add_tags
            and not self.remove_tags
            and not self.touches_next_step
        )
