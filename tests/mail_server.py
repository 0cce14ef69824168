"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives, for tests of mail.

    def test_something(mail_server: MailServer) -> None:   # the fixture in tests/conftest.py
        ...  # the app's PARVIS_SMTP_URL is mail_server.url (see `smtp_settings`)
        [message] = mail_server.received(to="ann@example.com")
        link = link_in(message, "/account/verify/")

`stop()` and `start()` again on the same port play an SMTP server that is down for a while.
"""

from __future__ import annotations

import re
import socket
from dataclasses import replace
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, cast

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope, Session

from community.config import Settings

LINK = re.compile(r"https?://\S+")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class _Keeper:
    """The aiosmtpd handler: every message accepted, parsed, with its envelope recipients."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.refusals: dict[str, tuple[int, int | None]] = {}  # address -> (code, times left)

    async def handle_RCPT(
        self, server: Any, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        code, times = self.refusals.get(address, (0, None))
        if not code:
            envelope.rcpt_tos.append(address)
            return "250 OK"
        if times is not None:
            self.refusals[address] = (code, times - 1) if times > 1 else (0, None)
        return f"{code} Mailbox unavailable"

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        raw = cast(bytes, envelope.original_content).replace(b"\r\n", b"\n")
        parsed = message_from_bytes(raw, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted"


class MailServer:
    def __init__(self) -> None:
        self.port = free_port()
        self._keeper = _Keeper()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        if self._controller is None:
            self._controller = Controller(self._keeper, hostname="127.0.0.1", port=self.port)
            self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def received(self, to: str | None = None) -> list[EmailMessage]:
        """Every message received so far (for envelope recipient `to`), oldest first."""
        return [m for rcpt, m in self._keeper.messages if to is None or to in rcpt]

    def clear(self) -> None:
        self._keeper.messages.clear()

    def refuse(self, address: str, code: int = 550, times: int | None = None) -> None:
        """Refuse mail to `address` with `code` (550: permanent, 451: try later), `times`
        times (None: until further notice)."""
        self._keeper.refusals[address] = (code, times)


def text_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None, "no plain-text part"
    return str(cast(EmailMessage, part).get_content())


def html_of(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None, "no HTML part"
    return str(cast(EmailMessage, part).get_content())


def link_in(message: EmailMessage, path: str) -> str:
    """The path (and query) of the link to `path…` in the plain-text part."""
    for url in LINK.findall(text_of(message)):
        if path in url:
            return "/" + str(url).split("://", 1)[1].split("/", 1)[1]
    raise AssertionError(f"no link to {path} in:\n{text_of(message)}")


def smtp_settings(settings: Settings, server: MailServer) -> Settings:
    """`settings` whose mail goes to `server`."""
    return replace(settings, delivery=replace(settings.delivery, smtp_url=server.url))
