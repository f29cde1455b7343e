"""A hostile-input corpus for ingest, generated on the spot (nothing of it is checked in).

Each maker writes one kind of trouble into a folder and returns the path it made: odd names,
links that lead nowhere or in circles, pipes, encodings without a byte order mark, deep
nesting, zip bombs, text without line breaks, YAML that expands to billions of values.
"""

from __future__ import annotations

import os
import struct
import zipfile
from pathlib import Path

from tests.conftest import PROSE, write_docx, write_odt

SENTENCE = "De gemeente Testdorp oefent de crisisorganisatie elk jaar met de veiligheidsregio. "


def good_text(folder: Path, name: str = "goed.txt") -> Path:
    path = folder / name
    path.write_text(f"Notitie {name}.\n\n" + "\n\n".join(PROSE), "utf-8")  # the name keeps contents apart
    return path


def non_utf8_name(folder: Path) -> Path:
    raw = os.path.join(os.fsencode(folder), b"caf\xe9-notitie.txt")
    with open(raw, "wb") as fh:
        fh.write(PROSE[0].encode("utf-8"))
    return Path(os.fsdecode(raw))


def dangling_link(folder: Path) -> Path:
    path = folder / "kapot.txt"
    path.symlink_to(folder / "bestaat-niet.txt")
    return path


def link_loop(folder: Path) -> tuple[Path, Path]:
    a, b = folder / "lus-a.txt", folder / "lus-b.txt"
    a.symlink_to(b.name)
    b.symlink_to(a.name)
    return a, b


def fifo(folder: Path) -> Path:
    path = folder / "pijp.txt"
    os.mkfifo(path)
    return path


def too_long_folder(folder: Path) -> Path:
    """A folder whose absolute path is longer than PATH_MAX: nobody, not even root, can list it
    by its path, so it stands in for a folder without read permission."""
    fd = os.open(folder, os.O_RDONLY)
    name = "m" * 250
    depth = 4096 // 251 + 2
    try:
        for _ in range(depth):
            os.mkdir(name, dir_fd=fd)
            new = os.open(name, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = new
        with open(os.open("verborgen.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "w") as fh:
            fh.write(PROSE[1])
    finally:
        os.close(fd)
    return folder / name


def utf16_without_bom(folder: Path, endian: str = "le") -> Path:
    path = folder / f"utf16-{endian}.txt"
    path.write_bytes(("\n\n".join(PROSE) + "\nÉén crisisplan, geëvalueerd.").encode(f"utf-16-{endian}"))
    return path


def deep_html(folder: Path, depth: int = 1000) -> Path:
    path = folder / f"diep-{depth}.html"
    path.write_text("<html><body>" + "<div>" * depth + f"<p>{PROSE[0]}</p>" + "</div>" * depth + "</body></html>",
                    "utf-8")
    return path


def one_line_text(folder: Path, chars: int = 2_000_000) -> Path:
    """A text file without a single line break: once one 'page' and a title of megabytes."""
    path = folder / "bundel-zonder-regels.txt"
    path.write_text((SENTENCE * (chars // len(SENTENCE) + 1))[:chars], "utf-8")
    return path


def dot_leader_text(folder: Path, dots: int = 300_000) -> Path:
    """Prose, then a dot leader of ``dots`` full stops without a space into a page number: every
    position of such a run was once tried again as a sentence end (quadratic in its length)."""
    path = folder / "inhoudsopgave-zonder-spaties.txt"
    path.write_text(SENTENCE * 3 + "Inhoud" + "." * dots + "12\n", "utf-8")
    return path


def _inflate_member(src: Path, dest: Path, member: str, padding_bytes: int, marker: bytes) -> Path:
    """Copy an archive, padding ``member`` with white space after ``marker`` (valid XML stays valid)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == member:
                head, tail = data.split(marker, 1)
                with zout.open(item.filename, "w", force_zip64=True) as fh:
                    fh.write(head + marker)
                    block = b" " * (1 << 20)
                    for _ in range(padding_bytes >> 20):
                        fh.write(block)
                    fh.write(tail)
            else:
                zout.writestr(item, data)
    return dest


def docx_bomb(folder: Path, unpacked_mb: int) -> Path:
    """A small DOCX whose document.xml unpacks to ``unpacked_mb`` MB."""
    plain = write_docx(folder / "_klein.docx", [[PROSE[0]]])
    bomb = _inflate_member(plain, folder / "bom.docx", "word/document.xml", unpacked_mb << 20, b"<w:body>")
    plain.unlink()
    return bomb


def odt_bomb(folder: Path, unpacked_mb: int) -> Path:
    plain = write_odt(folder / "_klein.odt", [[PROSE[0]]])
    bomb = _inflate_member(plain, folder / "bom.odt", "content.xml", unpacked_mb << 20, b"<office:text>")
    plain.unlink()
    return bomb


def lying_zip_sizes(archive: Path) -> Path:
    """Rewrite every member's declared uncompressed size to 100 bytes, in both headers."""
    data = bytearray(archive.read_bytes())
    pos = 0
    while (pos := data.find(b"PK\x03\x04", pos)) != -1:
        struct.pack_into("<I", data, pos + 22, 100)
        pos += 4
    pos = 0
    while (pos := data.find(b"PK\x01\x02", pos)) != -1:
        struct.pack_into("<I", data, pos + 24, 100)
        pos += 4
    archive.write_bytes(bytes(data))
    return archive


def yaml_bomb(levels: int = 9) -> str:
    """The 'billion laughs' in YAML: under 1 KB, 9**9 values when expanded."""
    lines = ['a0: &a0 ["ha","ha","ha","ha","ha","ha","ha","ha","ha"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"
