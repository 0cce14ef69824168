"""The demo's brand site: each demo community trusts tokens signed with a known demo secret
and may be embedded by a brand page on 127.0.0.1:8200 (the README's brand-side example runs
one). A customer has already signed in from it, and another's link waits for confirmation,
so the demo shows these rows as a real community would have them."""

from __future__ import annotations

import time
import uuid

from joserfc import jwt
from joserfc.jwk import OctKey
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from community.crypto import seal
from community.db import session_scope
from community.demo.content import RETAILER, TELECOM
from community.identity.models import Member
from community.identity.token_models import HS256, TokenSettings
from community.identity.token_settings import DEFAULT_CLAIMS, SECRET_PURPOSE
from community.identity.token_sso import TokenContext, sign_in_with_token
from community.jobs import JobQueue
from community.net.outbound import Outbound
from community.scope import Scope
from community.tenancy.models import Tenant

DEMO_TOKEN_SECRET = "demo-only-parvis-token-secret-0123456789abcdef"
DEMO_ISSUER = "http://127.0.0.1:8200"
DEMO_BRAND_ORIGIN = "http://127.0.0.1:8200"
SEED_AUDIENCE = "parvis-demo-seed"  # the seeding's own tokens; brands use the community's URL


def demo_token(audience: str, **claims: object) -> str:
    now = int(time.time())
    made = {"iss": DEMO_ISSUER, "aud": audience, "iat": now, "exp": now + 60,
            "jti": uuid.uuid4().hex, "email_verified": True} | claims  # fmt: skip
    return jwt.encode({"alg": HS256}, made, OctKey.import_key(DEMO_TOKEN_SECRET))


async def seed_brand_sign_in(
    sessions: async_sessionmaker[AsyncSession], secret_key: str, jobs: JobQueue | None = None
) -> None:
    """Once per demo community: its token settings, embed origin and a signed-in customer."""
    for spec in (TELECOM, RETAILER):
        async with session_scope(sessions, jobs) as session:
            tenant = await session.scalar(select(Tenant).where(Tenant.slug == spec["slug"]))
            if tenant is not None:
                await _seed(await Scope.load(session, tenant.id), tenant, secret_key)


async def _seed(scope: Scope, tenant: Tenant, secret_key: str) -> None:
    if await scope.db.scalar(select(TokenSettings.id)):
        return
    sealed = seal(secret_key, SECRET_PURPOSE, DEMO_TOKEN_SECRET)
    row = TokenSettings(enabled=True, algorithm=HS256, issuer=DEMO_ISSUER,
                        claims=dict(DEFAULT_CLAIMS), sealed_secret=sealed)  # fmt: skip
    scope.db.add(row)
    tenant.preferences = dict(tenant.preferences) | {"embed": {"origins": [DEMO_BRAND_ORIGIN]}}
    context = TokenContext(secret_key, SEED_AUDIENCE, Outbound(), address="127.0.0.1")
    slug = tenant.slug
    customer = demo_token(SEED_AUDIENCE, sub=f"{slug}-cust-1", email=f"camille@{slug}.example",
                          name="Camille", customer_id="CUST-1001", customer_tier="gold")  # fmt: skip
    await sign_in_with_token(scope, customer, context)
    first = await scope.db.scalar(select(Member).order_by(Member.id).limit(1))
    if first is not None:  # a customer whose community account exists: asked to confirm
        known = demo_token(SEED_AUDIENCE, sub=f"{slug}-cust-2", email=first.email, name="Known")
        await sign_in_with_token(scope, known, context)
