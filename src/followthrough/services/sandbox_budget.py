"""What one rendering may spend, and the checks that refuse a value before it is built.

A template is short but can ask for a lot: text padded to a billion characters, a list that
holds another list twenty thousand times over (cheap to build, a gigabyte once written out or
compared). Every check here runs before the allocation it guards, or costs no more than the
value it looks at, so the limits hold for memory as well as time.
"""

from __future__ import annotations

import contextvars
import itertools
import time
from collections.abc import ItemsView, Iterable, KeysView, ValuesView
from dataclasses import dataclass
from typing import Any

from jinja2.exceptions import SecurityError
from jinja2.utils import Namespace

MAX_SOURCE = 20_000  # characters of template source, subject or body
MAX_TOKENS = 5_000  # names, operators, tags...: reading 20,000 of them takes a second
MAX_OUTPUT = 20_000  # characters a body may render to (and any text built on the way)
MAX_SUBJECT = 1_000
MAX_SPENT = 50 * MAX_OUTPUT  # characters of text one rendering may build in all
MAX_VALUE = 5 * MAX_OUTPUT  # characters a list or table may write out to (range(10000): 59k)
MAX_ITEMS = 200_000  # list and table items one rendering may build in all
MAX_DEPTH = 100  # lists inside lists
MAX_RANGE = 10_000  # items in one range(): messages need a handful
MAX_STEPS = 100_000  # loop iterations in one rendering, all loops together
MAX_INT_BITS = 4_096  # numbers beyond this are never a message's business
MAX_WIDTH = 100  # padding a format spec, center(), ljust(), zfill() or indent() may ask for
MAX_DIGITS = 100  # digits round() may keep or drop
TIME_LIMIT = 0.2  # seconds one part (subject or body) may take to render


class Refused(SecurityError):
    """Something the sandbox will not do; the message says what, for the template's author."""


@dataclass
class Budget:
    deadline: float
    steps: int = 0
    spent: int = 0  # characters of all text built, kept or not (in loops, macros, blocks)
    items: int = 0  # items of all lists and tables built


current_budget: contextvars.ContextVar[Budget | None] = contextvars.ContextVar(
    "budget", default=None
)


def check_clock() -> None:
    budget = current_budget.get()
    if budget is not None and time.perf_counter() > budget.deadline:
        raise Refused(f"the template took longer than {TIME_LIMIT * 1000:.0f} ms to render")


def check_length(size: int, limit: int = MAX_OUTPUT) -> None:
    """Refuse text of `size` characters (made or about to be) if it is over `limit`."""
    if size > limit:
        raise Refused(f"the template makes text of {size:,} characters (the limit is {limit:,})")


def check_size(size: int, limit: int = MAX_OUTPUT) -> None:
    """Refuse text over `limit`, and count it against the rendering's budget."""
    check_length(size, limit)
    budget = current_budget.get()
    if budget is not None:
        budget.spent += size
        if budget.spent > MAX_SPENT:
            raise Refused(f"the template builds more than {MAX_SPENT:,} characters of text")


def check_items(count: int) -> None:
    # Each item is a reference at least: many lists kept in names or macro frames add up.
    budget = current_budget.get()
    if budget is not None:
        budget.items += count
        if budget.items > MAX_ITEMS:
            raise Refused(f"the template builds more than {MAX_ITEMS:,} list items")


def check_width(width: int, what: str, limit: int = MAX_WIDTH) -> None:
    if width > limit:
        raise Refused(f"{what} {width:,} characters is refused (at most {limit})")


def too_large(size: int | None = None) -> Refused:
    if size is None:
        return Refused(
            f"the template builds a list that writes out to more than {MAX_VALUE:,} characters"
        )
    return Refused(
        f"the template builds a list that writes out to {size:,} characters "
        f"(the limit is {MAX_VALUE:,})"
    )


def check_value(value: Any) -> Any:
    """The result of an operation, refused if it is text, a list or a number over the limits."""
    if isinstance(value, str | bytes):
        check_size(len(value))
    elif isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        # int('f' * 20000, 16) is cheap to make; kept in many names it adds up.
        raise Refused("the template computes a number too large to write")
    elif isinstance(value, Namespace):
        # namespace(table) copies the table; what it holds is weighed where it is written,
        # since {% set ns.x = ... %} changes it after it was built.
        check_items(len(_attributes(value)))
    elif _parts(value) is not None:
        if written_size(value, MAX_VALUE) > MAX_VALUE:
            raise too_large()
        check_items(len(value))
    return value


def check_writable(value: Any, limit: int = MAX_OUTPUT) -> int:
    """About how long str(value) is; refused over `limit`, before str() makes that text."""
    size = written_size(value, limit)
    if size > limit and not isinstance(value, str):
        raise Refused(
            f"the template makes text of more than {limit:,} characters (the limit is {limit:,})"
        )
    return size


def written_size(value: Any, limit: int) -> int:
    """About how long str(value) is, counted only until it passes `limit`.

    A value shared in many places is counted at each place (str() writes it out each time),
    but walked once: the walk takes about `limit` steps at most, however the value was built.
    """
    if isinstance(value, str | bytes):
        return len(value)
    return _Walk(limit).size(value, 0)


class _Walk:
    __slots__ = ("limit", "open", "sizes", "steps")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.sizes: dict[int, int] = {}  # by id: every value walked is held by the caller
        self.open: set[int] = set()
        self.steps = 0

    def size(self, value: Any, depth: int) -> int:
        if isinstance(value, str | bytes):
            return len(value) + 2  # quoted
        if isinstance(value, bool) or value is None:
            return 5
        if isinstance(value, int):
            return value.bit_length() // 3 + 2  # at least as many digits as in octal
        if isinstance(value, float):
            return 24
        parts = _parts(value)
        if parts is None:
            return 16  # anything else writes out as a short description: <range ...>
        known = self.sizes.get(id(value))
        if known is not None:
            return known
        if id(value) in self.open:
            return 5  # a namespace holding itself writes out as {...}
        if depth > MAX_DEPTH:
            raise Refused(f"the template nests lists more than {MAX_DEPTH} deep")
        self.open.add(id(value))
        total = 2
        for part in parts:
            self.steps += 1
            if not self.steps % 1024:
                check_clock()
            total += self.size(part, depth + 1) + 2
            if total > self.limit:
                break
        self.open.discard(id(value))
        self.sizes[id(value)] = total
        return total


def _parts(value: Any) -> Iterable[Any] | None:
    """What str(value) writes out, for the containers a template can reach; else None."""
    if isinstance(value, list | tuple | set | frozenset | KeysView | ValuesView):
        return value
    if isinstance(value, dict):
        return itertools.chain.from_iterable(value.items())
    if isinstance(value, ItemsView):
        return itertools.chain.from_iterable(value)
    if isinstance(value, Namespace):
        return itertools.chain.from_iterable(_attributes(value).items())
    return None


def _attributes(namespace: Namespace) -> dict[str, Any]:
    attributes: dict[str, Any] = object.__getattribute__(namespace, "_Namespace__attrs")
    return attributes
