"""A stand-in for the Meilisearch HTTP API on 127.0.0.1, for the adapter's tests.

It implements the endpoints the adapter calls, as the API reference describes them:
writes (PATCH /indexes/{uid}/settings, POST /indexes/{uid}/documents, POST
/indexes/{uid}/documents/delete-batch, DELETE /indexes/{uid}/documents) answer 202 with a
summarized task, GET /tasks/{uid} answers the task (succeeded, or failed when told), and
POST /indexes/{uid}/search answers with the hits a test hands it. It records every request;
it never ranks or filters: what the adapter asks is what the tests check.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

NOW = "2026-12-03T09:00:00.000000Z"
TASK_TYPES = {
    ("PATCH", "settings"): "settingsUpdate",
    ("POST", "documents"): "documentAdditionOrUpdate",
    ("POST", "delete-batch"): "documentDeletion",
    ("DELETE", "documents"): "documentDeletion",
}
INDEX_PATH = re.compile(r"^/indexes/([^/]+)/(settings|documents|search)(?:/(delete-batch))?$")


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass
class StandIn:
    key: str = "test-master-key"
    hits: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    fail_writes: bool = False
    requests: list[Request] = field(default_factory=list)
    tasks: dict[int, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        cast(Any, self._server).standin = self
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> StandIn:
        threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True).start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def writes(self) -> list[Request]:
        """What was asked of the index, leaving out the polling of tasks."""
        return [r for r in self.requests if not r.path.startswith("/tasks/")]

    def answer(self, request: Request) -> tuple[int, Any]:
        if request.headers.get("authorization") != f"Bearer {self.key}":
            return 401, {"message": "The Authorization header is missing.", "code":
                         "missing_authorization_header", "type": "auth", "link": ""}  # fmt: skip
        if request.method == "GET" and (task := re.fullmatch(r"/tasks/(\d+)", request.path)):
            return 200, self.tasks[int(task.group(1))]
        matched = INDEX_PATH.match(request.path)
        if matched is None:
            return 404, {"message": "not found", "code": "not_found", "type": "invalid_request"}
        uid, what, batch = matched.groups()
        if what == "search" and request.method == "POST":
            return 200, self.search_answer(request.body)
        return 202, self.enqueue(uid, TASK_TYPES[(request.method, batch or what)])

    def enqueue(self, uid: str, kind: str) -> dict[str, Any]:
        task_uid = len(self.tasks)
        error = {"message": "Index `x` not found.", "code": "index_not_found",
                 "type": "invalid_request", "link": ""} if self.fail_writes else None  # fmt: skip
        self.tasks[task_uid] = {
            "uid": task_uid, "indexUid": uid, "status": "failed" if error else "succeeded",
            "type": kind, "details": {}, "error": error, "duration": "PT0.001S",
            "enqueuedAt": NOW, "startedAt": NOW, "finishedAt": NOW,
        }  # fmt: skip
        return {"taskUid": task_uid, "indexUid": uid, "status": "enqueued", "type": kind,
                "enqueuedAt": NOW}  # fmt: skip

    def search_answer(self, body: dict[str, Any]) -> dict[str, Any]:
        answer: dict[str, Any] = {"hits": self.hits, "query": body.get("q") or "",
                                  "processingTimeMs": 1}  # fmt: skip
        if body.get("hitsPerPage") is not None:  # the SDK sends null for what is unset
            per_page = body["hitsPerPage"]
            answer |= {"page": body.get("page", 1), "hitsPerPage": per_page,
                       "totalHits": self.total, "totalPages": -(-self.total // per_page)}  # fmt: skip
        else:
            answer |= {"offset": body.get("offset", 0), "limit": body.get("limit", 20),
                       "estimatedTotalHits": self.total}  # fmt: skip
        if body.get("facets"):
            answer["facetDistribution"] = self.facets
        return answer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _handle(self) -> None:
        standin: StandIn = cast(Any, self.server).standin
        raw = self.rfile.read(int(self.headers.get("content-length") or 0))
        parts = urlsplit(self.path)
        request = Request(
            self.command,
            parts.path,
            parse_qs(parts.query),
            {name.lower(): value for name, value in self.headers.items()},
            json.loads(raw) if raw else None,
        )
        standin.requests.append(request)
        status, answer = standin.answer(request)
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _handle
