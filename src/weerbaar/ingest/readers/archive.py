"""Zip bombs: DOCX and ODT are zip archives, and their XML is parsed whole into memory.

A 0.75 MB file can hold 200 MB of XML, which a DOM parser turns into gigabytes. Before a
reader opens an archive we check the sizes its members declare and then count the bytes they
really unpack to (streaming, a megabyte at a time, so a lying header cannot slip through),
and refuse the file when the total exceeds the limit.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import IO

from weerbaar.errors import UnreadableDocument

#: Default limit on the unpacked size of a DOCX/ODT, in MB (``ingest --max-uitgepakt-mb``).
DEFAULT_MAX_UNPACKED_MB = 100
MAX_MEMBERS = 10_000
_CHUNK = 1 << 20


def _too_big(total: int, limit: int, *, exact: bool) -> UnreadableDocument:
    return UnreadableDocument(
        "te-groot",
        f"Uitgepakt is het bestand {'' if exact else 'meer dan '}{total / 1024 / 1024:.0f} MB (een 'zip-bom'?); "
        f"de grens is {limit / 1024 / 1024:.0f} MB.",
        hint="Verhoog de grens met --max-uitgepakt-mb als het bestand echt zo groot is.",
    )


def check_unpacked_size(file: str | Path | IO[bytes], limit_bytes: int) -> None:
    """Raise :class:`UnreadableDocument` when the archive (a file name or file object) unpacks to more than ``limit_bytes``."""
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                raise UnreadableDocument(
                    "beschadigd", f"Het archief bevat {len(members)} onderdelen; meer dan {MAX_MEMBERS} is verdacht.")
            declared = sum(m.file_size for m in members)
            if declared > limit_bytes:
                raise _too_big(declared, limit_bytes, exact=True)
            total = 0
            for member in members:
                with archive.open(member) as fh:
                    while block := fh.read(_CHUNK):
                        total += len(block)
                        if total > limit_bytes:
                            raise _too_big(total, limit_bytes, exact=False)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, ValueError,
            RuntimeError) as exc:
        raise UnreadableDocument("beschadigd", f"Het bestand is geen geldig zip-archief ({exc}).") from exc
