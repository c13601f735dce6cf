"""Signal rules: what a tool's notification mail says about a lead, read from its headers.

Proposal and scheduling tools tell the seller by e-mail ("Dana Reyes viewed Proposal for
Acme", "New Event: Dana Reyes - …"). Such a mail comes from the tool, not from the lead, so the
mail watch alone logs nothing for it. A rule says which mails are such notifications (the
sender: an address, or a domain and its subdomains), what their subject looks like, and the
signal it means:

    name "DocSend: viewed"   sender "@docsend.com"   pattern "{name} viewed {title}"
    kind proposal_viewed

Patterns are written the way a person reads a subject: literal text (compared without regard
to letter case; runs of spaces are one space) and placeholders {name}, {company}, {title} and
{any}, each standing for at least one character. A pattern is matched against the whole
subject. Placeholders must be separated by some text, so each one ends where the text after it
first appears: the match is compiled to one regular expression of atomic groups, which never
backtracks into a placeholder once passed. Its cost is at most the subject's length times the
pattern's, with both capped (SUBJECT_MAX, PATTERN_MAX, PLACEHOLDERS_MAX): no pattern a person
writes, and no subject a sender crafts, can make the watch hang.

Which lead: an address the lead is known by in Reply-To (the tools that reply "on behalf of"
the visitor), then in From or Sender; else the {name} read from the subject, matched against
the leads' full names, then the {company} against their companies, compared without regard to
case or accents. Two leads with that name (or company) is no match: the app never guesses.

Pure: the leads are handed in (`LeadDirectory`); services/signalrules.py keeps the rules and
services/mailrules.py applies them during the mail watch.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, NamedTuple

from followthrough.domain.leadfields import clean_email, refuse_hidden
from followthrough.domain.signals import SignalKind
from followthrough.errors import InvalidData

NAME_MAX = 80
PATTERN_MAX = 200
PLACEHOLDERS_MAX = 5
SUBJECT_MAX = 998  # RFC 5322's line limit: a longer subject is no tool's notification
RULES_MAX = 200

# What a rule may log: the buyer's behaviour the tools report, and a plain note.
RULE_KINDS = (
    SignalKind.PROPOSAL_VIEWED,
    SignalKind.LINK_CLICKED,
    SignalKind.MEETING_BOOKED,
    SignalKind.MEETING_CANCELLED,
    SignalKind.REPLIED,
    SignalKind.NOTE,
)


class Placeholder(StrEnum):
    NAME = "name"
    COMPANY = "company"
    TITLE = "title"
    ANY = "any"


_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_DOMAIN = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$")
# Quotes and brackets a tool puts around a name ("Dana Reyes" viewed…): not part of the name.
_WRAPPING = "\"'“”‘’«»()[]<>"


@dataclass(frozen=True)
class SignalRule:
    """One rule, as the person sees and edits it. Build it with `create` (validated)."""

    name: str
    sender: str  # "notify@docsend.com", or a domain as "@docsend.com"
    pattern: str
    kind: SignalKind
    enabled: bool = True

    @classmethod
    def create(
        cls,
        name: str,
        sender: str,
        pattern: str,
        kind: SignalKind | str,
        enabled: bool = True,
    ) -> SignalRule:
        rule = cls(_clean_name(name), clean_sender(sender), _clean_pattern(pattern),
                   _rule_kind(kind), bool(enabled))  # fmt: skip
        compile_pattern(rule.pattern)  # refused here, not when the first mail comes
        return rule

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> SignalRule:
        if not isinstance(value, Mapping):
            raise InvalidData("a rule must be an object with a name, sender, pattern, kind", "rule")
        enabled = value.get("enabled", True)
        if not isinstance(enabled, bool):
            raise InvalidData("a rule's enabled must be true or false", "enabled")
        return cls.create(
            _text(value, "name"), _text(value, "sender"), _text(value, "pattern"),
            _text(value, "kind"), enabled,
        )  # fmt: skip

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "sender": self.sender, "pattern": self.pattern,
                "kind": self.kind.value, "enabled": self.enabled}  # fmt: skip

    def with_enabled(self, enabled: bool) -> SignalRule:
        return replace(self, enabled=enabled)

    def sends(self, address: str) -> bool:
        """Whether mail from `address` (case-folded) is this rule's sender's."""
        return sender_matches(self.sender, address)


def _text(value: Mapping[str, Any], field: str) -> str:
    found = value.get(field)
    if not isinstance(found, str):
        raise InvalidData(f"a rule needs a {field} (text)", field)
    return found


def _clean_name(name: str) -> str:
    text = " ".join(name.split())
    if not text:
        raise InvalidData("the rule needs a name", "name")
    if len(text) > NAME_MAX:
        raise InvalidData(f"the rule's name is {len(text)} characters long (at most {NAME_MAX})",
                          "name")  # fmt: skip
    return refuse_hidden(unicodedata.normalize("NFC", text), "name")


def clean_sender(sender: str) -> str:
    """An address ("notify@docsend.com") or a domain ("docsend.com" or "@docsend.com", kept
    as "@docsend.com"), lower-cased; InvalidData saying what is wrong otherwise."""
    text = sender.strip().lower()
    if not text:
        raise InvalidData("the rule needs a sender: an address or a domain such as @docsend.com",
                          "sender")  # fmt: skip
    domain = text[1:] if text.startswith("@") else text
    if "@" not in domain:
        try:  # an internationalised domain is checked in the form DNS spells it
            spelled = domain.encode("idna").decode("ascii")
        except UnicodeError:
            spelled = ""
        if not _DOMAIN.match(spelled):
            raise InvalidData(f"'{sender.strip()}' is not a domain such as @docsend.com",
                              "sender")  # fmt: skip
        return "@" + domain
    try:
        cleaned = clean_email(text)
    except InvalidData:
        cleaned = None
    if cleaned is None:
        raise InvalidData(f"'{sender.strip()}' is not an e-mail address or a domain", "sender")
    return cleaned.lower()


def sender_matches(sender: str, address: str) -> bool:
    """`address` is the rule's address, or in its domain or one of the domain's subdomains."""
    if not sender.startswith("@"):
        return address == sender
    _, _, domain = address.rpartition("@")
    wanted = sender[1:]
    return domain == wanted or domain.endswith("." + wanted)


def _rule_kind(kind: SignalKind | str) -> SignalKind:
    try:
        found = SignalKind(str(kind).strip().lower().replace(" ", "_"))
    except ValueError:
        found = None
    if found not in RULE_KINDS:
        allowed = ", ".join(k.value for k in RULE_KINDS)
        raise InvalidData(f"a rule cannot log '{kind}': it logs one of {allowed}", "kind")
    return found


def _clean_pattern(pattern: str) -> str:
    text = unicodedata.normalize("NFC", " ".join(pattern.split()))
    if not text:
        raise InvalidData("the rule needs a subject pattern, e.g. {name} viewed {title}",
                          "pattern")  # fmt: skip
    if len(text) > PATTERN_MAX:
        raise InvalidData(f"the subject pattern is {len(text)} characters long (at most "
                          f"{PATTERN_MAX})", "pattern")  # fmt: skip
    return refuse_hidden(text, "pattern")


# --- patterns ------------------------------------------------------------------------------


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """The whole-subject, case-insensitive expression of a pattern; InvalidData (field
    "pattern") with one sentence when it cannot be one."""
    pieces: list[str | Placeholder] = []
    at = 0
    for found in _PLACEHOLDER.finditer(pattern):
        pieces.append(pattern[at : found.start()])
        word = found.group(1).strip().lower()
        try:
            pieces.append(Placeholder(word))
        except ValueError:
            raise InvalidData(
                f"the pattern has an unknown placeholder {{{found.group(1)}}}: use {{name}}, "
                "{company}, {title} or {any}",
                "pattern",
            ) from None
        at = found.end()
    pieces.append(pattern[at:])
    texts = pieces[0::2]
    holders = [p for p in pieces[1::2] if isinstance(p, Placeholder)]
    if any("{" in str(t) or "}" in str(t) for t in texts):
        raise InvalidData("the pattern has a brace that is not part of a placeholder such as "
                          "{name}", "pattern")  # fmt: skip
    if len(holders) > PLACEHOLDERS_MAX:
        raise InvalidData(f"the pattern has {len(holders)} placeholders (at most "
                          f"{PLACEHOLDERS_MAX})", "pattern")  # fmt: skip
    named = [h for h in holders if h is not Placeholder.ANY]
    if len(named) != len(set(named)):
        raise InvalidData("each of {name}, {company} and {title} may appear once in a pattern",
                          "pattern")  # fmt: skip
    if any(not t for t in texts[1:-1]):
        raise InvalidData("two placeholders must be separated by some text, as in "
                          "{name} from {company}", "pattern")  # fmt: skip
    parts = [re.escape(str(texts[0]))]
    for n, holder in enumerate(holders):
        group = f"(?P<{holder.value}>.+?)" if holder is not Placeholder.ANY else "(?:.+?)"
        after = re.escape(str(texts[n + 1]))
        if n < len(holders) - 1:
            # Atomic: the placeholder ends where the text after it first appears, for good.
            parts.append(f"(?>{group}{after})")
        else:
            parts.append(f"{group}{after}")
    return re.compile("".join(parts) + r"\Z", re.IGNORECASE | re.DOTALL)


def check_rules(rules: Iterable[SignalRule]) -> tuple[SignalRule, ...]:
    """The rules as one list may hold them: each name once (letter case aside), not too many."""
    kept = tuple(rules)
    if len(kept) > RULES_MAX:
        raise InvalidData(f"{len(kept)} rules are too many (at most {RULES_MAX})", "rules")
    seen: set[str] = set()
    for rule in kept:
        if rule.name.casefold() in seen:
            raise InvalidData(f"two rules are named '{rule.name}': give each its own name",
                              "name")  # fmt: skip
        seen.add(rule.name.casefold())
    return kept


# --- reading a notification ----------------------------------------------------------------


@dataclass(frozen=True)
class RuleHit:
    """A rule whose sender and pattern a mail matched, and what it says about the lead."""

    rule: SignalRule
    addresses: tuple[str, ...]  # Reply-To first, then From and Sender: who the lead may be
    name: str | None  # read from the subject
    company: str | None
    title: str | None


class RuleBook:
    """The enabled rules, compiled once for a pass; `hit` reads one mail's headers."""

    def __init__(self, rules: Iterable[SignalRule]) -> None:
        self.rules = tuple(r for r in rules if r.enabled)
        self._compiled = [(r, compile_pattern(r.pattern)) for r in self.rules]
        # Most mail comes from no tool: one set look-up per address, before any pattern.
        self._addresses = frozenset(r.sender for r in self.rules if not r.sender.startswith("@"))
        self._domains = frozenset(r.sender[1:] for r in self.rules if r.sender.startswith("@"))

    def __bool__(self) -> bool:
        return bool(self.rules)

    def from_a_tool(self, senders: Sequence[str]) -> bool:
        """Whether any of these sender addresses is a rule's (an address or in a domain)."""
        for address in senders:
            if address in self._addresses:
                return True
            domain = address.rpartition("@")[2]
            while domain:
                if domain in self._domains:
                    return True
                domain = domain.partition(".")[2]
        return False

    def hit(
        self, senders: Sequence[str], reply_to: Sequence[str], subject: str | None
    ) -> RuleHit | None:
        """The first rule (in the list's order) whose sender sent this and whose pattern
        matches the subject; `senders`: From then Sender, case-folded."""
        if not self.from_a_tool(senders):
            return None
        text = " ".join((subject or "").split())
        if len(text) > SUBJECT_MAX:
            return None
        for rule, compiled in self._compiled:
            if not any(rule.sends(a) for a in senders):
                continue
            found = compiled.match(text)
            if found is None:
                continue
            groups = found.groupdict()
            return RuleHit(
                rule,
                tuple(dict.fromkeys((*reply_to, *senders))),
                _captured(groups.get("name")),
                _captured(groups.get("company")),
                _captured(groups.get("title")),
            )
        return None


def _captured(value: str | None) -> str | None:
    if value is None:
        return None
    return value.strip().strip(_WRAPPING).strip() or None


def name_key(text: str) -> str:
    """How names and companies are compared: no letter case, no accents, one space between
    words ("José  Núñez" and "jose nunez" are one)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.split())


@dataclass(frozen=True)
class LeadDirectory:
    """The leads a notification may name: by e-mail key, by name key, by company key."""

    by_email: Mapping[str, int]
    by_name: Mapping[str, tuple[int, ...]]
    by_company: Mapping[str, tuple[int, ...]]

    @classmethod
    def of(
        cls, by_email: Mapping[str, int], people: Iterable[tuple[int, str, str | None]]
    ) -> LeadDirectory:
        """From the e-mail look-up and (id, name, company) of the leads to match by name."""
        names: dict[str, list[int]] = {}
        companies: dict[str, list[int]] = {}
        for lead_id, name, company in people:
            names.setdefault(name_key(name), []).append(lead_id)
            if company and (key := name_key(company)):
                companies.setdefault(key, []).append(lead_id)
        return cls(
            by_email,
            {k: tuple(v) for k, v in names.items()},
            {k: tuple(v) for k, v in companies.items()},
        )


class Found(NamedTuple):
    """Which lead a hit is about (None: none), by what value, and why not when none."""

    lead_id: int | None
    value: str  # the address, or "name:<key>" / "company:<key>": what matched
    why: str  # a sentence for the person when nothing matched; "" when a lead did


def find_lead(hit: RuleHit, leads: LeadDirectory) -> Found:
    """The lead a notification is about, by address first, then by name, then company."""
    for address in hit.addresses:
        lead_id = leads.by_email.get(address)
        if lead_id is not None:
            return Found(lead_id, address, "")
    tried: list[str] = []
    if hit.name:
        key = name_key(hit.name)
        named = leads.by_name.get(key, ())
        if hit.company and len(named) > 1:
            both = set(named) & set(leads.by_company.get(name_key(hit.company), ()))
            if len(both) == 1:
                return Found(both.pop(), f"name:{key}", "")
        if len(named) == 1:
            return Found(named[0], f"name:{key}", "")
        if len(named) > 1:
            return Found(None, "", f"{len(named)} leads are named {hit.name}: not guessing")
        tried.append(f"no lead is named {hit.name}")
    if hit.company:
        key = name_key(hit.company)
        at = leads.by_company.get(key, ())
        if len(at) == 1:
            return Found(at[0], f"company:{key}", "")
        if len(at) > 1:
            return Found(None, "", f"{len(at)} leads are at {hit.company}: not guessing")
        tried.append(f"no lead is at {hit.company}")
    if not tried:
        return Found(None, "", "no lead has the sender's or Reply-To address, and the subject "
                     "names no one the rule can read")  # fmt: skip
    return Found(None, "", "; ".join(tried) + ", and no lead has the sender's address")


def rule_match(rule: SignalRule, value: str) -> str:
    """What a mail-rule signal was matched by, for "Not this lead": "<sender>:<value>"."""
    return f"{rule.sender}:{value}"
