"""The community admin's brand page, and the brand's files (logo, favicon, stylesheet)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Response, Template

from community.colours import contrast_ratio
from community.errors import ValidationFailed
from community.scope import Scope
from community.tenancy import brand
from community.tenancy.brand import FOOTER_LINKS, HEADER_LINKS, BrandForm
from community.tenancy.look import FONTS
from community.web.context import Req
from community.web.render import render, see_other, submitted_file, submitted_form

PAGE = "/admin/brand"
IMMUTABLE = "public, max-age=31536000, immutable"


class BrandPages(Controller):
    include_in_schema = False

    @get(PAGE)
    async def brand_page(self, request: Req, here: NamedDependency[Scope]) -> Template:
        return _page(request, await brand.brand_form(here), {})

    @post(PAGE)
    async def save_brand(self, request: Req, here: NamedDependency[Scope]) -> Template | Redirect:
        form = submitted_brand(await submitted_form(request))
        try:
            saved = await brand.update_brand(here, form)
        except ValidationFailed as exc:
            return _page(request, form, exc.errors, status_code=422)
        request.app.state.tenants.forget()  # the cached TenantInfo holds the theme
        return see_other(f"{PAGE}?saved=1&dropped={len(saved.dropped_css)}")

    @post(f"{PAGE}/{{kind:str}}")
    async def upload_image(
        self, request: Req, here: NamedDependency[Scope], kind: FromPath[str]
    ) -> Template | Redirect:
        chosen = brand.image_kind(kind)
        data, declared = await submitted_file(request, chosen)
        try:
            await brand.set_image(here, chosen, data, declared)
        except ValidationFailed as exc:
            return _page(request, await brand.brand_form(here), exc.errors, status_code=422)
        request.app.state.tenants.forget()
        return see_other(f"{PAGE}?uploaded={chosen}")

    @post(f"{PAGE}/{{kind:str}}/remove")
    async def remove_image(
        self, request: Req, here: NamedDependency[Scope], kind: FromPath[str]
    ) -> Redirect:
        await brand.remove_image(here, brand.image_kind(kind))
        request.app.state.tenants.forget()
        return see_other(f"{PAGE}?removed=1")

    @get("/brand/{name:str}", cache_control=None)
    async def brand_file(
        self, here: NamedDependency[Scope], name: FromPath[str]
    ) -> Response[bytes]:
        asset = await brand.brand_file(here, name)
        media_type = "text/css; charset=utf-8" if asset.kind == "css" else asset.media_type
        return Response(
            content=asset.content, media_type=media_type, headers={"Cache-Control": IMMUTABLE}
        )


def submitted_brand(form: Any) -> BrandForm:
    def text(name: str) -> str:
        return str(form.get(name, ""))

    def links(prefix: str, count: int) -> list[tuple[str, str]]:
        return [(text(f"{prefix}_label_{i}"), text(f"{prefix}_url_{i}")) for i in range(count)]

    return BrandForm(
        name=text("name"),
        locale=text("locale"),
        colours={key: text(key) for key in brand.COLOURS},
        font=text("font"),
        header_links=links("header", HEADER_LINKS),
        footer_links=links("footer", FOOTER_LINKS),
        terms_url=text("terms_url"),
        privacy_url=text("privacy_url"),
        custom_css=text("custom_css"),
    )


def _page(
    request: Req, form: BrandForm, errors: dict[str, str], status_code: int = 200
) -> Template:
    query: Any = request.query_params

    def rows(links: list[tuple[str, str]], count: int) -> list[tuple[str, str]]:
        return (links + [("", "")] * count)[:count]

    ratios = {
        "text": f"{contrast_ratio(form.colours.get('text', ''), form.colours.get('background', '')):.2f}",
        "button": f"{contrast_ratio(brand.BUTTON_TEXT, form.colours.get('primary', '')):.2f}",
    }
    return render(
        request, "tenancy/brand.html", ratios=ratios, status_code=status_code, form=form, errors=errors,
        fonts=FONTS, header_rows=rows(form.header_links, HEADER_LINKS),
        footer_rows=rows(form.footer_links, FOOTER_LINKS), saved=query.get("saved") == "1",
        dropped=int(query.get("dropped") or 0) if str(query.get("dropped") or "0").isdigit() else 0,
        uploaded=query.get("uploaded", ""), removed=query.get("removed") == "1",
    )  # fmt: skip
