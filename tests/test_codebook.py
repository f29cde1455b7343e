"""The built-in codebook and the validation of a user's own codebook."""

from importlib import resources

import pytest

from weerbaar.codebook import load_codebook
from weerbaar.errors import CodebookError


def builtin_text() -> str:
    return resources.files("weerbaar.codebook.data").joinpath("vng-handreiking-2025.yaml").read_text("utf-8")


def test_builtin_codebook_has_41_measures_in_6_pillars_with_12_crucial():
    book = load_codebook()
    assert len(book.pillars) == 6
    assert len(book.measures) == 41
    crucial = [m.id for m in book.measures if m.crucial]
    assert crucial == ["1.1", "1.2", "2.1", "2.2", "3.1", "3.2", "4.1", "4.2", "5.1", "5.2", "6.1", "6.2"]
    assert book.measure("2.2").label == "Noodsteunpunten inrichten"
    assert all(m.terms for m in book.measures)


def test_own_codebook_loads(tmp_path):
    path = tmp_path / "eigen.yaml"
    path.write_text(
        "name: Eigen codeboek\nversion: '1'\npillars:\n  - id: 1\n    name: Continuïteit\n    measures:\n"
        "      - id: '1.1'\n        label: Noodstroom\n        text: Het gemeentehuis heeft noodstroom.\n"
        "        terms: [aggregaat]\n        elements:\n          - {id: brandstof, label: Brandstofvoorraad}\n",
        encoding="utf-8",
    )
    book = load_codebook(path)
    assert [m.id for m in book.measures] == ["1.1"]
    assert book.measure("1.1").elements[0].label == "Brandstofvoorraad"


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


TEXT = builtin_text()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda t: t.replace("crucial: true", "crucial: misschien", 1),
         f"mijn.yaml, regel {line_of(TEXT, 'crucial: true')}: maatregel 1.1, veld 'crucial': moet true of false zijn"),
        (lambda t: t.replace("    label: Noodsteunpunten inrichten\n", "    lable: Noodsteunpunten inrichten\n"),
         f"mijn.yaml, regel {line_of(TEXT, 'Noodsteunpunten inrichten') - 1}: maatregel 2.2, veld 'label': ontbreekt\n"
         f"mijn.yaml, regel {line_of(TEXT, 'Noodsteunpunten inrichten')}: maatregel 2.2, veld 'lable': is geen bekend veld"),
        (lambda t: t.replace("id: '2.3'", "id: '2.2'"),
         f"mijn.yaml, regel {line_of(TEXT, chr(39) + '2.3' + chr(39))}: maatregel 2.2 komt al voor op regel "
         f"{line_of(TEXT, chr(39) + '2.2' + chr(39))}"),
        (lambda t: t.replace("id: '3.1'", "id: '9.1'"),
         f"mijn.yaml, regel {line_of(TEXT, 'name: Vitale voorzieningen') - 1}: pijler 3: maatregel 9.1 staat onder pijler 3"),
        (lambda t: t.replace("id: '3.1'", "id: 'drie'"),
         f"mijn.yaml, regel {line_of(TEXT, chr(39) + '3.1' + chr(39))}: maatregel drie, veld 'id': "
         "maatregelnummer 'drie' heeft niet de vorm pijler.nummer"),
    ],
)
def test_invalid_codebook_names_the_line(tmp_path, change, expected):
    path = tmp_path / "mijn.yaml"
    path.write_text(change(TEXT), encoding="utf-8")
    with pytest.raises(CodebookError) as info:
        load_codebook(path)
    assert expected in info.value.message


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = tmp_path / "kapot.yaml"
    path.write_text("name: x\nversion: '1'\npillars:\n  - id: 1\n   name: verkeerd ingesprongen\n", encoding="utf-8")
    with pytest.raises(CodebookError) as info:
        load_codebook(path)
    assert info.value.message.startswith("kapot.yaml, regel 5: geen geldige YAML")


def test_missing_codebook_file(tmp_path):
    with pytest.raises(CodebookError) as info:
        load_codebook(tmp_path / "weg.yaml")
    assert info.value.message == f"Codeboek '{tmp_path / 'weg.yaml'}' bestaat niet."
