"""Signal rules: patterns as a person writes them, senders, which lead, and what is refused."""

from __future__ import annotations

import time

import pytest

from followthrough.domain.shippedrules import SHIPPED_RULES
from followthrough.domain.signalrules import (
    LeadDirectory,
    RuleBook,
    SignalRule,
    check_rules,
    compile_pattern,
    find_lead,
    name_key,
)
from followthrough.domain.signals import SignalKind
from followthrough.errors import InvalidData


def rule(pattern: str, sender: str = "@docsend.com", kind: str = "proposal_viewed") -> SignalRule:
    return SignalRule.create("Test", sender, pattern, kind)


def read(pattern: str, subject: str) -> dict[str, str | None] | None:
    hit = RuleBook([rule(pattern)]).hit(("no-reply@docsend.com",), (), subject)
    return None if hit is None else {"name": hit.name, "company": hit.company, "title": hit.title}


@pytest.mark.parametrize(
    ("pattern", "subject", "expected"),
    [
        (
            "{name} viewed {title}",
            "Dana Reyes viewed Proposal for Acme",
            {"name": "Dana Reyes", "company": None, "title": "Proposal for Acme"},
        ),
        (
            "{name} viewed {title}",
            "DANA REYES VIEWED   proposal",
            {"name": "DANA REYES", "company": None, "title": "proposal"},
        ),
        (
            "{name} viewed {title}",
            '"Dana Reyes" viewed “Proposal”',
            {"name": "Dana Reyes", "company": None, "title": "Proposal"},
        ),
        (
            "{name} from {company} opened {any}",
            "Bob Stone from Beta GmbH opened Re: Quote",
            {"name": "Bob Stone", "company": "Beta GmbH", "title": None},
        ),
        (
            "New Event: {name} - {any}",
            "New Event: Dana Reyes - 09:00am Fri - 30 Minute Meeting",
            {"name": "Dana Reyes", "company": None, "title": None},
        ),
    ],
)
def test_placeholders_read_the_subject(
    pattern: str, subject: str, expected: dict[str, str | None]
) -> None:
    assert read(pattern, subject) == expected


def test_a_pattern_matches_the_whole_subject_only() -> None:
    assert read("{name} viewed {title}", "Dana viewed it") is not None
    assert read("Viewed: {title}", "Re: Viewed: Proposal") is None
    assert read("Viewed: {title}", "Viewed: Proposal") is not None
    assert read("{name} viewed", "Dana viewed it") is None
    assert read("{name} viewed {title}", "Dana viewed") is None  # a placeholder is not empty


@pytest.mark.parametrize(
    ("pattern", "field", "said"),
    [
        ("", "pattern", "the rule needs a subject pattern"),
        ("{nmae} viewed", "pattern", "unknown placeholder {nmae}"),
        ("{name}{title}", "pattern", "separated by some text"),
        ("{name} viewed {name}", "pattern", "may appear once"),
        ("{name} viewed } {title}", "pattern", "brace that is not part of a placeholder"),
        ("{any} a {any} b {any} c {any} d {any} e {any}", "pattern", "6 placeholders (at most 5)"),
        ("x" * 201, "pattern", "201 characters long (at most 200)"),
    ],
)
def test_a_bad_pattern_is_refused_in_one_sentence(pattern: str, field: str, said: str) -> None:
    with pytest.raises(InvalidData) as refused:
        rule(pattern)
    assert refused.value.field == field
    assert said in str(refused.value)
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize(
    ("sender", "kept"),
    [
        ("DocSend.com", "@docsend.com"),
        ("@docsend.com", "@docsend.com"),
        ("  Notify@DocSend.com ", "notify@docsend.com"),
        ("@bücher.de", "@bücher.de"),
    ],
)
def test_senders_are_kept_in_one_form(sender: str, kept: str) -> None:
    assert rule("{name} viewed {title}", sender=sender).sender == kept


@pytest.mark.parametrize(
    ("sender", "said"),
    [
        ("", "the rule needs a sender"),
        ("docsend", "'docsend' is not a domain"),
        ("@do cs.com", "is not a domain"),
        ("a@@b.com", "is not an e-mail address or a domain"),
    ],
)
def test_a_bad_sender_is_refused(sender: str, said: str) -> None:
    with pytest.raises(InvalidData) as refused:
        rule("{name} viewed {title}", sender=sender)
    assert refused.value.field == "sender"
    assert said in str(refused.value)


def test_a_kind_a_rule_cannot_log_and_a_missing_name_are_refused() -> None:
    with pytest.raises(InvalidData) as refused:
        rule("{name} viewed {title}", kind="sent")
    assert refused.value.field == "kind"
    assert "proposal_viewed" in str(refused.value)
    with pytest.raises(InvalidData) as unnamed:
        SignalRule.create("  ", "@docsend.com", "{name} viewed {title}", "note")
    assert unnamed.value.field == "name"


def test_two_rules_with_one_name_are_refused() -> None:
    a = SignalRule.create("Views", "@docsend.com", "{name} viewed {title}", "proposal_viewed")
    b = SignalRule.create("VIEWS", "@qwilr.com", "{name} viewed {title}", "proposal_viewed")
    with pytest.raises(InvalidData) as refused:
        check_rules([a, b])
    assert refused.value.field == "name"


def test_a_domain_covers_its_subdomains_and_no_lookalike() -> None:
    book = RuleBook([rule("{name} viewed {title}", sender="@pandadoc.net")])
    assert book.from_a_tool(("docs@email.pandadoc.net",))
    assert book.from_a_tool(("docs@pandadoc.net",))
    assert not book.from_a_tool(("docs@notpandadoc.net",))
    assert not book.from_a_tool(("docs@pandadoc.net.evil.io",))


def test_a_disabled_rule_matches_nothing_and_the_first_rule_wins() -> None:
    viewed = rule("{name} viewed {title}")
    clicked = SignalRule.create("Clicks", "@docsend.com", "{name} viewed {title}", "link_clicked")
    assert RuleBook([viewed.with_enabled(False)]).hit(("a@docsend.com",), (), "A viewed B") is None
    hit = RuleBook([clicked, viewed]).hit(("a@docsend.com",), (), "A viewed B")
    assert hit is not None
    assert hit.rule.name == "Clicks"


def test_a_hostile_subject_cannot_make_matching_slow() -> None:
    hostile = rule("{any} x {any} x {any} x {any} x {name} y")
    book = RuleBook([hostile])
    subject = "x " * 499  # every separator everywhere, and no "y" at the end
    start = time.perf_counter()
    for _ in range(100):
        assert book.hit(("a@docsend.com",), (), subject) is None
    assert time.perf_counter() - start < 0.5  # a backtracking matcher takes hours here
    assert book.hit(("a@docsend.com",), (), "a x b x c x d x Dana y") is not None
    assert book.hit(("a@docsend.com",), (), "Dana viewed " + "x" * 1000) is None  # over the cap


def test_compiled_patterns_never_backtrack_into_a_placeholder() -> None:
    compiled = compile_pattern("{name} viewed {title} again")
    found = compiled.match("Dana viewed Plan viewed again")
    assert found is not None
    assert (found["name"], found["title"]) == ("Dana", "Plan viewed")


PEOPLE = [
    (1, "José Núñez", "Acme"),
    (2, "Dana Reyes", "Beta GmbH"),
    (3, "Sam Lee", "Gamma"),
    (4, "Sam Lee", "Delta"),
    (5, "Ana Silva", "Delta"),
]


def directory(emails: dict[str, int] | None = None) -> LeadDirectory:
    return LeadDirectory.of(emails or {}, PEOPLE)


def lead_for(
    subject: str, pattern: str = "{name} viewed {title}", reply_to: tuple[str, ...] = ()
) -> tuple[int | None, str, str]:
    hit = RuleBook([rule(pattern)]).hit(("no-reply@docsend.com",), reply_to, subject)
    assert hit is not None
    return find_lead(hit, directory({"dana@beta.io": 2}))


def test_a_lead_by_name_without_regard_to_case_or_accents() -> None:
    assert lead_for("jose nunez viewed Plan") == (1, "name:jose nunez", "")
    assert lead_for("JOSÉ  NÚÑEZ viewed Plan")[0] == 1
    assert name_key("José  Núñez") == name_key("jose nunez")


def test_reply_to_wins_over_the_name() -> None:
    assert lead_for("José Núñez viewed Plan", reply_to=("dana@beta.io",)) == (2, "dana@beta.io", "")


def test_two_leads_with_the_name_is_no_match_unless_the_company_tells_them_apart() -> None:
    lead_id, _, why = lead_for("Sam Lee viewed Plan")
    assert lead_id is None
    assert why == "2 leads are named Sam Lee: not guessing"
    pattern = "{name} from {company} viewed {title}"
    assert lead_for("Sam Lee from Delta viewed Plan", pattern)[0] == 4
    assert lead_for("Nobody from Acme viewed Plan", pattern)[0] == 1
    ambiguous = lead_for("Nobody from Delta viewed Plan", pattern)
    assert ambiguous[0] is None
    assert "2 leads are at Delta" in ambiguous[2]


def test_only_a_full_name_matches() -> None:
    lead_id, _, why = lead_for("Dana viewed Plan")
    assert lead_id is None
    assert "no lead is named Dana" in why


def test_rules_survive_json() -> None:
    for shipped in SHIPPED_RULES:
        assert SignalRule.from_json(shipped.to_json()) == shipped
    with pytest.raises(InvalidData) as refused:
        SignalRule.from_json(
            {
                "name": "x",
                "sender": "@a.io",
                "pattern": "{name} y",
                "kind": "note",
                "enabled": "yes",
            }
        )
    assert refused.value.field == "enabled"


def test_the_shipped_rules_read_their_tools_usual_subjects() -> None:
    book = RuleBook(SHIPPED_RULES)
    samples = [
        ("no-reply@docsend.com", "Dana Reyes viewed Proposal for Acme", "DocSend: viewed"),
        ("docs@email.pandadoc.net", "Dana Reyes opened Proposal for Acme", "PandaDoc: opened"),
        ("notifications@proposify.com", "Dana Reyes is viewing Proposal", "Proposify: viewing"),
        ("hello@qwilr.com", "Dana Reyes viewed Proposal", "Qwilr: viewed"),
        (
            "notifications@calendly.com",
            "New Event: Dana Reyes - 10:00am Fri, Mar 13 - Demo",
            "Calendly: new event",
        ),
        (
            "notifications@calendly.com",
            "Canceled: Dana Reyes - 10:00am Fri, Mar 13 - Demo",
            "Calendly: canceled",
        ),
        ("hello@cal.com", "New event: Demo between Founder and Dana Reyes", "Cal.com: new event"),
        (
            "noreply@notifications.hubspot.com",
            "Dana Reyes clicked a link in Quote",
            "HubSpot: clicked",
        ),
    ]
    for sender, subject, name in samples:
        hit = book.hit((sender,), (), subject)
        assert hit is not None, subject
        assert (hit.rule.name, hit.name) == (name, "Dana Reyes")
    assert book.hit(("dana@acme.io",), (), "Dana Reyes viewed Proposal") is None
    assert {r.kind for r in SHIPPED_RULES} <= {
        SignalKind.PROPOSAL_VIEWED,
        SignalKind.MEETING_BOOKED,
        SignalKind.MEETING_CANCELLED,
        SignalKind.LINK_CLICKED,
    }
