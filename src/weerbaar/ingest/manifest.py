"""Manifests: a CSV or YAML file beside the documents that states their metadata.

Looked for in each folder from the document up to the folder given to ``ingest``; the nearest
wins. Names: ``manifest.csv``, ``manifest.yaml``/``.yml`` or ``weerbaar-manifest.*``.

Columns (CSV header or YAML keys): ``bestand`` (required: a file name relative to the manifest,
or a pattern such as ``*.pdf``), and any of ``organisatie``, ``organisatietype``,
``documenttype``, ``jaar``, ``datum``, ``titel``, ``bron`` (a URL). An exact file name beats a
pattern; among patterns the first that matches wins.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path

from weerbaar.csvfile import dict_reader
from weerbaar.errors import ManifestError
from weerbaar.ingest.metadata import DocumentMeta
from weerbaar.textfile import decode_bytes
from weerbaar.yamlfile import line_of, load_with_nodes, node_at

MANIFEST_NAMES = ("manifest.csv", "manifest.yaml", "manifest.yml", "weerbaar-manifest.csv",
                  "weerbaar-manifest.yaml", "weerbaar-manifest.yml")

#: Manifest column → metadata field.
COLUMNS = {
    "organisatie": "organisation",
    "organisatietype": "organisation_type",
    "documenttype": "doc_type",
    "jaar": "year",
    "datum": "date",
    "titel": "title",
}
EXTRA_COLUMNS = ("bron",)


@dataclass
class ManifestRow:
    pattern: str
    values: dict[str, str]
    line: int


@dataclass
class Manifest:
    path: Path
    rows: list[ManifestRow]

    def values_for(self, document: Path) -> dict[str, str] | None:
        try:
            relative = document.resolve().relative_to(self.path.parent.resolve()).as_posix()
        except ValueError:
            return None
        for row in self.rows:
            if row.pattern == relative or row.pattern == document.name:
                return row.values
        for row in self.rows:
            if any(ch in row.pattern for ch in "*?[") and (
                fnmatch.fnmatch(relative, row.pattern) or fnmatch.fnmatch(document.name, row.pattern)
            ):
                return row.values
        return None


def _check_row(path: Path, line: int, raw: dict) -> ManifestRow:
    values = {str(k).strip().lower(): ("" if v is None else str(v).strip()) for k, v in raw.items() if k is not None}
    unknown = sorted(set(values) - set(COLUMNS) - set(EXTRA_COLUMNS) - {"bestand"})
    if unknown:
        raise ManifestError(
            f"{path.name}, regel {line}: onbekende kolom(men) {', '.join(unknown)}.",
            hint=f"Toegestaan: bestand, {', '.join(COLUMNS)}, {', '.join(EXTRA_COLUMNS)}.",
        )
    pattern = values.pop("bestand", "")
    if not pattern:
        raise ManifestError(f"{path.name}, regel {line}: kolom 'bestand' ontbreekt of is leeg.")
    probe = DocumentMeta()
    for column, name in COLUMNS.items():
        try:
            probe.set(name, values.get(column) or None, "manifest")
        except ValueError as exc:
            raise ManifestError(f"{path.name}, regel {line}: {exc}.") from None
    return ManifestRow(pattern, {k: v for k, v in values.items() if v}, line)


def load_manifest(path: Path) -> Manifest:
    rows: list[ManifestRow] = []
    if path.suffix.lower() == ".csv":
        reader = dict_reader(path)
        for raw in reader:
            if not any((v or "").strip() for v in raw.values() if isinstance(v, str)):
                continue
            rows.append(_check_row(path, reader.line_num, raw))
    else:
        node, data = load_with_nodes(decode_bytes(path.read_bytes()), path.name, ManifestError)
        items = data.get("documenten") if isinstance(data, dict) else data
        item_nodes = getattr(node_at(node, ("documenten",) if isinstance(data, dict) else ()), "value", [])
        if not isinstance(items, list):
            raise ManifestError(f"{path.name}: verwacht een lijst van documenten (of 'documenten:' met een lijst).")
        for item, item_node in zip(items, item_nodes):
            line = line_of(item_node)
            if not isinstance(item, dict):
                raise ManifestError(f"{path.name}, regel {line}: elk document is een lijst van velden (bestand: …).")
            rows.append(_check_row(path, line, item))
    return Manifest(path, rows)


class ManifestFinder:
    """Finds and caches the manifest that applies to a document."""

    def __init__(self, explicit: Path | None = None):
        self._cache: dict[Path, Manifest | None] = {}
        self.explicit = load_manifest(explicit) if explicit else None

    def _in_folder(self, folder: Path) -> Manifest | None:
        if folder not in self._cache:
            found = next((folder / n for n in MANIFEST_NAMES if (folder / n).is_file()), None)
            self._cache[folder] = load_manifest(found) if found else None
        return self._cache[folder]

    def is_manifest(self, path: Path) -> bool:
        return path.name.lower() in MANIFEST_NAMES or (self.explicit is not None and path == self.explicit.path)

    def values_for(self, document: Path, root: Path) -> tuple[dict[str, str], Path] | None:
        if self.explicit:
            values = self.explicit.values_for(document)
            if values is not None:
                return values, self.explicit.path
        folder = document.parent
        while True:
            manifest = self._in_folder(folder)
            if manifest:
                values = manifest.values_for(document)
                if values is not None:
                    return values, manifest.path
            if folder == root or folder.parent == folder or root not in folder.parents:
                return None
            folder = folder.parent
