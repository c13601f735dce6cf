"""CLI commands for drafting: `draft`, `templates list`, `templates lint`."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from followthrough.cli.alerts import alert_id
from followthrough.cli.command import UsesDatabase, add_command, nothing_to_prepare
from followthrough.cli.termsafe import one_line, print_json, print_text
from followthrough.errors import InvalidData, NotFound

if TYPE_CHECKING:
    # Imported when a drafting command runs, not when the parser is built for another one.
    from followthrough.cli.command import Subcommands
    from followthrough.domain.drafting import LintFinding
    from followthrough.domain.templates import TemplateSpec
    from followthrough.store.db import Database

EXIT_FINDINGS = 1  # `templates lint`: the text has findings (like a linter)


def _finding_json(finding: LintFinding) -> dict[str, Any]:
    return {
        "code": finding.code,
        "message": finding.message,
        "start": finding.start,
        "end": finding.end,
        "field": finding.field,
    }


def _finding_lines(findings: tuple[LintFinding, ...] | list[LintFinding]) -> str:
    return "\n".join(
        one_line(f"  {f.field} {f.start}-{f.end} {f.code}: {f.message}") for f in findings
    )


def prepare_draft(args: argparse.Namespace, now: datetime) -> int | None:
    return None if args.alert is None else alert_id(args.alert)


def run_draft(db: Database, args: argparse.Namespace, alert: int | None, now: datetime) -> int:
    from followthrough.services import drafting, lead_queries

    lead = lead_queries.resolve_lead(db, args.lead)
    draft = drafting.draft_for(db, lead.id, alert, args.template, now)
    data = {
        "subject": draft.subject,
        "body": draft.body,
        "template": draft.template,
        "intent": draft.intent,
        "findings": [_finding_json(f) for f in draft.findings],
    }
    if args.json:
        print_json(data)
        return 0
    head = f"Subject: {one_line(draft.subject)}\n\n" if draft.subject else ""
    tail = f"\n\n— {draft.template} ({draft.intent}, asks about {draft.decision})"
    if draft.findings:
        tail += "\n" + _finding_lines(draft.findings)
    print_text(head + draft.body + tail)  # the body keeps its lines
    return 0


def declare_draft(sub: Subcommands) -> None:
    p = add_command(
        sub,
        "draft",
        "draft a follow-up for a lead (its most urgent alert by default)",
        UsesDatabase(run_draft, prepare_draft),
    )
    p.add_argument("lead", metavar="LEAD")
    p.add_argument("--alert", metavar="ID", help="draft for this alert instead")
    p.add_argument("--template", metavar="SLUG", help="use this template instead")


def run_templates(db: Database, args: argparse.Namespace, _: None, now: datetime) -> int:
    if args.templates_command == "list":
        return _list(db, args)
    if args.templates_command in _RETIRING:
        return _retire(db, args, now)
    return _lint(db, args, now)


_RETIRING = ("retire", "bring-back")


def _retire(db: Database, args: argparse.Namespace, now: datetime) -> int:
    from followthrough.services import retired_templates

    if args.templates_command == "retire":
        retired_templates.retire_template(db, args.slug, now)
        print_text(one_line(f"Retired {args.slug}: drafts no longer offer it."))
    else:
        retired_templates.bring_back_template(db, args.slug, now)
        print_text(one_line(f"Brought back {args.slug}: drafts offer it again."))
    return 0


def declare_templates(sub: Subcommands) -> None:
    p = sub.add_parser("templates", help="list, lint or retire follow-up templates",
                       description="list, lint or retire follow-up templates")  # fmt: skip
    # Listing and linting only read: a lint renders a template with sample values, in memory.
    reads = UsesDatabase(
        run_templates,
        nothing_to_prepare,
        reads=lambda args: args.templates_command not in _RETIRING,
    )
    p.set_defaults(handler=reads)
    actions = p.add_subparsers(dest="templates_command", metavar="ACTION", required=True,
                               parser_class=type(p))  # fmt: skip
    q = actions.add_parser("list", help="every template, built-in and yours")
    q.add_argument("--json", action="store_true", help="print JSON only")
    q = actions.add_parser(
        "lint",
        help="lint a template file, a template by slug, or a file of message text "
        "(exit code 1 when there are findings)",
    )
    q.add_argument("target", metavar="FILE_OR_SLUG")
    q.add_argument("--json", action="store_true", help="print JSON only")
    q = actions.add_parser("retire", help="stop offering a template when drafting (kept)")
    q.add_argument("slug", metavar="SLUG")
    q = actions.add_parser("bring-back", help="offer a retired template again")
    q.add_argument("slug", metavar="SLUG")


def declare(sub: Subcommands) -> None:
    """The drafting commands, in the order `--help` lists them."""
    declare_draft(sub)
    declare_templates(sub)


def _list(db: Database, args: argparse.Namespace) -> int:
    from followthrough.services import templates
    from followthrough.services.retired_templates import get_retired

    found = templates.list_templates(db)
    retired = get_retired(db)
    rows = [
        {
            "slug": t.slug,
            "title": t.title,
            "intent": t.intent,
            "decision": t.decision,
            "channel": t.channel,
            "builtin": t.builtin,
            "retired": t.slug in retired,
        }
        for t in found
    ]
    if args.json:
        print_json(rows)
        return 0
    width = max((len(t.slug) for t in found), default=4)
    for t in found:
        mark = ("" if t.builtin else "  (yours)") + ("  (retired)" if t.slug in retired else "")
        print_text(one_line(f"{t.slug:<{width}}  {t.intent:<10} {t.decision:<10} {t.title}{mark}"))
    return 0


def _lint(db: Database, args: argparse.Namespace, now: datetime) -> int:
    from followthrough.domain.drafting import lint_draft
    from followthrough.services import templates
    from followthrough.services.rendering import render_and_lint

    target = args.target
    path = Path(target)
    spec: TemplateSpec | None
    if path.is_file():
        text = _read_text(path)
        spec = _as_template(text)
        if spec is None:  # plain message text: lint it as it stands
            subject, body = _split_subject(text)
            findings = lint_draft(subject, body)  # intent unknown: the general rules
            return _report(args, findings, str(path))
    else:
        try:
            spec = templates.get_template(db, target)
        except NotFound:
            raise NotFound(f"no template file or slug '{target}'") from None
    _, checked = render_and_lint(spec, templates.sample_context(spec, now))
    return _report(args, list(checked), spec.slug)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InvalidData(f"{path} is not UTF-8 text", "file") from None
    except OSError as exc:
        raise InvalidData(f"cannot read {path}: {exc.strerror}", "file") from None


def _as_template(text: str) -> TemplateSpec | None:
    """A template when the text has a header; its mistakes are reported, not linted as prose."""
    from followthrough.domain.templates import parse_template

    if not any(line.strip() == "---" for line in text.splitlines()[:40]):
        return None
    return parse_template(text)


def _split_subject(text: str) -> tuple[str, str]:
    first, _, rest = text.partition("\n")
    if first.lower().startswith("subject:"):
        return first.split(":", 1)[1].strip(), rest.lstrip("\n")
    return "", text


def _report(args: argparse.Namespace, findings: list[LintFinding], name: str) -> int:
    if args.json:
        print_json([_finding_json(f) for f in findings])
    elif findings:
        print_text(f"{one_line(name)}: {len(findings)} finding{'' if len(findings) == 1 else 's'}")
        print_text(_finding_lines(findings))
    else:
        print_text(f"{one_line(name)}: no findings")
    return EXIT_FINDINGS if findings else 0
