"""Interface text: the catalogs are complete and up to date, and French pages read French.

The catalogs are checked against a fresh extraction (`make messages` would change nothing),
and the pages of a French community, as a guest, a member, a moderator and an admin see
them, must show no English message and no plural mistake ("1 votes", "0.0 min").
"""

from __future__ import annotations

import ast
import functools
import os
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from sqlalchemy import update

from community.escalation.delivery import NO_TARGET
from community.forums.models import Thread
from community.identity.models import Role
from community.l10n import (
    LOCALES,
    N_,
    SOURCE_LOCALE,
    available_locales,
    catalog_path,
    gettext,
    localizer,
    ngettext,
    translate,
)
from community.tenancy.models import Tenant
from community.tenancy.services import TenantInfo
from community.web.render import localizer_for
from community.wiring import register_template_globals
from tests.conftest import TRUSTING, Client, World
from tests.ideas import make_board

ROOT = Path(__file__).resolve().parent.parent
DUMP = os.environ.get("PARVIS_DUMP_PAGES", "")  # a folder: the visible text of each page, to read


# ---- the catalogs ---------------------------------------------------------------------------


def catalog(locale: str) -> Catalog:
    with catalog_path(locale).open("rb") as source:
        return read_po(source, locale=locale)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """What `make messages` extracts from the code and templates now."""
    pot = tmp_path_factory.mktemp("l10n") / "messages.pot"
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)  # pybabel reads its settings from pyproject.toml and babel.cfg
        CommandLineInterface().run(["pybabel", "-q", "extract", "-o", str(pot)])
    return read_po(BytesIO(pot.read_bytes()))


def ids(found: Catalog) -> set[Any]:
    return {(message.context, message.id) for message in found if message.id}


def test_every_configured_locale_has_a_catalog() -> None:
    assert sorted(LOCALES) == available_locales()
    assert SOURCE_LOCALE in LOCALES


def test_the_extraction_finds_templates_and_code(extracted: Catalog) -> None:
    found = {message for _, message in ids(extracted)}
    assert "Ask a question" in found  # a template
    assert ("%(num)s view", "%(num)s views") in found  # a plural
    assert "You can only edit your own posts." in found  # a domain error's message
    assert "Awaiting review" in found  # a label marked with N_()
    assert ("badge", "Certified") in ids(extracted)  # a message in a context


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogs_are_up_to_date_with_the_sources(locale: str, extracted: Catalog) -> None:
    have, want = ids(catalog(locale)), ids(extracted)
    new, obsolete = sorted(map(str, want - have)), sorted(map(str, have - want))
    assert not new, f"new messages in the sources: run `make messages`, translate: {new}"
    assert not obsolete, f"messages gone from the sources: run `make messages`: {obsolete}"


@pytest.mark.parametrize("locale", [x for x in LOCALES if x != SOURCE_LOCALE])
def test_translations_are_complete_and_confirmed(locale: str) -> None:
    found = catalog(locale)
    fuzzy = [m.id for m in found if m.id and m.fuzzy]
    missing = [
        m.id
        for m in found
        if m.id and not (all(m.string) if isinstance(m.string, tuple) else m.string)
    ]
    assert not fuzzy, f"fuzzy entries to confirm in {locale}: {fuzzy}"
    assert not missing, f"untranslated entries in {locale}: {missing}"
    problems = [(m.id, errors) for m, errors in found.check()]
    assert not problems, problems  # e.g. a placeholder lost in translation


def test_french_plural_rule() -> None:
    assert catalog("fr").plural_forms == "nplurals=2; plural=(n > 1);"
    forms = [ngettext("fr", "%(num)s view", "%(num)s views", n) for n in (0, 1, 2, 1234)]
    assert forms == ["0 vue", "1 vue", "2 vues", "1\u202f234 vues"]
    assert ngettext("en", "%(num)s view", "%(num)s views", 1) == "1 view"
    assert gettext("fr", "Page %(number)s of %(count)s", number=2, count=3) == "Page 2 sur 3"


def test_labels_shown_by_templates_are_in_the_catalog(extracted: Catalog) -> None:
    names: dict[str, object] = {}
    register_template_globals(names)
    found = {message for _, message in ids(extracted)}
    for name, table in names.items():
        assert isinstance(table, dict), name
        unmarked = sorted(set(table.values()) - found)
        assert not unmarked, f"{name}: mark these with N_(): {unmarked}"


def test_a_message_the_code_filled_in_is_translated_with_its_values() -> None:
    english = N_("Line %(number)s (%(keyword)s) has no letters.") % {"number": 3, "keyword": "x"}
    assert translate("fr", english) == "La ligne 3 (x) ne contient aucune lettre."
    nested = N_("Attempt %(number)s: %(error)s") % {"number": 2, "error": NO_TARGET}
    assert translate("fr", nested) == (
        "Tentative 2 : Aucune cible de centre de contact n'est configurée pour cette communauté."
    )
    assert translate("fr", "Connection refused") == "Connection refused"  # not a message
    assert translate("en", english) == english


CALENDAR_IN_PARIS = {"escalation": {"calendar": {"timezone": "Europe/Paris"}}}


def test_dates_numbers_and_durations_in_the_tenants_locale_and_time_zone() -> None:
    paris = TenantInfo(1, "globex", "Globex", "fr", preferences=CALENDAR_IN_PARIS)
    christmas_eve = datetime(2026, 12, 24, 23, 30, tzinfo=UTC)  # already Christmas in Paris
    assert localizer_for(paris).format_date(christmas_eve) == "25 déc. 2026"
    assert localizer_for(None).format_date(christmas_eve) == "Dec 24, 2026"
    later = christmas_eve + timedelta(minutes=5)
    assert localizer("fr").ago(christmas_eve, later) == "il y a 5 minutes"
    assert localizer("en").ago(christmas_eve, later) == "5 minutes ago"
    assert localizer("fr").ago(christmas_eve, christmas_eve) == "à l'instant"
    assert localizer("fr").ago(christmas_eve, later + timedelta(days=40)) == "24 déc. 2026"
    assert [localizer("fr").duration(m) for m in (0.0, 20, 150)] == [
        "0\u00a0min",
        "20\u00a0min",
        "2,5\u202fh",
    ]
    assert localizer("fr").format_number(1234.5) == "1\u202f234,5"


# Modules whose messages no page shows, with the reason.
NOT_SHOWN_ON_PAGES = {
    "community/escalation/callbacks.py": "it answers the contact centre's server, in JSON",
    "community/tenancy/services.py": "tenants are created from the command line",
    "community/web/openapi.py": "the API's description, for developers, in English",
}
SENTENCE = re.compile(r"[A-Z][^.]* .*[.]$")


def test_form_errors_written_in_the_code_are_marked(extracted: Catalog) -> None:
    """A field's error (`{"title": "…"}`, `errors["name"] = "…"`) reaches a page: it must be
    marked with N_() (an f-string cannot be translated; fill a marked message with %)."""
    found = {message for _, message in ids(extracted)}
    unmarked = []
    for path in sorted((ROOT / "community").rglob("*.py")):
        where = str(path.relative_to(ROOT))
        if where in NOT_SHOWN_ON_PAGES or "demo" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Dict):
                values = [v for v in node.values if v is not None]
            elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Subscript)
                and isinstance(t.value, ast.Name)
                and t.value.id == "errors"
                for t in node.targets
            ):
                values = [node.value]
            else:
                continue
            for value in values:
                text = ast.unparse(value)
                english = value.value if isinstance(value, ast.Constant) else None
                if (isinstance(value, ast.JoinedStr) and SENTENCE.match(text[2:-1])) or (
                    isinstance(english, str) and SENTENCE.match(english) and english not in found
                ):
                    unmarked.append(f"{where}:{value.lineno}: {text}")
    assert not unmarked, unmarked


TEMPLATE_CALL = re.compile(r"""\b(?:_|gettext|ngettext)\(\s*(?!["'])""")


def test_templates_translate_only_literal_messages() -> None:
    """`_()` takes a literal (extracted, and trusted as markup by Jinja's newstyle gettext); a
    message chosen at run time goes through `| translate`, which escapes it."""
    offenders = [
        f"{path.relative_to(ROOT)}:{source[: m.start()].count(chr(10)) + 1}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for source in [path.read_text()]
        for m in TEMPLATE_CALL.finditer(source)
    ]
    assert not offenders, offenders


# ---- French pages ---------------------------------------------------------------------------


class VisibleText(HTMLParser):
    """The text a reader sees or hears: text nodes and the attributes read out (title,
    aria-label, placeholder, alt); not scripts, styles, nor identifiers shown as <code>
    (the audit log's action names, a callback URL)."""

    SPOKEN = {"title", "aria-label", "placeholder", "alt"}
    SKIPPED = {"script", "style", "code"}
    IDENTIFIER = re.compile(r"\w\.\w")  # "answer.accept": the audit filter's example codes

    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIPPED:
            self._hidden += 1
        self.chunks += [
            value
            for name, value in attrs
            if name in self.SPOKEN and value and not self.IDENTIFIER.search(value)
        ]

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIPPED:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.chunks.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(" ".join(chunk.split()) for chunk in parser.chunks)


NUMBER = r"\d[\d\u202f\u00a0,.]*"


@functools.cache
def english_patterns() -> list[tuple[str, re.Pattern[str]]]:
    """Each English message whose French differs, as a pattern (placeholders match any text),
    except words that also occur in French text ("agent", "expert")."""
    french = catalog("fr")
    texts = " ".join(
        " ".join(m.string) if isinstance(m.string, tuple) else m.string for m in french if m.id
    )
    patterns = []
    for message in french:
        if not message.id:
            continue
        english = message.id if isinstance(message.id, tuple) else (message.id,)
        translated = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in set(english) - set(translated):
            parts = re.split(r"%\((\w+)\)s", text)  # literal, name, literal, …
            if not any(len(part.strip()) > 1 for part in parts[::2]):
                continue
            body = "".join(
                re.escape(part) if i % 2 == 0 else NUMBER if part == "num" else ".+?"
                for i, part in enumerate(parts)
            )
            pattern = re.compile(rf"(?<![\w-]){body}(?![\w-])")
            # Most English messages have a literal part no French text holds: no need to search.
            in_french = all(part in texts for part in parts[::2])
            if not (in_french and pattern.search(texts)):
                patterns.append((text, pattern))
    return patterns


PLURAL_MISTAKES = re.compile(
    r"(?<!\d[\u202f\u00a0 ])(?<![\d,.])[01] (?:vues|votes|messages|réponses|sujets|commentaires|"
    r"tentatives|membres|jours|signalements|non lues)\b"
    r"|\b\d+[.,]0\s?(?:min|h)\b"  # "0.0 min", "0,0 h sur 8 h"
    r"|\b(?:ago|just now|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b"  # English dates
)


def dump(name: str, page: str) -> None:
    if DUMP:
        Path(DUMP, f"{name}.txt").write_text(visible_text(page))


EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def problems_on(page: str, patterns: list[tuple[str, re.Pattern[str]]]) -> list[str]:
    text = EMAIL.sub("", visible_text(page))  # "admin@…" is an address, not a word
    found = [f"English: {english!r}" for english, pattern in patterns if pattern.search(text)]
    found += [f"plural or format: {m.group(0)!r}" for m in PLURAL_MISTAKES.finditer(text)]
    return found


def test_the_page_check_finds_english_and_plural_mistakes() -> None:
    page = """<p>Se connecter · Log in</p><p>1 votes · 0.0 min</p>
        <button title="Vote up">▲</button><code>Log in</code><script>"Log out"</script>"""
    assert problems_on(page, english_patterns()) == [
        "English: 'Log in'",
        "English: 'Vote up'",
        "plural or format: '1 votes'",
        "plural or format: '0.0 min'",
    ]


async def as_member(client_for: Any, email: str) -> Client:
    made: Client = client_for("globex.test")
    await made.login(email)
    return made


@pytest.mark.anyio
async def test_french_pages_show_no_english_and_no_plural_mistakes(
    world: World, client_for: Any
) -> None:
    ana = await world.member("globex", "ana@example.com")
    bea = await world.member("globex", "bea@example.com")
    await world.member("globex", "modo@example.com", Role.MODERATOR)
    await world.member("globex", "chef@example.com", Role.ADMIN)
    question = await world.thread("globex", ana, title="Comment réinitialiser ma box ?", replies=1)
    await world.thread("globex", bea, title="Une seule réponse, une seule vue ici", replies=1)
    async with world.unit() as session:
        await session.execute(update(Thread).where(Thread.id == question.id).values(view_count=1))
        globex = await session.get(Tenant, world.tenants["globex"])
        assert globex is not None
        globex.preferences = {"moderation": TRUSTING | {"flag_threshold": 1}}  # a flag queues
    await make_board(world, tenant="globex", slug="idees", name="Idées")

    guest: Client = client_for("globex.test")
    member, other = (
        await as_member(client_for, "ana@example.com"),
        await as_member(client_for, "bea@example.com"),
    )
    moderator, admin = (
        await as_member(client_for, "modo@example.com"),
        await as_member(client_for, "chef@example.com"),
    )
    thread_url = f"/t/{question.id}/{question.slug}"
    thread_page = (await guest.get(thread_url)).text
    opening_id, reply_id = (int(n) for n in re.findall(r'id="p(\d+)"', thread_page))

    # Activity through the pages, as the members would do it.
    await other.submit(f"/p/{reply_id}/vote", {"value": "1"})
    idea = await member.submit(
        "/ideas/new",
        {
            "board": "idees",
            "title": "Un mode sombre pour l'appli",
            "body": "Le soir.",
            "confirmed": "yes",
        },
    )
    assert idea.status_code == 303, idea.text
    idea_url = idea.headers["location"]
    await other.submit(f"{idea_url}/vote", {"action": "vote"})
    await other.submit(f"/p/{reply_id}/flag", {"reason": "spam", "note": "Publicité"})
    escalated = await moderator.submit(f"/t/{question.id}/escalate", {"note": "Client fâché"})
    assert escalated.status_code == 303, escalated.text
    escalation_id = int(
        re.findall(r"/mod/escalations/(\d+)", (await moderator.get("/mod/escalations")).text)[0]
    )

    pages: dict[str, tuple[Client, str]] = {
        "home": (guest, "/"),
        "category": (guest, "/c/general"),
        "thread (guest)": (guest, thread_url),
        "thread (moderator)": (moderator, thread_url),
        "ideas": (guest, "/ideas"),
        "roadmap": (guest, "/roadmap"),
        "idea": (other, idea_url),
        "leaderboard": (guest, "/leaderboard"),
        "badges": (guest, "/badges"),
        "profile (moderator)": (moderator, f"/u/{ana.id}"),
        "login": (guest, "/login"),
        "register": (guest, "/register"),
        "forgot password": (guest, "/password/forgot"),
        "dead reset link": (guest, "/password/reset/" + "x" * 43),
        "account": (member, "/account"),
        "not found": (guest, "/nothing/here"),
        "ask": (member, "/ask"),
        "new idea": (member, "/ideas/new"),
        "edit": (member, f"/p/{reply_id}/edit"),
        "notifications": (member, "/notifications"),
        "notifications (flagger)": (other, "/notifications"),
        "queue": (moderator, "/mod/queue"),
        "escalations": (moderator, "/mod/escalations"),
        "escalation": (moderator, f"/mod/escalations/{escalation_id}"),
        "admin scoring": (admin, "/admin/scoring"),
        "admin moderation": (admin, "/admin/moderation"),
        "admin escalation": (admin, "/admin/escalation"),
        "admin new target": (admin, "/admin/escalation/targets/new?kind=webhook"),
        "admin members": (admin, "/admin/members"),
        "admin audit": (admin, "/admin/audit"),
    }
    patterns = english_patterns()
    found: dict[str, list[str]] = {}
    for name, (client, url) in pages.items():
        response = await client.get(url)
        assert response.status_code in {200, 404}, (name, response.status_code)
        if problems := problems_on(response.text, patterns):
            found[name] = problems
        dump(name, response.text)

    refusals = {
        "ask refused": await member.submit("/ask", {"category": "", "title": "x", "body": ""}),
        "reply refused": await member.submit(f"/t/{question.id}/reply", {"body": " "}),
        "own vote refused": await member.htmx(f"/p/{opening_id}/vote", {"value": "1"}),
        "escalation settings refused": await admin.submit(
            "/admin/escalation",
            {
                "timezone": "Mars/Olympus",
                "start": "9h",
                "holidays": "Noël",
                "holiday_country": "ZZ",
                "complaint_keywords": "***",
                "max_attempts": "0",
            },
        ),
        "target refused": await admin.submit(
            "/admin/escalation/targets", {"kind": "webhook", "name": "", "url": "ftp://x"}
        ),
    }
    for name, response in refusals.items():
        assert 400 <= response.status_code < 500, (name, response.status_code)
        if problems := problems_on(response.text, patterns):
            found[name] = problems
        dump(name, response.text)
    assert not found, found
