"""The sandbox templates render in: no walks to Python internals, bounded output, time and loops.

Templates are text anyone may share. This environment refuses attribute access to internals
(Jinja's immutable sandbox), checks the operators, filters and methods that can build huge
values before they build them (sandbox_guards), and caps what a rendering may produce and
how long, how many loop steps and how much text and list it may take (sandbox_budget).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from jinja2 import StrictUndefined, Template, Undefined, nodes, pass_context
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.exceptions import SecurityError
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from jinja2.runtime import Context, Macro
from jinja2.sandbox import ImmutableSandboxedEnvironment

from followthrough.services.sandbox_budget import (
    MAX_OUTPUT,
    MAX_RANGE,
    MAX_SOURCE,
    MAX_STEPS,
    MAX_SUBJECT,
    MAX_TOKENS,
    TIME_LIMIT,
    Budget,
    Refused,
    check_clock,
    check_items,
    check_length,
    check_size,
    check_value,
    check_writable,
    current_budget,
)
from followthrough.services.sandbox_guards import (
    BINOPS,
    check_method_call,
    checked_result,
    guarded_filters,
)

# What the drafting service renders with, kept importable from here.
__all__ = [
    "MAX_OUTPUT",
    "MAX_SOURCE",
    "MAX_SUBJECT",
    "TIME_LIMIT",
    "Budget",
    "Empty",
    "Named",
    "Refused",
    "check_clock",
    "check_size",
    "compile_source",
    "current_budget",
]


def _finalize(value: Any) -> str:
    # Every {{ }} passes here, also inside {% set %} blocks and macros whose text may be
    # thrown away: counting it all bounds the memory a template can fill.
    check_clock()
    check_writable(value)  # before str() writes out a list that holds a list many times
    text = str(value)
    check_size(len(text))
    return text


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


def _bounded_concat(parts: Iterable[str]) -> str:
    # Loops, macros and {% set %} blocks gather their output with this before joining.
    pieces = list(parts)
    check_size(sum(len(piece) for piece in pieces))
    return "".join(pieces)


def _bounded_text(value: str) -> str:
    check_size(len(value))
    return value


def _text_parts(parts: tuple[Any, ...]) -> tuple[Any, ...]:
    # The operands of `a ~ b ~ ...`, checked before str() writes each and they are joined.
    size = 0
    for part in parts:
        size += check_writable(part)
        check_length(size)
    return parts


class _ClockedParsing(Extension):
    """Reads a template's tokens with an eye on the clock: compiling happens in the budget."""

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        # 20,000 characters of `a,a,a,...` take Jinja most of a second to parse and compile
        # (the built-in templates have 40 tokens at most): a source too costly to read is
        # refused as it is read.
        for count, token in enumerate(stream):
            if count > MAX_TOKENS:
                raise Refused(
                    f"the template has more than {MAX_TOKENS:,} names, operators and tags"
                )
            if not count % 256:
                check_clock()
            yield token


class _GuardedCodeGenerator(CodeGenerator):
    """Compiles templates so that every loop spends the budget, every `~` and literal is capped."""

    _visits = 0

    def visit(self, node: nodes.Node, *args: Any, **kwargs: Any) -> Any:
        # Writing the Python for a long template costs as much again as parsing it.
        self._visits += 1
        if not self._visits % 256:
            check_clock()
        return super().visit(node, *args, **kwargs)

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        for loop in node.find_all(nodes.For):
            loop.iter = nodes.Filter(loop.iter, "_guarded_loop", [], [], None, None)
            loop.iter.set_lineno(loop.lineno)
        super().visit_Template(node, frame)

    @optimizeconst
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        # Jinja's own, with the operands checked before they are written out and joined.
        if frame.eval_ctx.volatile:
            join = "(markup_join if context.eval_ctx.volatile else str_join)"
        else:
            join = "markup_join" if frame.eval_ctx.autoescape else "str_join"
        self.write(f"environment.bounded_text({join}(environment.text_parts((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))))")

    # [a, a, a] holds `a` three times: literals are checked like lists built any other way.
    def visit_List(self, node: nodes.List, frame: Frame) -> None:
        self.write("environment.checked_value(")
        super().visit_List(node, frame)
        self.write(")")

    def visit_Dict(self, node: nodes.Dict, frame: Frame) -> None:
        self.write("environment.checked_value(")
        super().visit_Dict(node, frame)
        self.write(")")

    def visit_Getitem(self, node: nodes.Getitem, frame: Frame) -> None:
        # Jinja writes a slice as Python's: text[::-1] is a copy, counted like other text.
        if not isinstance(node.arg, nodes.Slice):
            super().visit_Getitem(node, frame)
            return
        self.write("environment.checked_value(")
        super().visit_Getitem(node, frame)
        self.write(")")

    def visit_Tuple(self, node: nodes.Tuple, frame: Frame) -> None:
        if node.ctx != "load":  # the names of {% for a, b in ... %}: nothing is built
            super().visit_Tuple(node, frame)
            return
        self.write("environment.checked_value(")
        super().visit_Tuple(node, frame)
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
    intercepted_binops = frozenset(BINOPS)

    def __init__(self) -> None:
        super().__init__(
            undefined=_Undefined,
            autoescape=False,
            keep_trailing_newline=False,
            finalize=_finalize,
            extensions=[_ClockedParsing],
        )
        self.concat = _bounded_concat  # type: ignore[method-assign]
        self.bounded_text = _bounded_text
        self.text_parts = _text_parts
        self.checked_value = check_value
        self.filters = guarded_filters()
        self.filters["_guarded_loop"] = _loop_filter
        self.tests["none"] = lambda value: value is None or isinstance(value, Empty)
        self.globals = {"range": _range, "dict": dict, "namespace": self.globals["namespace"]}

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        check_clock()
        return BINOPS[operator](left, right)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        check_clock()
        if len(args) + len(kwargs) > 64:
            # m(*items) copies the items at each step of the call, and a macro calling
            # itself holds each copy.
            check_items(len(args) + len(kwargs))
        args, kwargs = check_method_call(__obj, args, kwargs)
        result = super().call(__context, __obj, *args, **kwargs)
        # A macro's text was checked as it was made; anything else is checked here.
        return result if isinstance(__obj, Macro) else checked_result(result, args, kwargs)

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
