"""The sandbox templates render in: no walks to Python internals, bounded output, time and loops.

Templates are text anyone may share. This environment refuses attribute access to internals
(Jinja's immutable sandbox), checks the operators that can build huge values, caps what a
rendering may produce and how long and how many loop steps it may take.
"""

from __future__ import annotations

import contextvars
import functools
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, Template, Undefined, nodes, pass_context, pass_eval_context
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.filters import FILTERS, make_attrgetter
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_SOURCE = 20_000  # characters of template source, subject or body
MAX_OUTPUT = 20_000  # characters a body may render to (and any text built on the way)
MAX_SUBJECT = 1_000
MAX_SPENT = 50 * MAX_OUTPUT  # characters of text one rendering may build in all
MAX_RANGE = 10_000  # items in one range(): messages need a handful
MAX_STEPS = 100_000  # loop iterations in one rendering, all loops together
MAX_INT_BITS = 4_096  # numbers beyond this are never a message's business
MAX_WIDTH = 100  # padding a format spec, center() or indent() may ask for
TIME_LIMIT = 0.2  # seconds one part (subject or body) may take to render


class Refused(SecurityError):
    """Something the sandbox will not do; the message says what, for the template's author."""


@dataclass
class Budget:
    deadline: float
    steps: int = 0
    spent: int = 0  # characters of all text built, kept or not (in loops, macros, blocks)


current_budget: contextvars.ContextVar[Budget | None] = contextvars.ContextVar(
    "budget", default=None
)


def check_clock() -> None:
    budget = current_budget.get()
    if budget is not None and time.perf_counter() > budget.deadline:
        raise Refused(f"the template took longer than {TIME_LIMIT * 1000:.0f} ms to render")


def _finalize(value: Any) -> str:
    # Every {{ }} passes here, also inside {% set %} blocks and macros whose text may be
    # thrown away: counting it all bounds the memory a template can fill.
    text = str(value)
    check_size(len(text))
    return text


def check_size(size: int, limit: int = MAX_OUTPUT) -> None:
    """Refuse text (or a list) over `limit`, and count it against the rendering's budget."""
    if size > limit:
        raise Refused(f"the template makes text of {size:,} characters (the limit is {limit:,})")
    budget = current_budget.get()
    if budget is not None:
        budget.spent += size
        if budget.spent > MAX_SPENT:
            raise Refused(f"the template builds more than {MAX_SPENT:,} characters of text")


def _guarded_loop(iterable: Any) -> Iterator[Any]:
    # Every loop runs through this: a loop doing nothing visible still spends the budget.
    budget = current_budget.get()
    for item in iterable:
        if budget is not None:
            budget.steps += 1
            if budget.steps > MAX_STEPS:
                raise Refused(f"the template's loops run more than {MAX_STEPS:,} times")
            check_clock()
        yield item


@pass_context
def _loop_filter(context: Context, iterable: Any) -> Iterator[Any]:
    # pass_context keeps the compiler from running it at compile time.
    return _guarded_loop(iterable)


def _range(*args: int) -> range:
    steps = range(*args)
    if len(steps) > MAX_RANGE:
        raise Refused(f"range() of {len(steps):,} items (the limit is {MAX_RANGE:,})")
    return steps


_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def _check_percent_format(text: str) -> None:
    for match in _PERCENT_SPEC.finditer(text):
        for number in match.groups():
            if number == "*" or (number and int(number) > MAX_WIDTH):
                raise Refused(f"a format width over {MAX_WIDTH} is not allowed")


def _size(value: Any) -> int | None:
    return len(value) if isinstance(value, str | list | tuple) else None


def _checked_number(value: Any) -> Any:
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise Refused("the template computes a number too large to write")
    return value


def _repeat(left: Any, right: Any) -> Any:
    seq, times = (left, right) if _size(left) is not None else (right, left)
    if _size(seq) is not None and isinstance(times, int):
        check_size(len(seq) * max(times, 0))
    # Operands are capped, so the product is cheap to compute before it is checked.
    return _checked_number(left * right)


def _power(left: Any, right: Any) -> Any:
    big = isinstance(left, int) and isinstance(right, int) and right > 0
    if big and max(left.bit_length(), 1) * right > MAX_INT_BITS:
        raise Refused(f"{left} ** {right} is too large a number")
    return left**right


def _add(left: Any, right: Any) -> Any:
    if _size(left) is not None and _size(right) is not None:
        check_size(len(left) + len(right))
    return _checked_number(left + right)


def _modulo(left: Any, right: Any) -> Any:
    if isinstance(left, str):
        _check_percent_format(left)
    return left % right


_BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "*": _repeat,
    "**": _power,
    "+": _add,
    "%": _modulo,
}


def _bounded_concat(parts: Iterable[str]) -> str:
    # Loops, macros and {% set %} blocks gather their output with this before joining.
    pieces = list(parts)
    check_size(sum(len(piece) for piece in pieces))
    return "".join(pieces)


def _bounded_text(value: str) -> str:
    check_size(len(value))
    return value


def _text_filter(builtin: Callable[..., Any]) -> Callable[..., Any]:
    """A built-in filter whose text result is checked against the output cap."""

    @functools.wraps(builtin)  # keeps the mark that tells Jinja to pass the context
    def run(*args: Any, **kwargs: Any) -> Any:
        result = builtin(*args, **kwargs)
        if isinstance(result, str):
            check_size(len(result))
        return result

    return run


def _center(value: Any, width: int = 80) -> str:
    check_size(width)  # before the padding is made, not after
    return str(value).center(width)


def _indent(value: Any, width: int | str = 4, first: bool = False, blank: bool = False) -> str:
    if (len(width) if isinstance(width, str) else width) > MAX_WIDTH:
        raise Refused(f"indent() wider than {MAX_WIDTH} is not allowed")
    return str(FILTERS["indent"](value, width, first, blank))


def _format(value: Any, *args: Any, **kwargs: Any) -> str:
    _check_percent_format(str(value))
    return str(FILTERS["format"](value, *args, **kwargs))


def _replace(value: Any, old: str, new: str, count: int | None = None) -> str:
    text = str(value)
    hits = text.count(str(old)) if old else len(text) + 1
    if count is not None:
        hits = min(hits, max(count, 0))
    check_size(len(text) + hits * (len(str(new)) - len(str(old))))
    return text.replace(str(old), str(new), -1 if count is None else count)


@pass_eval_context
def _join(eval_ctx: Any, value: Iterable[Any], d: str = "", attribute: Any = None) -> str:
    items = list(value)
    if attribute is not None:
        items = list(map(make_attrgetter(eval_ctx.environment, attribute), items))
    check_size(sum(len(str(item)) for item in items) + len(d) * max(len(items) - 1, 0))
    return str(FILTERS["join"](eval_ctx, items, d))


def _wordwrap(value: Any, width: int = 79, *args: Any, **kwargs: Any) -> str:
    text = str(value)
    wrap = kwargs.get("wrapstring") or (args[1] if len(args) > 1 else None) or "\n"
    check_size(len(text) + len(str(wrap)) * (len(text) // max(width, 1) + 1))
    return str(FILTERS["wordwrap"](_ENV, text, width, *args, **kwargs))


def _sum(values: Iterable[Any], attribute: Any = None, start: int = 0) -> Any:
    total = start
    for item in values:
        number = item[attribute] if attribute is not None else item
        if not isinstance(number, int | float) or isinstance(number, bool):
            raise Refused("sum() adds numbers only")
        total = _checked_number(total + number)
    return total


# Filters a message may need; the rest (random, batch, slice, tojson...) are left out.
_PLAIN_FILTERS = (
    "abs", "attr", "capitalize", "count", "d", "default", "dictsort", "first", "float",
    "groupby", "int", "items", "last", "length", "list", "lower", "map", "max", "min",
    "reject", "rejectattr", "reverse", "round", "select", "selectattr", "sort", "string",
    "striptags", "title", "trim", "truncate", "unique", "upper", "wordcount",
)  # fmt: skip


class _GuardedCodeGenerator(CodeGenerator):
    """Compiles templates so that every loop spends the budget and every `~` is capped."""

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        for loop in node.find_all(nodes.For):
            loop.iter = nodes.Filter(loop.iter, "_guarded_loop", [], [], None, None)
            loop.iter.set_lineno(loop.lineno)
        super().visit_Template(node, frame)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.bounded_text(")
        super().visit_Concat(node, frame)
        self.write(")")


class Empty:
    """An empty merge value: renders as a marker found again (and removed) after rendering."""

    __slots__ = ("marker",)

    def __init__(self, index: int) -> None:
        self.marker = f"\ue000{chr(0xF000 + index)}\ue001"

    def __str__(self) -> str:
        return self.marker

    def __repr__(self) -> str:
        return "''"

    def __bool__(self) -> bool:
        return False

    def __len__(self) -> int:
        return 0

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __eq__(self, other: object) -> bool:
        return other is None or other == "" or isinstance(other, Empty)

    def __hash__(self) -> int:
        return hash("")


class Named(dict[str, Any]):
    """A group of the context ("lead"), so a missing field can be named in the message."""

    def __init__(self, label: str, values: dict[str, Any], absent: bool = False) -> None:
        super().__init__(values)
        self._label = label
        self._absent = absent


class _Undefined(StrictUndefined):
    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        owner = self._undefined_obj
        if self._undefined_hint is None and isinstance(owner, Named):
            if owner._absent:
                name = f"{owner._label}.{self._undefined_name}"
                return f"there is no {owner._label} for this draft, so '{name}' is undefined"
            return f"'{owner._label}' has no attribute {self._undefined_name!r}"
        return str(super()._undefined_message)


class _SandboxEnvironment(ImmutableSandboxedEnvironment):
    code_generator_class = _GuardedCodeGenerator
    intercepted_binops = frozenset(_BINOPS)

    def __init__(self) -> None:
        super().__init__(
            undefined=_Undefined,
            autoescape=False,
            keep_trailing_newline=False,
            finalize=_finalize,
        )
        self.concat = _bounded_concat  # type: ignore[method-assign]
        self.bounded_text = _bounded_text
        self.filters = {name: _text_filter(FILTERS[name]) for name in _PLAIN_FILTERS}
        self.filters.update(
            center=_center, indent=_indent, format=_format, replace=_replace, join=_join,
            wordwrap=_wordwrap, sum=_sum, _guarded_loop=_loop_filter,
        )  # fmt: skip
        self.tests["none"] = lambda value: value is None or isinstance(value, Empty)
        self.globals = {"range": _range, "dict": dict, "namespace": self.globals["namespace"]}

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        check_clock()
        return _BINOPS[operator](left, right)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        check_clock()
        return super().call(__context, __obj, *args, **kwargs)

    def unsafe_undefined(self, obj: Any, attribute: str) -> Undefined:
        # Said without the Python type: the author knows the field, not our classes.
        return self.undefined(
            f"not allowed in a template: reading {attribute!r}",
            name=attribute,
            obj=obj,
            exc=SecurityError,
        )

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        if super().wrap_str_format(value) is None:
            return None

        def refused(*args: Any, **kwargs: Any) -> str:
            raise Refused("text.format() is not available in templates: join text with ~")

        return refused


_ENV = _SandboxEnvironment()


@functools.lru_cache(maxsize=256)
def compile_source(source: str) -> Template:
    return _ENV.from_string(source)
