"""What the adapter tests share: real HTTP servers on 127.0.0.1 playing the vendors, a case
payload, and the tests of the adapters' shared HTTP helpers.

A `Vendor` is a ThreadingHTTPServer on an ephemeral port: it records every request and answers
through a function, as the vendor's documentation says it would. Nothing in httpx is mocked.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from community.escalation.adapters import DeliveryFailed
from community.escalation.adapters.http import clip, retry_after
from community.escalation.payload import Asker, CasePayload, HistoryEntry, Message
from community.net.outbound import Outbound
from tests.conftest import TEST_OUTBOUND

CLIENT_TIMEOUT = 0.5
SLOWER_THAN_THE_CLIENT = 1.5


@dataclass
class Seen:
    """One request as the vendor received it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # names lower-cased
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # bytes or str as is, anything else as JSON
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


Answer = Callable[[Seen], Reply]


def in_turn(*replies: Reply) -> Answer:
    """Answer with each reply in turn, then keep answering with the last one."""
    queue = list(replies)

    def answer(_: Seen) -> Reply:
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return answer


def _encode(body: Any) -> tuple[bytes, str]:
    if body is None:
        return b"", ""
    if isinstance(body, bytes):
        return body, "application/octet-stream"
    if isinstance(body, str):
        return body.encode(), "text/plain; charset=utf-8"
    return json.dumps(body).encode(), "application/json; charset=utf-8"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _handle(self) -> None:
        vendor = cast(Any, self.server).vendor
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        parts = urlsplit(self.path)
        headers = {name.lower(): value for name, value in self.headers.items()}
        seen = Seen(self.command, parts.path, parse_qs(parts.query), headers, body)
        vendor.seen.append(seen)
        reply = vendor.answer(seen)
        time.sleep(reply.delay)
        data, content_type = _encode(reply.body)
        try:
            self.send_response(reply.status)
            if content_type:
                self.send_header("content-type", content_type)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting: that was the point

    do_GET = do_POST = do_PATCH = do_PUT = _handle


class Vendor:
    """A real HTTP server on 127.0.0.1 that records requests and answers with `answer`."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.seen: list[Seen] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        cast(Any, self._server).vendor = self
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> Vendor:
        threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True).start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def requests(self, method: str, path_part: str = "") -> list[Seen]:
        return [s for s in self.seen if s.method == method and path_part in s.path]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def dead_url() -> str:
    """An address nobody listens on: connecting is refused."""
    return f"http://127.0.0.1:{free_port()}"


def client() -> Outbound:
    """The tests' outbound client (127.0.0.1 allowed), with a short timeout."""
    return TEST_OUTBOUND.with_timeout(CLIENT_TIMEOUT)


def make_payload(key: str = "k-2f9c1d7e", **changes: Any) -> CasePayload:
    asker = Asker(
        id=7, name="Ada Lovelace", email="ada@example.com", customer_id="C-42", tier="gold",
        reputation=120, influence=30, profile_url="https://acme.test/members/7",
    )  # fmt: skip
    question = Message(
        number=1, author="Ada Lovelace", role="member", created_at="2026-01-05T10:00:00Z",
        body="My router <blinks> & resets.\nTwice a day.", url="https://acme.test/t/1#1",
    )  # fmt: skip
    answer = Message(
        number=2, author="Bob", role="member", created_at="2026-01-05T11:00:00Z",
        body="Did you try turning it off?", url="https://acme.test/t/1#2", accepted=True,
    )  # fmt: skip
    payload = CasePayload(
        escalation_id=1, idempotency_key=key, community="Acme Community", tenant="acme",
        thread_id=1, thread_title="Router keeps resetting", thread_url="https://acme.test/t/1",
        category="general", priority=80, priority_label="high", rules=["unresolved", "sentiment"],
        note="VIP customer", sentiment=-0.6, asker=asker, question=question, answers=[answer],
        history=[HistoryEntry("2026-01-06T09:00:00Z", "escalated", "rule unresolved")],
        callback_url="https://acme.test/escalations/callbacks/1",
        created_at="2026-01-06T09:00:00Z",
    )  # fmt: skip
    return replace(payload, **changes)


def assert_failed(
    excinfo: pytest.ExceptionInfo[DeliveryFailed],
    *,
    retryable: bool,
    retry_after: float | None = None,
    says: str = "",
) -> None:
    failed = excinfo.value
    assert failed.retryable is retryable, failed.message
    assert failed.retry_after == retry_after, failed.message
    assert says in failed.message


# ---- the shared helpers ----------------------------------------------------------------------


def _response(**headers: str) -> httpx.Response:
    return httpx.Response(503, headers=headers)


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert retry_after(_response(**{"Retry-After": "93"})) == 93
    later = datetime.now(UTC) + timedelta(seconds=120)
    seconds = retry_after(_response(**{"Retry-After": format_datetime(later, usegmt=True)}))
    assert seconds is not None and 100 < seconds <= 120
    assert retry_after(_response(**{"Retry-After": "soon"})) is None
    assert retry_after(_response()) is None


def test_clip_keeps_short_text_and_cuts_long_text() -> None:
    assert clip("short", 10) == "short"
    assert clip("x" * 300, 255) == "x" * 254 + "…"


def test_vendor_records_requests_and_answers_in_turn() -> None:
    answer = in_turn(Reply(503), Reply(201, {"ok": True}))
    with Vendor(answer) as vendor:
        first = httpx.post(f"{vendor.url}/a?b=c", json={"x": 1})
        second = httpx.post(f"{vendor.url}/a", content=b"")
        third = httpx.get(f"{vendor.url}/a")
    assert [first.status_code, second.status_code, third.status_code] == [503, 201, 201]
    assert vendor.seen[0].query == {"b": ["c"]} and vendor.seen[0].json() == {"x": 1}
    assert len(vendor.requests("POST")) == 2
