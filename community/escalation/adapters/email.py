"""Email to a contact-centre address, for helpdesks that open cases from mail.

smtplib is blocking, so the conversation runs in a worker thread. Every attempt sends the same
`Message-ID: <{key}@parvis>`: a helpdesk that has seen that id already threads or drops the
repeat instead of opening a second case. The case id is not known (CaseReceipt() is returned);
the helpdesk acknowledges by callback, if at all. An SMTP reply in the 4xx range is transient
(retry), 5xx is permanent (don't); a connection that fails or times out is retried.
"""

from __future__ import annotations

import asyncio
import json
import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

from community.escalation.adapters import CaseReceipt, DeliveryFailed
from community.escalation.adapters.http import BadSetting, require
from community.escalation.payload import CasePayload

DEFAULT_PORT = 25
DEFAULT_TIMEOUT = 10.0


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else reply


def _refused(exc: smtplib.SMTPRecipientsRefused, where: str) -> DeliveryFailed:
    codes = [code for code, _ in exc.recipients.values()]
    detail = "; ".join(f"{to}: {code} {_text(msg)}" for to, (code, msg) in exc.recipients.items())
    transient = bool(codes) and all(400 <= code < 500 for code in codes)
    return DeliveryFailed(f"{where} refused the recipient: {detail}", retryable=transient)


def _reply(exc: smtplib.SMTPResponseException, where: str) -> DeliveryFailed:
    code, reply = exc.smtp_code, _text(exc.smtp_error)
    hint = " (check the username and password)" if code in (530, 535) else ""
    return DeliveryFailed(f"{where} answered {code} {reply}{hint}", retryable=code < 500)


def _lost(exc: Exception) -> bool:
    """A network failure (smtplib's own errors are OSErrors too, and TLS ones are not lost)."""
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException | ssl.SSLError)


def smtp_failure(exc: Exception, where: str, timeout: float) -> DeliveryFailed:
    """The DeliveryFailed for an SMTP conversation that failed with `exc`."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return _refused(exc, where)
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reply(exc, where)
    # smtplib reports a reply that never came as "Connection unexpectedly closed: timed out".
    if isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError):
        return DeliveryFailed(f"Timed out after {timeout:g} s talking to {where}", retryable=True)
    if isinstance(exc, ConnectionRefusedError):
        return DeliveryFailed(f"Connection refused by {where}", retryable=True)
    if _lost(exc):
        return DeliveryFailed(f"Lost the connection to {where}: {exc}", retryable=True)
    # STARTTLS or AUTH not offered, no common AUTH mechanism, a certificate refused.
    return DeliveryFailed(f"{where}: {exc}", retryable=False)


class EmailAdapter:
    """Mails the case summary, with the whole payload attached as escalation.json."""

    def __init__(
        self,
        settings: Mapping[str, Any],
        credentials: Mapping[str, Any],
        *,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.to = require(settings, "to")
        self.sender = require(settings, "from_address")
        self.host = require(settings, "smtp_host")
        try:
            self.port = int(settings.get("smtp_port") or DEFAULT_PORT)
        except (TypeError, ValueError) as exc:
            raise BadSetting("smtp_port is not a number") from exc
        self.starttls = bool(settings.get("starttls"))
        self.username = str(credentials.get("username") or "")
        self.password = str(credentials.get("password") or "")
        self.timeout = timeout

    def message(self, payload: CasePayload) -> EmailMessage:
        message = EmailMessage()
        message["Subject"] = " ".join(payload.subject.split())  # no line breaks in a header
        message["From"] = self.sender
        message["To"] = self.to
        message["Date"] = formatdate(usegmt=True)
        message["Message-ID"] = f"<{payload.idempotency_key}@parvis>"
        message["X-Parvis-Escalation"] = payload.idempotency_key
        message.set_content(payload.summary())
        attachment = json.dumps(payload.to_dict(), ensure_ascii=False, indent=2).encode()
        message.add_attachment(
            attachment, maintype="application", subtype="json", filename="escalation.json"
        )
        return message

    def _send(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(message)

    async def create_case(self, payload: CasePayload) -> CaseReceipt:
        message = self.message(payload)
        try:
            await asyncio.to_thread(self._send, message)
        except (smtplib.SMTPException, OSError) as exc:
            raise smtp_failure(exc, f"{self.host}:{self.port}", self.timeout) from exc
        return CaseReceipt()
