"""Domain exceptions.

The core raises these with a Dutch message meant for the user; the CLI and the web app
turn them into output. Each carries a short machine-readable ``code``.
"""

from __future__ import annotations


class WeerbaarError(Exception):
    """Base class: a problem the user can act on (not a bug)."""

    code = "fout"

    def __init__(self, message: str, *, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


class WorkspaceError(WeerbaarError):
    code = "werkruimte"


class CodebookError(WeerbaarError):
    code = "codeboek"


class ManifestError(WeerbaarError):
    code = "manifest"


class QueryError(WeerbaarError):
    code = "zoekvraag"


class UnreadableDocument(WeerbaarError):
    """A file that cannot become trustworthy page text; ingest skips it and says why.

    ``code`` is one of the reasons in :data:`SKIP_REASONS`.
    """

    def __init__(self, code: str, message: str, *, hint: str | None = None):
        super().__init__(message, hint=hint)
        if code not in SKIP_REASONS:
            raise ValueError(f"unknown skip reason {code!r}")
        self.code = code


#: Reasons a file is refused, with a short Dutch label for summaries.
SKIP_REASONS = {
    "niet-ondersteund": "bestandstype niet ondersteund",
    "te-groot": "bestand te groot",
    "beschadigd": "beschadigd of onleesbaar bestand",
    "versleuteld": "beveiligd met een wachtwoord",
    "gescand": "gescand: geen tekstlaag",
    "onleesbare-tekstlaag": "tekstlaag onleesbaar (tekencodes)",
    "leeg": "leeg: geen tekst",
    "codering": "tekencodering onbekend",
    "dubbel": "zelfde inhoud als een ander bestand",
    "ontoegankelijk": "niet te openen (rechten, snelkoppeling, geen gewoon bestand)",
    "bestandsnaam": "bestandsnaam niet in UTF-8",
}
