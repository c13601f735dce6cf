"""The domain's messages name fields; the CLI says them with its options, as it always has."""

from __future__ import annotations

from pathlib import Path

import pytest

from followthrough.cli.fields import error_line, option
from followthrough.errors import FieldError, InvalidData
from tests.cli.conftest import CliRunner

INVALID = 4


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["add", "Bob", "--due", "tomorrow"],
         "followthrough: a due time needs a next step (--next-step)"),
        (["add", "Bob", "--state", "recycle"],
         "followthrough: moving a lead to Recycle needs a date to come back to it (--until)"),
        (["add", "Bob", "--until", "+3d"],
         "followthrough: --until and --reason only apply to a lead in Recycle"),
        (["add", "Bob", "--reason", "budget"],
         "followthrough: --until and --reason only apply to a lead in Recycle"),
    ],
)  # fmt: skip
def test_field_errors_name_the_options_to_use(
    cli: CliRunner, data_dir: Path, args: list[str], line: str
) -> None:
    result = cli(*args)
    assert result.code == INVALID
    assert result.err.strip().splitlines() == [line]


def test_an_error_line_words_each_named_field_as_its_option() -> None:
    error = FieldError("{until} and {reason} go together", "until",
                       names={"until": "a date", "reason": "a reason"}, needs="next_step")  # fmt: skip
    assert str(error) == "a date and a reason go together"
    assert error_line(error) == "--until and --reason go together (--next-step)"
    assert error_line(InvalidData("the name is empty", "name")) == "the name is empty"
    assert option("next_step") == "--next-step"
