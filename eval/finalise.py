"""Turn the pool and the readings into the labelled generalisation set, and measure agreement.

    python eval/finalise.py agreement READINGS_A READINGS_B          # Cohen's kappa, disagreements
    python eval/finalise.py disagreements READINGS_A READINGS_B OUT   # the list for the settling reader
    python eval/finalise.py build READINGS_A READINGS_B SETTLED > eval/generalisation.jsonl

READINGS_* are JSONL files of the two independent readers (``{"cand", "measures", "stage",
"subject", "note"}``, several files joined with commas); SETTLED the third reader's decisions on
the items where they disagreed. Notes are not kept: they may quote the text. Each item keeps both
readings and the settled label, and its groups for held-out evaluation.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

CRUCIAL = ["1.1", "1.2", "2.1", "2.2", "3.1", "3.2", "4.1", "4.2", "5.1", "5.2", "6.1", "6.2"]
POOL = Path(__file__).with_name("generalisation-pool.jsonl")

# Organisation and document type of every source folder or file, for leave-one-group-out evaluation.
GROUPS = [
    ("seeds/nipv-", "NIPV", "onderzoeksrapport"),
    ("seeds/vng-", "VNG", "onderzoeksrapport"),
    ("seeds/vr-", "VR Flevoland en Gooi en Vechtstreek", "plan veiligheidsregio"),
    ("corpus/gemeente-wassenaar/", "Gemeente Wassenaar", "begroting of jaarverslag"),
    ("corpus/gemeente-den-haag-2025/", "Gemeente Den Haag", "raadsdocument"),
    ("corpus/gemeente-helmond-raad-2021-2022/", "Gemeente Helmond", "raadsdocument"),
]


def groups_of(source: str) -> tuple[str, str]:
    for prefix, organisation, doc_group in GROUPS:
        if source.startswith(prefix):
            return organisation, doc_group
    raise ValueError(f"no group for {source}")


def read(paths: str) -> dict[int, dict]:
    out = {}
    for path in paths.split(","):
        for line in Path(path).read_text("utf-8").split("\n"):
            if line.strip():
                row = json.loads(line)
                out[int(row["cand"])] = {"measures": sorted(set(row.get("measures") or [])),
                                         "stage": row.get("stage") if row.get("measures") else None,
                                         "subject": row.get("subject")}
    return out


def kappa(a: list, b: list) -> float | None:
    n = len(a)
    if not n:
        return None
    observed = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[k] * cb[k] for k in set(a) | set(b)) / (n * n)
    return None if expected == 1 else (observed - expected) / (1 - expected)


def agreement(a: dict[int, dict], b: dict[int, dict]) -> dict:
    both = sorted(set(a) & set(b))
    per = {}
    for m in CRUCIAL:
        x = [m in a[c]["measures"] for c in both]
        y = [m in b[c]["measures"] for c in both]
        per[m] = {"kappa": kappa(x, y), "positives_a": sum(x), "positives_b": sum(y), "both": sum(p and q for p, q in zip(x, y))}
    any_x = [bool(a[c]["measures"]) for c in both]
    any_y = [bool(b[c]["measures"]) for c in both]
    staged = [c for c in both if a[c]["stage"] is not None and b[c]["stage"] is not None]
    stage_k = kappa([a[c]["stage"] for c in staged], [b[c]["stage"] for c in staged])
    subj = [c for c in both if a[c]["measures"] and b[c]["measures"]]
    return {"passages_read_twice": len(both), "crucial": per,
            "any_measure_kappa": kappa(any_x, any_y),
            "stage_kappa": stage_k, "stage_n": len(staged),
            "stage_within_one": sum(abs(a[c]["stage"] - b[c]["stage"]) <= 1 for c in staged) / len(staged) if staged else None,
            "subject_kappa": kappa([a[c]["subject"] for c in subj], [b[c]["subject"] for c in subj]), "subject_n": len(subj)}


def disagreeing(a: dict[int, dict], b: dict[int, dict]) -> list[int]:
    out = []
    for c in sorted(set(a) & set(b)):
        x, y = a[c], b[c]
        crucial_x = [m for m in x["measures"] if m in CRUCIAL]
        crucial_y = [m for m in y["measures"] if m in CRUCIAL]
        if crucial_x != crucial_y or (x["measures"] and y["measures"] and x["stage"] != y["stage"]) \
                or bool(x["measures"]) != bool(y["measures"]) \
                or (x["measures"] and y["measures"] and x["subject"] != y["subject"]):
            out.append(c)
    return out


def build(a: dict[int, dict], b: dict[int, dict], settled: dict[int, dict]) -> list[dict]:
    pool = {int(json.loads(line)["cand"]): json.loads(line) for line in POOL.read_text("utf-8").split("\n") if line.strip()}
    rows = []
    for c, loc in sorted(pool.items()):
        if c not in a or c not in b:
            continue
        if c in settled:
            final = settled[c]
        elif c in disagreeing({c: a[c]}, {c: b[c]}):
            continue  # a disagreement nobody settled is not a label
        else:
            # Agreement on what counts; the non-crucial measures either reader gave are kept.
            final = {"measures": sorted(set(a[c]["measures"]) | set(b[c]["measures"])),
                     "stage": a[c]["stage"], "subject": a[c]["subject"]}
        organisation, doc_group = groups_of(loc["source"])
        rows.append({"id": f"gen-{c}", "source": loc["source"], "page": loc["page"], "start": loc["start"],
                     "end": loc["end"], "doc_start": loc["doc_start"], "sha1": loc["sha1"], "drawn": loc["drawn"],
                     "measures": final["measures"], "stage": final["stage"] if final["measures"] else None,
                     "subject": final["subject"], "organisation_group": organisation, "doc_group": doc_group,
                     "readings": [a[c], b[c]]})
    return rows


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "agreement":
        print(json.dumps(agreement(read(args[0]), read(args[1])), indent=1))
    elif command == "disagreements":
        ids = disagreeing(read(args[0]), read(args[1]))
        Path(args[2]).write_text("\n".join(map(str, ids)) + "\n")
        print(f"{len(ids)} disagreements")
    elif command == "build":
        settled = read(args[2]) if len(args) > 2 else {}
        for row in build(read(args[0]), read(args[1]), settled):
            print(json.dumps(row, ensure_ascii=False))
    else:
        sys.exit(f"unknown command {command}")
