"""Markdown is rendered once and sanitised: nothing executable survives."""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from community.forums.markdown import render_markdown

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<body onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    '<a href="javascript:alert(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](java&#x09;script:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    '![x](x" onerror="alert(1))',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<style>body{background:red}</style>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>",
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<input autofocus onfocus=alert(1)>",
    "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>",
    "<base href=javascript:alert(1)//>",
    "<a href=# onclick=alert(1)>x</a>",
    "`<script>alert(1)</script>`",
    "```\n<script>alert(1)</script>\n```",
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</script>",
    '[a](https://example.com "title" onmouseover=alert(1))',
    "<a href='https://example.com' style='position:fixed;top:0'>overlay</a>",
]

SAFE_TAGS = {
    "a", "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td", "img",
}  # fmt: skip
SAFE_SCHEMES = {"", "http", "https", "mailto"}


class ElementCollector(HTMLParser):
    """What a browser would build from the HTML: real elements and their attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))


def elements(html: str) -> list[tuple[str, dict[str, str]]]:
    collector = ElementCollector()
    collector.feed(html)
    return collector.elements


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_known_xss_payloads_do_not_survive(payload: str) -> None:
    html = render_markdown(payload)
    for tag, attributes in elements(html):
        assert tag in SAFE_TAGS, html
        for name, value in attributes.items():
            assert not name.startswith("on") and name != "style", html
            if name in {"href", "src"}:
                # Browsers drop tabs and newlines inside URLs before reading the scheme.
                scheme = urlsplit(re.sub(r"[\x00-\x20]", "", value)).scheme.lower()
                assert scheme in SAFE_SCHEMES, html


def test_the_checker_would_catch_unsanitised_html() -> None:
    found = elements('<img src=x onerror=alert(1)><a href="javascript:x">y</a>')
    assert found == [("img", {"src": "x", "onerror": "alert(1)"}), ("a", {"href": "javascript:x"})]


def test_markdown_formatting_is_kept() -> None:
    html = render_markdown("**bold** and *em*\n\n- one\n- two\n\n`code`\n\n> quoted")
    assert "<strong>bold</strong>" in html
    assert "<em>em</em>" in html
    assert "<li>one</li>" in html
    assert "<code>code</code>" in html
    assert "<blockquote>" in html


def test_links_are_marked_as_user_content() -> None:
    html = render_markdown("[docs](https://example.com/help)")
    assert 'href="https://example.com/help"' in html
    assert 'rel="nofollow ugc noopener"' in html


def test_code_blocks_show_html_as_text() -> None:
    html = render_markdown("```\n<b>not bold</b>\n```")
    assert "&lt;b&gt;not bold&lt;/b&gt;" in html


@pytest.mark.parametrize(
    ("markdown", "text"),
    [
        ("![a chart](http://elsewhere.example/chart.png)", "image: a chart"),
        ("![](https://pixel.example/p.gif?reader=1)", "image: pixel.example"),
        ("![x](//elsewhere.example/x.png)", "image: x"),
        ("![x](HTTPS://ELSEWHERE.example/x.png)", "image: x"),
    ],
)
def test_an_image_from_another_host_becomes_a_link(markdown: str, text: str) -> None:
    found = elements(render_markdown(markdown))
    assert [tag for tag, _ in found if tag == "img"] == []
    assert render_markdown(markdown).count(f">{text}</a>") == 1
    (link,) = [attrs for tag, attrs in found if tag == "a"]
    assert urlsplit(link["href"]).hostname in {"elsewhere.example", "pixel.example"}


def test_a_remote_image_link_speaks_the_communitys_language() -> None:
    assert ">image : un graphique</a>" in render_markdown(
        "![un graphique](https://elsewhere.example/g.png)", "fr"
    )


@pytest.mark.parametrize("source", ["/static/img/logo.png", "diagram.png", "/uploads/7/a.png"])
def test_an_image_on_the_communitys_own_origin_stays_an_image(source: str) -> None:
    found = elements(render_markdown(f"![the diagram]({source})"))
    assert found[-1] == ("img", {"src": source, "alt": "the diagram"})


def test_no_spelling_of_another_host_survives_as_an_image_source() -> None:
    tricks = [
        "/\\elsewhere.example/x.png",
        "\\\\elsewhere.example/x.png",
        "/\t/elsewhere.example/x",
        "http://[::1/x.png",
    ]
    for trick in tricks:
        for tag, attrs in elements(render_markdown(f"![x]({trick})")):
            if tag == "img":
                assert urlsplit(attrs["src"]).netloc == "" and "\\" not in attrs["src"], trick
                assert not attrs["src"].startswith("//"), trick
