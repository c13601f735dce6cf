"""Reading the headers of a message as the watcher does: addresses, dates, robots, identity."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from followthrough.domain.mailheaders import (
    addresses,
    decoded,
    message_date,
    message_key,
    parse_internaldate,
    read_headers,
)

ARRIVED = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def headers(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_addresses_drop_display_names_and_letter_case() -> None:
    found = addresses(['"Doe, Jane" <Jane.Doe@Example.COM>', "bob@x.io, Ana <ANA@y.io>"])
    assert found == ("jane.doe@example.com", "bob@x.io", "ana@y.io")


def test_encoded_display_names_do_not_hide_the_address() -> None:
    raw = headers(
        "From: =?utf-8?q?Ren=C3=A9e_M=C3=BCller?= <renee@example.fr>",
        "To: =?utf-8?b?w4lsb2RpZQ==?= <elodie@x.io>, other@x.io",
        "Cc: Third <THIRD@x.io>",
        "Cc: fourth@x.io",
        "Subject: =?utf-8?q?R=C3=A9ponse_=C3=A0_votre_devis?=",
        "Date: Mon, 23 Nov 2026 09:30:00 +0100",
        "Message-ID: <a1@x.io>",
    )
    read = read_headers(raw, ARRIVED)
    assert read.senders == ("renee@example.fr",)
    assert read.recipients == ("elodie@x.io", "other@x.io", "third@x.io", "fourth@x.io")
    assert read.subject == "Réponse à votre devis"
    assert read.date == datetime(2026, 11, 23, 8, 30, tzinfo=UTC)
    assert not read.auto_reply


def test_a_folded_subject_reads_as_one_line() -> None:
    assert decoded("Quote for\r\n the pilot") == "Quote for the pilot"
    assert decoded(None) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Mon, 23 Nov 2026 09:30:00 +0100", datetime(2026, 11, 23, 8, 30, tzinfo=UTC)),
        ("23 Nov 2026 09:30:00 -0500", datetime(2026, 11, 23, 14, 30, tzinfo=UTC)),
        ("Mon, 23 Nov 2026 09:30:00 GMT", datetime(2026, 11, 23, 9, 30, tzinfo=UTC)),
        ("Mon, 23 Nov 2026 09:30:00 -0000", datetime(2026, 11, 23, 9, 30, tzinfo=UTC)),
        (None, ARRIVED),
        ("", ARRIVED),
        ("next tuesday-ish", ARRIVED),
        ("Mon, 99 Foo 2026 99:99:99 +0100", ARRIVED),
    ],
)
def test_the_date_is_the_messages_own_or_else_when_it_arrived(
    value: str | None, expected: datetime
) -> None:
    assert message_date(value, ARRIVED) == expected


def test_a_message_without_date_takes_the_servers_arrival_time() -> None:
    arrived = parse_internaldate(" 3-Nov-2026 10:15:00 +0100")
    assert arrived == datetime(2026, 11, 3, 9, 15, tzinfo=UTC)
    read = read_headers(headers("From: a@x.io", "Subject: hi"), arrived)
    assert read.date == arrived
    assert parse_internaldate("garbage") is None


@pytest.mark.parametrize(
    "extra",
    [
        "Auto-Submitted: auto-replied",
        "Auto-Submitted: auto-generated",
        "Auto-Submitted: Auto-Replied (vacation)",
        "X-Autoreply: yes",
        "Precedence: auto_reply",
        "Precedence: bulk",
        "Precedence: junk",
        "Subject: Out of office: back Monday",
        "Subject: Automatic reply: Quote",
        "Subject: Autoreply",
        "Subject: Auto-Reply: your message",
        "Subject: Absence du bureau",
        "Subject: Abwesenheitsnotiz",
        "Subject: Réponse automatique : devis",
        "Subject: =?utf-8?q?R=C3=A9ponse_automatique?=",
        "Subject: Respuesta automática: presupuesto",
        "Subject: Fuera de la oficina",
    ],
)
def test_robot_replies_are_recognised(extra: str) -> None:
    raw = headers("From: ana@x.io", "Date: Mon, 23 Nov 2026 09:30:00 +0100", extra)
    assert read_headers(raw, ARRIVED).auto_reply


@pytest.mark.parametrize(
    "extra",
    [
        "Auto-Submitted: no",
        "Auto-Submitted: No",
        "Precedence: list-ish",
        "Subject: Re: Out of office supplies quote",
        "Subject: Re: your absence policy",
        "Subject: Re: Quote",
    ],
)
def test_people_answering_are_not_robots(extra: str) -> None:
    raw = headers("From: ana@x.io", "Date: Mon, 23 Nov 2026 09:30:00 +0100", extra)
    assert not read_headers(raw, ARRIVED).auto_reply


def test_a_message_id_is_the_same_key_with_or_without_brackets_and_case() -> None:
    assert message_key("<Abc.123@Mail.Example.COM>", None, None, None) == "abc.123@mail.example.com"
    assert message_key("  abc.123@mail.example.com ", "x", "y", "z") == "abc.123@mail.example.com"


def test_a_message_without_id_gets_a_stable_key_of_its_own() -> None:
    first = message_key(None, "Ana <ana@x.io>", "Mon, 23 Nov 2026 09:30:00 +0100", "Hi")
    again = message_key("", "Ana <ana@x.io>", "Mon, 23 Nov 2026 09:30:00 +0100", "Hi")
    other = message_key(None, "Ana <ana@x.io>", "Mon, 23 Nov 2026 09:31:00 +0100", "Hi")
    assert first == again
    assert first != other
    assert "@" not in first  # cannot collide with a real Message-ID
