"""The outbound client: no address a tenant types reaches inside the operator's network.

Every spelling of a local address that reached 127.0.0.1 before (issue 18) is refused when a
target is saved (the form and the API answer 422 with the message) and when a case is sent
(the delivery fails saying why), and a real HTTP server listening on 127.0.0.1 is asked
nothing. 127.0.0.1 itself is allowed in the tests (their stand-ins listen there), as an
operator would allow an on-premise contact centre; its other spellings are not.
"""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from community.escalation import services
from community.escalation.adapters.registry import new_signing_secret, validate_target
from community.escalation.models import EscalationState, EscalationTarget, TargetKind
from community.identity.models import Member, Role
from community.net.outbound import (
    NOT_FOUND,
    PRIVATE,
    AllowedHosts,
    AnswerTooLarge,
    IPAddress,
    Outbound,
    RefusedDestination,
    UnresolvedHost,
    is_public,
    literal_address,
)
from tests.conftest import (
    PUBLIC_ADDRESS,
    TEST_OUTBOUND,
    Client,
    World,
    resolve_for_tests,
)
from tests.escalation.support import escalations
from tests.escalation.test_adapter_support import Reply, Vendor

pytestmark = pytest.mark.anyio

# Each reached 127.0.0.1 (or the cloud metadata address) before; PORT is the test server's.
SPELLINGS = [
    "http://2130706433:PORT/hook",  # 127.0.0.1 as one decimal number
    "http://0x7f000001:PORT/hook",  # ... in hexadecimal
    "http://127.1:PORT/hook",  # ... with the zero bytes left out
    "http://0:PORT/hook",  # 0.0.0.0, which Linux connects to this machine
    "http://017700000001:PORT/hook",  # ... in octal
    "http://localhost.:PORT/hook",  # the fully qualified localhost
    "http://127.0.0.1.nip.io:PORT/hook",  # a public DNS name that answers 127.0.0.1
    "http://2852039166/latest/meta-data/",  # 169.254.169.254, the cloud metadata service
    "http://[::ffff:127.0.0.1]:PORT/hook",  # IPv4-mapped IPv6
    "http://[::1]:PORT/hook",  # IPv6 loopback
]
MORE_SPELLINGS = [
    "http://localhost:PORT/",
    "http://app.localhost:PORT/",
    "http://LOCALHOST:PORT/",
    "http://[::ffff:7f00:1]:PORT/",  # the mapped address written in hex
    "http://[64:ff9b::7f00:1]:PORT/",  # NAT64 of 127.0.0.1
    "http://[2002:7f00:1::]:PORT/",  # 6to4 of 127.0.0.1
    "http://[fe80::1]:PORT/",
    "http://[fd00::1]:PORT/",
    "http://10.0.0.5/",
    "http://172.16.3.4/",
    "http://192.168.1.1/",
    "http://169.254.169.254/",
    "http://100.100.100.200/",  # shared address space (Alibaba's metadata service)
    "http://224.0.0.1/",
    "http://255.255.255.255/",
    "http://0.0.0.0:PORT/",
    "https://10.1.2.3.nip.io/",
]
SECRET = "s3cr3t-internal-token-9f1c"


def spelled(url: str, port: int) -> str:
    return url.replace("PORT", str(port))


# ---- addresses ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "address"),
    [("2130706433", "127.0.0.1"), ("0x7f000001", "127.0.0.1"), ("0X7F.1", "127.0.0.1"),
     ("127.1", "127.0.0.1"), ("0", "0.0.0.0"), ("017700000001", "127.0.0.1"),
     ("2852039166", "169.254.169.254"), ("10.1", "10.0.0.1"), ("1.2.3", "1.2.0.3"),
     ("::ffff:127.0.0.1", "::ffff:127.0.0.1"), ("fe80::1%25eth0", "fe80::1%eth0"),
     ("example.com", None), ("1.2.3.4.5", None), ("256.1.1.1", None), ("08.1", None),
     ("4294967296", None), ("1e9", None)],
)  # fmt: skip
def test_numeric_spellings_are_read_as_the_c_library_reads_them(
    host: str, address: str | None
) -> None:
    expected = ipaddress.ip_address(address) if address else None
    assert literal_address(host) == expected


@pytest.mark.parametrize(
    ("address", "public"),
    [("93.184.215.14", True), ("2606:4700::6810:84e5", True), ("::ffff:93.184.215.14", True),
     ("127.0.0.1", False), ("10.0.0.1", False), ("100.64.0.1", False), ("169.254.169.254", False),
     ("224.0.0.1", False), ("240.0.0.1", False), ("0.0.0.0", False), ("192.0.2.1", False),
     ("::1", False), ("::", False), ("fe80::1", False), ("fc00::1", False), ("fec0::1", False),
     ("ff02::1", False), ("::ffff:10.0.0.1", False), ("64:ff9b::a00:1", False),
     ("64:ff9b::5db8:d70e", True), ("64:ff9b:1::1", False), ("2002:a00:1::", False),
     ("2001:db8::1", False)],
)  # fmt: skip
def test_only_addresses_anybody_could_have_are_public(address: str, public: bool) -> None:
    assert is_public(ipaddress.ip_address(address)) is public


@pytest.mark.parametrize(
    ("entries", "allowed", "refused"),
    [(["cc.internal:8443", "10.0.0.5"], [("CC.internal.", 8443), ("10.0.0.5", 25)],
      [("cc.internal", 443), ("10.0.0.6", 25), ("sub.cc.internal", 8443)]),
     (["[fd00::5]:8025", "fd00::6"], [("fd00::5", 8025), ("fd00::6", 1)], [("fd00::5", 80)])],
)  # fmt: skip
def test_the_allow_list_matches_exact_hosts_and_ports(
    entries: list[str], allowed: list[tuple[str, int]], refused: list[tuple[str, int]]
) -> None:
    hosts = AllowedHosts.parse(entries)
    assert all(hosts.allows(host, port) for host, port in allowed)
    assert not any(hosts.allows(host, port) for host, port in refused)


@pytest.mark.parametrize("entry", ["*.internal", "cc.internal:http", "cc.internal:70000", ":80"])
def test_an_allow_list_entry_that_is_not_host_or_host_port_stops_the_start(entry: str) -> None:
    with pytest.raises(ValueError, match="PARVIS_OUTBOUND_ALLOWED_HOSTS"):
        AllowedHosts.parse([entry])


# ---- refused when saved --------------------------------------------------------------------


@pytest.mark.parametrize("url", SPELLINGS + MORE_SPELLINGS)
async def test_every_local_spelling_is_refused_when_checked(url: str) -> None:
    with pytest.raises(RefusedDestination) as refused:
        await TEST_OUTBOUND.check_url(spelled(url, 8080))
    assert "local or private address" in refused.value.message
    assert refused.value.retryable is False


async def test_a_name_that_does_not_resolve_is_refused_saying_so() -> None:
    with pytest.raises(UnresolvedHost) as refused:
        await TEST_OUTBOUND.check_url("https://support.nowhere.invalid/hook")
    assert refused.value.message == NOT_FOUND % {"host": "support.nowhere.invalid"}


async def test_a_name_the_system_resolves_to_loopback_is_refused() -> None:
    """localhost is refused by its name (RFC 6761) and is loopback as the system resolves it
    (/etc/hosts); a name is refused when any one of its addresses is not public."""
    for_any_name = Outbound(AllowedHosts(), resolve_for_tests)
    destination = await Outbound(AllowedHosts.parse(["localhost"])).check_host("localhost", 80)
    assert destination.address.is_loopback  # what the system's resolver answered
    with pytest.raises(RefusedDestination):
        await for_any_name.check_url("http://localhost:8025/")

    async def intranet(host: str, port: int) -> list[IPAddress]:
        return [PUBLIC_ADDRESS, ipaddress.ip_address("127.0.0.1")]  # one bad answer is enough

    with pytest.raises(RefusedDestination):
        await Outbound(AllowedHosts(), intranet).check_url("https://cc.example.com/")


async def _admin(client: Client, world: World) -> None:
    await world.member("acme", "boss@acme.example", Role.ADMIN)
    await client.login("boss@acme.example")


@pytest.mark.parametrize("url", SPELLINGS)
async def test_every_spelling_is_refused_at_save_by_the_form_and_the_api(
    client: Client, world: World, url: str
) -> None:
    await _admin(client, world)
    url = spelled(url, 8080)
    host = httpx.URL(url).host
    fields = {"kind": "webhook", "name": "Desk", "url": url}
    page = await client.submit("/admin/escalation/targets", fields)
    assert page.status_code == 422
    assert 'id="url-error"' in page.text and "local or private address" in page.text
    assert f'value="{url}"' in page.text  # what was typed is kept
    body = {"kind": "webhook", "name": "Desk", "values": {"url": url}}
    token = await client.ensure_csrf()
    answer = await client.post(
        "/api/v1/escalation/targets", json=body, headers={"x-csrftoken": token}
    )
    assert answer.status_code == 422
    assert answer.json()["errors"]["url"] == PRIVATE % {"host": host}
    assert (await client.get("/api/v1/escalation/targets")).json() == []


async def test_an_unknown_name_and_an_smtp_host_on_loopback_are_refused_at_save(
    client: Client, world: World
) -> None:
    await _admin(client, world)
    unknown = {"kind": "zendesk", "name": "Desk", "base_url": "https://acme.zendesk.invalid",
               "email": "agent@acme.example", "api_token": "t"}  # fmt: skip
    page = await client.submit("/admin/escalation/targets", unknown)
    assert page.status_code == 422 and "acme.zendesk.invalid cannot be found" in page.text
    mail = {"kind": "email", "name": "Mail", "to": "help@acme.example",
            "from_address": "p@acme.example", "smtp_host": "2130706433", "smtp_port": "25"}  # fmt: skip
    page = await client.submit("/admin/escalation/targets", mail)
    assert page.status_code == 422 and "2130706433 is a local or private address" in page.text


async def test_debug_mode_does_not_open_private_addresses(
    client: Client, world: World, app: Any
) -> None:
    await _admin(client, world)
    # PARVIS_DEBUG used to be leave to add targets on local and private addresses.
    app.state.settings = replace(app.state.settings, debug=True)
    fields = {"kind": "webhook", "name": "Desk", "url": "http://10.0.0.5:8080/hook"}
    assert (await client.submit("/admin/escalation/targets", fields)).status_code == 422


# ---- refused when sent ---------------------------------------------------------------------


async def _escalate_to(world: World, url: str) -> int:
    """A target stored as it is (saved before these checks, or whose DNS changed since), and
    an escalation by hand: its first delivery has run when this returns."""
    asker = await world.member("acme", "ann@example.com")
    moderator = await world.member("acme", "mo@example.com", Role.MODERATOR)
    thread = await world.thread("acme", asker)
    async with world.unit() as session:
        session.add(
            EscalationTarget(
                tenant_id=world.tenants["acme"], name="Desk", kind=TargetKind.WEBHOOK,
                settings={"url": url}, credentials={"signing_secret": new_signing_secret()},
                callback_secret=new_signing_secret(),
            )
        )  # fmt: skip
    async with world.unit() as session:
        scope = await world.scope(session, "acme", await session.get(Member, moderator.id))
        return (await services.escalate_by_hand(scope, thread.id, "Please call")).id


@pytest.mark.parametrize("url", SPELLINGS)
async def test_every_spelling_fails_at_send_and_the_server_is_never_asked(
    world: World, url: str
) -> None:
    with Vendor(lambda seen: Reply(200, {"case_id": "STOLEN"})) as internal:
        port = int(internal.url.rsplit(":", 1)[1])
        await _escalate_to(world, spelled(url, port))
        [escalation] = await escalations(world)
    assert internal.seen == []
    assert escalation.state == EscalationState.FAILED and escalation.attempts == 1
    host = httpx.URL(spelled(url, port)).host
    assert escalation.last_error == PRIVATE % {"host": host}


async def test_a_dns_answer_that_changes_after_the_check_cannot_reach_loopback(
    world: World,
) -> None:
    """Rebinding: the name is public when the admin saves it, loopback when the case goes."""
    answers = {"rebind.example": [PUBLIC_ADDRESS]}

    async def changing(host: str, port: int) -> list[IPAddress]:
        return answers.get(host) or await resolve_for_tests(host, port)

    outbound = Outbound(AllowedHosts.parse(["127.0.0.1"]), changing, 2.0)
    with Vendor(lambda seen: Reply(200, {"case_id": "STOLEN"})) as internal:
        url = f"http://rebind.example:{internal.url.rsplit(':', 1)[1]}/hook"
        values = {"url": url, "signing_secret": new_signing_secret()}
        assert (await validate_target(TargetKind.WEBHOOK, values, outbound))[2] == {}
        answers["rebind.example"] = [ipaddress.ip_address("127.0.0.1")]
        world.jobs.context["outbound"] = outbound
        await _escalate_to(world, url)
        [escalation] = await escalations(world)
    assert internal.seen == []
    assert escalation.last_error == PRIVATE % {"host": "rebind.example"}


async def test_one_lookup_per_request_and_the_connection_goes_to_its_answer() -> None:
    """The second answer (here: nobody listens there) is never asked for: the request goes
    to the address the check resolved, with the name kept in the Host header."""
    lookups: list[str] = []
    answers = iter([ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("10.255.0.9")])

    async def resolver(host: str, port: int) -> list[IPAddress]:
        lookups.append(host)
        return [next(answers)]

    with Vendor(lambda seen: Reply(200, {"ok": True})) as cc:
        port = int(cc.url.rsplit(":", 1)[1])
        outbound = Outbound(AllowedHosts.parse([f"cc.internal:{port}"]), resolver, 2.0)
        answer = await outbound.request("POST", f"http://cc.internal:{port}/cases", json={})
    assert answer.status_code == 200 and answer.json() == {"ok": True}
    assert lookups == ["cc.internal"]
    assert cc.seen[0].headers["host"] == f"cc.internal:{port}"
    assert str(answer.request.url) == f"http://cc.internal:{port}/cases"


async def test_an_allowed_internal_host_works_and_only_on_its_port(world: World) -> None:
    with Vendor(lambda seen: Reply(200, {"case_id": "C-1"})) as cc:
        port = int(cc.url.rsplit(":", 1)[1])

        async def internal_dns(host: str, port: int) -> list[IPAddress]:
            return [ipaddress.ip_address("127.0.0.1")]

        outbound = Outbound(AllowedHosts.parse([f"cc.internal:{port}"]), internal_dns, 2.0)
        world.jobs.context["outbound"] = outbound
        await _escalate_to(world, f"http://cc.internal:{port}/hook")
        with pytest.raises(RefusedDestination):
            await outbound.check_url(f"http://cc.internal:{port + 1}/hook")
        with pytest.raises(RefusedDestination):  # the address behind it is not allowed
            await outbound.check_url(f"http://127.0.0.1:{port}/hook")
    [escalation] = await escalations(world)
    assert escalation.state == EscalationState.ACKNOWLEDGED and escalation.external_id == "C-1"
    assert len(cc.seen) == 1


async def test_staff_see_the_status_line_never_the_body_of_the_answer(
    world: World, client_for: Any
) -> None:
    leaky = Reply(500, f"Traceback: db password={SECRET}", {"x-debug": SECRET})
    with Vendor(lambda seen: leaky) as cc:
        escalation_id = await _escalate_to(world, f"{cc.url}/hook")
    [escalation] = await escalations(world)
    assert escalation.last_error == (
        f"The webhook at {cc.url} answered HTTP 500 Internal Server Error"
    )
    moderator = client_for("acme.test")
    await moderator.login("mo@example.com")
    for page in (f"/mod/escalations/{escalation_id}", "/mod/escalations?status=failed",
                 f"/api/v1/escalations/{escalation_id}"):  # fmt: skip
        shown = await moderator.get(page)
        assert shown.status_code == 200 and "HTTP 500" in shown.text
        assert SECRET not in shown.text


async def test_a_redirect_is_not_followed() -> None:
    with Vendor(lambda seen: Reply(200)) as elsewhere:
        moved = Reply(307, headers={"Location": f"{elsewhere.url}/hook"})
        with Vendor(lambda seen: moved) as first:
            answer = await TEST_OUTBOUND.request("POST", f"{first.url}/hook", json={})
    assert answer.status_code == 307 and elsewhere.seen == []


async def test_an_answer_too_large_is_not_read() -> None:
    with Vendor(lambda seen: Reply(200, b"x" * 5000)) as cc:
        outbound = Outbound(AllowedHosts.parse(["127.0.0.1"]), max_answer_bytes=4096)
        with pytest.raises(AnswerTooLarge):
            await outbound.request("GET", f"{cc.url}/")
        assert len((await TEST_OUTBOUND.request("GET", f"{cc.url}/")).content) == 5000


# ---- TLS to the checked address --------------------------------------------------------------


def _certificate(directory: Path, name: str) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class _Hello(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("content-length", "5")
        self.end_headers()
        self.wfile.write(b"hello")

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def _tls_server(cert: Path, key: Path) -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


async def test_tls_to_the_checked_address_verifies_the_certificate_for_the_name(
    tmp_path: Path,
) -> None:
    cert, key = _certificate(tmp_path, "cc.internal")
    trusting = ssl.create_default_context(cafile=str(cert))

    async def internal_dns(host: str, port: int) -> list[IPAddress]:
        return [ipaddress.ip_address("127.0.0.1")]

    allowed = AllowedHosts.parse(["cc.internal", "other.internal"])
    outbound = Outbound(allowed, internal_dns, 2.0, tls=trusting)
    with _tls_server(cert, key) as port:
        answer = await outbound.request("GET", f"https://cc.internal:{port}/")
        assert answer.status_code == 200 and answer.text == "hello"
        with pytest.raises(httpx.ConnectError, match="certificate verify failed"):
            await outbound.request("GET", f"https://other.internal:{port}/")  # not its name
