"""The template sandbox's worst cases, each rendered in a process whose memory is capped.

A template is text anyone may share, and a short one can ask for gigabytes ('x'.ljust(10**9),
[[0] * 20000] * 20000 written out) or for minutes. Each case below renders the way the app
renders a template (rendering.render_template with the sample context, as `templates lint`
and the preview do) in a forked process whose address space is capped, and must come back
refused with a message its author can act on, or with a small message, within the time and
memory budget.

The cap: the forked process's own address space (VmSize) at the moment of the fork, plus
200 MB, set with RLIMIT_AS. The interpreter with Jinja, SQLAlchemy and the app imported maps
about 70 MB; a fixed total would be too loose on one machine and too tight on another. A
case that gets past the sandbox's own checks meets the cap as a MemoryError ("needs more
memory than a message can"), which no expected message below matches, so it fails.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

pytestmark = pytest.mark.skipif(
    sys.platform != "linux", reason="RLIMIT_AS, fork and /proc/self/status are Linux's"
)

MAX_SECONDS = 1.0  # the rendering itself, timed inside the capped process
MAX_GROWTH_MB = 200  # peak resident memory over what the process had before rendering
OUTER_TIMEOUT_S = 60  # a case that hangs ends the test, not the run

# One process imports the app once, then forks a child per case: a fresh interpreter per
# case would spend a second on imports each time. The child caps its address space, times
# the rendering and reads its peak memory before and after, and writes one JSON line back.
_SERVER = r"""
import json, os, resource, signal, sys, time

from followthrough.domain.templates import TemplateSpec
from followthrough.services.rendering import TemplateProblem, render_template
from followthrough.services.templates import sample_context


def spec(body, subject):
    return TemplateSpec(slug="hardening", title="Hardening", intent="advance",
                        decision="next_step", rules=("silence",), states=("hot",),
                        channel="email", subject=subject, body=body)


def address_space():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmSize")


def render(case):
    signal.alarm(30)  # a hang ends this child, and the test sees it did not exit normally
    baseline = address_space()
    cap = baseline + 200 * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    template = spec(case["body"], case["subject"])
    context = sample_context(template)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    try:
        rendered = render_template(template, context)
        result = {"refused": None, "body": rendered.body[:2000], "length": len(rendered.body)}
    except TemplateProblem as problem:
        result = {"refused": problem.message[:500]}
    result["seconds"] = time.perf_counter() - start
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before  # KiB on Linux
    result["growth_mb"] = grown / 1024
    result["baseline_mb"] = baseline / 2**20
    return result


# Warm up: the first rendering loads what Jinja loads lazily, outside any case's numbers.
render_template(spec("Hi {{ lead.first_name }}", "Hi"), sample_context(spec("Hi", "Hi")))
for line in sys.stdin:
    case = json.loads(line)
    readable, writable = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(readable)
        try:
            payload = json.dumps(render(case)).encode()
        except BaseException as error:
            payload = json.dumps({"crashed": repr(error)[:500]}).encode()
        os.write(writable, payload)
        os._exit(0)
    os.close(writable)
    chunks = []
    while chunk := os.read(readable, 65536):
        chunks.append(chunk)
    os.close(readable)
    _, status = os.waitpid(pid, 0)
    reply = {"status": status, "result": json.loads(b"".join(chunks) or b"null")}
    sys.stdout.write(json.dumps(reply) + "\n")
    sys.stdout.flush()
"""


class Renderer:
    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", _SERVER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def render(self, body: str, subject: str = "A question") -> dict[str, Any]:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(json.dumps({"body": body, "subject": subject}) + "\n")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], OUTER_TIMEOUT_S)
        assert ready, f"no answer within {OUTER_TIMEOUT_S} s"
        reply: dict[str, Any] = json.loads(self.process.stdout.readline())
        return reply

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=OUTER_TIMEOUT_S)


@pytest.fixture(scope="module")
def renderer() -> Iterator[Renderer]:
    server = Renderer()
    yield server
    server.close()


def rendered_within_budget(renderer: Renderer, body: str) -> dict[str, Any]:
    reply = renderer.render(body)
    assert os.WIFEXITED(reply["status"]), reply  # not ended by a signal (the 30 s alarm)
    assert os.WEXITSTATUS(reply["status"]) == 0, reply
    result: dict[str, Any] = reply["result"]
    assert "crashed" not in result, result
    assert result["seconds"] <= MAX_SECONDS, result
    assert result["growth_mb"] <= MAX_GROWTH_MB, result
    return result


def _macro_keeping(value: str, count: int = 20) -> str:
    """A macro that calls itself, each call keeping `count` fresh copies made by `value`."""
    keeps = "".join(f"{{% set k{n} = {value} %}}" for n in range(count))
    return f"{{% macro m() %}}{keeps}{{{{ m() }}}}{{% endmacro %}}{{{{ m() }}}}"


_WIDE = "padding to 1,000,000,000 characters is refused (at most 100)"
_SHARED = "builds a list that writes out to"
_SLOW = "took longer than 200 ms"

# (template body, what the refusal says: one of these fragments)
WORST_CASES: list[tuple[str, tuple[str, ...]]] = [
    # Text methods and filters that allocate from a number.
    ("{{ 'x'.ljust(10**9) }}", (_WIDE,)),
    ("{{ 'x'.rjust(10**9, '-') }}", (_WIDE,)),
    ("{{ 'x'.center(10**9) }}", (_WIDE,)),
    ("{{ '7'.zfill(10**9) }}", (_WIDE,)),
    ("{{ 'x'|center(10**9) }}", (_WIDE,)),
    ("{{ '\t'.expandtabs(10**8) }}", ("a tab of 100,000,000 characters is refused",)),
    ("{{ ('\t' * 20000).expandtabs(100) }}", ("makes text of 2,020,000 characters",)),
    ("{{ 'x'|indent(10**9) }}", ("indenting by 1,000,000,000 characters is refused",)),
    ("{{ ('\n' * 19000)|indent(100, blank=true) }}", ("makes text of 1,919,100 characters",)),
    # Padding in format specs.
    ("{{ '%0999999999d' % 1 }}", ("a format width of 999,999,999 characters is refused",)),
    ("{{ '%.*f' % (10**8, 1.0) }}", ("a format width taken from the values ('*')",)),
    ("{{ '%-999999999s'|format('x') }}", ("a format width of 999,999,999 characters",)),
    ("{{ '{:>1000000000}'.format(1) }}", ("text.format() is not available",)),
    ("{{ ('%(a)s' * 4000) % {'a': 'x' * 20000} }}", ("makes text of 40,000 characters",)),
    # Repetition, and lists that hold one list many times: cheap to build, huge to write
    # out, compare or hash.
    ("{{ 'a' * 10**9 }}", ("makes text of 1,000,000,000 characters",)),
    ("{{ [0] * 10**9 }}", (_SHARED,)),
    ("{{ [[0] * 20000] * 20000 }}", (f"{_SHARED} 1,600,080,002 characters",)),
    ("{{ {((0,) * 20000,) * 20000: 1} }}", (_SHARED,)),
    ("{% set a = [0] * 20000 %}{{ a in [a[:]] * 20000 }}", (_SHARED,)),
    ("{% set a = range(10000)|list %}{{ '%s%s%s%s' % (a, a, a, a) }}", (_SHARED,)),
    ("{{ dict.fromkeys(range(10000), 'x' * 20000) }}", (_SHARED,)),
    ("{% set a = range(10000)|list %}{{ a }}", ("makes text of more than 20,000",)),
    ("{% set a = range(10000)|list %}{{ 'x' ~ a ~ a }}", ("makes text of more than 20,000",)),
    ("{{ range(10000)|join('x' * 100) }}", ("makes text of",)),
    ("{% set a = range(2000)|list %}{{ a" + " ~ a" * 100 + " }}", ("makes text of",)),
    # Amplifying text methods, and the ones with no use in a message.
    ("{{ ('x' * 20000).replace('x', 'x' * 20000) }}", ("makes text of 400,000,000",)),
    ("{{ ('x' * 20000).join('y' * 20000) }}", ("makes text of 399,980,001 characters",)),
    ("{{ ('x' * 20000).translate({120: 'y' * 20000}) }}", ("text.translate() is not",)),
    ("{{ 'x'.encode() * 10**9 }}", ("text.encode() is not available",)),
    ("{{ (1).to_bytes(10**9, 'big') }}", ("number.to_bytes() is not available",)),
    # Numbers.
    ("{{ 10 ** 1000000000 }}", ("is too large a number",)),
    ("{{ 5|round(-10**9) }}", ("rounding to -1,000,000,000 digits is refused",)),
    ("{{ 5.5|round(10**8, 'floor') }}", ("rounding to 100,000,000 digits is refused",)),
    ("{{ ('f' * 20000)|int(base=16) }}", ("computes a number too large to write",)),
    # Loops, accumulation and recursion.
    ("{% for i in range(10**9) %}x{% endfor %}", ("range() of 1,000,000,000 items",)),
    (
        "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}",
        ("loops run more than 100,000 times",),
    ),
    (
        "{% set ns = namespace(l=[0]) %}{% for i in range(10000) %}"
        "{% set ns.l = [ns.l, ns.l] %}{% endfor %}",
        (_SHARED,),
    ),
    (
        "{% set ns = namespace(l=[0]) %}{% for i in range(3000) %}"
        "{% set ns.l = [ns.l] %}{% endfor %}",
        ("nests lists more than 100 deep",),
    ),
    (
        "{% set ns = namespace(s='ab') %}{% for i in range(60) %}"
        "{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
        ("makes text of",),
    ),
    ("{% macro f() %}{{ f() }}{{ f() }}{% endmacro %}{{ f() }}", ("calls itself too deeply",)),
    (
        "{% set s = '\U0001f600' * 20000 %}" + _macro_keeping("s[::-1]"),
        ("builds more than 1,000,000 characters of text",),
    ),
    (
        "{% set d = dict.fromkeys(range(5000), 0) %}" + _macro_keeping("namespace(d)"),
        ("builds more than 200,000 list items",),
    ),
    # These three do a tenth of the time budget's work before the item budget runs out: on
    # a busy machine the clock may stop them first.
    (_macro_keeping("range(10000)|list"), ("builds more than 200,000 list items", _SLOW)),
    (
        "{% set d = dict.fromkeys(range(5000), 0) %}{% set gone = d.keys() - d.keys() %}"
        "{% set s = d.keys() - gone %}" + _macro_keeping("s - gone"),
        ("builds more than 200,000 list items", _SLOW),
    ),
    (
        "{% set l = range(10000)|list %}"
        "{% macro m() %}{{ varargs|length }}{{ m(*l) }}{% endmacro %}{{ m() }}",
        ("builds more than 200,000 list items", _SLOW),
    ),
    (
        "{% set a = range(10000)|list %}{% set b = range(10000)|list %}"
        "{% for i in range(100) %}{% for j in range(1000) %}{% if a == b %}{% endif %}"
        "{% endfor %}{% endfor %}",
        (_SLOW,),
    ),
    # Sources that are slow to read: refused as they are read, or read in time.
    ("{{ a" + " ~ a" * 4990 + " }}", ("more than 5,000 names, operators and tags", _SLOW)),
    ("{{ f(" + "a," * 2480 + "a) }}", ("'f' is undefined", _SLOW)),
]


@pytest.mark.parametrize(("body", "refusals"), WORST_CASES)
def test_a_worst_case_is_refused_within_the_time_and_memory_budget(
    renderer: Renderer, body: str, refusals: tuple[str, ...]
) -> None:
    result = rendered_within_budget(renderer, body)
    assert result["refused"] is not None, result
    assert any(fragment in result["refused"] for fragment in refusals), result


# (template body, the message it renders to): the limits leave everyday templates alone.
ORDINARY: list[tuple[str, str]] = [
    (
        "Hi {{ lead.first_name }},\n\nHow did {{ lead.next_step|lower }} go at"
        " {{ lead.company }}?\n\n{{ sender.name }}",
        "Hi Anna,\n\nHow did review the draft plan go at Keller Logistics?\n\nSam Fischer",
    ),
    (
        "{% for item in ['pilot', 'pricing', 'rollout'] %}- {{ item|capitalize }}\n{% endfor %}",
        "- Pilot\n- Pricing\n- Rollout",
    ),
    ("[{{ lead.first_name|center(20) }}]", "[        Anna        ]"),
    (
        "{{ lead.first_name.ljust(8, '.') }}{{ '%5s|' % 'ok' }}{{ '7'.zfill(3) }}",
        "Anna....   ok|007",
    ),
    ("{{ '%.1f'|format(2.25) }} / {{ 2.25|round(1) }}", "2.2 / 2.2"),
    ("{{ lead.tags|join(', ') }} {{ ['a', 'b'] * 2 }}", "sample ['a', 'b', 'a', 'b']"),
    ("{% set steps = {'call': 'a call', 'demo': 'a demo'} %}{{ steps['demo'] }}", "a demo"),
    ("{{ range(10000)|list|length }} {{ range(10000)|sum }}", "10000 49995000"),
    ("{% for i in range(1000) %}ten chars.{% endfor %}", "ten chars." * 1000),
    ("{{ ('one two three ' * 3)|wordwrap(20) }}", "one two three one\ntwo three one two\nthree"),
    ("{{ 'a\nb'|indent(2, first=true) }}{{ lead.name[::-1] }}", "a\n  brelleK annA"),
]


@pytest.mark.parametrize(("body", "expected"), ORDINARY)
def test_an_ordinary_template_still_renders(renderer: Renderer, body: str, expected: str) -> None:
    result = rendered_within_budget(renderer, body)
    assert result["refused"] is None, result
    assert result["body"] == expected[:2000]
    assert result["length"] == len(expected)
