"""The brand's look through the JSON API (community admins): read it, change it, upload the
logo or favicon. The same services and checks as /admin/brand."""

from __future__ import annotations

import msgspec
from litestar import Controller, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from community.scope import Scope
from community.tenancy import brand
from community.tenancy.brand import BrandForm, BrandSaved
from community.web.context import Req
from community.web.inputs import Input
from community.web.openapi import MEMBER_READ, MEMBER_WRITE
from community.web.render import submitted_file


class LinkIO(Input):
    label: str
    url: str


class BrandIO(Input):
    """Colours as #rrggbb; `font` one of system, humanist, geometric, serif, rounded, mono."""

    name: str
    locale: str
    primary: str
    accent: str
    background: str
    text: str
    font: str = "system"
    header_links: list[LinkIO] = msgspec.field(default_factory=list)
    footer_links: list[LinkIO] = msgspec.field(default_factory=list)
    terms_url: str = ""
    privacy_url: str = ""
    custom_css: str = ""

    @classmethod
    def of(cls, form: BrandForm) -> BrandIO:
        return cls(
            name=form.name, locale=form.locale, font=form.font,
            header_links=[LinkIO(label, url) for label, url in form.header_links],
            footer_links=[LinkIO(label, url) for label, url in form.footer_links],
            terms_url=form.terms_url, privacy_url=form.privacy_url, custom_css=form.custom_css,
            **{key: form.colours.get(key, "") for key in brand.COLOURS},
        )  # fmt: skip

    def form(self) -> BrandForm:
        return BrandForm(
            name=self.name, locale=self.locale, font=self.font,
            colours={key: getattr(self, key) for key in brand.COLOURS},
            header_links=[(link.label, link.url) for link in self.header_links],
            footer_links=[(link.label, link.url) for link in self.footer_links],
            terms_url=self.terms_url, privacy_url=self.privacy_url, custom_css=self.custom_css,
        )  # fmt: skip


class BrandOut(msgspec.Struct):
    brand: BrandIO
    dropped_css: list[str]  # what the sanitiser removed from the custom CSS


class ImageOut(msgspec.Struct):
    url: str


class BrandApi(Controller):
    path = "/api/v1/admin/brand"
    tags = ["admin"]

    @get("/", **MEMBER_READ)
    async def read_brand(self, here: NamedDependency[Scope]) -> BrandIO:
        return BrandIO.of(await brand.brand_form(here))

    @put("/", **MEMBER_WRITE)
    async def update_brand(
        self, request: Req, here: NamedDependency[Scope], data: JSONBody[BrandIO]
    ) -> BrandOut:
        saved: BrandSaved = await brand.update_brand(here, data.form())
        request.app.state.tenants.forget()
        return BrandOut(BrandIO.of(saved.form), saved.dropped_css)

    @post("/{kind:str}", status_code=201, **MEMBER_WRITE)
    async def upload_image(
        self,
        request: Req,
        here: NamedDependency[Scope],
        kind: FromPath[str],
    ) -> ImageOut:
        """Multipart (`multipart/form-data`) with the image in a field named `data`; `kind` is
        logo or favicon (404 otherwise). The body is read after the kind is known, so a
        request without the file is told what is missing (422), not refused unread."""
        chosen = brand.image_kind(kind)
        data, declared = await submitted_file(request, "data")
        url = await brand.set_image(here, chosen, data, declared)
        request.app.state.tenants.forget()
        return ImageOut(url)
