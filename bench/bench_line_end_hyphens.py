"""How well a hyphen at a line end is read: joined, kept, or kept before a conjunction.

PDFium writes U+FFFE where a line ends in a hyphen. Until 2026-12 every one was taken out and the
parts joined, which is right for a word broken across two lines ("gemeenschap-|pelijke") but not
for a hyphen that is part of the written word ("zero-emissiezone", "Zuid-Holland", "wet- en
regelgeving"). ``weerbaar.normalise`` now keeps those by rules of Dutch spelling.

Data: ``eval/afbreking.jsonl``, every U+FFFE in the PDFs of ``../shared`` (213, all in the
Wassenaar and Den Haag documents), each located by file, page and offset in PDFium's text and
read by an independent reader (an AI session that saw only the snippets and a description of
the three labels, not the rules): "samen" (one word), "streepje" (the hyphen stays), "weglating"
(a hyphen left standing before "en"/"of": "wet- en"). Deterministic: one run says it all.

    WEERBAAR_SHARED=../shared .venv/bin/python bench/bench_line_end_hyphens.py
"""

from __future__ import annotations

import argparse
import json
import os
from collections import Counter
from pathlib import Path

import pypdfium2 as pdfium

from weerbaar.normalise import normalise_with_offsets

HERE = Path(__file__).resolve().parent
SHARED = Path(os.environ.get("WEERBAAR_SHARED", HERE.parent.parent / "shared"))
LABELS = HERE.parent / "eval" / "afbreking.jsonl"
KINDS = ("samen", "streepje", "weglating")


def reading(page_text: str, raw_offset: int) -> str:
    """What normalising made of the U+FFFE at ``raw_offset`` of PDFium's page text."""
    normalised, origin = normalise_with_offsets(page_text)
    made = "".join(c for c, at in zip(normalised, origin) if at == raw_offset)
    return {"": "samen", "-": "streepje", "-\n": "weglating"}[made]


def measure(shared: Path) -> dict:
    items = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines()]
    pages: dict[tuple[str, int], str] = {}
    for item in items:
        key = (item["source"], item["page"])
        if key not in pages:
            doc = pdfium.PdfDocument(shared / item["source"])
            try:
                textpage = doc[item["page"] - 1].get_textpage()
                pages[key] = textpage.get_text_range()
            finally:
                doc.close()
        if pages[key][item["raw_offset"]] != "\ufffe":
            raise SystemExit(f"{item['id']}: no U+FFFE at {item['source']} p. {item['page']}; is this the same PDFium?")
        item["read"] = reading(pages[key], item["raw_offset"])
    groups = {"alle": items, "zeker (de lezer twijfelde niet)": [i for i in items if not i["uncertain"]]}
    for item in items:
        groups.setdefault(item["source"].split("/")[1], []).append(item)
    result = {}
    for name, group in groups.items():
        confusion = Counter((i["label"], i["read"]) for i in group)
        result[name] = {
            "n": len(group),
            "accuracy": sum(confusion[(k, k)] for k in KINDS) / len(group),
            "always_join": sum(1 for i in group if i["label"] == "samen") / len(group),
            "kept_but_one_word": confusion[("samen", "streepje")] + confusion[("samen", "weglating")],
            "joined_but_hyphenated": confusion[("streepje", "samen")] + confusion[("weglating", "samen")],
            "confusion": {f"{a} -> {b}": confusion[(a, b)] for a in KINDS for b in KINDS},
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", type=Path, help="write the headline figures here as flat JSON")
    args = parser.parse_args()
    if not LABELS.exists() or not (SHARED / "corpus").is_dir():
        raise SystemExit(f"needs {LABELS} and the PDFs under {SHARED}; set WEERBAAR_SHARED")
    result = measure(SHARED)
    print("| group | hyphens | read right | always joined (before) | kept, but one word | joined, but hyphenated |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, r in result.items():
        print(f"| {name} | {r['n']} | {r['accuracy']:.2f} | {r['always_join']:.2f} | {r['kept_but_one_word']} | "
              f"{r['joined_but_hyphenated']} |")
    if args.json:
        figures = {}
        for name, r in result.items():
            figures[f"{name}: read right (share)"] = r["accuracy"]
            figures[f"{name}: always joined, before (share)"] = r["always_join"]
            figures[f"{name}: kept, but one word (count)"] = r["kept_but_one_word"]
            figures[f"{name}: joined, but hyphenated (count)"] = r["joined_but_hyphenated"]
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
