"""Readers turn one file into page texts. They are chosen by file suffix from one registry.

A reader raises :class:`~weerbaar.errors.UnreadableDocument` with a Dutch reason when a file
cannot give trustworthy text; it never returns garbage.

A reader is given a :data:`Source`: the file's path, or its whole content when ingest has
already read it to hash it. Then the text comes from exactly the bytes that were hashed (a file
rewritten in between cannot pair one version's hash with another's text), and the file is read
from disk once.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from weerbaar.errors import UnreadableDocument
from weerbaar.ingest.readers.archive import DEFAULT_MAX_UNPACKED_MB, check_unpacked_size


@dataclass
class ExtractedDocument:
    format: str
    pages: list[str]  # normalised text per page, page 1 first
    paginated: bool  # False where the format has no real pages (HTML, plain text)
    title: str | None = None
    notes: list[str] = field(default_factory=list)  # warnings worth showing the user


Source = Path | bytes  # the file, or its whole content already read
Reader = Callable[[Source], ExtractedDocument]


def content_of(source: Source) -> bytes:
    """The whole content of ``source``."""
    return source if isinstance(source, bytes) else source.read_bytes()


def file_of(source: Source) -> str | io.BytesIO:
    """``source`` as libraries that open a file by name or take a file object want it."""
    return io.BytesIO(source) if isinstance(source, bytes) else str(source)


@dataclass(frozen=True)
class ReaderSpec:
    format: str
    suffixes: tuple[str, ...]
    read: Reader
    zipped: bool = False  # a zip archive whose unpacked size is checked before reading


@dataclass(frozen=True)
class ReadLimits:
    """Limits that keep one hostile file from taking all memory."""

    max_unpacked_mb: float = DEFAULT_MAX_UNPACKED_MB  # DOCX/ODT: everything in the archive, unpacked


READERS: dict[str, ReaderSpec] = {}


def register(format: str, suffixes: tuple[str, ...], *, zipped: bool = False) -> Callable[[Reader], Reader]:
    def decorate(fn: Reader) -> Reader:
        spec = ReaderSpec(format, suffixes, fn, zipped)
        for suffix in suffixes:
            READERS[suffix] = spec
        return fn

    return decorate


def supported_suffixes() -> list[str]:
    return sorted(READERS)


def reader_for(path: Path) -> ReaderSpec:
    spec = READERS.get(path.suffix.lower())
    if spec is None:
        raise UnreadableDocument(
            "niet-ondersteund",
            f"Bestandstype '{path.suffix or '(geen extensie)'}' wordt niet ondersteund; "
            f"wel: {', '.join(supported_suffixes())}.",
        )
    return spec


def read_document(path: Path, limits: ReadLimits | None = None, content: bytes | None = None) -> ExtractedDocument:
    """The text of ``path`` by the reader for its suffix; from ``content`` when that is the file's content already read."""
    spec = reader_for(path)
    source: Source = content if content is not None else path
    if spec.zipped:
        check_unpacked_size(file_of(source), int((limits or ReadLimits()).max_unpacked_mb * 1024 * 1024))
    return spec.read(source)


# Built-in readers register themselves on import, through the same registry as any addition.
from weerbaar.ingest.readers import docx, html, odt, pdf, text  # noqa: E402,F401
