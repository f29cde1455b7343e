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
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:  # a single column has no delimiter to find
        dialect = csv.excel
    return csv.DictReader(io.StringIO(text), dialect=dialect)
