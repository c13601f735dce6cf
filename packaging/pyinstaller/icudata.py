"""A smaller ICU data library for the Linux bundle.

Qt's Linux wheels ship ICU's full data (31 MB): every converter, and the names of currencies,
languages, regions, units and time zones in 800 locales, which Qt never asks ICU for (it has its
own locale data). Collation, normalization and the locale files stay, so sorting and case
mapping work as before. The rest is removed with ICU's own tools (icupkg, genccode from
icu-devtools) and the data linked back into a library of the same name (ld from binutils).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

UNUSED_ITEMS = re.compile(
    r"^(curr|lang|region|unit|rbnf|translit|brkitr|zone)/"  # display names, spell-out, breaks
    r"|\.cnv$"  # legacy character sets; Qt converts UTF-8/16/32 and Latin-1 itself
    r"|^(unames\.icu|confusables)"  # character names, look-alike detection
)
TOOLS = ("icupkg", "genccode", "ld", "nm", "objcopy", "readelf")


def missing_tools() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def _run(*argv: str | Path) -> str:
    return subprocess.run([str(a) for a in argv], check=True, capture_output=True, text=True).stdout


def trim(library: Path, workdir: Path) -> Path:
    """A copy of `library` (libicudata.so.NN) without the data Qt never uses; its path."""
    symbols = _run("nm", "-D", "-S", "--defined-only", library)
    found = re.search(r"^([0-9a-f]+) ([0-9a-f]+) R (icudt(\d+)_dat)$", symbols, re.MULTILINE)
    if not found:
        raise RuntimeError(f"{library} does not look like ICU's data library")
    address, size, symbol, major = int(found[1], 16), int(found[2], 16), found[3], found[4]
    package = f"icudt{major}l"  # l: little-endian, the only kind the bundle targets

    workdir.mkdir(parents=True, exist_ok=True)
    rodata = workdir / "rodata.bin"
    _run("objcopy", "-O", "binary", "--only-section=.rodata", library, rodata)
    start = address - _section_address(library, ".rodata")
    data = workdir / f"{package}.dat"  # icupkg insists the file is named after the package
    data.write_bytes(rodata.read_bytes()[start : start + size])
    rodata.unlink()

    items = _run("icupkg", "-l", data).split()
    unused = [item for item in items if UNUSED_ITEMS.search(item)]
    listing = workdir / "unused.txt"
    listing.write_text("\n".join(unused) + "\n")
    _run("icupkg", "-r", listing, data)

    objects = workdir / "objects"
    objects.mkdir(exist_ok=True)
    entry = symbol.removesuffix("_dat")  # genccode adds it back
    _run("genccode", "-q", "-o", "-m", library, "-e", entry, "-d", objects, data)
    (compiled,) = objects.glob("*.o")
    trimmed = workdir / library.name
    _run("ld", "-shared", "-soname", library.name, "-o", trimmed, compiled)
    return trimmed


def _section_address(library: Path, name: str) -> int:
    for line in _run("readelf", "-S", "-W", library).splitlines():
        fields = line.replace("[ ", "[").split()
        if len(fields) > 3 and fields[1] == name:
            return int(fields[3], 16)
    raise RuntimeError(f"{library} has no {name} section")
