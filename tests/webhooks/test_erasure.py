"""An erased member's email, name and customer id leave the payloads kept for webhook
deliveries: a retry or a redelivery sends the anonymised text, and the log shows it."""

from __future__ import annotations

import json

import pytest

from community.identity.models import Member
from community.privacy import erasure
from tests.conftest import World
from tests.webhooks.receiver import Receiver
from tests.webhooks.support import admin_of, deliveries, subscribe

pytestmark = pytest.mark.anyio


async def test_an_erased_member_leaves_no_trace_in_kept_deliveries(world: World) -> None:
    with Receiver() as receiver:
        await subscribe(world, "acme", receiver, ["member.joined", "thread.created"])
        zoe = await world.member("acme", "zoe.lefevre@example.com")
        await world.member("acme", "sam@example.com")
        async with world.unit() as session:  # a name the payloads store escaped (\u00e9)
            renamed = await session.get(Member, zoe.id)
            assert renamed is not None
            renamed.display_name = "Zoé Lefèvre"
        await world.thread("acme", zoe, title="Zoé's router keeps rebooting")
        admin = await admin_of(world, "acme")
        async with world.unit() as session:
            scope = await world.scope(session, "acme", await session.get(Member, admin.id))
            await erasure.erase_member(scope, None, zoe.id)
    kept = [json.dumps(d.payload, ensure_ascii=False) for d in await deliveries(world)]
    assert len(kept) == 3  # two members joined, one thread
    assert not any("zoe.lefevre@example.com" in text or "Lefèvre" in text for text in kept)
    assert any("sam@example.com" in text for text in kept)  # the others' data stays
