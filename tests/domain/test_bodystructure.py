"""Finding a message's calendar part in the structure an IMAP server describes."""

from __future__ import annotations

from followthrough.domain.bodystructure import CalendarPart, calendar_parts


def test_the_calendar_part_of_a_mixed_message_is_found_with_its_section() -> None:
    data = [
        b'1 (UID 7 BODYSTRUCTURE ((("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 12 1 NIL NIL'
        b' NIL NIL)("text" "calendar" ("charset" "utf-8" "method" "REPLY") NIL NIL "base64" 812 11'
        b' NIL NIL NIL NIL) "alternative" ("boundary" "b1") NIL NIL NIL)("application" "pdf"'
        b' ("name" "deck.pdf") NIL NIL "base64" 2000000 NIL ("attachment" ("filename" "deck.pdf"))'
        b' NIL NIL) "mixed" ("boundary" "b0") NIL NIL NIL))',
        b'2 (UID 9 BODYSTRUCTURE ("TEXT" "CALENDAR" NIL NIL NIL "QUOTED-PRINTABLE" 300 9 NIL NIL NIL NIL))',
        b'3 (UID 11 BODYSTRUCTURE ("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 5 1 NIL NIL NIL NIL))',
    ]
    assert calendar_parts(data) == {
        7: CalendarPart("1.2", "base64", "utf-8", 812),
        9: CalendarPart("1", "quoted-printable", "utf-8", 300),
    }


def test_literals_and_attached_messages_are_handled() -> None:
    data = [
        (b'1 (UID 4 BODYSTRUCTURE (("text" "plain" ("name" {5}', b"a(b)c"),
        b' NIL NIL "7bit" 3 1 NIL NIL NIL NIL)("message" "rfc822" NIL NIL NIL "7bit" 90 NIL'
        b' ("text" "calendar" NIL NIL NIL "7bit" 20 1 NIL NIL NIL NIL) 4 NIL NIL NIL NIL)'
        b' "mixed" NIL NIL NIL NIL))',
    ]
    assert calendar_parts(data) == {}  # a forwarded invitation inside an attached message


def test_garbage_is_no_calendar() -> None:
    assert calendar_parts([b"1 (UID x BODYSTRUCTURE ((((((", b")))"]) == {}
    assert calendar_parts([b"1 (UID 3 BODYSTRUCTURE " + b"(" * 5000 + b")" * 5000 + b")"]) == {}
