"""The lint that keeps follow-ups honest: short, specific, one decision, no filler, no guilt.

`lint_draft` reads a finished (rendered) message and returns findings, each pointing at the
words it is about so an editor can underline them. Pure and cheap: every pattern is compiled
once at import, and a 120-word message is read a handful of times.

Choices worth knowing:
- Text is read through a copy where curly quotes and non-breaking spaces become plain ones, one
  character for one, so spans stay valid in the original and "haven’t" reads like "haven't".
- Filler covers phrases that hand the buyer work without a reason to reply: checking in (and
  "just following up"), circling back, touching base, bumping, "any thoughts?", "let me know
  what you think" (and "...if you have any questions"), and "no rush" / "no hurry" /
  "no pressure" when they stand alone ("no rush order fees" is about something else).
- Pressure covers guilt about silence: asking whether they got the last message, pointing out
  that they have not replied. Conditionals ("if I haven't heard back by Friday...") are the
  honest way to close a loop, so they are left alone.
- An `advance` message needs a concrete moment (a day, a date or a clock time), in the subject
  or the body; naming an action without a time still leaves the buyer to propose one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from followthrough.domain.alerts import Intent


@dataclass(frozen=True)
class LintFinding:
    # filler | pressure | many_asks | no_next_step | no_consequence | too_long | empty_value
    code: str
    message: str  # one sentence for the person writing
    start: int  # span in the linted text (the body, or the subject when field == "subject")
    end: int
    field: str = "body"  # "body" or "subject"


MAX_WORDS = {"email": 120, "linkedin": 60}

_FLAGS = re.IGNORECASE
# One character for one, so offsets found in the plain copy hold in the original text.
_PLAIN = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "′": "'", "“": '"', "”": '"',
                        "\u00a0": " ", "\u202f": " ", "\u2011": "-"})  # fmt: skip
_NOT = r"(?:n'?t|\s+not)"  # "didn't", "didnt", "did not"
_STANDS_ALONE = (  # what may follow "no rush" when it is about the message itself
    r"(?=\s*(?:[,.;:!?)\"\-–—]|$)|\s+(?:at\s+all|though|either|whatsoever|here|if|on\s+(?:this|that|it"
    r"|my\s+(?:end|side)|our\s+(?:end|side))\b))"
)

# "Checking in with legal" or "check in at reception" is the writer's errand, not filler.
_NOT_WITH_OTHERS = r"(?!\s+(?:at\b|with\s+(?!you\b)))"
# "I'll circle back in March" promises a date: that is the honest way to close a loop.
_NOT_A_DATE = (
    r"(?!\s+(?:next\b|(?:in|after|early|late|mid|around)\s+(?:\d|a\s+few|a\s+couple|two|three"
    r"|the\s+new\s+year|spring|summer|autumn|fall|winter|q[1-4]|jan|feb|mar|apr|may|jun|jul"
    r"|aug|sep|oct|nov|dec)))"
)


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, _FLAGS)


_FILLER: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        _rx(
            r"\b(?:just\s+)?checking[\s-]+in\b"
            + _NOT_WITH_OTHERS
            + r"|\b(?:just|quick(?:ly)?|wanted\s+to|want\s+to)\s+check[\s-]+in\b"
            + _NOT_WITH_OTHERS
            + r"|\bjust\s+(?:wanted\s+to\s+)?follow(?:ing)?[\s-]+up\b"
        ),
        "“Checking in” leaves the buyer to guess what you want: ask for the one decision you need.",
    ),
    (
        _rx(r"\b(?:just\s+)?circl(?:e|ed|ing)\s+back\b" + _NOT_A_DATE),
        "“Circling back” brings nothing new: give the buyer a reason to answer, "
        "such as a date or a choice.",
    ),
    (
        _rx(r"\b(?:just\s+)?touch(?:ing|ed)?\s+base\b"),
        "“Touching base” asks for nothing in particular: write the one question you need answered.",
    ),
    (
        _rx(
            r"\b(?:just\s+)?bump(?:ing|ed)?\s+(?:this|my\s+(?:last\s+|previous\s+)?(?:note|"
            r"e-?mail|message))(?:\s+(?:up|to\s+the\s+top(?:\s+of\s+your\s+inbox)?))?\b"
            r"|\bjust\s+bumping\b|\b(?:quick|friendly|gentle|little)\s+bump\b"
        ),
        "“Bumping this” only reminds the buyer they have not answered: add something useful "
        "or ask one clear question.",
    ),
    (
        _rx(
            r"\b(?:any\s+(?:further\s+|more\s+|initial\s+|other\s+)?|your\s+)?thoughts"
            r"(?:\s+on\s+(?:this|that|it|the\s+above|(?:my|the|our)\s+(?:last\s+|previous\s+)?"
            r"(?:proposal|quote|deck|draft|e-?mail|note|message|offer|idea)))?\s*\?"
        ),
        "“Any thoughts?” is an open chore for the buyer: ask something they can answer in a line.",
    ),
    (
        _rx(
            r"\b(?:let\s+me\s+know|lmk)\s+(?:what\s+you\s+think|your\s+thoughts|how\s+you\s+feel"
            r"|if\s+you\s+have\s+any\s+(?:questions|thoughts))\b"
            r"|\b(?:i'?d|i\s+would)\s+love\s+(?:to\s+(?:hear|get)\s+)?(?:your\s+thoughts"
            r"|what\s+you\s+think)\b"
        ),
        "“Let me know what you think” asks the buyer to write an essay: offer a choice to pick.",
    ),
    (
        _rx(r"\bno\s+(?:rush|hurry|pressure)" + _STANDS_ALONE),
        "“No rush” tells the buyer the message can wait: name the date that matters or cut it.",
    ),
)

_PRESSURE: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        _rx(
            r"\b(?:did|have)" + _NOT + r"?\s+you\s+(?:get|got|gotten|receive[d]?|see|seen|saw"
            r"|read|(?:get|have|had)\s+a\s+chance\s+to\s+(?:read|look\s+at|see|review))"
            r"\s+my\s+(?:last\s+|previous\s+|earlier\s+|other\s+|first\s+)?"
            r"(?:e-?mails?|messages?|notes?|mail|voicemails?)\b"
            r"|\bdid\s+my\s+(?:last\s+|previous\s+)?(?:e-?mail|message|note)\s+"
            r"(?:get\s+through|reach\s+you|arrive|land)\b"
            r"|\b(?:not\s+sure|wasn'?t\s+sure|unsure)\s+(?:if|whether)\s+you\s+"
            r"(?:saw|got|received|read)\s+my\b"
            r"|\bas\s+per\s+my\s+(?:last|previous|earlier)\s+(?:e-?mail|message|note)\b"
            r"|\bfollowing\s+up\s+on\s+my\s+(?:last|previous|earlier)\s+(?:e-?mail|message|note)\b"
        ),
        "Asking whether they got your last message reads as blame: restate the point in one line.",
    ),
    (
        _rx(
            r"(?<!\bif\s)(?<!unless\s)\b(?:i|we)(?:\s+(?:still\s+)?(?:have" + _NOT + r"|havent"
            r"|had" + _NOT + r"|did" + _NOT + r"|never)|'ve\s+(?:not|never))\s+(?:yet\s+)?heard"
            r"\s+(?:back\b(?!\s+from\s+(?!you\b))|anything\b|a\s+word\b|from\s+you\b)"
            r"|(?<!\bif\s)(?<!unless\s)\byou(?:\s+(?:still\s+)?(?:have" + _NOT + r"|havent"
            r"|did" + _NOT + r"|never)|'ve\s+not)\s+(?:yet\s+)?(?:replied|responded|answered"
            r"|written\s+back|gotten\s+back|got\s+back|reply|respond|answer|get\s+back|"
            r"come\s+back\s+to\s+me)\b"
            r"|\byou(?:'ve|\s+have)?\s+(?:gone|been|went)\s+(?:very\s+|a\s+bit\s+|rather\s+)?"
            r"(?:quiet|silent|dark)\b"
            r"|\b(?:i'?m|i\s+am|we'?re|we\s+are)\s+still\s+waiting\s+(?:for|on)\s+"
            r"(?:your|a|an)\s+(?:reply|response|answer)\b"
        ),
        "Pointing at their silence puts the buyer on the defensive: make answering easy instead.",
    ),
)

# A sentence ends at . ! or ? followed by a space or the end (so "1.5" and URLs stay whole),
# or at a line break (greetings, sign-offs and list items stand alone).
_SENTENCE = re.compile(r"[^\s].*?(?:[.!?]+[\"')\]]*(?=\s|$)|$)", re.MULTILINE)
_REQUEST = _rx(
    r"\b(?:could|can|would|will)\s+you\b|\blet\s+me\s+know\b|\bkindly\b|\bsend\s+me\b"
    r"|\bplease\b(?!\s+(?:find|note|see\s+(?:attached|below|above)|ignore|disregard)\b)"
)
_ALTERNATIVE = _rx(r"^or\b")  # "Thursday? Or Friday?" is still one question

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_MOMENT = _rx(
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|mon|tue|tues|wed|thu|thur|thurs|fri)\b"
    r"|\b(?:today|tonight|tomorrow|noon|midday)\b"
    r"|\b(?:this|next)\s+(?:week|month|morning|afternoon|evening)\b"
    r"|\bend\s+of\s+(?:the\s+)?(?:day|week|month)\b"
    r"|\bin\s+(?:\d{1,2}|two|three|four|five|a\s+few)\s+(?:days|weeks)\b"
    r"|\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r"(?!\w)"
    r"|\b" + _MONTH + r"\s+\d{1,2}(?:st|nd|rd|th)?\b"
    r"|\b(?:january|february|march|april|june|july|august|september|october|november"
    r"|december)\b"
    r"|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b"
    r"|\b\d{1,2}[:h]\d{2}\b|\b\d{1,2}\s*(?:am|pm|a\.m\.|p\.m\.)"
)
_CONSEQUENCE = _rx(
    r"\botherwise\b"
    r"|\bif\s+(?:i|we)\s+(?:don'?t|do\s+not|haven'?t|have\s+not)\s+(?:hear|heard)\b"
    r"|\bif\s+nothing\s+changes\b|\bif\s+not\b|\bif\s+there'?s\s+no\s+(?:reply|answer|news)\b"
    r"|\b(?:i|we)(?:'ll|\s+will|'d|\s+would|'?m\s+going\s+to|\s+am\s+going\s+to|\s+shall)\s+"
    r"(?:\w+\s+){0,2}?(?:close|park|assume|stop|pause|(?:check|come|circle)\s+back|leave|mark"
    r"|archive|hold\s+off|revisit|release|withdraw|step\s+back|move\s+on|drop"
    r"|(?:follow\s+up|reach\s+out|write)\s+again|put\s+(?:this|it|things)\s+(?:on\s+hold|aside)"
    r"|take\s+(?:this|it|you)\s+off|let\s+(?:this|it)\s+(?:go|rest))\b"
    r"|\b(?:i|we)\s+won'?t\s+(?:follow\s+up|write|chase|e-?mail|reach\s+out)\b"
    r"|\b(?:this\s+is|this\s+will\s+be)\s+my\s+last\s+(?:note|e-?mail|message|follow-?up)\b"
)
_WORD = re.compile(r"\S*\w\S*")


def word_count(text: str) -> int:
    """Words as a reader counts them: runs of non-space holding at least one letter or digit."""
    return sum(1 for _ in _WORD.finditer(text))


def lint_draft(
    subject: str,
    body: str,
    *,
    intent: str | None = None,
    channel: str = "email",
    empty_values: Sequence[tuple[str, int]] = (),
) -> list[LintFinding]:
    """Everything in a finished message that would make the buyer's answer harder, by start."""
    plain_subject, plain_body = subject.translate(_PLAIN), body.translate(_PLAIN)
    findings: list[LintFinding] = []
    for field, text in (("subject", plain_subject), ("body", plain_body)):
        findings += _phrases(text, "filler", _FILLER, field)
        findings += _phrases(text, "pressure", _PRESSURE, field)
    findings += _many_asks(plain_body)
    whole = f"{plain_subject}\n{plain_body}"
    if intent == Intent.ADVANCE and not _MOMENT.search(whole):
        findings.append(
            LintFinding(
                "no_next_step",
                "This message moves things forward but names no day or time: "
                "propose one slot, such as “Thursday at 10:00”.",
                0,
                len(body),
            )
        )
    if intent == Intent.CLOSE_LOOP and not _CONSEQUENCE.search(whole):
        findings.append(
            LintFinding(
                "no_consequence",
                "This message closes the loop without saying what happens if nothing changes: "
                "add what you will do and when.",
                0,
                len(body),
            )
        )
    findings += _too_long(body, channel)
    for name, offset in empty_values:
        at = min(max(offset, 0), len(body))
        findings.append(
            LintFinding(
                "empty_value",
                f"“{name}” came out empty, so the words around it may read oddly: "
                "fill it in or rephrase.",
                at,
                at,
            )
        )
    findings.sort(key=lambda f: (f.start, f.end, f.field, f.code))
    return findings


def _phrases(
    text: str,
    code: str,
    patterns: Iterable[tuple[re.Pattern[str], str]],
    field: str,
) -> list[LintFinding]:
    found: list[LintFinding] = []
    for pattern, message in patterns:
        for match in pattern.finditer(text):
            # Some phrases fit two patterns ("just checking in" vs "let me know"): one finding.
            if not any(f.start < match.end() and match.start() < f.end for f in found):
                found.append(LintFinding(code, message, match.start(), match.end(), field))
    return found


def _many_asks(body: str) -> list[LintFinding]:
    asks = 0
    for match in _SENTENCE.finditer(body):
        sentence = match.group().rstrip()
        if sentence.startswith(">"):  # quoted earlier mail is not this message's ask
            continue
        is_question = sentence.rstrip("\"')]").endswith("?")
        if is_question and _ALTERNATIVE.match(sentence):
            continue
        if is_question or _REQUEST.search(sentence):
            asks += 1
            if asks == 2:
                return [
                    LintFinding(
                        "many_asks",
                        "This is a second question or request: keep the one that matters most "
                        "and cut the rest.",
                        match.start(),
                        match.start() + len(sentence),
                    )
                ]
    return []


def _too_long(body: str, channel: str) -> list[LintFinding]:
    limit = MAX_WORDS.get(channel, MAX_WORDS["email"])
    words = list(_WORD.finditer(body))
    if len(words) <= limit:
        return []
    label = "LinkedIn" if channel == "linkedin" else "an e-mail"
    return [
        LintFinding(
            "too_long",
            f"At {len(words)} words this runs past the {limit} that suit {label}: "
            "cut from here on.",
            words[limit].start(),
            len(body),
        )
    ]
