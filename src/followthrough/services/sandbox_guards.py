"""Guards on what a template can call: each looks at the arguments before anything is built.

A short template can ask an operator, a filter or a text method for a huge result from one
number ('x'.ljust(10**9), '%0999999999d', [big] * 20000). The guards here work out the size
of the result from the arguments and refuse it, or check what was built when its size is
bounded by its inputs anyway.
"""

from __future__ import annotations

import functools
import operator
import re
import types
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from jinja2 import pass_environment, pass_eval_context
from jinja2.filters import FILTERS, make_attrgetter

from followthrough.services.sandbox_budget import (
    MAX_DIGITS,
    MAX_INT_BITS,
    MAX_OUTPUT,
    MAX_VALUE,
    Refused,
    check_items,
    check_length,
    check_size,
    check_value,
    check_width,
    check_writable,
    too_large,
    written_size,
)

# --- operators -----------------------------------------------------------------------------


def _whole(value: Any) -> int | None:
    """`value` as an int when Python would take it as one (a width, a count), else None."""
    try:
        return operator.index(value)
    except TypeError:
        return None


def checked_number(value: Any) -> Any:
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise Refused("the template computes a number too large to write")
    return value


def _repeat(left: Any, right: Any) -> Any:
    seq, times = (right, left) if isinstance(left, int) else (left, right)
    count = _whole(times)
    if count is not None and isinstance(seq, str | bytes):
        check_size(len(seq) * max(count, 0))
    elif count is not None and isinstance(seq, list | tuple):
        # [big] * 20000 is twenty thousand references, cheap to build: written out (or
        # compared, or hashed) it is twenty thousand copies of big.
        size = 2 + max(count, 0) * (written_size(seq, MAX_VALUE) - 2)
        if size > MAX_VALUE:
            raise too_large(size)
        check_items(len(seq) * max(count, 0))
    # Operands are capped, so the product is cheap to compute before it is checked.
    return checked_number(left * right)


def _power(left: Any, right: Any) -> Any:
    big = isinstance(left, int) and isinstance(right, int) and right > 0
    if big and max(left.bit_length(), 1) * right > MAX_INT_BITS:
        if max(left.bit_length(), right.bit_length()) > 64:  # a thousand digits say nothing
            raise Refused("the template computes a number too large to write")
        raise Refused(f"{left} ** {right} is too large a number")
    return left**right


def _add(left: Any, right: Any) -> Any:
    if isinstance(left, str) and isinstance(right, str):
        check_size(len(left) + len(right))
    elif isinstance(left, list | tuple) and isinstance(right, list | tuple):
        size = written_size(left, MAX_VALUE) + written_size(right, MAX_VALUE)
        if size > MAX_VALUE:
            raise too_large(size)
        check_items(len(left) + len(right))
    return checked_number(left + right)


_PERCENT_SPEC = re.compile(r"%(?:%|(?:\(([^)]*)\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?)")


def check_percent_format(text: str, values: Any) -> None:
    """Refuse `text % values` when its widths, or the text of its values, are over the caps."""
    size, keyed = len(text), []
    for match in _PERCENT_SPEC.finditer(text):
        key, *numbers = match.groups()
        for number in numbers:
            if number == "*":
                raise Refused("a format width taken from the values ('*') is refused")
            if number:
                check_width(int(number) if len(number) < 10 else 10**9, "a format width of")
                size += int(number)
        if key is not None:
            keyed.append(key)
    if keyed and isinstance(values, Mapping):
        # '%(a)s%(a)s...' writes the same value once per mention.
        parts: Iterable[Any] = [values.get(key, "") for key in keyed]
    else:
        parts = values if isinstance(values, tuple) else (values,)
    for part in parts:
        size += written_size(part, MAX_OUTPUT)
        check_length(size)


def _subtract(left: Any, right: Any) -> Any:
    # table.keys() - [] is a new set, as large as the table.
    return check_value(left - right)


def _modulo(left: Any, right: Any) -> Any:
    if isinstance(left, str):
        check_percent_format(left, right)
        return check_value(left % right)
    return left % right


BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "*": _repeat,
    "**": _power,
    "+": _add,
    "-": _subtract,
    "%": _modulo,
}


# --- filters --------------------------------------------------------------------------------


def checked_result(result: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """`result`, checked unless it is one of the arguments (checked where that was built)."""
    if any(result is arg for arg in (*args, *kwargs.values())):
        return result
    return check_value(result)


def guarded_filter(builtin: Callable[..., Any], writes_text: bool = False) -> Callable[..., Any]:
    """A filter whose result is checked; one that `writes_text` of its arguments checks first."""
    skip = 1 if hasattr(builtin, "jinja_pass_arg") else 0  # the context or environment

    @functools.wraps(builtin)  # keeps the mark that tells Jinja to pass the context
    def run(*args: Any, **kwargs: Any) -> Any:
        if writes_text:
            for arg in (*args[skip:], *kwargs.values()):
                check_writable(arg)
        return checked_result(builtin(*args, **kwargs), args, kwargs)

    return run


def _check_padding(text: str, width: Any) -> None:
    wanted = _whole(width)
    if wanted is not None and wanted > len(text):
        check_width(wanted, "padding to")


def _center(value: Any, width: int = 80) -> str:
    text = str(value)
    _check_padding(text, width)
    return text.center(width)


def _indent(value: Any, width: int | str = 4, first: bool = False, blank: bool = False) -> str:
    text = str(value)
    size = len(width) if isinstance(width, str) else width
    check_width(size, "indenting by")
    check_length(len(text) + (text.count("\n") + 1) * size)
    return str(FILTERS["indent"](text, width, first, blank))


def _format(value: Any, *args: Any, **kwargs: Any) -> str:
    check_percent_format(str(value), kwargs or args)
    return str(FILTERS["format"](value, *args, **kwargs))


def _replaced_size(text: str, old: str, new: str, count: Any = -1) -> int:
    hits = text.count(old) if old else len(text) + 1
    limit = _whole(count)
    if limit is not None and limit >= 0:
        hits = min(hits, limit)
    return len(text) + hits * (len(new) - len(old))


def _replace(value: Any, old: str, new: str, count: int | None = None) -> str:
    text, old, new = str(value), str(old), str(new)
    check_length(_replaced_size(text, old, new, -1 if count is None else count))
    return text.replace(old, new, -1 if count is None else count)


def _written_items(items: list[Any], separator: str) -> int:
    size = len(separator) * max(len(items) - 1, 0)
    for item in items:
        size += written_size(item, MAX_OUTPUT)
        check_length(size)  # item by item: a long list of long items stops at the first too many
    return size


@pass_eval_context
def _join(eval_ctx: Any, value: Iterable[Any], d: str = "", attribute: Any = None) -> str:
    items = list(value)
    if attribute is not None:
        items = list(map(make_attrgetter(eval_ctx.environment, attribute), items))
    check_writable(d)
    _written_items(items, str(d))
    return str(FILTERS["join"](eval_ctx, items, d))


@pass_environment
def _wordwrap(environment: Any, value: Any, width: int = 79, *args: Any, **kwargs: Any) -> str:
    text = str(value)
    wrap = kwargs.get("wrapstring") or (args[1] if len(args) > 1 else None) or "\n"
    check_length(len(text) + len(str(wrap)) * (len(text) // max(width, 1) + 1))
    return str(FILTERS["wordwrap"](environment, text, width, *args, **kwargs))


def _sum(values: Iterable[Any], attribute: Any = None, start: int = 0) -> Any:
    total = start
    for item in values:
        number = item[attribute] if attribute is not None else item
        if not isinstance(number, int | float) or isinstance(number, bool):
            raise Refused("sum() adds numbers only")
        total = checked_number(total + number)
    return total


def _round(value: Any, precision: int = 0, method: str = "common") -> float:
    # round(5, -10**9) and the floor/ceil methods' 10**precision make a number of that size.
    digits = _whole(precision)
    if digits is not None and abs(digits) > MAX_DIGITS:
        raise Refused(f"rounding to {digits:,} digits is refused (at most {MAX_DIGITS})")
    return FILTERS["round"](value, precision, method)  # type: ignore[no-any-return]


# Filters a message may need; the rest (random, batch, slice, tojson...) are left out.
_PLAIN_FILTERS = (
    "abs", "attr", "count", "d", "default", "dictsort", "first", "float", "groupby", "int",
    "items", "last", "length", "list", "map", "max", "min", "reject", "rejectattr", "reverse",
    "select", "selectattr", "sort", "unique",
)  # fmt: skip
# Filters that write their value (and arguments) out as text: a list is refused first.
_TEXT_FILTERS = (
    "capitalize", "lower", "string", "striptags", "title", "trim", "truncate", "upper",
    "wordcount",
)  # fmt: skip


def guarded_filters() -> dict[str, Callable[..., Any]]:
    writing: dict[str, Callable[..., Any]] = {name: FILTERS[name] for name in _TEXT_FILTERS}
    writing.update(center=_center, indent=_indent, format=_format, replace=_replace,
                   wordwrap=_wordwrap)  # fmt: skip
    checked: dict[str, Callable[..., Any]] = {name: FILTERS[name] for name in _PLAIN_FILTERS}
    checked.update(join=_join, round=_round)
    filters = {name: guarded_filter(run) for name, run in checked.items()}
    filters.update({name: guarded_filter(run, True) for name, run in writing.items()})
    filters["sum"] = _sum
    return filters


# --- methods of text and numbers ------------------------------------------------------------

_Arguments = tuple[tuple[Any, ...], dict[str, Any]]


def _padding(text: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> _Arguments:
    if args:
        _check_padding(text, args[0])
    return args, kwargs


def _tabs(text: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> _Arguments:
    size = _whole(args[0] if args else kwargs.get("tabsize", 8))
    if size is not None:
        check_width(size, "a tab of")
        check_length(len(text) + text.count("\t") * size)
    return args, kwargs


def _replacing(text: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> _Arguments:
    if len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
        check_length(_replaced_size(text, *args[:3]))
    return args, kwargs


def _joining(text: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> _Arguments:
    if not args:
        return args, kwargs
    items = list(args[0])  # an iterator can be read once: the method gets the list
    _written_items(items, text)
    return (items, *args[1:]), kwargs


def _not_available(name: str) -> Callable[[str, tuple[Any, ...], dict[str, Any]], _Arguments]:
    def refuse(text: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> _Arguments:
        raise Refused(f"{name}() is not available in templates")

    return refuse


_TEXT_METHODS = {
    "ljust": _padding, "rjust": _padding, "center": _padding, "zfill": _padding,
    "expandtabs": _tabs, "replace": _replacing, "join": _joining,
    # Bytes are no message's business and have all of text's methods unguarded;
    # translate() maps one character to text of any length.
    "encode": _not_available("text.encode"), "translate": _not_available("text.translate"),
}  # fmt: skip


def check_method_call(method: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> _Arguments:
    """The arguments to call `method` with, once a call that would allocate too much is refused."""
    if not isinstance(method, types.BuiltinMethodType):
        return args, kwargs
    owner, name = method.__self__, method.__name__
    if isinstance(owner, str) and name in _TEXT_METHODS:
        return _TEXT_METHODS[name](owner, args, kwargs)
    if isinstance(owner, int) and name == "to_bytes":
        raise Refused("number.to_bytes() is not available in templates")
    return args, kwargs
