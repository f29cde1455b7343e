"""A local HTTP server on 127.0.0.1 that answers like ORI, OpenBesluitvorming and a small website.

Responses follow the APIs' documented formats (ORI: Elasticsearch 7 ``_search`` with ``hits``,
``_source`` and ``sort`` values for ``search_after``; OpenBesluitvorming: ``/api/sources``,
``/api/search``, ``/api/entities/{id}``, NDJSON export with ``X-Next-Cursor``/``X-Has-More``/
``X-Changes-Cursor``, ``RateLimit-*`` headers and ``429`` with ``Retry-After``). Every request is
logged, so tests can assert what was (not) asked.
"""

from __future__ import annotations

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit


class FakeSources:
    def __init__(self, files: dict[str, bytes]):
        self.files = files  # path → bytes, served under /files/
        self.log: list[tuple[str, str]] = []
        self.flaky: dict[str, int] = {}  # path → number of 500 answers before success
        self.rate_limited_once = set()  # paths that answer 429 the first time
        self.ori_docs: list[dict] = []
        self.obv_docs: list[dict] = []
        self.obv_changes: list[dict] = []
        self.site: dict[str, tuple[str, str]] = {}  # path → (content type, body)
        self.ndjson_ascii = True  # False: the export feed writes U+2028 and friends raw, as JSON allows

    # -- ORI ------------------------------------------------------------------------------
    def ori_search(self, body: dict) -> dict:
        docs = sorted(self.ori_docs, key=lambda d: (d["_source"].get("last_discussed_at", ""), d["_id"]))
        after = body.get("search_after")
        if after:
            docs = [d for d in docs if [d["_source"].get("last_discussed_at", ""), d["_id"]] > after]
        page = docs[: body.get("size", 10)]
        return {"took": 3, "timed_out": False, "hits": {"total": {"value": len(self.ori_docs), "relation": "eq"},
                "hits": [{**d, "sort": [d["_source"].get("last_discussed_at", ""), d["_id"]]} for d in page]}}

    # -- OpenBesluitvorming ---------------------------------------------------------------
    def obv_search(self, params: dict) -> dict:
        docs = [d for d in self.obv_docs if not params.get("organization") or d["source"] == params["organization"]]
        offset, limit = int(params.get("offset", 0)), min(int(params.get("limit", 24)), 100)
        page = docs[offset : offset + limit]
        return {"results": [{"entityId": d["entityId"], "entityType": "Document", "entityTypeLabel": "Document",
                             "organization": d["organization"], "date": d["date"], "sortDate": d["sortDate"],
                             "title": d["title"], "summary": "", "downloadUrl": d.get("downloadUrl"),
                             "matchedPage": 1, "pageCount": 1} for d in page],
                "totalCount": len(docs), "totalIsApproximate": False, "hasMore": offset + limit < len(docs)}

    def obv_entity(self, entity_id: str) -> dict | None:
        for d in self.obv_docs:
            if d["entityId"] == entity_id:
                return {"entityId": entity_id, "entityType": "Document", "entityTypeLabel": "Document",
                        "title": d["title"], "organization": d["organization"], "date": d["date"],
                        "sortDate": d["sortDate"], "markdownText": d.get("markdownText"),
                        "downloadUrl": d.get("downloadUrl"), "contentType": "application/pdf",
                        "pdfUrl": d.get("downloadUrl"), "meetingId": "meeting:notubiz:gemeente:testdorp:1"}
        return None

    def export_record(self, d: dict, seq: int, op: str = "upsert") -> dict:
        return {"seq": seq, "op": op, "time": "2026-07-10T12:00:00.000Z", "entity_id": d["entityId"],
                "entity_type": "Document", "source_key": d["source"], "supplier": "notubiz",
                "content_hash": "sha256:" + d.get("hash", "1"), "schema_version": "v1alpha1",
                "payload": None if op == "delete" else {"type": "Document", "name": d["title"],
                                                         "original_url": d.get("downloadUrl")}}


def make_handler(state: FakeSources):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def _send(self, status: int, body: bytes | str, ctype: str = "application/json", headers: dict | None = None):
            data = body.encode() if isinstance(body, str) else body
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def _json(self, data, status=200, headers=None):
            self._send(status, json.dumps(data), "application/json",
                       {"RateLimit-Limit": "60", "RateLimit-Remaining": "50", "RateLimit-Reset": "0", **(headers or {})})

        def do_POST(self):
            path = urlsplit(self.path).path
            state.log.append(("POST", path))
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            if path.startswith("/v1/elastic/") and path.endswith("/_search"):
                return self._json(state.ori_search(body))
            self._send(404, "{}")

        def do_GET(self):
            parts = urlsplit(self.path)
            path, params = parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}
            state.log.append(("GET", self.path))
            if path in state.rate_limited_once:
                state.rate_limited_once.discard(path)
                return self._json({"code": "rate_limited", "error": "Te veel verzoeken.", "retry_after_seconds": 0},
                                  429, {"Retry-After": "0", "RateLimit-Remaining": "0"})
            if state.flaky.get(path, 0) > 0:
                state.flaky[path] -= 1
                return self._send(500, "tijdelijk kapot", "text/plain")
            if path.startswith("/files/"):
                name = path[len("/files/"):]
                if name in state.files:
                    etag = '"' + hashlib.sha1(state.files[name]).hexdigest()[:16] + '"'
                    if self.headers.get("If-None-Match") == etag:
                        return self._send(304, b"", "application/pdf", {"ETag": etag})
                    return self._send(200, state.files[name], "application/pdf", {"ETag": etag})
                return self._send(404, "niet gevonden", "text/plain")
            if path == "/api/sources":
                return self._json({"sources": [{"key": "testdorp", "label": "Testdorp", "supplier": "notubiz",
                                                "organizationType": "gemeente", "implemented": True,
                                                "isAggregate": False}]})
            if path == "/api/pauze":
                return self._json({}, 200, {"RateLimit-Remaining": "0", "RateLimit-Reset": "5"})
            if path == "/api/stats":
                return self._json({"documentCount": len(state.obv_docs), "organizationCount": 1})
            if path == "/api/search":
                if params.get("organization") and params["organization"] != "testdorp":
                    return self._json({"code": "unknown_organization", "error": "Onbekende organisatie."}, 400)
                return self._json(state.obv_search(params))
            if path.startswith("/api/entities/"):
                entity = state.obv_entity(unquote(path[len("/api/entities/"):]))
                return self._json(entity) if entity else self._json({"code": "entity_not_found"}, 404)
            if path == "/api/export/snapshot":
                docs = [d for d in state.obv_docs if d["source"] == params.get("source")]
                start = int(params.get("cursor") or 0)
                page = docs[start : start + 2]
                lines = "\n".join(json.dumps(state.export_record(d, start + i + 1), ensure_ascii=state.ndjson_ascii)
                                  for i, d in enumerate(page))
                return self._send(200, lines, "application/x-ndjson", {
                    "X-Next-Cursor": str(start + len(page)), "X-Has-More": str(start + 2 < len(docs)).lower(),
                    "X-Changes-Cursor": "c0"})
            if path == "/api/export/changes":
                start = int((params.get("cursor") or "c0")[1:])
                page = state.obv_changes[start:]
                lines = "\n".join(json.dumps(r, ensure_ascii=state.ndjson_ascii) for r in page)
                return self._send(200, lines, "application/x-ndjson",
                                  {"X-Next-Cursor": f"c{start + len(page)}", "X-Has-More": "false"})
            if path in state.site:
                ctype, body = state.site[path]
                return self._send(200, body, ctype)
            self._send(404, "niet gevonden", "text/plain")

    return Handler


class Server:
    def __init__(self, state: FakeSources):
        self.state = state
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
