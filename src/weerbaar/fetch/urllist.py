"""A CSV of URLs with optional metadata columns (the same Dutch names as the manifest)."""

from __future__ import annotations

from pathlib import Path

from weerbaar.csvfile import dict_reader
from weerbaar.errors import WeerbaarError
from weerbaar.fetch.pipeline import Candidate
from weerbaar.ingest.metadata import DocumentMeta

COLUMNS = {"url": "url", "organisatie": "organisation", "organisatietype": "organisation_type",
           "documenttype": "doc_type", "jaar": None, "datum": "date", "titel": "title"}


def read_url_list(path: Path) -> list[Candidate]:
    reader = dict_reader(path)
    fields = {f.strip().lower() for f in reader.fieldnames or []}
    if "url" not in fields:
        raise WeerbaarError(f"{path.name}: kolom 'url' ontbreekt.", hint="Eerste regel: url;organisatie;documenttype;…")
    unknown = sorted(fields - set(COLUMNS))
    if unknown:
        raise WeerbaarError(f"{path.name}: onbekende kolom(men) {', '.join(unknown)}.",
                            hint=f"Toegestaan: {', '.join(COLUMNS)}.")
    out = []
    for row in reader:
        row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
        if not row.get("url"):
            continue
        if not row["url"].startswith(("http://", "https://")):
            raise WeerbaarError(f"{path.name}, regel {reader.line_num}: '{row['url']}' is geen http(s)-adres.")
        probe = DocumentMeta()
        for column, name in (("organisatietype", "organisation_type"), ("documenttype", "doc_type"),
                             ("jaar", "year"), ("datum", "date")):
            try:
                probe.set(name, row.get(column) or None, "lijst")
            except ValueError as exc:
                raise WeerbaarError(f"{path.name}, regel {reader.line_num}: {exc}.") from None
        out.append(Candidate(
            url=row["url"], source="lijst", source_id=row["url"], organisation=row.get("organisatie") or None,
            organisation_type=probe.organisation_type if row.get("organisatietype") else None,
            title=row.get("titel") or None, date=probe.date, year=probe.year if row.get("jaar") else None,
            doc_type=probe.doc_type if row.get("documenttype") else None))
    return out


def probe(http, candidates: list[Candidate]) -> tuple[bool, str]:
    """Does every address in the list answer (200), without downloading the files?"""
    from weerbaar.fetch.http import FetchError

    if not candidates:
        return False, "De lijst bevat geen adressen."
    failed = []
    for c in candidates:
        try:
            status = http.check(c.url)
            if status != 200:
                failed.append(f"{c.url}: antwoordt met {status}")
        except FetchError as exc:
            failed.append(f"{c.url}: {exc.message}")
    if failed:
        return False, (f"{len(failed)} van de {len(candidates)} adressen zijn niet op te halen:\n  "
                       + "\n  ".join(failed))
    return True, f"Alle {len(candidates)} adressen antwoorden."
