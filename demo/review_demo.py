"""Make the demo's decisions file: our own review of the demo passages, entered through the
review app (the same HTTP forms the browser sends) and exported with the app's export.

    .venv/bin/python demo/review_demo.py     # writes src/weerbaar/demo/beslissingen.jsonl

Each line below is a judgement a reviewer made reading the passage beside its source page:
(passage text opening, measure, relevant, stage). Passages are found by their opening words, so
the list does not depend on passage ids.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from urllib.parse import quote

from fastapi.testclient import TestClient

from weerbaar.codebook import load_codebook
from weerbaar.demo import build_demo
from weerbaar.web.app import create_app
from weerbaar.workspace import Workspace

FIRST = "Redactie weerbaar"
SECOND = "Tweede lezer"
JUDGEMENTS = [
    ("Programma 1 Veiligheid Wat hebben we bereikt?", "1.1", True, 3),
    ("Het uitbetalen van uitkeringen", "1.2", True, 3),
    ("Het uitbetalen van uitkeringen", "3.1", True, 4),
    ("Noodsteunpunten De gemeente heeft in 2024", "2.2", True, 3),
    ("Noodsteunpunten De gemeente heeft in 2024", "5.6", True, 3),
    ("Noodsteunpunten De gemeente heeft in 2024", "2.4", False, None),
    ("Noodsteunpunten De gemeente heeft in 2024", "5.2", False, None),
    ("Crisiscommunicatie Het communicatieplan", "2.1", True, 2),
    ("Crisiscommunicatie Het communicatieplan", "2.7", False, None),
    ("Oefenen Op 8 oktober 2024", "1.5", True, 4),
    ("Wij willen weten welke processen", "1.1", True, 1),
    ("Oefening noodsteunpunten", "2.2", True, 4),
    ("De oefening is geëvalueerd", "2.2", True, 4),
    ("Inwoners informeren", "5.2", True, 3),
    ("Inwoners informeren", "5.1", True, 3),
    ("Inwoners die thuis afhankelijk zijn", "6.2", True, 3),
    ("De gemeente heeft die avond", "3.1", True, 0),
    ("Uit de eerste evaluatie blijkt", "6.2", True, 1),
    ("Wij sluiten aan bij de regionale campagne", "5.1", True, 2),
    ("Programma Sociaal domein", "6.2", False, None),
    ("Wat willen we bereiken?", "2.1", True, 1),
    ("Wat willen we bereiken?", "5.1", True, 1),
    ("In de kernen Heemvoort-Dorp en Wierum", "4.3", True, 2),
    ("In de kernen Heemvoort-Dorp en Wierum", "4.1", True, 2),
    ("Drinkwater Bij een langdurige uitval", "3.2", True, 3),
    ("Drinkwater Bij een langdurige uitval", "2.4", True, 2),
    ("Crisiscommunicatie De veiligheidsregio ontwikkelt", "2.1", True, 2),
    ("Crisiscommunicatie De veiligheidsregio ontwikkelt", "2.3", True, 4),
    ("Weerbaarheid In 2023 is het draaiboek", "3.2", True, 3),
    ("Weerbaarheid In 2023 is het draaiboek", "5.1", True, 3),
    ("Weerbaarheid In 2023 is het draaiboek", "2.2", True, 2),
    ("Oefenen Het regionaal crisisteam", "2.3", True, 4),
    ("Oefenen Het regionaal crisisteam", "1.5", True, 4),
]
# A second reader looked again at a sample; one disagreement was settled by the first.
SECOND_LOOK = [(0, True), (3, True), (5, False), (7, True), (13, True), (19, True), (24, True), (27, True)]
SETTLED = {19: (False, "Wmo-kosten in de begroting zeggen niets over continuïteit bij een crisis.")}


def main() -> None:
    book = load_codebook()
    target = Path(__file__).resolve().parents[1] / "src" / "weerbaar" / "demo" / "beslissingen.jsonl"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "demo"
        build_demo(folder, decisions=False)  # our judgements, not the shipped file it makes
        with Workspace.open(folder) as ws:
            passages = [p for d in ws.documents.overview() for p in ws.passages.of_document(d["id"])]
        app = create_app(folder, book, allowed_hosts=["testserver"])

        def find(opening: str) -> int:
            def norm(s):
                return " ".join(s.split())
            [pid] = [p.id for p in passages if norm(p.text).startswith(norm(opening))]
            return pid

        def client(name: str) -> TestClient:
            c = TestClient(app, follow_redirects=False)
            # The app stores the name URL-quoted (a raw space would spoil the whole Cookie header).
            c.cookies.set("weerbaar_beoordelaar", quote(name))
            return c

        def post(c: TestClient, judgement, relevant=None, settle=None):
            opening, measure, rel, stage = judgement
            pid = find(opening)
            html = c.get(f"/passage/{pid}?maatregel={measure}").text
            csrf = re.search(r'name="csrf" value="(\w+)"', html)[1]
            ticked = re.findall(r'name="elementen" value="([^"]+)" checked', html)
            data = {"passage_id": pid, "measure_id": measure, "csrf": csrf, "terug": "/",
                    "besluit": "relevant" if (rel if relevant is None else relevant) else "niet",
                    "citaat_klopt": "1", "over_maatregel": "1", "genoeg_context": "1",
                    "fase": "" if stage is None else str(stage), "elementen": ticked}
            if settle:
                data.update(beslecht="1", notitie=settle)
            response = c.post("/beslissing", data=data)
            assert response.status_code == 303, (opening, measure, response.status_code)

        first, second = client(FIRST), client(SECOND)
        for j in JUDGEMENTS:
            post(first, j)
        for index, relevant in SECOND_LOOK:
            post(second, JUDGEMENTS[index], relevant=relevant)
        for index, (relevant, note) in SETTLED.items():
            post(first, JUDGEMENTS[index], relevant=relevant, settle=note)
        target.write_bytes(first.get("/export/beslissingen.jsonl").content)
    print(f"{target}: {len(target.read_text('utf-8').splitlines())} beslissingen")


if __name__ == "__main__":
    main()
