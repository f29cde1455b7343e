"""``weerbaar classificeer`` on hostile JSONL: one bad line is one error line, the rest is classified,
and the output stays valid JSON (no NaN, no raw line separators)."""

import json

from typer.testing import CliRunner

from tests.test_classify import PLANTED
from weerbaar.cli.main import app

runner = CliRunner()

WATER = PLANTED  # a text about measure 3.2 (drinking water)


def _strict(line: str):
    """Parse as a strict JSON reader does: NaN and Infinity are not JSON."""
    def refuse(name):
        raise ValueError(f"{name} in uitvoer")

    return json.loads(line, parse_constant=refuse)


def _run(tmp_path, data: bytes, *args, stdin: bytes | None = None):
    source = tmp_path / "in.jsonl"
    source.write_bytes(data)
    target = "-" if stdin is not None else str(source)
    return runner.invoke(app, ["classificeer", target, "--werkruimte", str(tmp_path / "geen"), *args],
                         input=stdin, catch_exceptions=False)


def test_hostile_lines_each_get_their_own_error_and_the_rest_is_classified(tmp_path):
    """Read from stdin (as bytes) and written with --uit."""
    good = lambda ident, text=WATER: json.dumps({"id": ident, "text": text}, ensure_ascii=False)  # noqa: E731
    lines = [
        b"\xef\xbb\xbf" + good("met-bom").encode(),                                  # 1: BOM on line 1
        good("scheiding", WATER.replace("; ", "\u2028").replace(". ", ".\x85", 1) + "\u2029").encode(),  # 2
        b'{"id": "surrogaat", "text": "half \\ud800 teken"}',                         # 3: lone surrogate (escaped)
        b'{"id": "rauw", "text": "half \xed\xa0\x80 teken"}',                         # 4: surrogate as raw bytes
        b'{"id": "diep", "text": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",            # 5: deep nesting
        b'{"id": NaN, "text": "noodstroom"}',                                         # 6
        b'{"id": Infinity, "text": "noodstroom"}',                                    # 7
        b'{"id": -Infinity, "text": "noodstroom"}',                                   # 8
        b'{"id": 1e999, "text": "noodstroom"}',                                       # 9: overflows to inf
        b'{"id": ' + b"9" * 5000 + b', "text": "noodstroom"}',                        # 10: 5,000 digits
        b'{"id": {"a": 1}, "text": "noodstroom"}',                                    # 11
        b"[1, 2]",                                                                    # 12
        b"\xff\xfe\x00kapot",                                                         # 13: not UTF-8
        good(7).encode(),                                                             # 14: still fine
        good("a\u2028b", "noodstroom").encode(),                                      # 15: separator in the id
    ]
    result = _run(tmp_path, b"", "--uit", str(tmp_path / "uit.jsonl"), stdin=b"\r\n".join(lines) + b"\r\n")
    assert result.exit_code == 0
    written = (tmp_path / "uit.jsonl").read_bytes()
    assert "\u2028".encode() not in written  # escaped in the output, so it stays one line
    out = [_strict(line) for line in written.decode().split("\n") if line]  # every output line is strict JSON
    assert len(out) == len(lines)  # U+2028/U+0085/U+2029 did not split line 2
    by_line = dict(enumerate(out, 1))
    for n in (1, 2, 14):
        assert "error" not in by_line[n] and "3.2" in [m["id"] for m in by_line[n]["measures"]], by_line[n]
    assert [by_line[n]["id"] for n in (1, 2, 14, 15)] == ["met-bom", "scheiding", 7, "a\u2028b"]
    expected = {3: "losse surrogaat", 4: "geen geldige UTF-8", 5: "te diep genest", 6: "NaN is geen geldig getal",
                7: "Infinity is geen geldig getal", 8: "-Infinity is geen geldig getal", 9: "getal dat te groot is",
                10: "te veel cijfers", 11: "'id' moet tekst of een getal zijn", 12: "verwacht een object",
                13: "geen geldige UTF-8"}
    for n, fragment in expected.items():
        assert by_line[n]["error"].startswith(f"regel {n}: ") and fragment in by_line[n]["error"], by_line[n]
        assert by_line[n]["id"] is None
    assert f"{len(expected)} regel(s) met een fout" in result.stderr
