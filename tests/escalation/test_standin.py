"""The contact-centre stand-in, driven the way Parvis and an agent drive it."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from uuid import uuid4

import httpx
import pytest
from click.testing import CliRunner
from standardwebhooks.webhooks import Webhook

from community.cli import main
from community.demo.contact_centre import ContactCentre, new_secret
from community.escalation.payload import Asker, CasePayload, HistoryEntry, Message

SECRET = new_secret()
CALLBACK_SECRET = new_secret()


@dataclass
class Receiver:
    """Parvis's callback endpoint, played by a tiny server that verifies every signature."""

    status: int = 200
    answer: dict[str, Any] = field(default_factory=lambda: {"ok": True})
    received: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    def handle(self, headers: dict[str, str], body: bytes) -> int:
        try:
            message = Webhook(CALLBACK_SECRET).verify(body, headers)
        except Exception as exc:
            self.received.append({"verified": False, "error": str(exc)})
            return 401
        self.received.append({"verified": True, "headers": headers, "message": message})
        return self.status

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [r["message"] for r in self.received if r.get("message", {}).get("type") == kind]


class _ReceiverHandler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        receiver = cast(Any, self.server).receiver
        body = self.rfile.read(int(self.headers["content-length"]))
        status = receiver.handle(dict(self.headers.items()), body)
        verified = receiver.received[-1]["verified"]
        answer = json.dumps(receiver.answer if verified else {"error": "bad signature"}).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ReceiverHandler)
    receiver = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/callbacks")
    server.receiver = receiver  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def centre(receiver: Receiver) -> Iterator[ContactCentre]:
    with ContactCentre(SECRET, CALLBACK_SECRET, timeout_seconds=1.0) as centre:
        yield centre


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(trust_env=False, timeout=5) as client:
        yield client


def payload(receiver: Receiver, **changes: Any) -> CasePayload:
    asker = Asker(7, "Dana", "dana@example.com", "C-42", "gold", 130, 12, "http://acme/m/7")
    question = Message(1, "Dana", "member", "2026-05-01T10:00:00+00:00", "My **router** died.", "")
    answer = Message(2, "Eli", "expert", "2026-05-01T11:00:00+00:00", "Reboot it?", "", True)
    case = CasePayload(
        escalation_id=1,
        idempotency_key="esc-" + uuid4().hex,
        community="Acme Help",
        tenant="acme",
        thread_id=3,
        thread_title="Router keeps dying",
        thread_url="http://acme.localhost/t/3",
        category="Hardware",
        priority=80,
        priority_label="high",
        rules=["unresolved", "sentiment"],
        note="Third time this month",
        sentiment=-0.62,
        asker=asker,
        question=question,
        answers=[answer],
        history=[HistoryEntry("2026-05-02T09:00:00+00:00", "escalated", "by rule")],
        callback_url=receiver.url,
    )
    return replace(case, **changes)


def signed(case: CasePayload, webhook_id: str = "", secret: str = SECRET) -> dict[str, Any]:
    """The request Parvis sends: body and Standard Webhooks headers."""
    event = {"type": "escalation.created", "timestamp": "2026-05-02T09:00:00Z"}
    body = json.dumps(event | {"data": case.to_dict()})
    webhook_id = webhook_id or "msg_" + uuid4().hex
    now = datetime.now(UTC)
    headers = {
        "content-type": "application/json",
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(webhook_id, now, body),
    }
    return {"content": body.encode(), "headers": headers}


def deliver(client: httpx.Client, centre: ContactCentre, request: dict[str, Any]) -> httpx.Response:
    return client.post(f"{centre.url}/webhook", **request)


def test_a_delivery_opens_one_case_and_a_retry_none(
    centre: ContactCentre, receiver: Receiver, client: httpx.Client
) -> None:
    case = payload(receiver)
    request = signed(case)
    first = deliver(client, centre, request)
    again = deliver(client, centre, request)

    assert first.status_code == 201
    assert first.json() == {"case_id": "CASE-0001", "case_url": f"{centre.url}/cases/CASE-0001"}
    assert again.status_code == 200 and again.json() == first.json()
    [opened] = centre.cases()
    assert opened.payload == case and opened.attempts == 2
    assert [a.outcome for a in centre.attempts()] == ["created", "duplicate"]

    assert centre.wait_for_callbacks()
    [ack] = receiver.of_type("case.acknowledged")
    assert ack == {
        "type": "case.acknowledged",
        "idempotency_key": case.idempotency_key,
        "case_id": "CASE-0001",
        "case_url": f"{centre.url}/cases/CASE-0001",
    }
    assert centre.cases()[0].callbacks[0].status == 200


def test_concurrent_retries_open_one_case(
    centre: ContactCentre, receiver: Receiver, client: httpx.Client
) -> None:
    request = signed(payload(receiver))
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: deliver(client, centre, request).status_code, range(8)))
    assert sorted(statuses) == [200] * 7 + [201]
    assert len(centre.cases()) == 1


def test_a_new_webhook_id_is_a_new_case(
    centre: ContactCentre, receiver: Receiver, client: httpx.Client
) -> None:
    deliver(client, centre, signed(payload(receiver)))
    second = deliver(client, centre, signed(payload(receiver)))
    assert second.status_code == 201 and second.json()["case_id"] == "CASE-0002"


def test_a_bad_signature_is_refused(
    centre: ContactCentre, receiver: Receiver, client: httpx.Client
) -> None:
    forged = deliver(client, centre, signed(payload(receiver), secret=new_secret()))
    tampered = signed(payload(receiver))
    tampered["content"] = tampered["content"].replace(b"Router", b"Toaster")
    unsigned = client.post(f"{centre.url}/webhook", content=b"{}")

    for response in (forged, deliver(client, centre, tampered), unsigned):
        assert response.status_code == 401 and "error" in response.json()
    assert centre.cases() == []
    assert [a.outcome for a in centre.attempts()] == ["rejected"] * 3


def test_a_payload_that_is_not_a_case_is_unprocessable(
    centre: ContactCentre, receiver: Receiver, client: httpx.Client
) -> None:
    request = signed(payload(receiver))
    broken = json.loads(request["content"])
    del broken["data"]["asker"]
    body = json.dumps(broken)
    headers = request["headers"] | {
        "webhook-signature": Webhook(SECRET).sign(
            request["headers"]["webhook-id"],
            datetime.fromtimestamp(int(request["headers"]["webhook-timestamp"]), UTC),
            body,
        )
    }
    response = client.post(f"{centre.url}/webhook", content=body.encode(), headers=headers)
    assert response.status_code == 422 and "asker" in response.json()["error"]
    assert centre.cases() == []


def test_the_first_deliveries_fail_with_500(receiver: Receiver, client: httpx.Client) -> None:
    with ContactCentre(SECRET, CALLBACK_SECRET, fail_first=2, fail_mode="500") as centre:
        request = signed(payload(receiver))
        statuses = [deliver(client, centre, request).status_code for _ in range(3)]
        assert statuses == [500, 500, 201]
        assert [(a.outcome, a.status) for a in centre.attempts()] == [
            ("500", 500),
            ("500", 500),
            ("created", 201),
        ]
        assert centre.cases()[0].attempts == 3


def test_reset_mode_drops_the_connection(receiver: Receiver, client: httpx.Client) -> None:
    with ContactCentre(SECRET, CALLBACK_SECRET, fail_first=1, fail_mode="reset") as centre:
        request = signed(payload(receiver))
        with pytest.raises(httpx.TransportError):
            deliver(client, centre, request)
        assert deliver(client, centre, request).status_code == 201
        assert [a.outcome for a in centre.attempts()] == ["reset", "created"]


def test_timeout_mode_outlasts_the_client(receiver: Receiver) -> None:
    with (
        ContactCentre(SECRET, CALLBACK_SECRET, timeout_seconds=1.0) as centre,
        httpx.Client(trust_env=False, timeout=0.2) as impatient,
    ):
        centre.set_faults(1, "timeout")
        started = time.monotonic()
        with pytest.raises(httpx.TimeoutException):
            deliver(impatient, centre, signed(payload(receiver)))
        assert time.monotonic() - started < 1.0
        assert [a.outcome for a in centre.attempts()] == ["timeout"]


def test_control_changes_the_faults_at_run_time(
    centre: ContactCentre, receiver: Receiver, client: httpx.Client
) -> None:
    changed = client.post(f"{centre.url}/_control", json={"fail_first": 1, "fail_mode": "500"})
    assert changed.status_code == 200 and changed.json()["fail_first"] == 1
    bad = client.post(f"{centre.url}/_control", json={"fail_mode": "explode"})
    assert bad.status_code == 422

    request = signed(payload(receiver))
    assert deliver(client, centre, request).status_code == 500
    assert deliver(client, centre, request).status_code == 201
    [listed] = client.get(f"{centre.url}/_cases").json()
    assert listed["id"] == "CASE-0001" and listed["status"] == "open"
    assert listed["webhook_id"] == request["headers"]["webhook-id"]
    assert listed["attempts"] == 2 and listed["replies"] == []
    assert listed["payload"]["thread_title"] == "Router keeps dying"
    assert len(client.get(f"{centre.url}/_attempts").json()) == 2


def test_an_agent_replies_from_the_case_page(
    centre: ContactCentre, receiver: Receiver, client: httpx.Client
) -> None:
    case = payload(receiver)
    case_id = deliver(client, centre, signed(case)).json()["case_id"]
    assert centre.wait_for_callbacks()
    form = {"agent": "Sam", "body": "Sorry! A new router is on its way."}

    posted = client.post(f"{centre.url}/cases/{case_id}/reply", data=form)

    assert posted.status_code == 303 and posted.headers["location"].startswith(f"/cases/{case_id}")
    [reply] = receiver.of_type("case.replied")
    assert reply == {
        "type": "case.replied",
        "idempotency_key": case.idempotency_key,
        "case_id": case_id,
        "agent": {"name": "Sam"},
        "body": "Sorry! A new router is on its way.",
    }
    assert all(r["verified"] for r in receiver.received)
    [sent] = centre.case(case_id).replies
    assert sent.status == 200 and sent.body == reply
    assert receiver.received[-1]["headers"]["webhook-id"] == sent.message_id
    assert "A new router is on its way" in client.get(f"{centre.url}/cases/{case_id}").text


def test_resolving_and_closing_send_signed_callbacks(
    centre: ContactCentre, receiver: Receiver, client: httpx.Client
) -> None:
    case = payload(receiver)
    case_id = deliver(client, centre, signed(case)).json()["case_id"]
    assert centre.wait_for_callbacks()
    url = f"{centre.url}/cases/{case_id}/status"

    resolved = client.post(url, data={"action": "resolve", "body": "Replaced."})
    assert resolved.status_code == 303 and centre.case(case_id).status == "resolved"
    closed = client.post(url, data={"action": "close", "body": ""})
    assert closed.status_code == 303 and centre.case(case_id).status == "closed"

    key = {"idempotency_key": case.idempotency_key, "case_id": case_id}
    assert receiver.of_type("case.resolved") == [
        {"type": "case.resolved", **key, "body": "Replaced."}
    ]
    assert receiver.of_type("case.closed") == [{"type": "case.closed", **key}]
    assert all(r["verified"] for r in receiver.received)
    ids = [r["headers"]["webhook-id"] for r in receiver.received]
    assert len(set(ids)) == len(ids) == 3


def test_the_case_page_shows_what_parvis_answered(
    centre: ContactCentre, receiver: Receiver, client: httpx.Client
) -> None:
    case_id = deliver(client, centre, signed(payload(receiver))).json()["case_id"]
    assert centre.wait_for_callbacks()
    receiver.status, receiver.answer = 404, {"error": "no such escalation"}

    assert centre.reply(case_id, "Sam", "Hello") == 404

    page = client.get(f"{centre.url}/cases/{case_id}").text
    assert "404" in page and "no such escalation" in page


def test_a_callback_nobody_answers_is_status_0(
    centre: ContactCentre, receiver: Receiver, client: httpx.Client
) -> None:
    gone = payload(receiver, callback_url="http://127.0.0.1:9/nowhere")
    case_id = deliver(client, centre, signed(gone)).json()["case_id"]
    assert centre.resolve(case_id) == 0
    assert "ConnectError" in centre.case(case_id).callbacks[-1].error


def test_the_pages_escape_user_content(
    centre: ContactCentre, receiver: Receiver, client: httpx.Client
) -> None:
    hostile = payload(
        receiver,
        thread_title="<script>alert(1)</script>",
        thread_url="javascript:alert(2)",
        note='"><img src=x onerror=alert(3)>',
    )
    case_id = deliver(client, centre, signed(hostile)).json()["case_id"]

    for page in (client.get(f"{centre.url}/"), client.get(f"{centre.url}/cases/{case_id}")):
        assert page.status_code == 200
        assert "<script>alert(1)" not in page.text and "&lt;script&gt;alert(1)" in page.text
        assert "javascript:" not in page.text and "<img" not in page.text


def test_the_pages_list_and_show_cases(
    centre: ContactCentre, receiver: Receiver, client: httpx.Client
) -> None:
    deliver(client, centre, signed(payload(receiver, thread_title="Older")))
    deliver(client, centre, signed(payload(receiver, thread_title="Newer")))

    index = client.get(f"{centre.url}/").text
    assert index.index("Newer") < index.index("Older")
    page = client.get(f"{centre.url}/cases/CASE-0001").text
    for shown in ("C-42", "gold", "unresolved, sentiment", "-0.62", "Third time", "Reboot it?"):
        assert shown in page
    assert '<label for="agent">' in page and 'value="close"' in page
    assert client.get(f"{centre.url}/cases/CASE-0099").status_code == 404
    assert client.post(f"{centre.url}/cases/CASE-0001/reply", data={}).status_code == 400


def test_the_command_is_there() -> None:
    result = CliRunner().invoke(main, ["contact-centre", "--help"])
    assert result.exit_code == 0 and "--fail-mode" in result.output
    bad = CliRunner().invoke(main, ["contact-centre", "--secret", "whsec_"])
    assert bad.exit_code == 1 and "not a Standard Webhooks secret" in bad.output
