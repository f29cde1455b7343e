"""Render the demo corpus (demo/bron/*.md) into PDF, DOCX, HTML and Markdown files.

Developer tool, not part of the installed package: the rendered files are committed in
src/weerbaar/demo/documenten/. Run after editing a source text:

    .venv/bin/python demo/build.py

Source format: a front matter block (bestand, titel), then Markdown-like text where '#' lines
are headings, '- ' and '1. ' lines list items, and a line '===' starts a new page.
Needs fpdf2 (dev extra) and the DejaVu fonts (Debian: fonts-dejavu-core).
"""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil
from pathlib import Path

import docx
from fpdf import FPDF

HERE = Path(__file__).parent
SOURCE = HERE / "bron"
TARGET = HERE.parent / "src" / "weerbaar" / "demo" / "documenten"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FIXED_DATE = dt.datetime(2025, 6, 1, tzinfo=dt.timezone.utc)


def parse(path: Path) -> tuple[dict, list[list[str]]]:
    text = path.read_text("utf-8")
    _, front, body = text.split("---\n", 2)
    meta = dict(line.split(": ", 1) for line in front.strip().splitlines())
    pages = [[line.rstrip() for line in page.strip().splitlines()] for page in re.split(r"^===$", body, flags=re.M)]
    return meta, pages


def blocks(lines: list[str]):
    """(kind, text): kind is h1/h2/h3, li, ol or p; consecutive text lines form one paragraph."""
    para: list[str] = []
    for line in lines + [""]:
        kind = None
        if line.startswith("### "):
            kind, text = "h3", line[4:]
        elif line.startswith("## "):
            kind, text = "h2", line[3:]
        elif line.startswith("# "):
            kind, text = "h1", line[2:]
        elif line.startswith("- "):
            kind, text = "li", line[2:]
        elif re.match(r"\d+\. ", line):
            kind, text = "ol", line
        if kind or not line.strip():
            if para:
                yield "p", " ".join(para)
                para = []
            if kind:
                yield kind, text
        else:
            para.append(line.strip())


class _DemoPDF(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("DejaVu", "", 8)
        self.cell(0, 5, f"{self.footer_text} — pagina {self.page_no()}", align="C")


def render_pdf(meta: dict, pages: list[list[str]], target: Path) -> None:
    pdf = _DemoPDF(format="A4")
    pdf.footer_text = meta["titel"]
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_title(meta["titel"])
    pdf.set_author("weerbaar demo (fictief)")
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(22, 20, 22)
    pdf.set_auto_page_break(True, margin=22)
    sizes = {"h1": 20, "h2": 14, "h3": 12}
    for lines in pages:
        pdf.add_page()
        for kind, text in blocks(lines):
            if kind in sizes:
                pdf.set_font("DejaVu", "B", sizes[kind])
                pdf.ln(3)
                pdf.multi_cell(0, sizes[kind] * 0.55, text)
                pdf.ln(1)
            else:
                pdf.set_font("DejaVu", "", 10.5)
                bullet = "•  " if kind == "li" else ""
                pdf.multi_cell(0, 5.6, bullet + text)
                pdf.ln(1.5 if kind in ("li", "ol") else 3)
    pdf.output(str(target))


def render_docx(meta: dict, pages: list[list[str]], target: Path) -> None:
    document = docx.Document()
    document.core_properties.title = meta["titel"]
    document.core_properties.author = "weerbaar demo (fictief)"
    document.core_properties.created = FIXED_DATE.replace(tzinfo=None)
    document.core_properties.modified = FIXED_DATE.replace(tzinfo=None)
    for number, lines in enumerate(pages):
        if number:
            document.add_page_break()
        for kind, text in blocks(lines):
            if kind in ("h1", "h2", "h3"):
                document.add_heading(text, level=int(kind[1]))
            elif kind == "li":
                document.add_paragraph(text, style="List Bullet")
            else:
                document.add_paragraph(text)
    document.save(str(target))


def render_html(meta: dict, pages: list[list[str]], target: Path) -> None:
    body = []
    open_list = False
    for kind, text in blocks([line for page in pages for line in page]):
        if kind in ("li", "ol") and not open_list:
            body.append("<ul>" if kind == "li" else "<ol>")
            open_list = kind
        elif kind not in ("li", "ol") and open_list:
            body.append("</ul>" if open_list == "li" else "</ol>")
            open_list = False
        esc = html.escape(text)
        if kind in ("h1", "h2", "h3"):
            body.append(f"<{kind}>{esc}</{kind}>")
        elif kind == "ol":
            body.append(f"<li>{html.escape(text.split('. ', 1)[1])}</li>")
        elif kind == "li":
            body.append(f"<li>{esc}</li>")
        else:
            body.append(f"<p>{esc}</p>")
    if open_list:
        body.append("</ul>" if open_list == "li" else "</ol>")
    page = f"""<!DOCTYPE html>
<html lang="nl">
<head><meta charset="utf-8"><title>{html.escape(meta['titel'])}</title>
<script>window.dataLayer = []; function track() {{ return 'analytics'; }}</script>
<style>body {{ font-family: sans-serif; }}</style></head>
<body>
<header><a href="/">Home</a> <a href="/bestuur">Bestuur en organisatie</a> <a href="/contact">Contact</a></header>
<nav aria-label="Kruimelpad"><a href="/">Home</a> › <a href="/raad">Gemeenteraad</a> › Raadsvoorstellen</nav>
<main>
{chr(10).join(body)}
</main>
<aside><h2>Ook interessant</h2><p>Afvalkalender, parkeervergunning aanvragen, openingstijden.</p></aside>
<footer>Cookies · Privacyverklaring · Toegankelijkheid</footer>
</body>
</html>
"""
    target.write_text(page, "utf-8")


def render_markdown(meta: dict, pages: list[list[str]], target: Path) -> None:
    target.write_text("\f".join("\n".join(lines) for lines in pages) + "\n", "utf-8")


RENDERERS = {".pdf": render_pdf, ".docx": render_docx, ".html": render_html, ".md": render_markdown}


def main() -> None:
    if TARGET.exists():
        shutil.rmtree(TARGET)
    TARGET.mkdir(parents=True)
    for source in sorted(SOURCE.glob("*.md")):
        meta, pages = parse(source)
        target = TARGET / meta["bestand"]
        RENDERERS[target.suffix](meta, pages, target)
        print(f"{source.name} → {target.relative_to(HERE.parent)}")
    shutil.copy(SOURCE / "manifest.csv", TARGET / "manifest.csv")


if __name__ == "__main__":
    main()
