"""Reading CSV files that people make in Excel: any common encoding, comma, semicolon or tab."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from weerbaar.errors import UnreadableDocument
from weerbaar.textfile import decode_bytes


def raise_field_limit(characters: int) -> None:
    """Let the csv module read fields of this many characters (its default stops at 131,072).
    The limit is process-wide, so it is only ever raised."""
    if csv.field_size_limit() < characters:
        csv.field_size_limit(characters)


def dict_reader(path: Path, *, field_limit: int | None = None) -> csv.DictReader:
    """A DictReader over the file; ``reader.line_num`` gives the line for error messages.

    ``field_limit``: the longest field (in characters) the caller's own files can hold."""
    try:
        text = decode_bytes(path.read_bytes())
    except UnreadableDocument as exc:  # the reader's message does not know the file's name
        raise UnreadableDocument(exc.code, f"{path.name}: {exc.message}", hint=exc.hint) from None
    if field_limit:
        raise_field_limit(field_limit)
    try:
        delimiter = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t").delimiter
    except csv.Error:  # a single column has no delimiter to find
        delimiter = ","
    # Only the delimiter is sniffed: quoting guessed from a header line alone is unreliable.
    return csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
