"""The draft lint: each rule fires on the phrasing it is about and stays quiet on near misses."""

from __future__ import annotations

import pytest

from followthrough.domain.drafting import MAX_WORDS, LintFinding, lint_draft, word_count

CLEAN = (
    "Hi Anna,\n\n"
    "Thanks for walking me through the onboarding plan yesterday. The revised quote is attached: "
    "it keeps the three seats and moves the start to January.\n\n"
    "Would a 20-minute call on Thursday 4 Dec at 10:00 work to sign it off?\n\n"
    "Best,\nSam"
)


def codes(body: str, *, intent: str | None = None, channel: str = "email") -> list[str]:
    return [f.code for f in lint_draft("", body, intent=intent, channel=channel)]


def only(code: str, body: str, *, intent: str | None = None, channel: str = "email") -> LintFinding:
    found = [f for f in lint_draft("", body, intent=intent, channel=channel) if f.code == code]
    assert len(found) == 1, found
    return found[0]


def test_a_clean_realistic_message_has_no_findings() -> None:
    assert lint_draft("Acme: the revised quote", CLEAN, intent="advance") == []


# --- filler -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "phrase"),
    [
        ("Hi Anna, just checking in on the proposal.", "just checking in"),
        ("JUST CHECKING IN!", "JUST CHECKING IN"),
        ("Checking in to see where things stand.", "Checking in"),
        ("Quick check-in on the quote.", "Quick check-in"),
        ("I wanted to check in with you about Monday.", "wanted to check in"),
        ("Just following up on the quote.", "Just following up"),
        ("Circling back on the pilot.", "Circling back"),
        ("I'm circling back, as promised.", "circling back"),
        ("Wanted to circle back on pricing.", "circle back"),
        ("Just touching base about the pilot.", "Just touching base"),
        ("Let's touch base this week.", "touch base"),
        ("Bumping this up in your inbox.", "Bumping this up"),
        (
            "Just bumping this to the top of your inbox.",
            "Just bumping this to the top of your inbox",
        ),
        ("A gentle bump on the note below.", "gentle bump"),
        ("Any thoughts?", "Any thoughts?"),
        ("any thoughts ?", "any thoughts ?"),
        ("Thoughts?", "Thoughts?"),
        ("Any further thoughts on the proposal?", "Any further thoughts on the proposal?"),
        ("Let me know what you think.", "Let me know what you think"),
        ("let me know your thoughts", "let me know your thoughts"),
        ("Let me know if you have any questions!", "Let me know if you have any questions"),
        ("I’d love to hear your thoughts.", "I’d love to hear your thoughts"),
        ("No rush.", "No rush"),
        ("No rush on this, of course.", "No rush"),
        ("There's no hurry at all.", "no hurry"),
        ("No pressure — whenever suits.", "No pressure"),
    ],
)
def test_filler_is_flagged_where_it_stands(body: str, phrase: str) -> None:
    finding = only("filler", body)
    assert body[finding.start : finding.end] == phrase
    assert finding.field == "body"
    assert finding.message.endswith(".")


@pytest.mark.parametrize(
    "body",
    [
        "I am checking the contract against your notes.",
        "I'm checking in with our legal team on Thursday.",
        "Please check in at reception at 10:00.",
        "I'll circle back in March, once your budget is set.",
        "We came full circle, back to the first plan.",
        "Happy to touch on the base price during the call.",
        "We bumped into each other at the fair.",
        "The seat count could go up by a bump of two.",
        "I put my thoughts on the rollout in the attached note.",
        "Let me know which day suits you.",
        "No rush order fees apply to this delivery.",
        "There is no pressure on the budget this quarter.",
        "Follow the link to the schedule.",
    ],
)
def test_filler_near_misses_pass(body: str) -> None:
    assert "filler" not in codes(body)


def test_filler_in_the_subject_points_at_the_subject() -> None:
    subject = "Re: just checking in"
    [finding] = lint_draft(subject, "Does Thursday suit you?")
    assert (finding.code, finding.field) == ("filler", "subject")
    assert subject[finding.start : finding.end] == "just checking in"


# --- pressure -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "phrase"),
    [
        ("Did you get my last email?", "Did you get my last email"),
        ("did you receive my last e-mail?", "did you receive my last e-mail"),
        ("Didn't you get my previous message?", "Didn't you get my previous message"),
        ("Didn’t you see my note?", "Didn’t you see my note"),
        (
            "Did you get a chance to read my last email?",
            "Did you get a chance to read my last email",
        ),
        ("Not sure if you saw my message.", "Not sure if you saw my"),
        ("As per my last email, the price holds.", "As per my last email"),
        ("Did my last email get through?", "Did my last email get through"),
        ("I haven't heard back.", "I haven't heard back"),
        ("I haven’t heard back from you.", "I haven’t heard back"),
        ("I havent heard back", "I havent heard back"),
        ("I have not heard anything since June.", "I have not heard anything"),
        ("I've not heard from you in a while.", "I've not heard from you"),
        ("We still haven't heard back.", "We still haven't heard back"),
        ("You haven't replied to my note.", "You haven't replied"),
        ("You've gone quiet.", "You've gone quiet"),
        ("I'm still waiting for your reply.", "I'm still waiting for your reply"),
    ],
)
def test_pressure_is_flagged_where_it_stands(body: str, phrase: str) -> None:
    finding = only("pressure", body)
    assert body[finding.start : finding.end] == phrase


@pytest.mark.parametrize(
    "body",
    [
        "If I haven't heard back by Friday, I'll close this for now.",
        "If you haven't replied by the 4th, I'll assume the timing is wrong.",
        "We haven't heard back from legal yet, so Thursday is the earliest.",
        "I haven't heard of that tool, tell me more on Thursday.",
        "Did you get the samples you needed?",
        "You will get my answer by Friday.",
    ],
)
def test_pressure_near_misses_pass(body: str) -> None:
    assert "pressure" not in codes(body)


# --- many asks ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "second"),
    [
        ("Does Thursday work? Who else should join?", "Who else should join?"),
        (
            "Could you send the logo. Can you also confirm the seats?",
            "Can you also confirm the seats?",
        ),
        (
            "Does Thursday work?\n\nPlease send the signed order form.",
            "Please send the signed order form.",
        ),
        (
            "Would Thursday suit? Let me know if Friday is better.",
            "Let me know if Friday is better.",
        ),
        (
            "Shall we start in January? Would you like the longer plan?”",
            "Would you like the longer plan?”",
        ),
    ],
)
def test_a_second_ask_is_flagged_on_its_sentence(body: str, second: str) -> None:
    finding = only("many_asks", body)
    assert body[finding.start : finding.end] == second


@pytest.mark.parametrize(
    "body",
    [
        CLEAN,
        "Does Thursday at 10:00 work, or would Friday suit better?",
        "Does Thursday work? Or Friday?",
        "Please find the quote attached. Could you sign it by Friday?",
        "The page is at https://example.com/plan?seats=3 for reference. Does it fit?",
        "Could you confirm the 1.5 days of training?",
        "> Can you send the quote?\n> Who signs?\n\nHere it is. Does Thursday suit?",
    ],
)
def test_one_ask_is_fine(body: str) -> None:
    assert "many_asks" not in codes(body)


# --- no next step (advance) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "Shall we book a call on Thursday?",
        "Does tomorrow at 3pm work?",
        "Could we start next week?",
        "Would 10:00 suit for a demo?",
        "Can we sign on 4 Dec?",
        "Can we sign on Dec 4th?",
        "Shall I send the order form on 12/04?",
        "Can we review it 2026-12-04?",
        "Could we meet later this week?",
        "Let's start in January.",
        "Fri works for the review?",
    ],
)
def test_an_advance_draft_with_a_concrete_moment_passes(body: str) -> None:
    assert "no_next_step" not in codes(body, intent="advance")


@pytest.mark.parametrize(
    "body",
    [
        "Shall we talk soon?",
        "Happy to send more detail whenever it helps.",
        "Would a call help to move this forward?",
        "We may be able to start in the next few weeks.",
    ],
)
def test_an_advance_draft_without_a_time_is_flagged_over_the_whole_body(body: str) -> None:
    finding = only("no_next_step", body, intent="advance")
    assert (finding.start, finding.end) == (0, len(body))


def test_a_day_in_the_subject_counts_as_the_next_step() -> None:
    assert lint_draft("Thursday or Friday?", "Which suits you best?", intent="advance") == []


def test_other_intents_need_no_time() -> None:
    assert "no_next_step" not in codes("Is security review the sticking point?", intent="clarify")


# --- no consequence (close_loop) ----------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "If I don't hear back by Friday, I'll close this out for now.",
        "If I don’t hear back, I will assume the timing is wrong.",
        "I'll stop following up after this one.",
        "I'll check back in March.",
        "Otherwise I'll park the file until spring.",
        "If not, we'll pause here.",
        "I won't follow up again unless you ask.",
        "This will be my last note on the pilot.",
        "If nothing changes, the slot goes to the next client.",
    ],
)
def test_a_close_loop_draft_that_names_the_consequence_passes(body: str) -> None:
    assert "no_consequence" not in codes(body, intent="close_loop")


@pytest.mark.parametrize(
    "body",
    [
        "Is the pilot still on your list?",
        "I'll send the revised quote tomorrow.",
        "Happy to pick this up whenever you are ready.",
    ],
)
def test_a_close_loop_draft_without_a_consequence_is_flagged(body: str) -> None:
    finding = only("no_consequence", body, intent="close_loop")
    assert (finding.start, finding.end) == (0, len(body))


# --- length -------------------------------------------------------------------------------------


def words(n: int) -> str:
    return " ".join(f"word{i}" for i in range(n))


def test_word_count_counts_words_not_dashes_or_spaces() -> None:
    assert word_count("  Hi Anna — don't worry, it's 10:00.\n\nSam ") == 7
    assert word_count("") == 0


@pytest.mark.parametrize(("channel", "limit"), [("email", 120), ("linkedin", 60)])
def test_length_limit_depends_on_the_channel(channel: str, limit: int) -> None:
    assert MAX_WORDS[channel] == limit
    assert "too_long" not in codes(words(limit), channel=channel)
    body = words(limit + 5)
    finding = only("too_long", body, channel=channel)
    assert body[finding.start : finding.end] == " ".join(
        f"word{i}" for i in range(limit, limit + 5)
    )
    assert finding.end == len(body)
    assert str(limit) in finding.message


def test_a_linkedin_message_of_email_length_is_too_long() -> None:
    assert "too_long" in codes(words(80), channel="linkedin")
    assert "too_long" not in codes(words(80), channel="email")


# --- empty merge values and ordering ------------------------------------------------------------


def test_each_empty_value_is_a_finding_at_its_offset() -> None:
    body = "Hi ,\n\nShall we confirm  on Thursday?"
    found = lint_draft("", body, empty_values=[("lead.next_step", 22), ("lead.first_name", 3)])
    assert [(f.code, f.start, f.end) for f in found] == [
        ("empty_value", 3, 3),
        ("empty_value", 22, 22),
    ]
    assert "lead.first_name" in found[0].message
    assert "lead.next_step" in found[1].message


def test_findings_come_in_the_order_of_the_text() -> None:
    body = "Just checking in. Did you get my last email? Any thoughts?"
    found = lint_draft("", body)
    assert [f.code for f in found] == ["filler", "pressure", "filler", "many_asks"]
    assert [f.start for f in found] == sorted(f.start for f in found)
