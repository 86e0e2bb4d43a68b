"""Text: trim, line breaks and tabs inside become one space, control characters are invalid."""
from __future__ import annotations

import re

from alphaimport.normalise.base import EMPTY, WHITESPACE, Invalid, Normalised, Normaliser, shown, trim

# Line breaks and tabs (CR, LF, tab, VT, FF, NEL, LINE/PARAGRAPH SEPARATOR); a run of them, with the
# spaces around it, becomes one space.
BREAKS = "\r\n\t\x0b\x0c\x85\u2028\u2029"
_BREAK_RUN = re.compile(f"[ {BREAKS}]*[{BREAKS}][ {BREAKS}]*")
# What cannot be delivered: C0 controls, DEL, C1 controls, lone surrogates (not encodable as UTF-8) and
# the noncharacters U+FFFE/U+FFFF (XML 1.0 forbids them: no XML, XLSX or ODS file could hold the record);
# the line breaks among them were replaced before this is searched.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_NAMES = {0: "NUL", 0x1b: "ESC", 0x7f: "DEL"}


def _class(chars: str) -> str:
    """A regex character class of ``chars`` that Python's re and RE2 (pyarrow) read alike."""
    return "[" + "".join(f"\\x{ord(c):02x}" if ord(c) < 0x80 else c for c in chars) + "]"


def _controls(surrogates: bool) -> str:
    ranges = "\\x00-\\x1f\\x7f\x80-\x9f\ufffe\uffff"
    return f"[{ranges}\ud800-\udfff]" if surrogates else f"[{ranges}]"


def needs_work_pattern(surrogates: bool = True) -> str:
    """Return a regex that matches every value :func:`make`'s normaliser could change or reject.

    A value it does not match is returned unchanged, so the stage can skip it without a call. Pass
    ``surrogates=False`` for pyarrow strings, which cannot hold (or search for) lone surrogates.
    """
    space = _class(WHITESPACE)
    return f"^{space}|{space}$|" + inner_work_pattern(surrogates)


def inner_work_pattern(surrogates: bool = True) -> str:
    """The part of :func:`needs_work_pattern` without anchors: line breaks and characters that cannot be
    delivered. (pandas hands a pattern with ``$`` to Python's re, one value at a time, whenever a value
    holds a newline; white space at the ends is found by a trim instead.)"""
    return f"{_class(BREAKS)}|{_controls(surrogates)}"


def normalise_text(text: str) -> Normalised:
    """Return ``text`` trimmed, each run of line breaks and tabs one space; control characters raise."""
    value = trim(text)
    if not value:
        return EMPTY
    bad = _CONTROL.search(value)
    if bad:
        point = ord(bad.group())
        position = len(text) - len(text.lstrip(WHITESPACE)) + bad.start() + 1
        if 0xD800 <= point <= 0xDFFF:
            what = f"a lone surrogate U+{point:04X} (not writable as UTF-8)"
        elif point in (0xFFFE, 0xFFFF):
            what = f"the noncharacter U+{point:04X} (not allowed in XML, XLSX or ODS)"
        else:
            name = _NAMES.get(point)
            what = f"the control character U+{point:04X}" + (f" ({name})" if name else "")
        raise Invalid("invalid-text", f"{shown(text)} contains {what} at position {position}; "
                                      "remove it from the source.")
    if any(c in value for c in BREAKS):
        value = _BREAK_RUN.sub(" ", value)
    return Normalised(value)


def make() -> Normaliser:
    """Return the text normaliser."""
    return normalise_text
