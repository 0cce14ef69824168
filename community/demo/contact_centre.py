"""A local contact-centre stand-in: it receives signed cases and plays the agent's side.

It speaks the webhook protocol Parvis's webhook target uses, for the demo and for tests:

- `POST /webhook`: a Standard Webhooks signed `escalation.created` event opens a case (201);
  the same `webhook-id` again (a retry) opens none and answers the same case (200); a bad
  signature answers 401. Right after opening a case it sends a signed `case.acknowledged`
  callback to the payload's `callback_url`.
- Fault injection: the first k deliveries fail ("500", "timeout" or "reset"); change it at
  run time with `POST /_control` `{"fail_first": k, "fail_mode": "..."}`.
- `GET /_cases` and `GET /_attempts`: everything received, as JSON.
- `GET /` and `GET /cases/<id>`: an agent's HTML view, with forms that reply to the customer,
  resolve or close the case: each sends a signed callback and shows Parvis's answer.

Everything lives in memory, behind one lock; the server is the standard library's.
"""

from __future__ import annotations

import base64
import json
import math
import re
import secrets
import signal
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal, cast, get_args
from urllib.parse import parse_qs, urlsplit, urlunsplit
from uuid import uuid4

import httpx
import jinja2
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from community.escalation.payload import Asker, CasePayload, HistoryEntry, Message

FailMode = Literal["500", "timeout", "reset"]
FAIL_MODES: tuple[str, ...] = get_args(FailMode)
MAX_BODY = 1_000_000
CASE_PATH = re.compile(r"^/cases/(CASE-\d+)(?:/(reply|status|acknowledge))?$")


def new_secret() -> str:
    """A fresh Standard Webhooks secret."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def _webhook(secret: str, name: str) -> Webhook:
    try:
        return Webhook(secret)
    except Exception as exc:  # bad base64 or an empty key
        raise ValueError(f"{name} is not a Standard Webhooks secret (whsec_<base64>)") from exc


@dataclass(frozen=True)
class Attempt:
    """One delivery received on /webhook, whatever became of it."""

    number: int
    webhook_id: str
    received_at: datetime
    outcome: str  # created, duplicate, rejected, invalid, 500, timeout, reset
    status: int  # the HTTP status answered; 0 when the connection was reset
    case_id: str = ""
    error: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"received_at": self.received_at.isoformat()}


@dataclass(frozen=True)
class Callback:
    """One signed message sent to Parvis, with its answer."""

    type: str
    message_id: str
    sent_at: datetime
    body: dict[str, Any]
    status: int  # Parvis's HTTP status; 0 when there was no answer
    error: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"sent_at": self.sent_at.isoformat(), "ok": self.ok}


@dataclass
class Case:
    id: str
    webhook_id: str
    payload: CasePayload
    received_at: datetime
    url: str
    status: str = "open"  # open, resolved, closed
    attempts: int = 0  # deliveries received with this webhook-id, failed ones included
    callbacks: list[Callback] = field(default_factory=list)

    @property
    def replies(self) -> list[Callback]:
        return [c for c in self.callbacks if c.type == "case.replied"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "webhook_id": self.webhook_id,
            "url": self.url,
            "status": self.status,
            "received_at": self.received_at.isoformat(),
            "attempts": self.attempts,
            "payload": self.payload.to_dict(),
            "replies": [c.to_dict() for c in self.replies],
            "callbacks": [c.to_dict() for c in self.callbacks],
        }


class UnknownCase(KeyError):
    pass


def parse_payload(data: Any) -> CasePayload:
    """The event's `data` as a CasePayload; ValueError when its shape is not one."""
    if not isinstance(data, dict):
        raise ValueError("data is not a JSON object")
    try:
        return CasePayload(
            **data
            | {
                "asker": Asker(**data["asker"]),
                "question": Message(**data["question"]),
                "answers": [Message(**a) for a in data["answers"]],
                "history": [HistoryEntry(**h) for h in data.get("history", [])],
            }
        )
    except (KeyError, TypeError) as exc:
        raise ValueError(f"data is not a CasePayload: {exc}") from exc


@dataclass(frozen=True)
class _Answer:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    location: str = ""


def _json(status: int, value: Any) -> _Answer:
    return _Answer(status, json.dumps(value, indent=1).encode())


def _html(status: int, text: str) -> _Answer:
    return _Answer(status, text.encode(), "text/html; charset=utf-8")


def _see_other(location: str) -> _Answer:
    return _Answer(HTTPStatus.SEE_OTHER, b"", "text/plain", location)


class ContactCentre:
    """The stand-in: `start()` it (or use `with`), point Parvis at `.url + "/webhook"`."""

    def __init__(
        self,
        secret: str,
        callback_secret: str,
        host: str = "127.0.0.1",
        port: int = 0,
        fail_first: int = 0,
        fail_mode: str = "500",
        timeout_seconds: float = 3.0,
        *,
        callback_timeout: float = 10.0,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.secret = secret
        self.callback_secret = callback_secret
        self.host = host
        self.port = port
        self.callback_timeout = callback_timeout
        self._verifier = _webhook(secret, "secret")
        self._signer = _webhook(callback_secret, "callback_secret")
        self._log = log
        self._lock = threading.RLock()
        self._idle = threading.Condition(self._lock)
        self._pending_callbacks = 0
        self._cases: dict[str, Case] = {}
        self._by_webhook_id: dict[str, Case] = {}
        self._attempts: list[Attempt] = []
        self._fail_first = 0
        self._fail_mode: FailMode = "500"
        self.timeout_seconds = timeout_seconds
        self.set_faults(fail_first, fail_mode, timeout_seconds)
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------

    @property
    def url(self) -> str:
        shown = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        return f"http://{shown}:{self.port}"

    def start(self) -> ContactCentre:
        """Listen (in a background thread); returns once connections are accepted."""
        self._stopping.clear()
        self._server = _Server((self.host, self.port), _Handler, self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes deliveries sleeping in "timeout" mode
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)
        self.wait_for_callbacks(self.callback_timeout + 1)
        self._server = self._thread = None

    def __enter__(self) -> ContactCentre:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def wait_for_callbacks(self, timeout: float = 10.0) -> bool:
        """Wait for the background callbacks (acknowledgements) under way; False: timed out.

        An acknowledgement counts from before its case's answer is sent, so a client that
        has its 201 can call this and then see the acknowledgement's outcome.
        """
        with self._idle:
            return self._idle.wait_for(lambda: self._pending_callbacks == 0, timeout)

    # -- state -------------------------------------------------------------------------

    def cases(self) -> list[Case]:
        """Every case, oldest first (copies: safe to keep)."""
        with self._lock:
            return [self._snapshot(case) for case in self._cases.values()]

    def case(self, case_id: str) -> Case:
        with self._lock:
            return self._snapshot(self._get_case(case_id))

    def attempts(self) -> list[Attempt]:
        with self._lock:
            return list(self._attempts)

    def set_faults(
        self,
        fail_first: int | None = None,
        fail_mode: str | None = None,
        timeout_seconds: float | None = None,
    ) -> None:
        """Fail the next `fail_first` deliveries with `fail_mode` (500, timeout or reset)."""
        if fail_first is not None and (isinstance(fail_first, bool) or fail_first < 0):
            raise ValueError("fail_first must be a whole number, 0 or more")
        if fail_mode is not None and fail_mode not in FAIL_MODES:
            raise ValueError(f"fail_mode must be one of {', '.join(FAIL_MODES)}")
        if timeout_seconds is not None and timeout_seconds < 0:
            raise ValueError("timeout_seconds must be 0 or more")
        with self._lock:
            if fail_first is not None:
                self._fail_first = fail_first
            if fail_mode is not None:
                self._fail_mode = cast(FailMode, fail_mode)
            if timeout_seconds is not None:
                self.timeout_seconds = timeout_seconds

    def faults(self) -> dict[str, Any]:
        with self._lock:
            return {
                "fail_first": self._fail_first,
                "fail_mode": self._fail_mode,
                "timeout_seconds": self.timeout_seconds,
            }

    def _snapshot(self, case: Case) -> Case:
        attempts = sum(1 for a in self._attempts if a.webhook_id == case.webhook_id)
        return replace(case, attempts=attempts, callbacks=list(case.callbacks))

    def _get_case(self, case_id: str) -> Case:
        try:
            return self._cases[case_id]
        except KeyError:
            raise UnknownCase(case_id) from None

    def _record(self, webhook_id: str, outcome: str, status: int, **extra: str) -> None:
        with self._lock:
            attempt = Attempt(
                len(self._attempts) + 1, webhook_id, datetime.now(UTC), outcome, status, **extra
            )
            self._attempts.append(attempt)
        if self._log:
            detail = extra.get("case_id") or extra.get("error") or ""
            answer = status or "no answer"
            self._log(f"POST /webhook {webhook_id or '-'} → {answer} ({outcome}) {detail}".rstrip())

    # -- receiving cases ---------------------------------------------------------------

    def _take_fault(self, webhook_id: str) -> tuple[FailMode, float] | None:
        """The injected failure for this delivery, if any (counted, and logged)."""
        with self._lock:
            if self._fail_first <= 0:
                return None
            self._fail_first -= 1
            mode, seconds = self._fail_mode, self.timeout_seconds
        self._record(webhook_id, mode, 0 if mode == "reset" else 500, error="injected failure")
        return mode, seconds

    def _deliver(self, headers: dict[str, str], body: bytes) -> tuple[_Answer, str]:
        """Answer one delivery; also the id of a case just opened (to acknowledge), or ""."""
        webhook_id = headers.get("webhook-id", "")
        try:
            self._verifier.verify(body, headers, json_parse=False)
        except (WebhookVerificationError, ValueError) as exc:
            return self._refuse(webhook_id, 401, "rejected", f"bad signature: {exc}"), ""
        try:
            payload = _parse_event(body)
        except ValueError as exc:
            return self._refuse(webhook_id, 422, "invalid", str(exc)), ""
        with self._lock:
            case = self._by_webhook_id.get(webhook_id)
            created = case is None
            if case is None:
                case = self._open(webhook_id, payload)
        status = HTTPStatus.CREATED if created else HTTPStatus.OK
        self._record(webhook_id, "created" if created else "duplicate", status, case_id=case.id)
        answer = _json(status, {"case_id": case.id, "case_url": case.url})
        return answer, case.id if created else ""

    def _refuse(self, webhook_id: str, status: int, outcome: str, error: str) -> _Answer:
        self._record(webhook_id, outcome, status, error=error)
        return _json(status, {"error": error})

    def _open(self, webhook_id: str, payload: CasePayload) -> Case:
        case_id = f"CASE-{len(self._cases) + 1:04d}"
        url = f"{self.url}/cases/{case_id}"
        case = Case(case_id, webhook_id, payload, datetime.now(UTC), url)
        self._cases[case_id] = self._by_webhook_id[webhook_id] = case
        return case

    def _acknowledgement(self, case_id: str) -> threading.Thread:
        """A thread (to start once the case's answer is sent) that acknowledges the case."""
        with self._lock:
            self._pending_callbacks += 1

        def acknowledge() -> None:
            try:
                self.acknowledge(case_id)
            finally:
                with self._idle:
                    self._pending_callbacks -= 1
                    self._idle.notify_all()

        return threading.Thread(target=acknowledge, daemon=True)

    # -- the agent's side: signed callbacks ----------------------------------------------

    def acknowledge(self, case_id: str) -> int:
        """Tell Parvis the case exists (sent automatically when a case opens)."""
        case = self.case(case_id)
        return self._callback(case_id, "case.acknowledged", {"case_url": case.url})

    def reply(self, case_id: str, agent: str, body: str) -> int:
        """Send the agent's reply (Markdown) to the customer; returns Parvis's HTTP status."""
        return self._callback(case_id, "case.replied", {"agent": {"name": agent}, "body": body})

    def resolve(self, case_id: str, body: str = "") -> int:
        self._set_status(case_id, "resolved")
        return self._callback(case_id, "case.resolved", {"body": body} if body else {})

    def close(self, case_id: str, body: str = "") -> int:
        self._set_status(case_id, "closed")
        return self._callback(case_id, "case.closed", {"body": body} if body else {})

    def _set_status(self, case_id: str, status: str) -> None:
        with self._lock:
            self._get_case(case_id).status = status

    def _callback(self, case_id: str, kind: str, extra: dict[str, Any]) -> int:
        """Sign and send one message to the case's callback_url; 0 when nothing answered."""
        case = self.case(case_id)
        message = {"type": kind, "idempotency_key": case.payload.idempotency_key}
        message |= {"case_id": case.id} | extra
        message_id = "msg_" + uuid4().hex
        status, error = self._post_signed(case.payload.callback_url, message_id, message)
        sent = Callback(kind, message_id, datetime.now(UTC), message, status, error)
        with self._lock:
            self._get_case(case_id).callbacks.append(sent)
        if self._log:
            self._log(f"{kind} {case_id} → {status or 'no answer'} {error}".rstrip())
        return status

    def _post_signed(self, url: str, message_id: str, message: dict[str, Any]) -> tuple[int, str]:
        if not url.startswith(("http://", "https://")):
            return 0, f"the case's callback_url is not an http(s) URL: {url!r}"
        body = json.dumps(message)
        now = datetime.now(UTC)
        headers = {
            "content-type": "application/json",
            "webhook-id": message_id,
            "webhook-timestamp": str(math.floor(now.timestamp())),
            "webhook-signature": self._signer.sign(message_id, now, body),
        }
        url, host_header = _loopback(url)
        headers |= host_header
        try:
            with httpx.Client(timeout=self.callback_timeout, trust_env=False) as client:
                response = client.post(url, content=body.encode(), headers=headers)
        except httpx.HTTPError as exc:
            return 0, f"{type(exc).__name__}: {exc}"
        return response.status_code, "" if response.is_success else _error_text(response)

    # -- HTTP routes (other than /webhook) -------------------------------------------------

    def _get(self, path: str) -> _Answer:
        if path == "/":
            cases = sorted(self.cases(), key=lambda c: c.received_at, reverse=True)
            return _html(200, _render("index.html", cases=cases, centre=self))
        if path == "/_cases":
            return _json(200, [case.to_dict() for case in self.cases()])
        if path == "/_attempts":
            return _json(200, [attempt.to_dict() for attempt in self.attempts()])
        match = CASE_PATH.match(path)
        if match is None or match[2] is not None:
            return _not_found()
        try:
            case = self.case(match[1])
        except UnknownCase:
            return _not_found()
        return _html(200, _render("case.html", case=case, centre=self))

    def _post(self, path: str, body: bytes) -> _Answer:
        if path == "/_control":
            return self._control(body)
        match = CASE_PATH.match(path)
        if match is None or match[2] is None:
            return _not_found()
        form = {k: v[0].strip() for k, v in parse_qs(body.decode(errors="replace")).items()}
        try:
            return self._act(match[1], match[2], form)
        except UnknownCase:
            return _not_found()

    def _control(self, body: bytes) -> _Answer:
        try:
            settings = json.loads(body or b"{}")
            if not isinstance(settings, dict):
                raise ValueError("send a JSON object")
            self.set_faults(
                settings.get("fail_first"),
                settings.get("fail_mode"),
                settings.get("timeout_seconds"),
            )
        except (ValueError, TypeError) as exc:
            return _json(422, {"error": str(exc)})
        return _json(200, self.faults())

    def _act(self, case_id: str, action: str, form: dict[str, str]) -> _Answer:
        if action == "reply":
            if not form.get("agent") or not form.get("body"):
                message = "A reply needs the agent's name and a message."
                return _html(400, _render("error.html", message=message, back=case_id))
            self.reply(case_id, form["agent"], form["body"])
        elif action == "acknowledge":
            self.acknowledge(case_id)
        elif form.get("action") == "close":
            self.close(case_id, form.get("body", ""))
        else:
            self.resolve(case_id, form.get("body", ""))
        return _see_other(f"/cases/{case_id}#messages")


def _parse_event(body: bytes) -> CasePayload:
    try:
        event = json.loads(body)
    except ValueError as exc:
        raise ValueError(f"the body is not JSON: {exc}") from exc
    if not isinstance(event, dict) or event.get("type") != "escalation.created":
        raise ValueError('expected an event of type "escalation.created"')
    return parse_payload(event.get("data"))


def _loopback(url: str) -> tuple[str, dict[str, str]]:
    """A `localhost` or `*.localhost` URL as one to 127.0.0.1, with its Host header.

    Such names are loopback (RFC 6761 §6.3) and browsers resolve them so, but many system
    resolvers (glibc without nss-myhostname, macOS) do not resolve `*.localhost`: the demo's
    northwind.localhost callbacks would fail. Parvis serves tenants by their Host header.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme != "http" or not (host == "localhost" or host.endswith(".localhost")):
        return url, {}
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit(parts._replace(netloc=f"127.0.0.1{port}")), {"host": f"{host}{port}"}


def _error_text(response: httpx.Response) -> str:
    try:
        parsed = response.json()
    except ValueError:
        parsed = None
    if isinstance(parsed, dict) and isinstance(parsed.get("error") or parsed.get("detail"), str):
        return str(parsed.get("error") or parsed.get("detail"))
    return response.text[:500] or response.reason_phrase


def _content_length(header: str | None) -> int:
    try:
        return int(header or 0)
    except ValueError:
        return -1


def _not_found() -> _Answer:
    return _html(404, _render("error.html", message="No such page or case.", back=""))


# -- the HTTP server ---------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default 5 drops connections under a burst of cases

    def __init__(
        self, address: tuple[str, int], handler: type[_Handler], centre: ContactCentre
    ) -> None:
        self.centre = centre
        super().__init__(address, handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that gave up (timeouts) are expected here; answers go nowhere


class _Handler(BaseHTTPRequestHandler):
    server_version = "ParvisContactCentre/1.0"
    timeout = 30  # an idle connection does not hold a thread for ever

    @property
    def centre(self) -> ContactCentre:
        return cast(_Server, self.server).centre

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the centre logs deliveries and callbacks itself

    def do_GET(self) -> None:
        self._send(self.centre._get(urlsplit(self.path).path))

    def do_POST(self) -> None:
        length = _content_length(self.headers.get("content-length"))
        if not 0 <= length <= MAX_BODY:
            self.close_connection = True
            self._send(_json(413, {"error": "request body missing a length, or too large"}))
            return
        body = self.rfile.read(length)
        path = urlsplit(self.path).path
        if path == "/webhook":
            self._webhook(body)
        else:
            self._send(self.centre._post(path, body))

    def _webhook(self, body: bytes) -> None:
        headers = {name.lower(): value for name, value in self.headers.items()}
        fault = self.centre._take_fault(headers.get("webhook-id", ""))
        if fault is not None:
            self._fail(*fault)
            return
        answer, opened = self.centre._deliver(headers, body)
        acknowledgement = self.centre._acknowledgement(opened) if opened else None
        self._send(answer)
        if acknowledgement is not None:
            acknowledgement.start()

    def _fail(self, mode: FailMode, seconds: float) -> None:
        if mode == "reset":
            self._reset()
            return
        if mode == "timeout":
            self.centre._stopping.wait(seconds)
        self._send(_json(500, {"error": f"injected failure ({mode})"}))

    def _reset(self) -> None:
        """Drop the connection without an answer: a TCP reset, not a clean close."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def _send(self, answer: _Answer) -> None:
        try:
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            if answer.location:
                self.send_header("Location", answer.location)
            self.end_headers()
            self.wfile.write(answer.body)
        except OSError:
            self.close_connection = True  # the client went away


# -- running it from the command line --------------------------------------------------


def run_until_interrupted(centre: ContactCentre, echo: Callable[[str], None]) -> None:
    """Start `centre`, print how to use it, serve until Ctrl-C (or SIGTERM)."""
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stopping.set())
    centre.start()
    for line in banner(centre):
        echo(line)
    try:
        while not stopping.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        echo("stopping")
        centre.stop()


def banner(centre: ContactCentre) -> Iterator[str]:
    faults = centre.faults()
    yield f"Contact-centre stand-in listening on {centre.url}/"
    yield f"  webhook URL (cases in):      {centre.url}/webhook"
    yield f"  webhook secret:              {centre.secret}"
    yield f"  callback secret (Parvis in): {centre.callback_secret}"
    if faults["fail_first"]:
        yield f"  failing the first {faults['fail_first']} deliveries ({faults['fail_mode']})"
    yield "Ctrl-C to stop."


# -- the agent's pages -------------------------------------------------------------------


def _when(value: datetime | str) -> str:
    """A time as "2026-05-01 10:00:00 UTC"; text that is not ISO 8601 as it is."""
    if not isinstance(value, datetime):
        try:
            value = datetime.fromisoformat(str(value))
        except ValueError:
            return str(value)
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%d %H:%M:%S UTC")


def _signed(value: object) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:+.2f}"
    return "not measured"


def _http_url(value: object) -> str:
    """The URL if it is http(s), else "": user content never becomes a javascript: link."""
    text = str(value or "")
    return text if text.startswith(("http://", "https://")) else ""


def _render(name: str, **context: Any) -> str:
    return _TEMPLATES.get_template(name).render(**context)


_BASE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}Contact centre{% endblock %} · Parvis stand-in</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 60rem; padding: 1rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #ccc; vertical-align: top; }
.text { white-space: pre-wrap; background: #f6f6f6; padding: .5rem; border-radius: .3rem; }
.bad { color: #a00; } .good { color: #060; }
label { display: block; font-weight: 600; margin-top: .5rem; }
input, textarea { width: 100%; box-sizing: border-box; font: inherit; }
button { margin-top: .5rem; font: inherit; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dt { font-weight: 600; } dd { margin: 0; }
</style>
</head>
<body>
<header><a href="/">Contact centre (Parvis stand-in)</a></header>
<main>{% block main %}{% endblock %}</main>
</body>
</html>
"""

_INDEX = """{% extends "base.html" %}
{% block main %}
<h1>Cases</h1>
<p>Cases arrive at <code>{{ centre.url }}/webhook</code>.</p>
{% if cases %}
<table>
<caption>Newest first</caption>
<thead><tr>
<th scope="col">Case</th><th scope="col">Priority</th><th scope="col">Community</th>
<th scope="col">Title</th><th scope="col">Asker</th><th scope="col">Status</th>
<th scope="col">Received</th>
</tr></thead>
<tbody>
{% for case in cases %}
<tr>
<td><a href="/cases/{{ case.id }}">{{ case.id }}</a></td>
<td>{{ case.payload.priority_label }}</td>
<td>{{ case.payload.community }}</td>
<td>{{ case.payload.thread_title }}</td>
<td>{{ case.payload.asker.name }}</td>
<td>{{ case.status }}</td>
<td>{{ case.received_at | when }}</td>
</tr>
{% endfor %}
</tbody>
</table>
{% else %}
<p>No cases yet.</p>
{% endif %}
{% endblock %}
"""

_MESSAGE = """<article>
<h3>{% if message.number %}#{{ message.number }} {% endif %}{{ message.author }}
{%- if message.role %} ({{ message.role }}){% endif %}
{%- if message.accepted %}, accepted{% endif %}{% if message.certified %}, certified{% endif %}</h3>
<p>{{ message.created_at | when }}{% if message.url | http_url %}
· <a href="{{ message.url | http_url }}">in the community</a>{% endif %}</p>
<div class="text">{{ message.body }}</div>
</article>
"""

_CASE = """{% extends "base.html" %}
{% block title %}{{ case.id }}{% endblock %}
{% block main %}
{% set p = case.payload %}
<h1>{{ case.id }}: {{ p.thread_title }}</h1>
{% set last = case.callbacks[-1] if case.callbacks else none %}
{% if last %}
<p role="status" class="{{ 'good' if last.ok else 'bad' }}">Last message to Parvis:
{{ last.type }} → {{ last.status or "no answer" }}{% if last.error %}: {{ last.error }}{% endif %}</p>
{% endif %}
<dl>
<dt>Thread</dt><dd>{% if p.thread_url | http_url %}<a href="{{ p.thread_url | http_url }}">
{{- p.thread_title }}</a>{% else %}{{ p.thread_title }}{% endif %}</dd>
<dt>Community</dt><dd>{{ p.community }} ({{ p.tenant }}), {{ p.category }}</dd>
<dt>Priority</dt><dd>{{ p.priority_label }} ({{ p.priority }}/100)</dd>
<dt>Status</dt><dd>{{ case.status }}</dd>
<dt>Received</dt><dd>{{ case.received_at | when }}, {{ case.attempts }} delivery attempt(s)</dd>
<dt>Webhook id</dt><dd><code>{{ case.webhook_id }}</code></dd>
<dt>Escalation key</dt><dd><code>{{ p.idempotency_key }}</code></dd>
</dl>

<h2>Asker</h2>
<dl>
<dt>Name</dt><dd>{% if p.asker.profile_url | http_url %}<a href="{{ p.asker.profile_url | http_url }}">
{{- p.asker.name }}</a>{% else %}{{ p.asker.name }}{% endif %} &lt;{{ p.asker.email }}&gt;</dd>
<dt>Customer id</dt><dd>{{ p.asker.customer_id or "not linked" }}</dd>
<dt>Tier</dt><dd>{{ p.asker.tier or "unknown" }}</dd>
<dt>Reputation</dt><dd>{{ p.asker.reputation }}</dd>
<dt>Influence</dt><dd>{{ p.asker.influence }}</dd>
</dl>

<h2>Why it escalated</h2>
<dl>
<dt>Rules fired</dt><dd>{{ p.rules | join(", ") }}</dd>
<dt>Sentiment</dt><dd>{{ p.sentiment | signed }}</dd>
<dt>Note</dt><dd>{{ p.note or "none" }}</dd>
</dl>

<h2>Question</h2>
{% with message = p.question %}{% include "message.html" %}{% endwith %}
<h2>Answers ({{ p.answers | length }})</h2>
{% for message in p.answers %}{% include "message.html" %}{% else %}<p>No answers.</p>{% endfor %}

{% if p.history %}
<h2>History</h2>
<table>
<thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">Detail</th>
<th scope="col">By</th></tr></thead>
<tbody>
{% for h in p.history %}
<tr><td>{{ h.at | when }}</td><td>{{ h.kind }}</td><td>{{ h.detail }}</td><td>{{ h.actor }}</td></tr>
{% endfor %}
</tbody>
</table>
{% endif %}

<h2 id="messages">Messages sent to Parvis</h2>
{% if case.callbacks %}
<table>
<thead><tr><th scope="col">Sent</th><th scope="col">Type</th><th scope="col">Content</th>
<th scope="col">Parvis answered</th></tr></thead>
<tbody>
{% for c in case.callbacks %}
<tr>
<td>{{ c.sent_at | when }}</td>
<td>{{ c.type }}</td>
<td>{% if c.body.get("agent") %}{{ c.body.agent.name }}:{% endif %}
{%- if c.body.get("body") %}<div class="text">{{ c.body.body }}</div>{% endif %}</td>
<td class="{{ 'good' if c.ok else 'bad' }}">{{ c.status or "no answer" }}
{%- if c.error %}: {{ c.error }}{% endif %}</td>
</tr>
{% endfor %}
</tbody>
</table>
{% else %}
<p>None yet.</p>
{% endif %}
<form method="post" action="/cases/{{ case.id }}/acknowledge">
<button type="submit">Send the acknowledgement again</button>
</form>

<h2>Reply to the customer</h2>
<form method="post" action="/cases/{{ case.id }}/reply">
<label for="agent">Agent name</label>
<input id="agent" name="agent" required autocomplete="name">
<label for="reply-body">Message (Markdown)</label>
<textarea id="reply-body" name="body" rows="6" required></textarea>
<button type="submit">Send reply</button>
</form>

<h2>Resolve or close</h2>
<form method="post" action="/cases/{{ case.id }}/status">
<label for="status-body">Closing note for the customer (optional)</label>
<textarea id="status-body" name="body" rows="3"></textarea>
<button type="submit" name="action" value="resolve">Resolve</button>
<button type="submit" name="action" value="close">Close</button>
</form>
{% endblock %}
"""

_ERROR = """{% extends "base.html" %}
{% block main %}
<h1>Sorry</h1>
<p>{{ message }}</p>
<p>{% if back %}<a href="/cases/{{ back }}">Back to {{ back }}</a>{% else %}
<a href="/">All cases</a>{% endif %}</p>
{% endblock %}
"""

_TEMPLATES = jinja2.Environment(
    loader=jinja2.DictLoader(
        {
            "base.html": _BASE,
            "index.html": _INDEX,
            "case.html": _CASE,
            "message.html": _MESSAGE,
            "error.html": _ERROR,
        }
    ),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)
_TEMPLATES.filters.update(when=_when, signed=_signed, http_url=_http_url)
