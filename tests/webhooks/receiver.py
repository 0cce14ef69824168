"""A webhook receiver on 127.0.0.1 (a port the OS chose) that verifies every delivery with
the `standardwebhooks` package, as a brand's CRM would, and acts once per `webhook-id`."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    webhook_id: str
    verified: bool
    status: int  # what the receiver answered
    body: dict[str, Any] | None


@dataclass
class Receiver:
    secret: str = ""  # set once the subscription (and its secret) exists
    fail_first: int = 0  # answer 500 to the first k requests
    slow_first: int = 0  # ...or sleep past the sender's timeout on the first k
    slow_seconds: float = 2.5
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __enter__(self) -> Receiver:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def answer(self, webhook_id: str, headers: dict[str, str], raw: bytes) -> int:
        try:
            body = Webhook(self.secret).verify(raw, headers)
            verified = True
        except WebhookVerificationError:
            body, verified = None, False
        with self.lock:
            number = len(self.received)
            slow = number < self.slow_first
            status = 401 if not verified else 500 if number < self.fail_first else 200
            self.received.append(Received(webhook_id, verified, status, body))
        if slow:
            time.sleep(self.slow_seconds)
        return status

    def processed(self) -> list[dict[str, Any]]:
        """The events acted on: verified, answered 2xx, once per webhook-id."""
        seen: dict[str, dict[str, Any]] = {}
        for item in self.received:
            if item.verified and item.status == 200 and item.body is not None:
                seen.setdefault(item.webhook_id, item.body)
        return list(seen.values())

    def types(self) -> list[str]:
        return [event["type"] for event in self.processed()]

    def of_type(self, event_type: str) -> list[dict[str, Any]]:
        return [event for event in self.processed() if event["type"] == event_type]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("content-length", "0")))
            headers = {name.lower(): value for name, value in self.headers.items()}
            status = receiver.answer(headers.get("webhook-id", ""), headers, raw)
            reply = json.dumps({"ok": status == 200, "status": status}).encode()
            try:
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)
            except OSError:  # the sender gave up waiting (a timeout test)
                pass

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
