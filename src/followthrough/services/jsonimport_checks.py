"""The domain's rules for each record of a JSON export, before any of it is stored.

A full export goes straight into tables, so it must pass every check the CLI, the GUI and
the CSV import apply one field at a time: states and kinds that exist, e-mails and the keys
derived from them, lengths, tags, times within the years the app keeps, ids SQLite can hold,
settings that their own readers accept, and templates that the sandbox and the linter pass.
Derived columns (the e-mail key, the search key) are computed again, never trusted.

Each check takes a row (already typed by jsonimport.py) and returns it as it will be stored,
or raises InvalidData whose `field` names the column at fault.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from followthrough.domain.alerts import AlertKind, AlertStatus, Intent
from followthrough.domain.bounds import MAX_ID, check_moment
from followthrough.domain.leadfields import (
    TEXT_MAX,
    clean_email,
    clean_name,
    clean_optional,
    clean_phone,
    clean_tags,
    email_key,
    search_key,
)
from followthrough.domain.leads import REASON_MAX, STEP_MAX
from followthrough.domain.mailaccount import MailAccount
from followthrough.domain.policy import Policy
from followthrough.domain.preferences import Preferences
from followthrough.domain.signals import Channel, Direction, EventKind, SignalKind
from followthrough.domain.states import State
from followthrough.errors import InvalidData
from followthrough.store.setting_keys import POLICY_KEY, SAMPLE_KEY

Row = dict[str, Any]
MAX_DEPTH = 20  # nesting of a JSON value (an event's payload, a setting): exports use 2 or 3
MAX_VALUE_TEXT = 20_000  # characters of one JSON value serialised

EVENT_KINDS = frozenset(k.value for k in SignalKind) | frozenset(k.value for k in EventKind)


def _one_of(value: Any, allowed: frozenset[str], field: str, what: str) -> str:
    if value not in allowed:
        raise InvalidData(f"'{value}' is not a known {what}", field)
    return str(value)


def _values(enum: Any) -> frozenset[str]:
    return frozenset(member.value for member in enum)


def _ids(row: Row, *names: str) -> None:
    for name in names:
        value = row.get(name)
        if value is not None and not 1 <= value <= MAX_ID:
            raise InvalidData(f"the id {value} is out of range (1 to {MAX_ID})", name)


def _times(row: Row) -> None:
    for name, value in row.items():
        if isinstance(value, datetime):
            check_moment(value, name)


def _depth(value: Any, field: str, level: int = 0) -> None:
    if level > MAX_DEPTH:
        raise InvalidData(f"the value is nested more than {MAX_DEPTH} levels deep", field)
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidData("the value has a key that is not text", field)
            _depth(item, field, level + 1)
    elif isinstance(value, list):
        for item in value:
            _depth(item, field, level + 1)


def _bounded_json(value: Any, field: str) -> Any:
    import json

    _depth(value, field)
    if len(json.dumps(value, ensure_ascii=False)) > MAX_VALUE_TEXT:
        raise InvalidData(f"the value is longer than {MAX_VALUE_TEXT} characters", field)
    return value


def check_lead(row: Row) -> Row:
    _ids(row, "id")
    _times(row)
    row["name"] = clean_name(row["name"])
    for field, limit in (("company", 300), ("title", 300), ("source", 300), ("channel", 300),
                         ("decision", 300), ("currency", 10)):  # fmt: skip
        row[field] = clean_optional(row.get(field), field, limit)
    row["next_step"] = clean_optional(row.get("next_step"), "next_step", STEP_MAX)
    row["recycle_reason"] = clean_optional(row.get("recycle_reason"), "recycle_reason", REASON_MAX)
    row["email"] = clean_email(row.get("email"))
    row["email_key"] = email_key(row["email"])
    row["phone"] = clean_phone(row.get("phone"))
    tags = row.get("tags")
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        raise InvalidData("the tags must be a list of texts", "tags")
    row["tags"] = clean_tags(tags)
    state = State(_one_of(row["state"], _values(State), "state", "state"))
    if state is State.RECYCLE and row.get("recycle_until") is None:
        raise InvalidData("a lead in Recycle needs a date to come back to it", "recycle_until")
    if row.get("unanswered") is not None and not 0 <= row["unanswered"] <= 10_000:
        raise InvalidData(f"{row['unanswered']} unanswered touches is out of range", "unanswered")
    value = row.get("value_minor")
    if value is not None and abs(value) > 10**15:
        raise InvalidData("the deal value is out of range", "value_minor")
    row["search_key"] = search_key(row["name"], row["company"], row["email"], row["tags"])
    return row


def check_event(row: Row) -> Row:
    _ids(row, "id", "lead_id")
    _times(row)
    _one_of(row["kind"], EVENT_KINDS, "kind", "kind of event")
    _one_of(row["direction"], _values(Direction), "direction", "direction")
    if row.get("channel") is not None:
        _one_of(row["channel"], _values(Channel), "channel", "channel")
    row["text"] = clean_optional(row.get("text"), "text", TEXT_MAX, multiline=True)
    if not isinstance(row.get("payload"), dict):
        raise InvalidData("the payload must be an object", "payload")
    row["payload"] = _bounded_json(row["payload"], "payload")
    return row


def check_alert(row: Row) -> Row:
    _ids(row, "id", "lead_id")
    _times(row)
    _one_of(row["status"], _values(AlertStatus), "status", "alert status")
    _one_of(row["kind"], _values(AlertKind), "kind", "kind of alert")
    if row.get("intent") is not None:
        _one_of(row["intent"], _values(Intent), "intent", "intent")
    for field, limit in (("rule", 100), ("episode", 200), ("template_slug", 100),
                         ("outcome", 100)):  # fmt: skip
        row[field] = clean_optional(row.get(field), field, limit) or (
            "" if field == "episode" else None
        )
    if not row["rule"]:
        raise InvalidData("the alert has no rule", "rule")
    row["reason"] = clean_optional(row["reason"], "reason", TEXT_MAX) or ""
    return row


def check_template_row(row: Row) -> Row:
    """A user template goes through the same parser, sandbox and lint as `templates lint`."""
    from followthrough.domain.templates import TemplateSpec
    from followthrough.services.templates import check_template

    _ids(row, "id")
    _times(row)
    if row.get("builtin"):
        raise InvalidData("built-in templates ship with the app and are not imported", "builtin")
    for field in ("states", "triggers"):
        if not isinstance(row.get(field), list) or not all(isinstance(v, str) for v in row[field]):
            raise InvalidData(f"the {field} must be a list of texts", field)
    spec = TemplateSpec(
        slug=row["slug"], title=row["title"], intent=row["intent"], decision=row["decision"] or "",
        rules=tuple(row["triggers"]), states=tuple(row["states"]), channel=row["channel"],
        subject=row["subject"], body=row["body"],
    )  # fmt: skip
    checked = check_template(spec)
    row.update(slug=checked.slug, title=checked.title, intent=checked.intent,
               decision=checked.decision or None, triggers=list(checked.rules),
               states=list(checked.states), channel=checked.channel,
               subject=checked.subject, body=checked.body)  # fmt: skip
    return row


def _policy(value: Any) -> Any:
    return Policy.from_json(_object(value)).to_json()


def _preferences(value: Any) -> Any:
    return Preferences.from_json(_object(value)).to_json()


def _account(value: Any) -> Any:
    return MailAccount.from_json(_object(value)).to_json() if value else value


def _retention(value: Any) -> Any:
    # The same reader Settings and the daily backup use (its range table lives there).
    from followthrough.services.backups import _retention as read_retention

    kept = read_retention(value)
    return {"keep_daily": kept.keep_daily, "keep_weekly": kept.keep_weekly}


def _watch_positions(value: Any) -> Any:
    for folder, position in _object(value).items():
        if not isinstance(position, dict) or set(position) != {"uidvalidity", "last_uid"}:
            raise InvalidData(f"the position in folder '{folder}' is not readable", "mail.watch")
        for number in position.values():
            if isinstance(number, bool) or not isinstance(number, int) or not 0 <= number < 2**32:
                raise InvalidData(
                    f"the position in folder '{folder}' is out of range", "mail.watch"
                )
    return value


def _sample(value: Any) -> Any:
    return _bounded_json(value, SAMPLE_KEY)


def _object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidData("the setting must be an object", "value")
    return value


SETTINGS: dict[str, Callable[[Any], Any]] = {
    POLICY_KEY: _policy,
    "preferences": _preferences,
    "mail.account": _account,
    "backups": _retention,
    "mail.watch": _watch_positions,
    SAMPLE_KEY: _sample,
}


def check_setting(row: Row) -> Row:
    _times(row)
    check = SETTINGS.get(row["key"])
    if check is None:
        raise InvalidData(f"'{row['key']}' is not a setting this version knows", "key")
    _bounded_json(row.get("value"), row["key"])
    row["value"] = check(row.get("value"))
    return row


RECORD_CHECKS: dict[str, Callable[[Row], Row]] = {
    "leads": check_lead,
    "events": check_event,
    "alerts": check_alert,
    "templates": check_template_row,
    "settings": check_setting,
}
