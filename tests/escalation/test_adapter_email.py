"""The email adapter against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, cast

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from community.escalation.adapters import CaseReceipt, DeliveryFailed
from community.escalation.adapters.email import EmailAdapter
from tests.escalation.test_adapter_support import assert_failed, client, free_port, make_payload


class Mailbox:
    """An aiosmtpd handler: keeps what it accepts, answers RCPT and DATA as told."""

    def __init__(
        self, rcpt_reply: str = "250 OK", data_reply: str = "250 Message accepted"
    ) -> None:
        self.rcpt_reply = rcpt_reply
        self.data_reply = data_reply
        self.messages: list[tuple[Envelope, EmailMessage]] = []

    async def handle_RCPT(
        self, server: Any, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if self.rcpt_reply.startswith("250"):
            envelope.rcpt_tos.append(address)
        return self.rcpt_reply

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        if self.data_reply.startswith("250"):
            raw = cast(bytes, envelope.original_content).replace(b"\r\n", b"\n")
            parsed = message_from_bytes(raw, policy=policy.default)
            self.messages.append((envelope, parsed))
        return self.data_reply


def _authenticate(
    server: Any, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    good = isinstance(auth_data, LoginPassword) and auth_data == (b"parvis", b"hunter22")
    return AuthResult(success=good, handled=False)  # handled=False: aiosmtpd answers 535


@contextmanager
def smtp_server(mailbox: Mailbox, **options: Any) -> Iterator[int]:
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def mailer(port: int, **settings: Any) -> EmailAdapter:
    config = {"to": "cases@helpdesk.test", "from_address": "parvis@acme.test",
              "smtp_host": "127.0.0.1", "smtp_port": port, **settings}  # fmt: skip
    credentials: dict[str, Any] = {
        k: config.pop(k) for k in ("username", "password") if k in config
    }
    return EmailAdapter(config, credentials, client())


@pytest.mark.anyio
async def test_mails_the_case_with_its_key_and_the_payload_attached() -> None:
    mailbox = Mailbox()
    payload = make_payload()
    with smtp_server(mailbox) as port:
        receipt = await mailer(port).create_case(payload)
    assert receipt == CaseReceipt()
    ((envelope, message),) = mailbox.messages
    assert envelope.mail_from == "parvis@acme.test"
    assert envelope.rcpt_tos == ["cases@helpdesk.test"]
    assert message["Subject"] == "[Acme Community] Router keeps resetting"
    assert message["Message-ID"] == f"<{payload.idempotency_key}@parvis>"
    assert message["X-Parvis-Escalation"] == payload.idempotency_key
    assert (message["From"], message["To"]) == ("parvis@acme.test", "cases@helpdesk.test")
    body = message.get_body(("plain",))
    assert body is not None and body.get_content().rstrip("\n") == payload.summary()
    (attachment,) = message.iter_attachments()
    assert attachment.get_filename() == "escalation.json"
    assert attachment.get_content_type() == "application/json"
    assert json.loads(attachment.get_content()) == payload.to_dict()


@pytest.mark.anyio
async def test_every_attempt_sends_the_same_message_id() -> None:
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        await mailer(port).create_case(make_payload())
        await mailer(port).create_case(make_payload())
    ids = {message["Message-ID"] for _, message in mailbox.messages}
    assert len(mailbox.messages) == 2 and len(ids) == 1


@pytest.mark.anyio
async def test_a_subject_with_line_breaks_stays_one_header() -> None:
    mailbox = Mailbox()
    with smtp_server(mailbox) as port:
        await mailer(port).create_case(make_payload(thread_title="Line\r\nBcc: x@evil.test"))
    ((envelope, message),) = mailbox.messages
    assert message["Subject"] == "[Acme Community] Line Bcc: x@evil.test"
    assert message["Bcc"] is None and envelope.rcpt_tos == ["cases@helpdesk.test"]


@pytest.mark.parametrize(
    ("mailbox", "retryable", "says"),
    [
        (Mailbox(data_reply="451 4.3.0 Mail server temporarily rejected message"), True, "451"),
        (Mailbox(rcpt_reply="450 4.2.1 Mailbox busy"), True, "cases@helpdesk.test: 450"),
        (Mailbox(rcpt_reply="550 5.1.1 No such user"), False, "cases@helpdesk.test: 550"),
        (Mailbox(data_reply="554 5.7.1 Message rejected as spam"), False, "554"),
    ],
    ids=["451-data", "450-rcpt", "550-rcpt", "554-data"],
)
@pytest.mark.anyio
async def test_smtp_replies(mailbox: Mailbox, retryable: bool, says: str) -> None:
    with smtp_server(mailbox) as port, pytest.raises(DeliveryFailed) as excinfo:
        await mailer(port).create_case(make_payload())
    assert_failed(excinfo, retryable=retryable, says=says)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.anyio
async def test_logs_in_and_refused_credentials_are_not_retried() -> None:
    mailbox = Mailbox()
    options = {"authenticator": _authenticate, "auth_require_tls": False}
    with smtp_server(mailbox, **options) as port:
        await mailer(port, username="parvis", password="hunter22").create_case(make_payload())
        with pytest.raises(DeliveryFailed) as excinfo:
            await mailer(port, username="parvis", password="wrong").create_case(make_payload())
    assert len(mailbox.messages) == 1
    assert_failed(excinfo, retryable=False, says="535")
    assert "check the username and password" in excinfo.value.message
    assert "wrong" not in excinfo.value.message


@pytest.mark.anyio
async def test_starttls_a_server_does_not_offer_is_not_retried() -> None:
    with smtp_server(Mailbox()) as port, pytest.raises(DeliveryFailed) as excinfo:
        await mailer(port, starttls=True).create_case(make_payload())
    assert_failed(excinfo, retryable=False, says="STARTTLS")


@pytest.mark.anyio
async def test_a_server_that_never_answers_is_retried() -> None:
    with socket.socket() as silent:  # accepts connections (backlog), never says hello
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        with pytest.raises(DeliveryFailed) as excinfo:
            await mailer(silent.getsockname()[1]).create_case(make_payload())
    assert_failed(excinfo, retryable=True, says="Timed out after 0.5 s talking to 127.0.0.1:")


@pytest.mark.anyio
async def test_a_refused_connection_is_retried() -> None:
    port = free_port()
    with pytest.raises(DeliveryFailed) as excinfo:
        await mailer(port).create_case(make_payload())
    assert_failed(excinfo, retryable=True, says=f"Connection refused by 127.0.0.1:{port}")


@pytest.mark.parametrize("host", ["2130706433", "localhost", "[::1]", "0x7f000001"])
@pytest.mark.anyio
async def test_an_smtp_host_on_a_local_address_is_never_connected(host: str) -> None:
    mailbox = Mailbox()
    with smtp_server(mailbox) as port, pytest.raises(DeliveryFailed) as excinfo:
        await mailer(port, smtp_host=host).create_case(make_payload())
    assert_failed(excinfo, retryable=False, says="is a local or private address")
    assert mailbox.messages == []


@pytest.mark.anyio
async def test_the_servers_reply_text_is_not_shown() -> None:
    mailbox = Mailbox(rcpt_reply="550 5.1.1 internal-secret-7731 unknown")
    with smtp_server(mailbox) as port, pytest.raises(DeliveryFailed) as excinfo:
        await mailer(port).create_case(make_payload())
    assert "550" in excinfo.value.message and "internal-secret" not in excinfo.value.message
