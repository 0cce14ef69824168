"""The mail port: mail to members, branded with their community, sent by a background job.

`send_mail(scope, to=…, template=…, context=…)` renders `templates/mail/<template>.subject.txt`,
`.txt` and `.html` in the member's language (the community's unless `locale` says otherwise),
with the community's name and colours, and keeps a `send_mail` job in the caller's unit of
work: the mail goes out only if the change that asked for it is committed.

The job sends through the SMTP server of `PARVIS_SMTP_URL` (aiosmtplib), or writes the
message to the log when it is unset, so that a demo shows its links. A server that is down
or answers 4xx makes the job raise: it stays kept and is tried again with a backoff (the
kept-jobs sweep, `community.jobstore`) up to MAX_ATTEMPTS times. A 5xx answer to the sender,
the recipient or the message is permanent: it is logged and the mail dropped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from functools import cache
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from community.config import PROJECT_ROOT, DeliveryOptions
from community.jobs import enqueue_after_commit
from community.l10n import LOCALES, localizer
from community.l10n import jinja as l10n_jinja
from community.scope import Scope
from community.tenancy.services import TenantInfo
from community.web.render import CSS_UNSAFE

log = logging.getLogger(__name__)

TEMPLATES_DIR = PROJECT_ROOT / "templates"
TASK = "send_mail"
_TRUE = {"1", "true", "yes"}


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


@cache
def environment() -> Environment:
    """Mail templates: HTML escaped, plain text as written; translated like the pages."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        keep_trailing_newline=True,
    )
    env.filters["css_value"] = style_value
    l10n_jinja.install(env)
    return env


def style_value(value: object) -> Markup:
    """A theme value made safe inside a style="…" attribute (no quote closes it)."""
    return Markup(CSS_UNSAFE.sub("", str(value)).replace('"', ""))


def mail_locale(tenant: TenantInfo, locale: str | None) -> str:
    return locale if locale in LOCALES else tenant.locale


def render_mail(
    tenant: TenantInfo, template: str, context: dict[str, Any], locale: str | None = None
) -> RenderedMail:
    """The three parts of mail `template` for someone of `tenant`, in `locale`."""
    values = {"tenant": tenant, "l10n": localizer(mail_locale(tenant, locale))} | context
    env = environment()

    def part(suffix: str) -> str:
        return env.get_template(f"mail/{template}.{suffix}").render(values)

    subject = " ".join(part("subject.txt").split())  # one line: it is a header
    return RenderedMail(subject, part("txt").strip() + "\n", part("html"))


async def send_mail(
    scope: Scope,
    *,
    to: str,
    template: str,
    context: dict[str, Any],
    locale: str | None = None,
) -> None:
    """Mail `to` once the scope's unit of work commits. `context` is what the templates
    read besides `tenant`: links in it must be absolute (the mail is read elsewhere)."""
    rendered = render_mail(scope.tenant, template, context, locale)
    enqueue_after_commit(
        scope.db, TASK, tenant_id=scope.tenant_id, sender_name=scope.tenant.name, to=to,
        template=template, subject=rendered.subject, text=rendered.text, html=rendered.html,
    )  # fmt: skip


def build_message(
    sender: str, sender_name: str, to: str, subject: str, text: str, html: str
) -> EmailMessage:
    """Plain text, with the HTML as its alternative; from the community, at PARVIS_MAIL_FROM."""
    _, address = parseaddr(sender)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = Address(display_name=sender_name, addr_spec=address)
    message["To"] = to
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=address.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"  # no vacation replies to no-reply
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


@dataclass(frozen=True)
class SmtpServer:
    """Where PARVIS_SMTP_URL sends: smtp://user:pass@host:port[?starttls=1], smtps:// for TLS
    from the first byte. Without `starttls`, STARTTLS is used when the server offers it."""

    hostname: str
    port: int | None
    username: str | None
    password: str | None
    use_tls: bool
    start_tls: bool | None

    @classmethod
    def parse(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        option = parse_qs(parts.query).get("starttls", [""])[0].lower()
        return cls(
            hostname=parts.hostname or "localhost",
            port=parts.port,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            use_tls=parts.scheme == "smtps",
            start_tls=(option in _TRUE) if option else None,
        )

    async def send(self, message: EmailMessage, seconds: float) -> None:
        await aiosmtplib.send(
            message, hostname=self.hostname, port=self.port, username=self.username,
            password=self.password, use_tls=self.use_tls, start_tls=self.start_tls,
            timeout=seconds,
        )  # fmt: skip


def permanent(exc: Exception) -> bool:
    """A refusal that a retry would only repeat: 5xx to the sender, recipient or message."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return all(each.code >= 500 for each in exc.recipients)
    refusals = aiosmtplib.SMTPSenderRefused | aiosmtplib.SMTPRecipientRefused
    if isinstance(exc, refusals | aiosmtplib.SMTPDataError):
        return exc.code >= 500
    return False


async def deliver_mail(
    ctx: dict[str, Any],
    *,
    tenant_id: int,
    sender_name: str,
    to: str,
    template: str,
    subject: str,
    text: str,
    html: str,
) -> None:
    """The `send_mail` job. Raises while the server cannot take the mail: the job stays."""
    options: DeliveryOptions = ctx["delivery"]
    message = build_message(options.mail_from, sender_name, to, subject, text, html)
    facts = {"tenant_id": tenant_id, "mail_template": template, "to": to}
    if not options.smtp_url:
        log.info(
            "Mail not sent (no PARVIS_SMTP_URL):\n%s", text, extra=facts | {"subject": subject}
        )
        return
    try:
        await SmtpServer.parse(options.smtp_url).send(message, options.timeout)
    except aiosmtplib.SMTPException as exc:
        if not permanent(exc):
            raise  # kept: tried again later
        log.error("Mail refused by the SMTP server, not retried: %r", exc, extra=facts)
        return
    log.info("Mail sent", extra=facts)
