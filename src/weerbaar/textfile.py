"""Text files in any common encoding, as one string: what the readers, the manifest and CSV files share."""

from __future__ import annotations

from charset_normalizer import from_bytes

from weerbaar.errors import UnreadableDocument


def utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when the bytes look like UTF-16 text without a byte order mark.

    Latin text in UTF-16 has a NUL byte in every character: at odd positions in little-endian,
    at even positions in big-endian. Binary files have NULs scattered over both.
    """
    sample = data[:8192]
    sample = sample[: len(sample) // 2 * 2]
    if len(sample) < 4:
        return None
    half = len(sample) // 2
    even = sample[0::2].count(0) / half
    odd = sample[1::2].count(0) / half
    if odd > 0.3 and even < 0.02:
        return "utf-16-le"
    if even > 0.3 and odd < 0.02:
        return "utf-16-be"
    return None


def decode_bytes(data: bytes) -> str:
    """UTF-8 (or UTF-16, with or without BOM) first, then Windows-1252, then charset-normalizer.

    Windows-1252 (a superset of Latin-1) is what older Dutch government exports use; statistical
    detection alone mistakes short Dutch text for Central-European code pages (ë → ķ).
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    utf16 = utf16_without_bom(data) if b"\x00" in data[:4096] else None
    if utf16:
        try:
            return data[: len(data) // 2 * 2].decode(utf16)
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:4096]:
        raise UnreadableDocument("codering", "Dit lijkt een binair bestand, geen tekst.")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    best = from_bytes(data).best()
    if best is None:
        raise UnreadableDocument(
            "codering",
            "De tekencodering van het bestand is niet te bepalen.",
            hint="Sla het bestand op als UTF-8 en lees het opnieuw in.",
        )
    return str(best)
