"""Codebook cues as regular expressions that cannot hang a run.

Cues are written by people, and a cue such as ``(a|aa)+b`` backtracks exponentially on an
unlucky passage. We compile cues with the ``regex`` package, which gives up after a time limit,
and screen every cue when the codebook is loaded against probe texts built from its own letters
(``aaaa…`` for the cue above), so a dangerous cue is refused with its name before any analysis
starts. A cue that still runs out of time on a real passage stops the run with a Dutch error
naming that cue, instead of hanging.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import regex

from weerbaar.errors import CodebookError

#: Seconds one search of one passage may take (a normal cue needs microseconds).
MATCH_TIMEOUT = 0.5
#: Seconds one cue may take on one probe text when the codebook is loaded.
PROBE_TIMEOUT = 0.2
_FLAGS = regex.IGNORECASE | regex.VERSION0


def _too_slow(cue: str) -> CodebookError:
    return CodebookError(
        f"Stadiumcue '{cue}' kost te veel rekentijd (een patroon dat eindeloos terugzoekt).",
        hint="Vereenvoudig het patroon in het codeboek, bijvoorbeeld (a|aa)+ als a+; "
        "zie docs/codeboek.md.",
    )


def _probes(cue: str) -> list[str]:
    """Texts that make backtracking patterns explode: runs of the cue's own characters."""
    chars = sorted({c for c in cue.lower() if c.isalnum() or c in " -."})
    probes = [c * 60 + "!" for c in chars]
    probes += ["".join(chars) * 20 + "!", "woord " * 60 + "!", "a" * 2000]
    return probes


def check_cue(cue: str) -> None:
    """Raise :class:`CodebookError` naming ``cue`` when it does not compile or backtracks badly."""
    try:
        pattern = regex.compile(cue, _FLAGS)
    except regex.error as exc:
        raise CodebookError(f"Stadiumcue '{cue}' is geen geldige reguliere expressie ({exc}).") from None
    for probe in _probes(cue):
        try:
            for _ in pattern.finditer(probe, timeout=PROBE_TIMEOUT):
                pass
        except TimeoutError:
            raise _too_slow(cue) from None


class CuePattern:
    """The cues of one stage as one case-insensitive alternation, searched with a time limit."""

    def __init__(self, cues: Sequence[str]):
        self.cues = list(cues)
        self._pattern = regex.compile("|".join(f"(?:{c})" for c in self.cues), _FLAGS)

    def finditer(self, text: str) -> Iterator[regex.Match]:
        """Matches in ``text``; raises :class:`CodebookError` naming the cue that ran out of time."""
        try:
            matches = list(self._pattern.finditer(text, timeout=MATCH_TIMEOUT))
        except TimeoutError:
            raise _too_slow(self._culprit(text)) from None
        return iter(matches)

    def _culprit(self, text: str) -> str:
        for cue in self.cues:
            try:
                for _ in regex.finditer(cue, text, _FLAGS, timeout=MATCH_TIMEOUT):
                    pass
            except TimeoutError:
                return cue
        return " | ".join(self.cues)
