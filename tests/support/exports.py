"""Files as other tools export them, built from their published column layouts.

Each builder returns the bytes a user would pick in the import dialog, with the quirks the
real exports have: LinkedIn's notes before the header, Excel's BOM and semicolons, UTF-16
from Excel's "Unicode text", Windows-1252 from Outlook, quoted newlines in Google's notes,
blank rows at the end.
"""

from __future__ import annotations

import codecs


def linkedin_connections() -> bytes:
    return (
        b"Notes:\n"
        b'"When exporting your connection data, you may notice that some of the email addresses '
        b"are missing. You will only see email addresses for connections who have allowed their "
        b'connections to see or download their email address."\n'
        b"\n"
        b"First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        b"Ana,Lopez,https://www.linkedin.com/in/ana-lopez,ana@acme.com,Acme,CTO,12 Nov 2026\n"
        b"Bram,de Vries,https://www.linkedin.com/in/bramdv,,"
        b'"Vries, Smit & Co",Founder,03 Oct 2026\n'
        b"\n"
    )


def google_contacts() -> bytes:
    return (
        b"Name,Given Name,Additional Name,Family Name,Yomi Name,Given Name Yomi,"
        b"Additional Name Yomi,Family Name Yomi,Name Prefix,Name Suffix,Initials,Nickname,"
        b"Short Name,Maiden Name,Birthday,Gender,Location,Billing Information,Directory Server,"
        b"Mileage,Occupation,Hobby,Sensitivity,Priority,Subject,Notes,Language,Photo,"
        b"Group Membership,E-mail 1 - Type,E-mail 1 - Value,E-mail 2 - Type,E-mail 2 - Value,"
        b"Phone 1 - Type,Phone 1 - Value,Organization 1 - Type,Organization 1 - Name,"
        b"Organization 1 - Title\n"
        b"Priya Shah,Priya,,Shah,,,,,,,,,,,,,,,,,,,,,,"
        b'"Met at SaaStr.\nWants a demo in January.\n\nBudget approved.",,,'
        b"* myContacts ::: Prospects,* Work,priya@lumen.io,Home,priya.shah@gmail.com,"
        b"Mobile,+44 7700 900123 ::: +44 20 7946 0000,,Lumen,COO\n"
        b"Tom Reed,Tom,,Reed,,,,,,,,,,,,,,,,,,,,,,,,,* myContacts,* Home,tom@reed.me,,,,,,,\n"
        b",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n"
    )


def outlook_contacts() -> bytes:
    return (
        '"Title","First Name","Middle Name","Last Name","Suffix","Company","Department",'
        '"Job Title","Business Street","Business City","Business Phone","Mobile Phone",'
        '"Categories","E-mail Address","E-mail Display Name","Notes"\r\n'
        '"Mme","Hélène","","Dubois","","Café Noël","","Gérante","","Paris","01 42 00 00 00",'
        '"06 12 34 56 78","Clients;Paris","helene@cafe-noel.fr","Hélène Dubois",'
        '"Prefers mornings"\r\n'
        '"Herr","Jürgen","","Müller","","Brötchen AG","","","","","","+49 170 1234567","",'
        '"jm@broetchen.de","",""\r\n'
    ).encode("cp1252")


def hubspot_contacts_utf16() -> bytes:
    # Saved from Excel as "Unicode text": UTF-16 LE with a BOM, tab-separated, CRLF.
    text = (
        "Record ID\tFirst Name\tLast Name\tEmail\tPhone Number\tCompany Name\t"
        "Lifecycle Stage\tLead Status\tCreate Date\r\n"
        "101\tSøren\tNielsen\tsoren@fjord.dk\t+45 33 12 34 56\tFjord ApS\tlead\t"
        "IN_PROGRESS\t2026-10-01 09:12\r\n"
        "102\tAiko\tTanaka\taiko@sakura.jp\t\tSakura KK\topportunity\tOPEN_DEAL\t"
        "2026-10-03 14:40\r\n"
        "103\tLuis\tGómez\tluis@sol.es\t\tSol SL\tcustomer\t\t2026-09-12 11:00\r\n"
        "\r\n"
    )
    return codecs.BOM_UTF16_LE + text.encode("utf-16-le")


def pipedrive_deals() -> bytes:
    return (
        b"Deal - ID,Deal - Title,Deal - Value,Deal - Currency,Deal - Stage,Deal - Status,"
        b"Person - Name,Person - Email,Person - Phone,Organization - Name,"
        b"Next activity date,Deal - Owner\n"
        b"17,Lumen rollout,12000,EUR,Proposal made,open,Priya Shah,priya@lumen.io,"
        b"+44 7700 900123,Lumen,2026-12-02,Me\n"
        b"18,Kraus renewal,4000,EUR,Qualified,open,Jan Kraus,jan@kraus.de,,Kraus GmbH,,Me\n"
    )


def pipedrive_persons() -> bytes:
    return (
        b"ID,Name,Organization,Email,Phone,Labels,Open deals,Next activity date\n"
        b"5,Marco Rossi,Vela Srl,marco@vela.it,+39 02 1234,Hot lead,1,2026-11-30\n"
        b"6,Giulia Bianchi,Vela Srl,giulia@vela.it,,,0,\n"
    )


def excel_semicolons_bom() -> bytes:
    # A plain sheet saved by a European Excel as "CSV UTF-8": BOM, semicolons, CRLF.
    text = (
        "Name;E-mail;Company;Phone;Status;Next step;Due date;Notes;Tags\r\n"
        "Chloé Martin;chloe@atelier.fr;Atelier Lumière;+33 6 12 34 56 78;Hot;Send the quote;"
        '2026-11-25;Met at the fair;"salon; print"\r\n'
        "Jürgen Kraus;JK@kraus.de;Kraus GmbH;;Warm;Call back;27/11/2026;;\r\n"
        "Ola Nordmann;ola@fjell.no;Fjell AS;;Recycle;;2027-03-01;Budget next year;\r\n"
        ";;;;;;;;\r\n"
        ";;;;;;;;\r\n"
    )
    return codecs.BOM_UTF8 + text.encode()


FORMATS = {
    "linkedin": linkedin_connections,
    "google": google_contacts,
    "outlook": outlook_contacts,
    "hubspot": hubspot_contacts_utf16,
    "pipedrive-deals": pipedrive_deals,
    "pipedrive-persons": pipedrive_persons,
    "excel": excel_semicolons_bom,
}
