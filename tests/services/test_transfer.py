"""CSV import: the leads each real export gives, problems by line, duplicates, one transaction."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from followthrough.domain.leads import NewLead
from followthrough.domain.signals import SignalKind
from followthrough.domain.states import ALL_STATES, State
from followthrough.errors import InvalidData, NotFound
from followthrough.paths import DataPaths
from followthrough.services import alerts, leads
from followthrough.services.backups import check_backup, list_backups
from followthrough.services.csvimport import (
    Duplicates,
    ImportCancelled,
    import_csv,
    preview_csv,
    summary,
)
from followthrough.services.lead_queries import list_leads
from followthrough.services.timeline import lead_timeline
from followthrough.store.db import Database
from tests.conftest import NOW
from tests.support import exports
from tests.support.snapshot import Rows, file_rows


def write(tmp_path: Path, data: bytes, name: str = "leads.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def by_name(db: Database) -> dict[str, object]:
    return {lead.name: lead for lead in list_leads(db, ALL_STATES, now=NOW)}


def dump(db: Database) -> Rows:
    """Every row of every table, to compare before and after."""
    return file_rows(db.path)


def test_linkedin_connections_become_warm_leads(db: Database, tmp_path: Path) -> None:
    report = import_csv(db, write(tmp_path, exports.linkedin_connections()), now=NOW)

    assert (report.rows, report.added, report.skipped) == (2, 2, 0)
    found = by_name(db)
    assert set(found) == {"Ana Lopez", "Bram de Vries"}
    ana = found["Ana Lopez"]
    assert (ana.email, ana.company, ana.state) == ("ana@acme.com", "Acme", State.WARM)
    assert found["Bram de Vries"].company == "Vries, Smit & Co"


def test_google_contacts_keep_notes_first_values_and_labels(db: Database, tmp_path: Path) -> None:
    import_csv(db, write(tmp_path, exports.google_contacts()), now=NOW)

    found = by_name(db)
    assert set(found) == {"Priya Shah", "Tom Reed"}  # the blank trailing row is no lead
    priya = found["Priya Shah"]
    assert priya.email == "priya@lumen.io"  # the first e-mail column, not the home one
    assert priya.phone == "+44 7700 900123"  # the first of the ' ::: ' values
    assert (priya.company, priya.tags) == ("Lumen", ("Prospects",))
    # The notes, quoted newlines and all, are on the timeline (shown there on one line).
    notes = [e.text for e in lead_timeline(db, priya.id, NOW).entries if e.kind == "note"]
    assert notes == ["Met at SaaStr. Wants a demo in January. Budget approved."]


def test_outlook_contacts_in_windows_1252(db: Database, tmp_path: Path) -> None:
    report = import_csv(db, write(tmp_path, exports.outlook_contacts()), now=NOW)

    assert report.added == 2
    helene = by_name(db)["Hélène Dubois"]
    assert (helene.company, helene.email, helene.phone) == (
        "Café Noël",
        "helene@cafe-noel.fr",
        "01 42 00 00 00",
    )
    assert helene.tags == ("Clients", "Paris")
    assert by_name(db)["Jürgen Müller"].company == "Brötchen AG"


def test_hubspot_contacts_saved_as_utf16_unicode_text(db: Database, tmp_path: Path) -> None:
    report = import_csv(db, write(tmp_path, exports.hubspot_contacts_utf16()), now=NOW)

    assert (report.added, report.skipped) == (3, 0)
    found = by_name(db)
    # HubSpot's lifecycle stages read as the board's states.
    assert found["Søren Nielsen"].state is State.WARM
    assert found["Aiko Tanaka"].state is State.HOT
    assert found["Luis Gómez"].state is State.WON
    assert found["Søren Nielsen"].phone == "+45 33 12 34 56"


def test_pipedrive_deals_and_persons(db: Database, tmp_path: Path) -> None:
    import_csv(db, write(tmp_path, exports.pipedrive_deals(), "deals.csv"), now=NOW)
    report = import_csv(db, write(tmp_path, exports.pipedrive_persons(), "people.csv"), now=NOW)

    assert report.added == 2
    found = by_name(db)
    priya = found["Priya Shah"]
    assert (priya.state, priya.company) == (State.HOT, "Lumen")  # "Proposal made"
    assert priya.next_step == "Follow up"  # a date to act by, with no words for the step
    assert priya.next_step_due == datetime(2026, 12, 2, 8, tzinfo=UTC)  # 09:00 in Paris
    assert found["Jan Kraus"].state is State.WARM  # "Qualified"
    assert found["Marco Rossi"].tags == ("Hot lead",)
    assert found["Giulia Bianchi"].next_step is None


def test_excel_sheet_with_bom_semicolons_and_blank_rows(db: Database, tmp_path: Path) -> None:
    report = import_csv(db, write(tmp_path, exports.excel_semicolons_bom()), now=NOW)

    assert (report.rows, report.added, report.skipped) == (3, 3, 0)
    found = by_name(db)
    chloe = found["Chloé Martin"]
    assert (chloe.state, chloe.next_step, chloe.tags) == (
        State.HOT,
        "Send the quote",
        ("salon", "print"),
    )
    assert found["Jürgen Kraus"].next_step_due == datetime(2026, 11, 27, 8, tzinfo=UTC)
    ola = found["Ola Nordmann"]
    assert ola.state is State.RECYCLE
    assert ola.recycle_until == datetime(2027, 3, 1, 8, tzinfo=UTC)  # the date to come back


@pytest.mark.parametrize("name", sorted(exports.FORMATS))
def test_every_format_previews_with_a_name_mapped(name: str, tmp_path: Path) -> None:
    preview = preview_csv(write(tmp_path, exports.FORMATS[name]()))

    assert {"name", "first_name"} & preview.mapping.keys()
    assert preview.rows
    assert preview.size > 0


def test_rows_with_problems_are_reported_by_line_and_the_rest_import(
    db: Database, tmp_path: Path
) -> None:
    text = (
        "Name,Email,State,Due\n"
        "Ana,ana@acme.com,hot,\n"
        ",nobody@x.com,,\n"
        "Bob,bob@bad,warm,\n"
        "Cy,cy@c.io,maybe,\n"
        "Dee,dee@d.io,warm,someday\n"
        "Eve,eve@e.io,warm,2026-12-01\n"
    )
    report = import_csv(db, write(tmp_path, text.encode()), now=NOW)

    assert (report.rows, report.added, report.skipped) == (6, 2, 4)
    assert [(p.line, p.field) for p in report.problems] == [
        (3, "name"),
        (4, "email"),
        (5, "state"),
        (6, "when"),
    ]
    assert "bob@bad" in report.problems[1].reason
    assert "maybe" in report.problems[2].reason
    assert set(by_name(db)) == {"Ana", "Eve"}
    assert "4 rows left out for a problem" in summary(report, "leads.csv")


def test_a_dry_run_reports_the_same_and_writes_nothing(db: Database, tmp_path: Path) -> None:
    leads.add_lead(db, NewLead.create(name="Ana", email="ana@acme.com", now=NOW), now=NOW)
    path = write(tmp_path, exports.excel_semicolons_bom())
    before = dump(db)

    dry = import_csv(db, path, dry_run=True, now=NOW)

    assert dump(db) == before
    assert dry.backup is None
    assert not list_backups(DataPaths(db.path.parent))
    real = import_csv(db, path, now=NOW)
    assert (dry.rows, dry.added, dry.skipped) == (real.rows, real.added, real.skipped)
    assert "would be added" in summary(dry, "x.csv")
    assert "nothing was written" in summary(dry, "x.csv")


def test_duplicates_by_email_are_skipped_whatever_the_case(db: Database, tmp_path: Path) -> None:
    leads.add_lead(
        db, NewLead.create(name="Ana Lopez", email="Ana@Acme.com", company="Acme", now=NOW), now=NOW
    )
    text = "Name,Email,Company\nAna L.,ANA@acme.COM,Acme Corp\nBo,bo@b.io,B\nBo Again,BO@B.IO,B2\n"
    report = import_csv(db, write(tmp_path, text.encode()), now=NOW)

    assert (report.added, report.duplicates, report.merged) == (1, 2, 0)
    found = by_name(db)
    assert set(found) == {"Ana Lopez", "Bo"}
    assert found["Ana Lopez"].company == "Acme"  # untouched


def test_duplicates_merge_into_the_lead_already_there(db: Database, tmp_path: Path) -> None:
    ana = leads.add_lead(
        db,
        NewLead.create(name="Ana Lopez", email="ana@acme.com", tags=["fair"], now=NOW),
        now=NOW,
    )
    text = (
        "Name,Email,Company,Phone,Tags,Notes\n"
        "Ana Lopez,ANA@ACME.COM,Acme,+34 600 000 000,vip,Prefers calls\n"
        "Bo,bo@b.io,B,,,\n"
        "Bo,Bo@b.io,Bo Ltd,+1 555 0100,,\n"
    )
    report = import_csv(db, write(tmp_path, text.encode()), on_duplicate=Duplicates.MERGE, now=NOW)

    assert (report.added, report.merged, report.duplicates) == (1, 2, 0)
    found = by_name(db)
    assert set(found) == {"Ana Lopez", "Bo"}
    merged = found["Ana Lopez"]
    assert merged.id == ana.id
    assert merged.state is ana.state
    assert (merged.company, merged.phone, merged.tags) == (
        "Acme",
        "+34 600 000 000",
        ("fair", "vip"),
    )
    assert merged.email == "ana@acme.com"  # the address as the user typed it
    assert (found["Bo"].company, found["Bo"].phone) == ("Bo Ltd", "+1 555 0100")
    notes = [e.text for e in lead_timeline(db, ana.id, NOW).entries if e.kind == "note"]
    assert notes == ["Prefers calls"]
    assert list_leads(db, ALL_STATES, search="bo ltd", now=NOW)  # the search key follows


def test_duplicates_across_batches_are_caught(db: Database, tmp_path: Path) -> None:
    rows = [f"Lead {i},lead{i}@x.io" for i in range(4500)] + ["Again,LEAD7@X.IO"]
    path = write(tmp_path, ("Name,Email\n" + "\n".join(rows) + "\n").encode())

    report = import_csv(db, path, now=NOW)

    assert (report.added, report.duplicates) == (4500, 1)


def test_a_mapping_the_user_corrected_is_used(db: Database, tmp_path: Path) -> None:
    text = "Who,Mail,Where,Status\nAna,ana@acme.com,Acme,won\n"
    path = write(tmp_path, text.encode())
    with pytest.raises(InvalidData):  # "Who" and "Mail" mean nothing to the guesser
        import_csv(db, path, now=NOW)

    import_csv(db, path, mapping={"name": 0, "email": 1, "company": 2}, now=NOW)

    ana = by_name(db)["Ana"]
    assert (ana.email, ana.company, ana.state) == ("ana@acme.com", "Acme", State.WARM)


@pytest.mark.parametrize(
    ("mapping", "words"),
    [
        ({"email": 1}, "name"),
        ({"name": 0, "email": 0}, "both"),
        ({"name": 0, "colour": 1}, "not a lead field"),
        ({"name": 9}, "no column 10"),
    ],
)
def test_a_wrong_mapping_is_refused_before_anything_is_written(
    db: Database, tmp_path: Path, mapping: dict[str, int], words: str
) -> None:
    path = write(tmp_path, b"Name,Email\nAna,ana@acme.com\n")
    before = dump(db)

    with pytest.raises(InvalidData, match=words):
        import_csv(db, path, mapping=mapping, now=NOW)

    assert dump(db) == before


BAD_FILES = {
    "binary": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20,
    "empty": b"",
    "no usable column": b"Colour,Size\nred,L\nblue,M\n",
    "a 1 MB cell": b"Name,Notes\nAna,short\nBo," + b"x" * 1_000_000 + b"\nCy,ok\n",
    "bad bytes after the head": b"Name,Email\n" + b"Ana,a@b.io\n" * 8000 + b"Bo,\xff\xfe\x00x\n",
}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_a_bad_file_gets_a_clear_message_and_changes_nothing(
    db: Database, tmp_path: Path, kind: str
) -> None:
    leads.add_lead(db, NewLead.create(name="Kept", email="kept@k.io", now=NOW), now=NOW)
    before = dump(db)

    with pytest.raises(InvalidData) as caught:
        import_csv(db, write(tmp_path, BAD_FILES[kind]), now=NOW)

    message = str(caught.value)
    assert message
    assert "\n" not in message
    assert "Traceback" not in message
    assert dump(db) == before


def test_ragged_rows_are_left_out_and_named(db: Database, tmp_path: Path) -> None:
    text = "Name,Email,Company\nAna,ana@acme.com,Acme\nBo,bo@b.io,B,extra\nCy,cy@c.io\n"
    report = import_csv(db, write(tmp_path, text.encode()), now=NOW)

    # A missing or extra cell may have shifted every value after it: neither row is trusted.
    assert (report.added, report.skipped) == (1, 2)
    assert [p.line for p in report.problems] == [3, 4]
    assert "4 cells where the header has 3" in report.problems[0].reason
    assert "2 cells where the header has 3" in report.problems[1].reason
    assert set(by_name(db)) == {"Ana"}


def test_a_file_that_is_not_there(db: Database, tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        import_csv(db, tmp_path / "missing.csv", now=NOW)


def test_cancelling_leaves_nothing_of_the_import(db: Database, tmp_path: Path) -> None:
    leads.add_lead(db, NewLead.create(name="Kept", now=NOW), now=NOW)
    rows = "\n".join(f"Lead {i},lead{i}@x.io" for i in range(10_000))
    path = write(tmp_path, f"Name,Email\n{rows}\n".encode())
    before = dump(db)
    seen: list[int] = []

    with pytest.raises(ImportCancelled, match="nothing was changed"):
        import_csv(
            db,
            path,
            now=NOW,
            progress=lambda done, total: seen.append(done),
            cancelled=lambda: len(seen) >= 2,  # stop after two batches were written
        )

    assert len(seen) == 2
    assert dump(db) == before


def test_progress_goes_up_to_the_file_size(db: Database, tmp_path: Path) -> None:
    rows = "\n".join(f"Lead {i},lead{i}@x.io" for i in range(5000))
    path = write(tmp_path, f"Name,Email\n{rows}\n".encode())
    seen: list[tuple[int, int]] = []

    import_csv(db, path, now=NOW, progress=lambda done, total: seen.append((done, total)))

    assert seen[-1] == (path.stat().st_size, path.stat().st_size)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_a_backup_is_made_before_the_import_and_holds_the_data_before_it(
    db: Database, tmp_path: Path
) -> None:
    leads.add_lead(db, NewLead.create(name="Kept", now=NOW), now=NOW)

    report = import_csv(db, write(tmp_path, exports.linkedin_connections()), now=NOW)

    assert report.backup is not None
    assert report.backup.exists()
    assert report.backup.stat().st_mode & 0o777 == 0o600
    check_backup(report.backup)
    with sqlite3.connect(report.backup) as conn:
        assert conn.execute("SELECT name FROM lead").fetchall() == [("Kept",)]


def test_two_imports_in_the_same_second_both_get_their_backup(db: Database, tmp_path: Path) -> None:
    leads.add_lead(db, NewLead.create(name="Kept", now=NOW), now=NOW)
    first = import_csv(db, write(tmp_path, b"Name\nA\n", "a.csv"), now=NOW)
    second = import_csv(db, write(tmp_path, b"Name\nB\n", "b.csv"), now=NOW)

    assert first.backup != second.backup
    assert first.backup is not None
    assert second.backup is not None
    assert first.backup.exists()
    assert second.backup.exists()


def test_imported_leads_are_planned_like_any_other(db: Database, tmp_path: Path) -> None:
    # An overdue step in the file raises its alert at the next check, as a typed one would.
    text = "Name,Email,Next step,Due\nAna,ana@acme.com,Send the quote,2026-11-20\n"
    import_csv(db, write(tmp_path, text.encode()), now=NOW)

    ana = by_name(db)["Ana"]
    assert ana.next_check_at is not None
    assert ana.next_check_at <= NOW
    raised = alerts.tick(db, NOW)
    assert [(a.lead_id, a.rule) for a in raised] == [(ana.id, "due")]


def test_new_leads_are_planned_exactly_as_leads_added_by_hand(db: Database, tmp_path: Path) -> None:
    from followthrough.paths import prepare_data_dir

    text = (
        "Name,Email,State,Next step,Due,Notes\n"
        "A,a@x.io,hot,Send the quote,2026-11-20,\n"
        "B,b@x.io,hot,Call,2026-12-04,met twice\n"
        "C,c@x.io,warm,,,\n"
        "D,d@x.io,recycle,,2027-02-01,\n"
        "E,e@x.io,won,,,\n"
    )
    import_csv(db, write(tmp_path, text.encode()), now=NOW)
    imported = by_name(db)
    by_hand = Database.open(prepare_data_dir(tmp_path / "by-hand"), NOW)
    try:
        for lead in imported.values():
            new = NewLead(
                name=lead.name,
                email=lead.email,
                state=lead.state,
                next_step=lead.next_step,
                next_step_due=lead.next_step_due,
                recycle_until=lead.recycle_until,
            )
            added = leads.add_lead(by_hand, new, now=NOW)
            if lead.name == "B":
                leads.log_event(
                    by_hand, added.id, SignalKind.NOTE, at=NOW, note="met twice", now=NOW
                )
        expected = {
            lead.name: lead.next_check_at for lead in list_leads(by_hand, ALL_STATES, now=NOW)
        }
    finally:
        by_hand.close()

    assert {name: lead.next_check_at for name, lead in imported.items()} == expected
    assert expected["A"] is not None  # the comparison covers planned leads, not only None


def test_a_csv_export_imports_back_with_the_same_leads(db: Database, tmp_path: Path) -> None:
    from followthrough.paths import prepare_data_dir
    from followthrough.services.export import export_csv
    from followthrough.services.sample import load_sample

    load_sample(db, now=NOW)
    leads.add_lead(
        db,
        NewLead.create(name="=Formula Co", phone="+33 6 12 34 56 78", tags=["-x"], now=NOW),
        now=NOW,
    )
    export_csv(db, tmp_path / "leads.csv", now=NOW)
    other = Database.open(prepare_data_dir(tmp_path / "other"), NOW)
    try:
        report = import_csv(other, tmp_path / "leads.csv", now=NOW)
        back = {lead.name: lead for lead in list_leads(other, ALL_STATES, now=NOW)}
    finally:
        other.close()

    mine = by_name(db)
    assert report.skipped == 0
    assert set(back) == set(mine)

    compared = "email company phone state tags next_step next_step_due recycle_until recycle_reason"

    def fields(lead: object) -> tuple[object, ...]:
        return tuple(getattr(lead, f) for f in compared.split())

    assert {n: fields(lead) for n, lead in back.items()} == {
        n: fields(lead) for n, lead in mine.items()
    }


def test_a_json_export_picked_as_a_csv_says_what_it_is(db: Database, tmp_path: Path) -> None:
    path = write(tmp_path, b'{"format": "followthrough-export", "version": 1}', "all.json")

    with pytest.raises(InvalidData, match="JSON file, not a CSV"):
        preview_csv(path)


def index_definitions(db: Database) -> list[tuple[str, str]]:
    with sqlite3.connect(db.path) as conn:
        return conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
        ).fetchall()


@pytest.mark.parametrize("cancel", [False, True])
def test_a_large_import_leaves_every_index_as_it_was(
    db: Database, tmp_path: Path, cancel: bool
) -> None:
    from tests.support.bigcsv import write_leads_csv

    path = tmp_path / "big.csv"
    write_leads_csv(path, 15_000)  # large next to the table: its indexes are rebuilt
    before = index_definitions(db)
    seen: list[int] = []

    if cancel:  # after the first batch was written
        with pytest.raises(ImportCancelled):
            import_csv(db, path, now=NOW, progress=lambda d, t: seen.append(d),
                       cancelled=lambda: bool(seen))  # fmt: skip
    else:
        import_csv(db, path, now=NOW)

    assert index_definitions(db) == before
    with sqlite3.connect(db.path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        plan = conn.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM lead WHERE state = 'hot' AND search_key LIKE '%a%'"
        ).fetchall()
    assert "ix_lead_state_search" in str(plan)
    assert len(list_leads(db, ALL_STATES, now=NOW)) == (0 if cancel else 15_000)


def test_the_tally_counts_every_problem_and_keeps_the_first_ones() -> None:
    from followthrough.services.csvimport import PROBLEMS_KEPT, ImportTally, RowProblem

    tally = ImportTally(rows=PROBLEMS_KEPT + 5, added=3, merged=1, duplicates=2)
    for line in range(PROBLEMS_KEPT + 2):
        tally.skip(RowProblem(line, None, "a problem"))
    report = tally.report(dry_run=True, backup=None)
    assert report.skipped == PROBLEMS_KEPT + 2
    assert [p.line for p in report.problems] == list(range(PROBLEMS_KEPT))
    assert (report.rows, report.added, report.merged, report.duplicates) == (
        PROBLEMS_KEPT + 5, 3, 1, 2,
    )  # fmt: skip
    assert report.dry_run
    assert report.backup is None
    assert tally.changed
    assert not ImportTally(duplicates=4).changed
