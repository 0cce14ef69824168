"""Categories and idea boards as community admins set them up: create, edit, reorder,
archive. Every change is audited.

`add_category` is the operator's door (the CLI, a new tenant's starter set): the same
rules, no permission asked, audited with no actor.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func, select

from community.db import utcnow
from community.errors import NotFound, ValidationFailed, require
from community.forums import services as forums
from community.forums.models import FORUM_KINDS, Category, CategoryKind, Posting
from community.identity.permissions import Permission
from community.inputs import CONTROL_MESSAGE, has_control_characters, normalise_line
from community.l10n import N_, translations
from community.moderation.audit import record
from community.scope import Scope

NAME_MAX, SLUG_MAX, DESCRIPTION_MAX = 120, 80, 500
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
CONFIGURERS = N_("Only community admins set up categories.")
NO_SUCH_CATEGORY = N_("No such category.")


@dataclass(frozen=True)
class CategoryForm:
    """A category as typed: `slug` "" takes one from the name."""

    name: str
    slug: str = ""
    description: str = ""
    kind: str = CategoryKind.FORUM.value
    premoderated: bool = False
    posting: str = Posting.MEMBERS.value

    def cleaned(self) -> CategoryForm:
        name = normalise_line(self.name)
        slug = self.slug.strip().lower() or forums.slugify(name)
        return CategoryForm(
            name, slug, self.description.strip(), self.kind, self.premoderated, self.posting
        )


def _check_text(form: CategoryForm) -> dict[str, str]:
    errors: dict[str, str] = {}
    for field in ("name", "slug", "description"):
        if has_control_characters(getattr(form, field)):
            errors[field] = CONTROL_MESSAGE
    if not form.name and "name" not in errors:
        errors["name"] = N_("Give the category a name.")
    elif len(form.name) > NAME_MAX:
        errors["name"] = N_("The name is 120 characters at most.")
    if len(form.slug) > SLUG_MAX:
        errors["slug"] = N_("The address is 80 characters at most.")
    elif not SLUG_RE.match(form.slug) and "slug" not in errors:
        errors["slug"] = N_("The address takes lowercase letters, digits and dashes.")
    if len(form.description) > DESCRIPTION_MAX:
        errors["description"] = N_("The description is 500 characters at most.")
    return errors


def check_form(form: CategoryForm) -> dict[str, str]:
    """Problems of a cleaned form, by field."""
    errors = _check_text(form)
    if form.kind not in set(CategoryKind):
        errors["kind"] = N_("Choose questions, discussions, both, or an idea board.")
    if form.posting not in set(Posting):
        errors["posting"] = N_("Choose who may start threads.")
    return errors


async def _slug_taken(scope: Scope, slug: str, but: int | None = None) -> bool:
    query = select(Category.id).where(Category.slug == slug)
    if but is not None:
        query = query.where(Category.id != but)
    return await scope.db.scalar(query) is not None


async def _valid(scope: Scope, form: CategoryForm, but: int | None = None) -> CategoryForm:
    form = form.cleaned()
    errors = check_form(form)
    if "slug" not in errors and await _slug_taken(scope, form.slug, but):
        errors["slug"] = N_("Another category already has this address.")
    require(errors)
    return form


def snapshot(category: Category) -> dict[str, Any]:
    """What the audit log keeps of a category's settings."""
    return {
        "name": category.name,
        "slug": category.slug,
        "description": category.description,
        "kind": category.kind.value,
        "premoderated": category.premoderated,
        "posting": category.posting.value,
        "archived": category.is_archived,
    }


def _configurer(scope: Scope) -> None:
    scope.require(Permission.CONFIGURE_COMMUNITY, CONFIGURERS)


# ---- reading --------------------------------------------------------------------------------


async def all_categories(scope: Scope) -> list[Category]:
    """Every category and idea board, archived ones too, in the order the home page uses."""
    found = await scope.db.scalars(scope.select(Category).order_by(Category.position, Category.id))
    return list(found.all())


async def managed_categories(scope: Scope) -> list[Category]:
    _configurer(scope)
    return await all_categories(scope)


async def get_category(scope: Scope, category_id: int) -> Category:
    _configurer(scope)
    return await scope.one(Category, category_id, NO_SUCH_CATEGORY)


# ---- changing ---------------------------------------------------------------------------


async def add_category(scope: Scope, form: CategoryForm) -> Category:
    """A new category at the end of the list (the operator's door: no permission asked)."""
    form = await _valid(scope, form)
    category = await forums.create_category(
        scope,
        slug=form.slug,
        name=form.name,
        description=form.description,
        kind=CategoryKind(form.kind),
    )
    category.premoderated, category.posting = form.premoderated, Posting(form.posting)
    position = await scope.db.scalar(select(func.max(Category.position)))
    category.position = (position or 0) + 1
    await scope.db.flush()
    record(scope, "category.create", ("category", category.id), after=snapshot(category))
    return category


async def create_category(scope: Scope, form: CategoryForm) -> Category:
    _configurer(scope)
    return await add_category(scope, form)


def _check_kind_change(category: Category, kind: CategoryKind) -> None:
    """A forum category may become another forum kind; threads cannot become ideas."""
    moves_board = (category.kind in FORUM_KINDS) != (kind in FORUM_KINDS)
    if moves_board and category.thread_count:
        raise ValidationFailed(
            {"kind": N_("A category with threads cannot become an idea board, nor the reverse.")}
        )


async def update_category(scope: Scope, category_id: int, form: CategoryForm) -> Category:
    category = await get_category(scope, category_id)
    form = await _valid(scope, form, but=category.id)
    _check_kind_change(category, CategoryKind(form.kind))
    before = snapshot(category)
    category.name, category.slug, category.description = form.name, form.slug, form.description
    category.kind, category.posting = CategoryKind(form.kind), Posting(form.posting)
    category.premoderated = form.premoderated
    await scope.db.flush()
    if (after := snapshot(category)) != before:
        record(scope, "category.update", ("category", category.id), before=before, after=after)
    return category


async def set_archived(scope: Scope, category_id: int, archived: bool) -> Category:
    """Archive (no new threads, still readable) or reopen a category."""
    category = await get_category(scope, category_id)
    if category.is_archived == archived:
        return category
    category.archived_at = utcnow() if archived else None
    await scope.db.flush()
    action = "category.archive" if archived else "category.unarchive"
    record(scope, action, ("category", category.id))
    return category


async def reorder(scope: Scope, category_ids: list[int]) -> list[Category]:
    """Put the categories in this order (those left out keep their order, after them)."""
    categories = await managed_categories(scope)
    by_id = {c.id: c for c in categories}
    if unknown := [i for i in category_ids if i not in by_id]:
        raise ValidationFailed({"order": N_("No such category: %(id)s") % {"id": unknown[0]}})
    chosen = list(dict.fromkeys(category_ids))
    ordered = [by_id[i] for i in chosen] + [c for c in categories if c.id not in chosen]
    before = [c.id for c in categories]
    for position, category in enumerate(ordered):
        category.position = position
    await scope.db.flush()
    after = [c.id for c in ordered]
    if after != before:
        record(scope, "category.reorder", ("tenant", scope.tenant_id), before={"order": before},
               after={"order": after})  # fmt: skip
    return ordered


async def move(scope: Scope, category_id: int, step: int) -> list[Category]:
    """Move one category up (step -1) or down (+1) the list."""
    ids = [c.id for c in await managed_categories(scope)]
    if category_id not in ids:
        raise NotFound(NO_SUCH_CATEGORY)
    at = ids.index(category_id)
    to = min(max(at + step, 0), len(ids) - 1)
    ids.insert(to, ids.pop(at))
    return await reorder(scope, ids)


def form_of(category: Category) -> CategoryForm:
    """The form a category's edit page starts from."""
    return CategoryForm(
        category.name,
        category.slug,
        category.description,
        category.kind.value,
        category.premoderated,
        category.posting.value,
    )


def form_values(form: CategoryForm) -> dict[str, Any]:
    return asdict(form)


# ---- a new community's starter set ------------------------------------------------------

STARTER_SET: list[tuple[str, str, CategoryKind, Posting, str]] = [
    (N_("Questions"), "questions", CategoryKind.QUESTIONS, Posting.MEMBERS,
     N_("Ask the community and the brand's experts.")),
    (N_("Discussions"), "discussions", CategoryKind.DISCUSSIONS, Posting.MEMBERS,
     N_("Share tips and talk with other members.")),
    (N_("Ideas"), "ideas", CategoryKind.IDEAS, Posting.MEMBERS,
     N_("Suggest what the brand should make next, and vote.")),
    (N_("Announcements"), "announcements", CategoryKind.DISCUSSIONS, Posting.STAFF,
     N_("News from the brand.")),
]  # fmt: skip


async def add_starter_set(scope: Scope) -> list[Category]:
    """The categories a new community opens with, named in its language."""
    words = translations(scope.tenant.locale)
    made = []
    for name, slug, kind, posting, text in STARTER_SET:
        form = CategoryForm(
            words.gettext(name), slug, words.gettext(text), kind.value, posting=posting.value
        )
        made.append(await add_category(scope, form))
    return made
