"""The one JSON contract of every ``--json`` output: English keys, Dutch values, a schema version.

Every command's JSON is built here, so that the contract lives in one module next to its schemas
(``weerbaar/schemas/<name>.json``, JSON Schema draft 2020-12, described in docs/json.md):

- each output is one object with ``schema_version`` and its payload under an English key
  (``classificeer`` writes JSON Lines: every line is such an object);
- keys are English and the same everywhere (``document_type``, ``file``, ``page``); values and
  labels stay Dutch as the interface shows them (``"status": "nieuw"``, ``"stage_label": "uitvoering"``);
- a quote at its place is always a ``citation`` in the form of
  :meth:`weerbaar.workspace.records.Citation.to_json`.

``SCHEMA_VERSION`` goes up when a key is renamed or removed or its meaning changes; new keys do not
bump it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict
from typing import Any

SCHEMA_VERSION = 1

#: Store column names that the JSON contract spells as in :class:`Citation`.
_RENAMED = {"doc_type": "document_type", "filename": "file", "page_no": "page"}


def envelope(**payload: Any) -> dict[str, Any]:
    """A top-level output: its schema version, then the payload."""
    return {"schema_version": SCHEMA_VERSION, **payload}


def _renamed(row: Mapping[str, Any]) -> dict[str, Any]:
    return {_RENAMED.get(k, k): v for k, v in row.items()}


def _citation(x: Any) -> dict[str, Any]:
    """The citation of a hit, ranked passage or piece of evidence, in its one JSON form."""
    return x.citation.to_json()


# --- documents and ingest ------------------------------------------------------------------------

def document_json(doc: Mapping[str, Any]) -> dict[str, Any]:
    row = _renamed(doc)
    row["metadata_source"] = _renamed(row.get("metadata_source") or {})
    return row


def documents_json(docs: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    return envelope(documents=[document_json(d) for d in docs])


def skipped_files_json(rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    return envelope(skipped_files=[{"path": r["path"], "reason": r["reason"], "message": r["message"],
                                    "attempted_at": r["attempted_at"]} for r in rows])


#: Ingest statuses (Dutch values) and the English keys they are counted under.
INGEST_COUNTS = {"nieuw": "new", "gewijzigd": "changed", "ongewijzigd": "unchanged", "verplaatst": "moved",
                 "overgeslagen": "skipped"}


def ingest_json(report) -> dict[str, Any]:
    return envelope(
        counts={key: report.count(status) for status, key in INGEST_COUNTS.items()},
        pages=report.pages,
        passages=report.passages,
        files=[{"file": o.display, "status": o.status, "document_id": o.document_id, "pages": o.pages,
                "passages": o.passages, "reason": o.reason, "message": o.message, "notes": list(o.notes)}
               for o in report.outcomes],
    )


FETCH_COUNTS = {"nieuw": "new", "gewijzigd": "changed", "ongewijzigd": "unchanged", "fout": "failed"}


def fetch_json(report) -> dict[str, Any]:
    return envelope(
        counts={key: report.count(status) for status, key in FETCH_COUNTS.items()},
        items=[{"url": i.candidate.url, "status": i.status, "message": i.message, "title": i.candidate.title,
                "organisation": i.candidate.organisation, "document_id": i.document_id} for i in report.items],
    )


# --- search and evidence -------------------------------------------------------------------------

def hit_json(hit) -> dict[str, Any]:
    snippet, spans = hit.snippet()
    return {"citation": _citation(hit), "organisation_type": hit.organisation_type, "score": round(hit.score, 4),
            "snippet": snippet, "highlights": [list(s) for s in spans]}


def search_json(query: str, hits: Iterable) -> dict[str, Any]:
    return envelope(query=query, hits=[hit_json(h) for h in hits])


def ranked_json(r, stage_label: Callable[[int], str]) -> dict[str, Any]:
    return {"citation": _citation(r), "measure_id": r.measure_id, "score": round(r.score, 4),
            "above_threshold": r.above_threshold, "stage": r.stage, "stage_label": stage_label(r.stage),
            "stage_cue": r.stage_cue, "elements_found": r.elements_found, "elements_missing": r.elements_missing,
            "vulnerable_terms": r.vulnerable_terms}


def passages_json(measure, ranked: Iterable, stage_label: Callable[[int], str]) -> dict[str, Any]:
    return envelope(measure={"id": measure.id, "label": measure.label},
                    passages=[ranked_json(r, stage_label) for r in ranked])


def analysis_json(report, suggested: int) -> dict[str, Any]:
    return envelope(run_id=report.run_id, analysed=report.analysed, embedded=report.embedded,
                    lexical_only=report.lexical_only,
                    already_analysed=report.skipped, suggestions_above_threshold=suggested,
                    model=report.config.model, model_choice=report.model_choice, threshold=report.config.threshold)


def classified_json(result: Mapping[str, Any], stage_label: Callable[[int], str]) -> dict[str, Any]:
    """One line of ``classificeer``: the classifier's result (or its error) for one input line."""
    line = envelope(**result)
    if "stage" in result:
        line["stage_label"] = stage_label(result["stage"])
    return line


def measures_json(book, pillars: Iterable, crucial_only: bool) -> dict[str, Any]:
    return envelope(
        codebook=book.name, version=book.version,
        measures=[{"pillar": p.id, "pillar_name": p.name, **m.model_dump()}
                  for p in pillars for m in p.measures if m.crucial or not crucial_only],
    )


# --- verdicts --------------------------------------------------------------------------------------

def evidence_json(e, *, stage_label: Callable[[int], str]) -> dict[str, Any]:
    return {"citation": _citation(e), "stage": e.stage, "stage_label": stage_label(e.stage),
            "stage_cue": e.cue, "elements": e.elements, "validated": e.validated, "reviewers": e.reviewers,
            "vulnerable_terms": e.vulnerable_terms, "quote": e.quote}


def verdict_json(v, *, coverage: str, stage_label: Callable[[int], str]) -> dict[str, Any]:
    return {"organisation": v.organisation, "measure_id": v.measure_id, "level": v.level, "provisional": v.provisional,
            "rule": v.rule, "reason": v.reason, "searched": v.searched, "reviewed": v.reviewed,
            "elements_found": v.elements_found, "elements_missing": v.elements_missing,
            "first_mention": v.first_mention, "first_plan": v.first_plan, "first_execution": v.first_execution,
            "vulnerable": v.vulnerable, "measure_coverage": coverage,
            "evidence": [evidence_json(e, stage_label=stage_label)
                         for e in v.evidence]}


def verdicts_json(verdicts: Iterable, *, include_suggestions: bool, coverage: Mapping[str, str],
                  stage_label: Callable[[int], str]) -> dict[str, Any]:
    return envelope(include_suggestions=include_suggestions,
                    verdicts=[verdict_json(v, coverage=coverage[v.measure_id], stage_label=stage_label)
                              for v in verdicts])


def changes_json(changes: Iterable) -> dict[str, Any]:
    return envelope(changes=[asdict(c) for c in changes])


# --- review and evaluation -------------------------------------------------------------------------

def agreement_json(rows: Iterable, open_conflicts: int) -> dict[str, Any]:
    return envelope(agreement=[asdict(r) for r in rows], open_conflicts=open_conflicts)


def accounts_json(accounts: Iterable) -> dict[str, Any]:
    return envelope(accounts=[{"name": a.name, "role": a.role, "created_at": a.created_at} for a in accounts])


def evaluation_json(labelled_set: str, passages: int, results: Iterable) -> dict[str, Any]:
    groups = []
    for r in results:
        group = r.as_dict()
        group["subject_baseline_own"] = group.pop("subject_baseline_eigen", None)
        groups.append(group)
    return envelope(set=labelled_set, passages=passages, groups=groups)
