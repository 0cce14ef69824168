"""A brand's custom CSS, made safe to serve: parsed with tinycss2, then rebuilt from what is
allowed. Every selector is scoped under `SCOPE` (the class of <body>); only style rules,
`@media` and `@supports` survive; a declaration goes when it loads anything but the tenant's
own uploaded images, runs script (`expression()`, `behavior`, `-moz-binding`) or could end
the stylesheet in an HTML parser (`</style`). What was dropped is reported, for the admin.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

import tinycss2
from tinycss2 import ast

SCOPE = ".brand-scope"
MAX_CSS_CHARS = 20_000
NESTING_AT_RULES = {"media", "supports"}
SCRIPTED_PROPERTIES = {"behavior", "-moz-binding", "-ms-behavior"}
# Functions that fetch (or, in old browsers, run) something; url() is checked on its own.
FETCHING_FUNCTIONS = {"expression", "image-set", "-webkit-image-set", "src", "image", "element"}
OWN_ASSET = re.compile(r"/brand/(?P<digest>[0-9a-f]{32})\.png")
ROOT = re.compile(r"^(?:(?:html|:root)(?![\w-])(?:\s+body(?![\w-]))?|body(?![\w-]))", re.I)


@dataclass
class Sanitised:
    css: str
    dropped: list[str] = field(default_factory=list)


def sanitise(source: str, own_assets: Collection[str]) -> Sanitised:
    """The safe, scoped form of `source`; `own_assets` are the digests url() may name."""
    result = Sanitised("")
    rules = tinycss2.parse_stylesheet(source, skip_comments=True, skip_whitespace=True)
    result.css = "\n".join(_rules(rules, own_assets, result.dropped))
    return result


def _rules(nodes: Iterable[Any], own: Collection[str], dropped: list[str]) -> list[str]:
    out = []
    for node in nodes:
        if isinstance(node, ast.QualifiedRule):
            out.append(_style_rule(node, own, dropped))
        elif isinstance(node, ast.AtRule) and node.lower_at_keyword in NESTING_AT_RULES:
            out.append(_nesting_rule(node, own, dropped))
        elif isinstance(node, ast.AtRule):
            dropped.append(f"@{node.at_keyword}")
        elif isinstance(node, ast.ParseError):
            dropped.append(node.message)
    return [rule for rule in out if rule]


def _nesting_rule(node: ast.AtRule, own: Collection[str], dropped: list[str]) -> str:
    if node.content is None or not _no_stray(node.prelude) or not _safe_tokens(node.prelude, own):
        dropped.append(f"@{node.at_keyword}")
        return ""
    inner = tinycss2.parse_rule_list(node.content, skip_comments=True, skip_whitespace=True)
    body = "\n".join(_rules(inner, own, dropped))
    prelude = tinycss2.serialize(node.prelude).strip()
    return f"@{node.lower_at_keyword} {prelude} {{\n{body}\n}}" if body else ""


def _style_rule(node: ast.QualifiedRule, own: Collection[str], dropped: list[str]) -> str:
    selector = tinycss2.serialize(node.prelude).strip()
    if not _plain_selector(node.prelude, selector) or not _safe_tokens(node.prelude, own):
        dropped.append(selector or "{}")
        return ""
    declarations = []
    for item in tinycss2.parse_blocks_contents(
        node.content, skip_comments=True, skip_whitespace=True
    ):
        if isinstance(item, ast.Declaration) and _safe_declaration(item, own):
            important = " !important" if item.important else ""
            declarations.append(
                f"  {item.name}: {tinycss2.serialize(item.value).strip()}{important};"
            )
        elif isinstance(item, ast.Declaration):
            dropped.append(f"{item.name}: {tinycss2.serialize(item.value).strip()}")
        elif not isinstance(item, ast.WhitespaceToken):
            dropped.append(f"{selector} {{ … }}")
    if not declarations:
        return ""
    return f"{scoped(selector)} {{\n" + "\n".join(declarations) + "\n}"


def _plain_selector(prelude: list[Any], selector: str) -> bool:
    return bool(selector) and "<" not in selector and _no_stray(prelude)


def _no_stray(prelude: list[Any]) -> bool:
    """No stray brace or semicolon: one could close an enclosing @media in the output and
    leave the rules after it unscoped."""
    return not any(
        isinstance(token, (ast.CurlyBracketsBlock, ast.ParseError))
        or (isinstance(token, ast.LiteralToken) and token.value in "{};")
        for token in prelude
    )


def scoped(selector: str) -> str:
    """Each selector of a list under SCOPE; `html`, `:root` and `body` become SCOPE itself."""
    return ", ".join(_scope_one(part.strip()) for part in _split_commas(selector))


def _scope_one(selector: str) -> str:
    root = ROOT.match(selector)
    if root and root.group(0):
        return SCOPE + selector[root.end() :]
    return f"{SCOPE} {selector}"


def _split_commas(selector: str) -> list[str]:
    """Top-level commas only: `:is(a, b)` stays whole."""
    parts, depth, current = [], 0, ""
    for char in selector:
        depth += (char in "([") - (char in ")]")
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [p for p in [*parts, current] if p.strip()]


def _safe_declaration(item: ast.Declaration, own: Collection[str]) -> bool:
    text = tinycss2.serialize(item.value).lower()
    if item.lower_name in SCRIPTED_PROPERTIES or "</" in text or "expression" in text:
        return False
    return _safe_tokens(item.value, own)


def _safe_tokens(tokens: Iterable[Any], own: Collection[str]) -> bool:
    return all(_safe_token(token, own) for token in tokens)


def _safe_token(token: Any, own: Collection[str]) -> bool:
    if isinstance(token, ast.URLToken):
        return _own_asset(token.value, own)
    if isinstance(token, ast.FunctionBlock):
        if token.lower_name in FETCHING_FUNCTIONS:
            return False
        if token.lower_name == "url":
            return _url_argument_is_own(token.arguments, own)
        return _safe_tokens(token.arguments, own)
    content = getattr(token, "content", None)  # the inside of (), [] and {} blocks
    return not isinstance(content, list) or _safe_tokens(content, own)


def _url_argument_is_own(arguments: list[Any], own: Collection[str]) -> bool:
    strings = [a for a in arguments if not isinstance(a, ast.WhitespaceToken)]
    return (
        len(strings) == 1
        and isinstance(strings[0], ast.StringToken)
        and _own_asset(strings[0].value, own)
    )


def _own_asset(url: str, own: Collection[str]) -> bool:
    match = OWN_ASSET.fullmatch(url.strip())
    return match is not None and match["digest"] in own
