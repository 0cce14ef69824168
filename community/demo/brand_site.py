"""The demo brand's own site on 127.0.0.1:8200 (`parvis brand-site`): a help page that pastes
the community's snippet (its customer signed in with a token the demo's secret signs) and a
top-questions widget beside it, as a brand's web team would. DEMO ONLY: the secret is public."""

from __future__ import annotations

import html
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from community.demo.brand import demo_token

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{brand}: help centre</title></head>
<body style="font-family: system-ui, sans-serif; margin: 0 auto; max-width: 72rem; padding: 1rem">
<header><h1>{brand} help centre</h1><p>Our community answers, on our own site.</p></header>
<div style="display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: flex-start">
<main style="flex: 3 1 28rem; min-width: 0">{community}</main>
<aside style="flex: 1 1 16rem; min-width: 0"><h2>Popular questions</h2>{widget}</aside>
</div>
<footer><p>{brand} · a demo brand page served by <code>parvis brand-site</code></p></footer>
</body></html>"""


def snippet(community: str, path: str, title: str, token: str = "") -> str:
    signed = f' data-parvis-token="{html.escape(token)}"' if token else ""
    return (
        f'<script src="{html.escape(community)}/embed.js" data-parvis-path="{html.escape(path)}" '
        f'data-parvis-title="{html.escape(title)}"{signed} async></script>'
    )


def help_page(community: str, brand: str = "Horizon") -> bytes:
    """The page, with a fresh token for the demo customer (a token signs in once)."""
    token = demo_token(community, sub="brand-site-1001", email="lea@horizon.example",
                       name="Léa", customer_id="CUST-2001", customer_tier="gold")  # fmt: skip
    return PAGE.format(
        brand=html.escape(brand),
        community=snippet(community, "/", "Community", token),
        widget=snippet(community, "/embed/widgets/questions", "Top questions"),
    ).encode()


def serve(community: str, host: str, port: int, log: Callable[[str], Any]) -> None:
    """Serve the page until interrupted."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = help_page(community)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer((host, port), Page)
    log(f"The brand's help page: http://{host}:{port}/ (embeds {community}; Ctrl-C stops it)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
