"""Email to a contact-centre address, for helpdesks that open cases from mail.

The SMTP server is checked by the outbound client like any address a tenant chose (public,
or allowed by the operator), and the connection goes to the address that was checked while
STARTTLS verifies the certificate against the server's name. smtplib is blocking, so the
conversation runs in a worker thread. A failure says the reply code, never the server's text
(staff see it). Every attempt sends the same
`Message-ID: <{key}@parvis>`: a helpdesk that has seen that id already threads or drops the
repeat instead of opening a second case. The case id is not known (CaseReceipt() is returned);
the helpdesk acknowledges by callback, if at all. An SMTP reply in the 4xx range is transient
(retry), 5xx is permanent (don't); a connection that fails or times out is retried.
"""

from __future__ import annotations

import asyncio
import functools
import json
import smtplib
import socket
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

from community.escalation.adapters import CaseReceipt, DeliveryFailed
from community.escalation.adapters.http import BadSetting, require
from community.escalation.payload import CasePayload
from community.net.outbound import Destination, Outbound, OutboundError

DEFAULT_PORT = 25


def _refused(exc: smtplib.SMTPRecipientsRefused, where: str) -> DeliveryFailed:
    codes = [code for code, _ in exc.recipients.values()]
    detail = "; ".join(f"{to}: {code}" for to, (code, _) in exc.recipients.items())
    transient = bool(codes) and all(400 <= code < 500 for code in codes)
    return DeliveryFailed(f"{where} refused the recipient: {detail}", retryable=transient)


def _reply(exc: smtplib.SMTPResponseException, where: str) -> DeliveryFailed:
    code = exc.smtp_code
    hint = " (check the username and password)" if code in (530, 535) else ""
    return DeliveryFailed(f"{where} answered {code}{hint}", retryable=code < 500)


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


@functools.cache
def _tls() -> ssl.SSLContext:
    """One context for every STARTTLS (building one loads the CA bundle), never shared with
    HTTP's, on which httpcore sets HTTP's ALPN protocols."""
    return ssl.create_default_context()


class _PinnedSMTP(smtplib.SMTP):
    """smtplib.SMTP whose socket goes to the checked address; every other use of the host
    (STARTTLS's server name, certificate verification) keeps the server's name."""

    def __init__(self, destination: Destination, timeout: float) -> None:
        self._address = str(destination.address)  # before connecting, which __init__ does
        super().__init__(destination.host, destination.port, timeout=timeout)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        return socket.create_connection((self._address, port), timeout, self.source_address)


class EmailAdapter:
    """Mails the case summary, with the whole payload attached as escalation.json."""

    def __init__(
        self, settings: Mapping[str, Any], credentials: Mapping[str, Any], outbound: Outbound
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
        self.outbound = outbound
        self.timeout = outbound.timeout

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

    def _send(self, destination: Destination, message: EmailMessage) -> None:
        with _PinnedSMTP(destination, self.timeout) as smtp:
            if self.starttls:
                smtp.starttls(context=_tls())
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(message)

    async def create_case(self, payload: CasePayload) -> CaseReceipt:
        message = self.message(payload)
        try:
            destination = await self.outbound.check_host(self.host, self.port)
        except OutboundError as exc:
            raise DeliveryFailed(exc.message, retryable=exc.retryable) from exc
        try:
            await asyncio.to_thread(self._send, destination, message)
        except (smtplib.SMTPException, OSError) as exc:
            raise smtp_failure(exc, f"{self.host}:{self.port}", self.timeout) from exc
        return CaseReceipt()
