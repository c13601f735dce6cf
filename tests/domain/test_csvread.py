"""Reading real exports: encodings, delimiters, preambles, quirks, and files to refuse."""

from __future__ import annotations

import codecs
import io
import tracemalloc
from collections.abc import Iterator

import pytest

from followthrough.domain.csvcolumns import MAPPABLE_FIELDS, map_columns
from followthrough.domain.csvread import CsvRow, lead_fields, read_rows, split_tags
from followthrough.domain.csvsniff import SNIFF_BYTES, CsvFormat, sniff
from followthrough.errors import InvalidData


def read_all(data: bytes) -> tuple[CsvFormat, list[CsvRow], list[dict[str, str]]]:
    """What an import would see: the format, the records and the lead fields of each."""
    fmt = sniff(data[:SNIFF_BYTES])
    mapping = map_columns(list(fmt.columns))
    rows = list(read_rows(io.BytesIO(data), fmt))
    return fmt, rows, [lead_fields(row, mapping) for row in rows]


# LinkedIn's Connections.csv: a notes preamble, a blank line, then the header.
LINKEDIN = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email addresses are '
    "missing. You will only see email addresses for connections who have allowed their "
    'connections to see or download their email address."\n'
    "\n"
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
    "Ana,Lopez,https://www.linkedin.com/in/ana-lopez,ana@acme.com,Acme,CTO,12 Nov 2026\n"
    'Bram,de Vries,https://www.linkedin.com/in/bramdv,,"Vries, Smit & Co",Founder,03 Oct 2026\n'
)


def test_linkedin_preamble_is_skipped_and_names_are_joined() -> None:
    fmt, rows, leads = read_all(LINKEDIN.encode())

    assert (fmt.encoding, fmt.delimiter, fmt.header_line, fmt.skip_bom) == ("utf-8", ",", 3, False)
    assert [row.line for row in rows] == [5, 6]
    assert leads == [
        {"name": "Ana Lopez", "email": "ana@acme.com", "company": "Acme"},
        {"name": "Bram de Vries", "company": "Vries, Smit & Co"},
    ]


def test_excel_utf8_bom_with_semicolons_and_crlf() -> None:
    text = (
        "Name;E-mail;Company;Status;Next step;Due date;Notes;Tags\r\n"
        "Chloé Martin;chloe@atelier.fr;Atelier Lumière;Hot;Send the quote;2026-11-25;Met at the fair;"
        '"salon; print"\r\n'
        "Jürgen Kraus;jk@kraus.de;Kraus GmbH;Warm;Call back;fri;;\r\n"
    )
    fmt, rows, leads = read_all(codecs.BOM_UTF8 + text.encode())

    assert (fmt.encoding, fmt.delimiter, fmt.skip_bom) == ("utf-8", ";", True)
    assert fmt.columns[0] == "Name"  # the BOM is not part of the first heading
    assert [row.line for row in rows] == [2, 3]
    assert leads[0] == {
        "name": "Chloé Martin",
        "email": "chloe@atelier.fr",
        "company": "Atelier Lumière",
        "state": "Hot",
        "next_step": "Send the quote",
        "due": "2026-11-25",
        "notes": "Met at the fair",
        "tags": "salon, print",
    }
    assert leads[1]["name"] == "Jürgen Kraus"
    assert "notes" not in leads[1]


def test_utf16_le_with_bom_and_tabs_as_excel_unicode_text() -> None:
    # HubSpot's contact export, saved from Excel as "Unicode text".
    text = (
        "Record ID\tFirst Name\tLast Name\tEmail\tCompany Name\tPhone Number\tLifecycle Stage\tLead Status\r\n"
        "101\tSøren\tNielsen\tsoren@fjord.dk\tFjord ApS\t+45 33 12 34 56\tlead\tIN_PROGRESS\r\n"
    )
    fmt, rows, leads = read_all(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))

    assert (fmt.encoding, fmt.delimiter, fmt.header_line, fmt.skip_bom) == (
        "utf-16-le",
        "\t",
        0,
        True,
    )
    assert rows[0].line == 2
    assert leads == [
        {
            "name": "Søren Nielsen",
            "email": "soren@fjord.dk",
            "company": "Fjord ApS",
            "phone": "+45 33 12 34 56",
            "state": "lead",  # the first state-like column wins
        }
    ]


def test_utf16_be_with_bom() -> None:
    text = "Name\tEmail\nIneke\tineke@polder.nl\n"
    fmt, _, leads = read_all(codecs.BOM_UTF16_BE + text.encode("utf-16-be"))

    assert fmt.encoding == "utf-16-be"
    assert leads == [{"name": "Ineke", "email": "ineke@polder.nl"}]


def test_cp1252_outlook_contacts() -> None:
    # Outlook's layout (abridged, in its order): "Title" is Mr./Ms., never the name.
    text = (
        '"Title","First Name","Middle Name","Last Name","Company","Business Phone",'
        '"Mobile Phone","Categories","E-mail Address","Notes"\r\n'
        '"Mme","Hélène","","Dubois","Café Noël","01 42 00 00 00","06 12 34 56 78",'
        '"Clients;Paris","helene@cafe-noel.fr","Prefers mornings"\r\n'
        '"Herr","Jürgen","","Müller","Brötchen AG","","+49 170 1234567","","jm@broetchen.de",""\r\n'
    )
    fmt, _, leads = read_all(text.encode("cp1252"))

    assert fmt.encoding == "cp1252"
    assert leads[0] == {
        "name": "Hélène Dubois",
        "company": "Café Noël",
        "phone": "01 42 00 00 00",
        "tags": "Clients, Paris",
        "email": "helene@cafe-noel.fr",
        "notes": "Prefers mornings",
    }
    assert leads[1]["name"] == "Jürgen Müller"
    # One column per field: the business phone, empty here; the user can remap to mobile.
    assert "phone" not in leads[1]


def test_google_contacts_with_quoted_newlines_in_notes() -> None:
    text = (
        "Name,Given Name,Additional Name,Family Name,Notes,Group Membership,E-mail 1 - Type,"
        "E-mail 1 - Value,Phone 1 - Type,Phone 1 - Value,Organization 1 - Type,Organization 1 - Name\n"
        'Priya Shah,Priya,,Shah,"Met at SaaStr.\nWants a demo in January.\n\nBudget approved.",'
        "* myContacts ::: Prospects,* Work,priya@lumen.io,Mobile,+44 7700 900123,,Lumen\n"
        "Tom Reed,Tom,,Reed,,* myContacts,* Home,tom@reed.me,,,,\n"
    )
    _, rows, leads = read_all(text.encode())

    assert [row.line for row in rows] == [2, 6]  # the record spanning lines keeps its first
    assert leads[0] == {
        "name": "Priya Shah",
        "notes": "Met at SaaStr.\nWants a demo in January.\n\nBudget approved.",
        "tags": "Prospects",
        "email": "priya@lumen.io",
        "phone": "+44 7700 900123",
        "company": "Lumen",
    }
    assert leads[1] == {"name": "Tom Reed", "email": "tom@reed.me"}


def test_google_contacts_newer_layout() -> None:
    text = (
        "First Name,Middle Name,Last Name,Organization Name,Organization Title,Notes,Labels,"
        "E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value\n"
        "Lena,,Berg,Nordlys,Founder,,* myContacts ::: Warm intro,Work,lena@nordlys.no,Mobile,+47 912 34 567\n"
    )
    _, _, leads = read_all(text.encode())

    assert leads == [
        {
            "name": "Lena Berg",
            "company": "Nordlys",
            "tags": "Warm intro",
            "email": "lena@nordlys.no",
            "phone": "+47 912 34 567",
        }
    ]


def test_pipedrive_deals_use_the_person_and_fall_back_to_the_deal_title() -> None:
    with_person = (
        "Deal - Title,Deal - Value,Deal - Stage,Person - Name,Person - Email,Organization - Name,"
        "Next activity date\n"
        "Lumen rollout,12000,Proposal made,Priya Shah,priya@lumen.io,Lumen,2026-12-02\n"
    )
    without_person = (
        "Deal - Title,Deal - Stage,Organization - Name\nKraus renewal,Qualified,Kraus\n"
    )

    assert read_all(with_person.encode())[2] == [
        {
            "state": "Proposal made",
            "name": "Priya Shah",
            "email": "priya@lumen.io",
            "company": "Lumen",
            "due": "2026-12-02",
        }
    ]
    assert read_all(without_person.encode())[2] == [
        {"name": "Kraus renewal", "state": "Qualified", "company": "Kraus"}
    ]


def test_pipedrive_persons() -> None:
    text = "Name,Organization,Email,Phone,Labels\nMarco Rossi,Vela Srl,marco@vela.it,+39 02 1234,Hot lead\n"
    assert read_all(text.encode())[2] == [
        {
            "name": "Marco Rossi",
            "company": "Vela Srl",
            "email": "marco@vela.it",
            "phone": "+39 02 1234",
            "tags": "Hot lead",
        }
    ]


def test_blank_trailing_rows_are_skipped() -> None:
    text = "Name,Email,Company\r\nAna,ana@acme.com,Acme\r\n,,\r\n\r\n  ,,\r\n"
    _, rows, _ = read_all(text.encode())
    assert [row.line for row in rows] == [2]


def test_ragged_rows_are_reported_as_they_are() -> None:
    text = "Name,Email,Company\nAna,ana@acme.com\nBo,bo@b.io,B,extra\nCy,cy@c.io,C\n"
    _, rows, leads = read_all(text.encode())

    assert [(row.line, row.ragged(3)) for row in rows] == [(2, True), (3, True), (4, False)]
    assert leads[0] == {"name": "Ana", "email": "ana@acme.com"}  # the missing cell is no value


def test_a_cell_over_the_limit_names_its_line() -> None:
    big = "x" * 1_000_000
    data = f'Name,Notes\nAna,short\nBo,fine\n"Cy","{big}"\nDee,after\n'.encode()
    fmt = sniff(data[:SNIFF_BYTES])
    rows = read_rows(io.BytesIO(data), fmt)

    assert [row.line for row in (next(rows), next(rows))] == [2, 3]
    with pytest.raises(InvalidData, match=r"^line 4: a cell is over 10,000 characters"):
        next(rows)


def test_a_cell_under_csv_own_limit_but_over_max_cell() -> None:
    data = f"Name,Notes\nAna,{'y' * 20_000}\n".encode()
    fmt = sniff(data[:SNIFF_BYTES])
    with pytest.raises(InvalidData, match=r"^line 2: a cell is over 10,000"):
        list(read_rows(io.BytesIO(data), fmt))
    assert len(next(read_rows(io.BytesIO(data), fmt, max_cell=50_000)).cells[1]) == 20_000


def test_bytes_that_are_not_utf8_after_the_sniffed_head_name_their_line() -> None:
    head = "Name,Email\n" + "".join(f"Lead {n},l{n}@x.io\n" for n in range(5000))
    data = head.encode() + "Zoë,zoe@x.io\n".encode("cp1252")
    fmt = sniff(data[:SNIFF_BYTES])
    assert fmt.encoding == "utf-8"

    # Line 5002: the header, 5000 good rows, then Zoë in Windows-1252.
    with pytest.raises(InvalidData, match=r"^line 5002: the text is not valid UTF-8"):
        list(read_rows(io.BytesIO(data), fmt))


def test_a_head_cut_in_the_middle_of_a_character_is_still_utf8() -> None:
    data = "Name,Company\nÉmile,Société\n".encode()
    cut = data.index("é".encode()) + 1  # inside the two bytes of "é"
    assert sniff(data[:cut]).encoding == "utf-8"


def test_the_header_falls_back_to_the_first_row_of_the_usual_width() -> None:
    text = "Leads export\nFull name,Where we met,Score\nAna Lopez,Web Summit,8\n"
    fmt, rows, leads = read_all(text.encode())

    assert fmt.header_line == 1
    assert [row.line for row in rows] == [3]
    assert leads == [{"name": "Ana Lopez"}]


def test_reading_leaves_the_callers_stream_open() -> None:
    stream = io.BytesIO(b"Name,Email\nAna,ana@acme.com\n")
    list(read_rows(stream, sniff(stream.getvalue())))
    assert not stream.closed


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" * 50, id="png"),
        pytest.param(b"PK\x03\x04\x14\x00\x06\x00\x08\x00" + bytes(range(256)) * 20, id="zip"),
        pytest.param(b"Name,Email\nAna,a\x00na@acme.com\n", id="nul-in-text"),
    ],
)
def test_binary_files_are_refused(data: bytes) -> None:
    with pytest.raises(InvalidData, match="binary"):
        sniff(data)


@pytest.mark.parametrize(
    "data",
    [b"", codecs.BOM_UTF8, b"\r\n\r\n  \n", codecs.BOM_UTF16_LE + "\n".encode("utf-16-le")],
    ids=["nothing", "bom-only", "blank-lines", "utf16-blank"],
)
def test_empty_files_are_refused(data: bytes) -> None:
    with pytest.raises(InvalidData, match="empty"):
        sniff(data)


@pytest.mark.parametrize(
    "text",
    ["id,score,when\n1,8,2026-11-01\n2,5,2026-11-02\n", '""\n'],
    ids=["unknown-headings", "only-quotes"],
)
def test_files_with_no_usable_column_are_refused(text: str) -> None:
    with pytest.raises(InvalidData, match=r"(names a lead field|no column headings)"):
        sniff(text.encode())


@pytest.mark.parametrize(
    ("heading", "field"),
    [
        ("E-MAIL", "email"),
        ("e mail", "email"),
        ("  Full_Name ", "name"),
        ("Organisation", "company"),
        ("Next Step Due", "due"),
        ("next-step", "next_step"),
        ("Person - Email - Work", "email"),
        ("Group Membership", "tags"),
    ],
)
def test_headings_match_whatever_their_case_spaces_and_punctuation(
    heading: str, field: str
) -> None:
    assert map_columns(["Ignored", heading]) == {field: 1}
    assert field in MAPPABLE_FIELDS


def test_the_first_matching_column_wins() -> None:
    assert map_columns(["Mobile", "Email", "Phone", "E-mail"]) == {"phone": 0, "email": 1}


def test_the_deal_title_does_not_override_a_person_name() -> None:
    assert "name" not in map_columns(["Deal - Title", "First Name", "Last Name"])


def test_tags_split_on_semicolons_commas_and_google_groups() -> None:
    assert split_tags("a; b,c ::: d") == ["a", "b", "c", "d"]
    assert split_tags("* myContacts") == []


class GeneratedCsv(io.RawIOBase):
    """A CSV file produced as it is read, so the test holds no copy of it."""

    def __init__(self, rows: int) -> None:
        self._lines: Iterator[bytes] = self._generate(rows)
        self._pending = b""

    @staticmethod
    def _generate(rows: int) -> Iterator[bytes]:
        yield b"Name,Email,Company,Notes\r\n"
        for n in range(rows):
            yield f'Lead {n},lead{n}@example.com,Company {n % 97},"note {n}"\r\n'.encode()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while len(self._pending) < len(buffer):
            line = next(self._lines, None)
            if line is None:
                break
            self._pending += line
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def test_reading_100k_rows_keeps_memory_flat() -> None:
    rows = 100_000
    head = GeneratedCsv(50).read(SNIFF_BYTES) or b""
    fmt = sniff(head)
    mapping = map_columns(list(fmt.columns))

    tracemalloc.start()
    try:
        count, last = 0, None
        for row in read_rows(io.BufferedReader(GeneratedCsv(rows)), fmt):
            last = lead_fields(row, mapping)
            count += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert count == rows
    assert last == {
        "name": f"Lead {rows - 1}",
        "email": f"lead{rows - 1}@example.com",
        "company": f"Company {(rows - 1) % 97}",
        "notes": f"note {rows - 1}",
    }
    # The file is about 6 MB; holding its rows would take far more than this.
    assert peak < 1_000_000


def test_of_several_emails_or_phones_in_one_cell_the_first_is_read() -> None:
    text = "Name,E-mail 1 - Value,Phone 1 - Value\nPriya,p@lumen.io ::: priya@home.me,+44 1 ::: +44 2\n"
    assert read_all(text.encode())[2] == [
        {"name": "Priya", "email": "p@lumen.io", "phone": "+44 1"}
    ]
