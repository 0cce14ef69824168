"""The demo brand's help page (`parvis brand-site`) pastes the snippets as the admin page
gives them, with a token the demo communities accept."""

from __future__ import annotations

import re

from joserfc import jwt
from joserfc.jwk import OctKey

from community.demo.brand import DEMO_ISSUER, DEMO_TOKEN_SECRET
from community.demo.brand_site import help_page


def test_the_help_page_embeds_the_community_signed_in_and_a_widget() -> None:
    page = help_page("http://localhost:8000").decode()
    scripts = re.findall(r'<script src="http://localhost:8000/embed.js" ([^>]+)>', page)
    assert len(scripts) == 2
    assert 'data-parvis-path="/"' in scripts[0]
    assert 'data-parvis-path="/embed/widgets/questions"' in scripts[1]
    token = re.search(r'data-parvis-token="([^"]+)"', scripts[0])
    assert token is not None
    claims = jwt.decode(token[1], OctKey.import_key(DEMO_TOKEN_SECRET)).claims
    assert claims["aud"] == "http://localhost:8000" and claims["iss"] == DEMO_ISSUER
    assert help_page("http://localhost:8000") != help_page("http://localhost:8000")  # one use
