"""Custom CSS: hostile stylesheets come out scoped, with nothing that loads or runs."""

from __future__ import annotations

import pytest

from community.tenancy.css import SCOPE, sanitise, scoped

OWN = "0123456789abcdef0123456789abcdef"

HOSTILE = [
    '@import url("https://evil.example/x.css");',
    "@import 'https://evil.example/x.css';",
    ".a { background: url(https://evil.example/track.png) }",
    '.a { background: url("//evil.example/track.png") }',
    ".a { background: u\\72 l(https://evil.example/escaped.png) }",
    '.a { background: image-set("https://evil.example/x.png" 1x) }',
    ".a { width: expression(alert(1)) }",
    ".a { behavior: url(evil.htc) }",
    ".a { -moz-binding: url(https://evil.example/x.xml#x) }",
    '.a { content: "</style><script>alert(1)</script>" }',
    "@font-face { font-family: x; src: url(https://evil.example/f.woff) }",
    "@namespace svg url(http://www.w3.org/2000/svg);",
    f'.a {{ background: url("/brand/{"f" * 32}.png") }}',  # not one of this tenant's files
    ".a { --x: url(https://evil.example/var.png) }",
]


@pytest.mark.parametrize("css", HOSTILE)
def test_hostile_css_loses_what_loads_or_runs(css: str) -> None:
    result = sanitise(css + "\n.kept { color: #123456 }", {OWN})
    lowered = result.css.lower()
    for forbidden in (
        "evil",
        "@import",
        "expression",
        "behavior",
        "binding",
        "</",
        "url(",
        "@font",
    ):
        assert forbidden not in lowered
    assert result.dropped, "the admin is told something was removed"
    assert f"{SCOPE} .kept {{\n  color: #123456;\n}}" in result.css


def test_an_own_uploaded_image_may_be_named() -> None:
    css = f".hero {{ background: url(/brand/{OWN}.png) no-repeat }}"
    assert f"url(/brand/{OWN}.png)" in sanitise(css, {OWN}).css


def test_every_selector_is_scoped_and_the_root_becomes_the_scope() -> None:
    assert scoped("a, .b > c, :is(d, e)") == f"{SCOPE} a, {SCOPE} .b > c, {SCOPE} :is(d, e)"
    assert scoped("html") == SCOPE
    assert scoped(":root") == SCOPE
    assert scoped("body.dark .x") == f"{SCOPE}.dark .x"
    assert scoped("html body .x") == f"{SCOPE} .x"
    assert scoped("bodyguard") == f"{SCOPE} bodyguard"


def test_media_rules_are_kept_and_scoped_inside() -> None:
    css = "@media (max-width: 600px) { .nav { display: none } }"
    result = sanitise(css, set())
    assert result.css == f"@media (max-width: 600px) {{\n{SCOPE} .nav {{\n  display: none;\n}}\n}}"


def test_a_broken_stylesheet_cannot_swallow_what_follows() -> None:
    css = "@media print { .a { color: red; } } } * { display: none } .b { color: blue"
    result = sanitise(css, set())
    assert result.css.count("{") == result.css.count("}")
    assert "display" not in result.css  # a stray brace would have left `*` outside the scope
    assert result.css.startswith(f"@media print {{\n{SCOPE} .a {{")
