"""Brand-side helpers for the token sign-in tests: a tenant's settings, tokens signed as a
brand's server would sign them (joserfc), and a brand's JWKS served on 127.0.0.1."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from joserfc import jwt
from joserfc.jwk import KeySet, OctKey, RSAKey

from community.crypto import seal
from community.identity.token_models import HS256, TokenSettings
from community.identity.token_settings import DEFAULT_CLAIMS, SECRET_PURPOSE
from community.tenancy.models import Tenant
from tests.conftest import World

SECRET = "brand-shared-secret-" + "s" * 24
ISSUER = "https://www.acme.example"
AUDIENCE = "http://acme.test"  # the tenant's first domain, as TEST_DELIVERY spells it


async def configure(
    world: World, secret_key: str, tenant: str = "acme", origins: list[str] | None = None,
    **changes: Any,
) -> None:  # fmt: skip
    """The tenant's token settings, stored as the admin page would store them."""
    async with world.unit() as session:
        scope = await world.scope(session, tenant)
        values: dict[str, Any] = {
            "enabled": True, "algorithm": HS256, "issuer": ISSUER, "audience": "",
            "max_lifetime_seconds": 300, "claims": dict(DEFAULT_CLAIMS),
            "sealed_secret": seal(secret_key, SECRET_PURPOSE, SECRET),
        } | changes  # fmt: skip
        session.add(TokenSettings(**values))
        if origins is not None:
            row = await scope.one(Tenant, scope.tenant_id)
            row.preferences = dict(row.preferences) | {"embed": {"origins": origins}}


def claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    made = {
        "iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + 120, "jti": uuid.uuid4().hex,
        "sub": "cust-42", "email": "dana@example.com", "email_verified": True,
        "name": "Dana Brand", "customer_id": "C-42", "customer_tier": "gold",
    } | changes  # fmt: skip
    return {name: value for name, value in made.items() if value is not None}


def hs256(secret: str = SECRET, **changes: Any) -> str:
    return jwt.encode({"alg": "HS256"}, claims(**changes), OctKey.import_key(secret))


def rs256(key: RSAKey, header: dict[str, Any] | None = None, **changes: Any) -> str:
    return jwt.encode({"alg": "RS256", "kid": key.kid, **(header or {})}, claims(**changes), key)


def rsa_key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid})


@dataclass
class Jwks:
    """A brand's key set, served at `url`; `fetches` counts the requests it answered."""

    keys: list[RSAKey]
    url: str = ""
    fetches: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def body(self) -> bytes:
        with self.lock:
            self.fetches += 1
            return json.dumps(KeySet(list(self.keys)).as_dict(private=False)).encode()


@contextmanager
def serve(answer: Callable[[str], tuple[str, bytes]]) -> Iterator[str]:
    """A tiny HTTP server on 127.0.0.1 answering each GET with `answer(path)` (content type,
    body); yields its base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            content_type, body = answer(self.path)
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def serve_jwks(keys: list[RSAKey]) -> Iterator[Jwks]:
    jwks = Jwks(keys)
    with serve(lambda path: ("application/json", jwks.body())) as base:
        jwks.url = f"{base}/.well-known/jwks.json"
        yield jwks
