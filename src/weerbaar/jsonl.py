"""JSON Lines that survive any text: one record per ``\\n``, never per Unicode line break.

``str.splitlines`` also breaks at U+2028, U+2029, U+0085 and a few control characters, and
``json.dumps(..., ensure_ascii=False)`` leaves U+2028/U+2029/U+0085 raw inside strings; together
they cut a record with such a character in two. So :func:`dumps` escapes those three (the rest of
the text stays readable UTF-8) and :func:`read_lines` splits on ``\\n`` only, accepts a UTF-8 BOM
and ``\\r\\n`` endings, and decodes each line on its own, so one bad line does not spoil the rest.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass

_ESCAPES = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"})


class JsonLineError(ValueError):
    """A line that is not one valid JSON value; ``reason`` is Dutch, without file or line."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def dumps(value) -> str:
    """One JSON line (without the newline): UTF-8 readable, line separators escaped, no NaN."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False).translate(_ESCAPES)


@dataclass
class Line:
    number: int  # 1-based, as an editor shows it
    text: str | None  # None when the bytes are not UTF-8
    error: str | None = None


def read_lines(data: bytes) -> Iterator[Line]:
    """The lines of a JSONL file, split on ``\\n`` only; blank lines are left out."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for number, raw in enumerate(data.split(b"\n"), 1):
        raw = raw.removesuffix(b"\r")
        if not raw.strip():
            continue
        try:
            yield Line(number, raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            yield Line(number, None, f"geen geldige UTF-8 (byte {exc.start + 1} van de regel)")


def _refuse_constant(name: str):
    raise JsonLineError(f"{name} is geen geldig getal in JSON")


def _check_values(value) -> None:
    """Refuse strings that cannot be stored or written as UTF-8 (lone surrogates from ``\\ud800``)
    and numbers that overflow to infinity (``1e999``). Iterative: nesting depth costs no stack."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            try:
                v.encode("utf-8")
            except UnicodeEncodeError:
                raise JsonLineError("bevat een ongeldig teken (een losse surrogaat zoals \\ud800)") from None
        elif isinstance(v, float) and not math.isfinite(v):
            raise JsonLineError("bevat een getal dat te groot is")
        elif isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)


def loads(text: str):
    """Parse one line strictly: no NaN/Infinity, no lone surrogates, bounded nesting."""
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise JsonLineError(f"geen geldige JSON ({exc.msg}, teken {exc.pos + 1})") from None
    except JsonLineError:
        raise
    except ValueError:  # an integer of more than 4,300 digits
        raise JsonLineError("geen geldige JSON (een getal met te veel cijfers)") from None
    except RecursionError:
        raise JsonLineError("geen geldige JSON (te diep genest)") from None
    _check_values(value)
    return value
