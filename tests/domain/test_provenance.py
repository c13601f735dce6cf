"""Where a signal came from, read from its payload."""

from __future__ import annotations

from followthrough.domain.provenance import SignalSource, match_key, match_of, source_of


def test_a_payload_without_a_known_source_was_typed() -> None:
    assert source_of({}) is SignalSource.TYPED
    assert source_of({"source": "fax"}) is SignalSource.TYPED  # from a newer version, say
    assert source_of({"source": "mail"}) is SignalSource.MAIL
    assert [s.label for s in SignalSource] == [
        "",
        "from mail",
        "from the calendar",
        "from a mail rule",
    ]
    assert [s.automatic for s in SignalSource] == [False, True, True, True]


def test_what_matched_is_kept_in_one_spelling() -> None:
    assert match_key(SignalSource.MAIL, " Ana@Acme.IO ") == "mail:ana@acme.io"
    assert match_of({"match": "mail:ana@acme.io"}) == "mail:ana@acme.io"
    assert match_of({"match": ""}) is None
    assert match_of({"match": 3}) is None
    assert match_of({}) is None
