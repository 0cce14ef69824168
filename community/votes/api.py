"""Voting through the JSON API."""

from __future__ import annotations

from typing import Literal

import msgspec
from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from community.scope import Scope
from community.votes.services import vote
from community.web.inputs import Id, Input
from community.web.openapi import MEMBER_WRITE


class VoteIn(Input):
    value: Literal[1, -1]


class VoteOut(msgspec.Struct):
    post_id: int
    score: int
    my_vote: int


class VotesApi(Controller):
    path = "/api/v1/posts"
    tags = ["votes"]

    @post("/{post_id:int}/vote", status_code=200, **MEMBER_WRITE)
    async def vote_on_post(
        self, here: NamedDependency[Scope], post_id: Id, data: JSONBody[VoteIn]
    ) -> VoteOut:
        """Vote 1 (up) or -1 (down). Voting the same value again withdraws the vote."""
        outcome = await vote(here, post_id, data.value)
        return VoteOut(outcome.post_id, outcome.score, outcome.my_vote)
