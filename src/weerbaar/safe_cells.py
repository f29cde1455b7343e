"""Spreadsheet cells that cannot run (CSV/formula injection, as OWASP describes it).

Excel and LibreOffice read text that begins with = + - @ (or a tab or carriage return) as a
formula. In CSV such a value gets an apostrophe in front, which spreadsheets take as "this is
text"; ``csv_restore`` undoes that when weerbaar reads its own CSV back. In XLSX the cell is
written with the string type, so the text stays verbatim and is never evaluated.
"""

from __future__ import annotations

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> object:
    """The value to write into a CSV cell: formula-like text gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_restore(value: str) -> str:
    """The inverse of :func:`csv_safe`, for reading weerbaar's own CSV exports back."""
    if value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def xlsx_safe(cell) -> None:
    """Make an openpyxl cell that holds formula-like text a plain string cell (never evaluated)."""
    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_PREFIXES):
        cell.data_type = "s"
