"""Reading CSV files that people make in Excel: any common encoding, comma, semicolon or tab."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from weerbaar.ingest.readers.text import decode_bytes


def dict_reader(path: Path) -> csv.DictReader:
    """A DictReader over the file; ``reader.line_num`` gives the line for error messages."""
    text = decode_bytes(path.read_bytes())
    try:
        delimiter = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t").delimiter
    except csv.Error:  # a single column has no delimiter to find
        delimiter = ","
    # Only the delimiter is sniffed: quoting guessed from a header line alone is unreliable.
    return csv.DictReader(io.StringIO(text), delimiter=delimiter)
