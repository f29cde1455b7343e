"""YAML that expands to billions of values ("billion laughs"), refers to itself or nests without
end: manifests and codebooks refuse it with a Dutch message naming the file, in bounded memory."""

from __future__ import annotations

import tracemalloc

import pytest
from typer.testing import CliRunner

from tests.robustness import ingest_corpus as corpus
from weerbaar.cli.main import app
from weerbaar.codebook import load_codebook
from weerbaar.errors import CodebookError, ManifestError
from weerbaar.ingest.manifest import load_manifest
from weerbaar.yamlfile import expanded_size

runner = CliRunner()
MB = 1024 * 1024
BOMB_MESSAGE = ("het bestand beschrijft meer dan 1.000.000 waarden (door herhaalde verwijzingen met & en *); "
                "dat is te groot om veilig te lezen.")


def bounded(fn, limit_mb: int = 30):
    tracemalloc.start()
    try:
        fn()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < limit_mb * MB, f"peak {peak / MB:.0f} MB"


def test_a_1_kb_manifest_bomb_is_refused_in_bounded_memory(tmp_path):
    path = tmp_path / "manifest.yaml"
    path.write_text(corpus.yaml_bomb() + "documenten:\n  - {bestand: a.txt, jaar: 2024}\n", "utf-8")
    assert path.stat().st_size < 1024
    with pytest.raises(ManifestError) as caught:
        bounded(lambda: load_manifest(path))
    assert caught.value.message == f"manifest.yaml: {BOMB_MESSAGE}"


def test_a_codebook_bomb_is_refused(tmp_path):
    path = tmp_path / "codeboek.yaml"
    path.write_text(corpus.yaml_bomb(), "utf-8")
    with pytest.raises(CodebookError) as caught:
        bounded(lambda: load_codebook(path))
    assert caught.value.message == f"codeboek.yaml: {BOMB_MESSAGE}"


@pytest.mark.parametrize(("text", "message"), [
    ("documenten: &a [*a]\n", "manifest.yaml: een alias verwijst naar zichzelf; dat kan weerbaar niet lezen."),
    ("documenten: " + "[" * 3000 + "]" * 3000 + "\n", "manifest.yaml: de YAML is te diep genest om te lezen."),
])
def test_self_reference_and_endless_nesting_are_refused(tmp_path, text, message):
    path = tmp_path / "manifest.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(ManifestError) as caught:
        load_manifest(path)
    assert caught.value.message == message


def test_ordinary_aliases_still_work(tmp_path):
    path = tmp_path / "manifest.yaml"
    path.write_text("gemeente: &g {organisatie: Gemeente Testdorp, jaar: 2024}\n"
                    "documenten:\n  - {bestand: a.txt, <<: *g}\n  - {bestand: b.txt, <<: *g}\n", "utf-8")
    manifest = load_manifest(path)
    assert [r.values for r in manifest.rows] == [{"organisatie": "Gemeente Testdorp", "jaar": "2024"}] * 2


def test_expanded_size_counts_without_expanding():
    import yaml

    sizes = [10]  # a0: a list of nine strings
    for _ in range(8):
        sizes.append(1 + 9 * sizes[-1])  # a list of nine aliases of the one before
    for levels in (2, 5, 9):
        node = yaml.compose(corpus.yaml_bomb(levels=levels))
        assert expanded_size(node, limit=10**12) == 1 + levels + sum(sizes[:levels])  # root, keys, lists
    assert expanded_size(yaml.compose(corpus.yaml_bomb(levels=9)), limit=1000) == 1001  # stops counting


def test_ingest_with_a_bomb_manifest_says_so_without_a_traceback(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    corpus.good_text(folder)
    (folder / "manifest.yaml").write_text(corpus.yaml_bomb(), "utf-8")
    result = runner.invoke(app, ["ingest", str(folder), "-w", str(tmp_path / "ws")], catch_exceptions=False)
    assert result.exit_code == 1
    assert "manifest.yaml: het bestand beschrijft meer dan 1.000.000 waarden" in result.output
    assert "Traceback" not in result.output
