"""The `parvis` command: serve, worker, db, tenant, member, apikey, scoring, search, import, demo."""

from __future__ import annotations

import asyncio
import os
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from community.config import PROJECT_ROOT, ConfigError, Settings
from community.db import create_engine, session_factory, session_scope
from community.errors import DomainError
from community.forums.models import Category, CategoryKind, Posting
from community.identity.models import Member, Role
from community.identity.permissions import ApiScope
from community.l10n import LOCALES
from community.startup import StartupError, check_database, check_redis

if TYPE_CHECKING:
    from community.jobs import InProcessQueue
    from community.scope import Scope

T = TypeVar("T")
STARTUP_FAILED = 2  # exit code: bad settings, or the database or Redis cannot be reached


class ParvisCommands(click.Group):
    """Settings and start-up problems end a command with one line each and exit code 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            problems = exc.problems
        except StartupError as exc:
            problems = [str(exc)]
        for problem in problems:
            click.echo(f"parvis: {problem}", err=True)
        ctx.exit(STARTUP_FAILED)


def ready_settings() -> Settings:
    """Valid settings whose database answers; `ConfigError` or `StartupError` otherwise."""
    settings = Settings.from_env()
    asyncio.run(check_database(settings.database_url))
    return settings


def redis_answers(settings: Settings) -> StartupError | None:
    """None when Redis is not configured or answers; otherwise why not."""
    if not settings.redis_url:
        return None
    try:
        asyncio.run(check_redis(settings.redis_url))
    except StartupError as exc:
        return exc
    return None


def run_in_session(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in one committed unit of work; domain errors become clean CLI errors."""

    async def in_one_unit(sessions: async_sessionmaker[AsyncSession], jobs: InProcessQueue) -> T:
        async with session_scope(sessions, jobs) as session:
            return await work(session)

    return run_with_sessions(in_one_unit)


def run_with_sessions(
    work: Callable[[async_sessionmaker[AsyncSession], InProcessQueue], Awaitable[T]],
) -> T:
    """Run `work`, which opens its own units of work (one per tenant, say), then the jobs it
    queued; domain errors become clean CLI errors."""

    async def main() -> T:
        from community.jobs import InProcessQueue
        from community.tasks import TASKS
        from community.wiring import register_all

        register_all()
        database_url = Settings.from_env().database_url
        await check_database(database_url)
        engine = create_engine(database_url)
        sessions = session_factory(engine)
        jobs = InProcessQueue(sessions, TASKS)
        try:
            result = await work(sessions, jobs)
            await jobs.drain()
            return result
        finally:
            await engine.dispose()

    try:
        return asyncio.run(main())
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc


def alembic_config(database_url: str | None = None) -> Any:
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.attributes["database_url"] = database_url or Settings.from_env().database_url
    return config


@click.group(cls=ParvisCommands)
def main() -> None:
    """Parvis: a white-label community platform."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=os.cpu_count() or 1, show_default=True, type=int)
@click.option("--reload", is_flag=True, help="Restart on code changes (development).")
def serve(host: str, port: int, workers: int, reload: bool) -> None:
    """Serve the web app with uvicorn (several worker processes).

    Refuses to start (exit 2) on bad settings or a database that does not answer; starts
    with a warning when Redis does not answer: Redis is an accelerator, not a dependency.
    """
    import uvicorn

    from community.logs import logging_config

    settings = ready_settings()
    if problem := redis_answers(settings):
        click.echo(f"parvis: warning: {problem}; serving without it until it answers", err=True)
    share_metrics_between_processes(settings, port)
    uvicorn.run(
        "community.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=1 if reload else workers,
        reload=reload,
        proxy_headers=True,
        log_config=logging_config(settings),
        access_log=False,  # community.web.request_log writes one line per request
        # uvicorn's default, 5 s, kills and respawns a worker process that is still
        # importing and warming up on a busy machine, forever.
        timeout_worker_healthcheck=30,
    )


def share_metrics_between_processes(settings: Settings, port: int) -> None:
    """/metrics sums every uvicorn worker process's counts (prometheus_client's
    multiprocess mode): each writes to files in a directory emptied at each start."""
    import shutil

    directory = settings.data_dir / "metrics" / str(port)
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)


@main.command()
@click.option("--burst", is_flag=True, help="Run the queued jobs, then stop.")
def worker(burst: bool) -> None:
    """Run an arq worker for the background jobs (needs PARVIS_REDIS_URL).

    Refuses to start (exit 2) on bad settings or when the database or Redis does not
    answer; once started, it outlives Redis outages (reconnecting with back-off) and drains
    its jobs on SIGTERM.
    """
    from community.logs import configure_logging
    from workers.main import run_worker

    settings = ready_settings()
    if not settings.redis_url:
        raise StartupError(
            "PARVIS_REDIS_URL is not set: without Redis, jobs run in the web process"
        )
    if problem := redis_answers(settings):
        raise problem
    configure_logging(settings)
    asyncio.run(_burst(settings) if burst else run_worker(settings))


async def _burst(settings: Settings) -> None:
    """Run the queued jobs, then stop (the worker is built on this event loop)."""
    from workers.main import create_worker

    worker = create_worker(settings, burst=True, handle_signals=False)
    try:
        await worker.async_run()
    finally:
        await worker.close()


@main.group()
def db() -> None:
    """Database schema migrations (Alembic)."""
    ready_settings()  # a clear line, not a traceback, when the database does not answer


@db.command()
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Migrate the schema up to REVISION (default: head)."""
    from alembic import command

    command.upgrade(alembic_config(), revision)
    click.echo(f"database at {revision}")


@db.command()
@click.argument("revision", default="-1")
def downgrade(revision: str) -> None:
    """Migrate the schema down to REVISION (default: one step; 'base' for empty)."""
    from alembic import command

    command.downgrade(alembic_config(), revision)
    click.echo(f"database at {revision}")


@db.command()
def current() -> None:
    """Show the schema revision the database is at."""
    from alembic import command

    command.current(alembic_config(), verbose=False)


@main.group()
def tenant() -> None:
    """Tenants (brands) served by this deployment."""


@tenant.command("create")
@click.option("--slug", required=True, help="Short name, also <slug>.localhost locally.")
@click.option("--name", required=True, help="The community's display name.")
@click.option("--domain", "domains", multiple=True, help="A host name that serves it (repeatable).")
@click.option("--locale", default="en", show_default=True, type=click.Choice(LOCALES))
@click.option(
    "--starter/--no-starter",
    default=True,
    help="Open it with Questions, Discussions, Ideas and a staff-only Announcements category.",
)
def create_tenant_command(
    slug: str, name: str, domains: tuple[str, ...], locale: str, starter: bool
) -> None:
    """Create a tenant (with a starter set of categories unless --no-starter)."""
    from community.scope import Scope
    from community.setup.categories import add_starter_set
    from community.tenancy.services import create_tenant

    async def work(session: AsyncSession) -> tuple[int, list[str]]:
        created = await create_tenant(
            session, slug=slug, name=name, domains=list(domains), locale=locale
        )
        made = await add_starter_set(await Scope.load(session, created.id)) if starter else []
        return created.id, [_category_line(c) for c in made]

    tenant_id, lines = run_in_session(work)
    click.echo(f"tenant {slug} created (id {tenant_id})")
    click.echo(f"categories: {len(lines)}" + "".join(f"\n  {line}" for line in lines))


async def _tenant_scope(session: AsyncSession, tenant_slug: str) -> Scope:
    """The operator's scope in the tenant with this slug (no member: audited with no actor)."""
    from sqlalchemy import select

    from community.scope import Scope
    from community.tenancy.models import Tenant

    tenant_id = await session.scalar(select(Tenant.id).where(Tenant.slug == tenant_slug))
    if tenant_id is None:
        raise click.ClickException(f"no tenant with slug {tenant_slug!r}")
    return await Scope.load(session, tenant_id)


def _category_line(category: Category) -> str:
    flags = [category.kind.value, f"{category.posting.value} post"]
    flags += ["premoderated"] * category.premoderated + ["archived"] * category.is_archived
    return f"/c/{category.slug}  {category.name}  ({', '.join(flags)})"


@main.group()
def category() -> None:
    """Categories and idea boards of a tenant."""


@category.command("create")
@click.option("--tenant", "tenant_slug", required=True, help="The tenant's slug.")
@click.argument("name")
@click.option("--slug", default="", help="Its address, /c/<slug> (default: from the name).")
@click.option("--description", default="")
@click.option(
    "--kind", default="forum", show_default=True, type=click.Choice([k.value for k in CategoryKind])
)
@click.option("--premoderated", is_flag=True, help="Hold new members' posts for review.")
@click.option("--staff-only", is_flag=True, help="Only staff start threads (announcements).")
def create_category_command(
    tenant_slug: str, name: str, slug: str, description: str, kind: str,
    premoderated: bool, staff_only: bool,
) -> None:  # fmt: skip
    """Create a category (kind forum: questions and discussions) or an idea board."""
    from community.setup.categories import CategoryForm, add_category

    posting = Posting.STAFF if staff_only else Posting.MEMBERS
    form = CategoryForm(name, slug, description, kind, premoderated, posting.value)

    async def work(session: AsyncSession) -> str:
        return _category_line(await add_category(await _tenant_scope(session, tenant_slug), form))

    click.echo(f"category created: {run_in_session(work)}")


@category.command("list")
@click.option("--tenant", "tenant_slug", required=True, help="The tenant's slug.")
def list_categories_command(tenant_slug: str) -> None:
    """The tenant's categories and idea boards, in the home page's order."""
    from community.setup.categories import all_categories

    async def work(session: AsyncSession) -> list[str]:
        found = await all_categories(await _tenant_scope(session, tenant_slug))
        return [_category_line(c) for c in found]

    for line in run_in_session(work) or ["no categories"]:
        click.echo(line)


@main.group()
def member() -> None:
    """Members of a tenant."""


@member.command("create")
@click.option("--tenant", "tenant_slug", required=True, help="The tenant's slug.")
@click.option("--email", required=True)
@click.option("--name", default="", help="Display name (default: the part before @).")
@click.option(
    "--role", default="member", show_default=True, type=click.Choice([r.value for r in Role])
)
@click.option("--password", default="", help="Default: a random one, printed once.")
def create_member_command(
    tenant_slug: str, email: str, name: str, role: str, password: str
) -> None:
    """Create a member with a role (member, expert, moderator, admin)."""
    from sqlalchemy import select

    from community.identity.services import create_member
    from community.scope import Scope
    from community.tenancy.models import Tenant

    password = password or secrets.token_urlsafe(12)

    async def work(session: AsyncSession) -> int:
        tenant_id = await session.scalar(select(Tenant.id).where(Tenant.slug == tenant_slug))
        if tenant_id is None:
            raise click.ClickException(f"no tenant with slug {tenant_slug!r}")
        created = await create_member(
            await Scope.load(session, tenant_id),
            email=email,
            display_name=name or email.split("@")[0],
            password=password,
            role=Role(role),
        )
        return created.id

    member_id = run_in_session(work)
    click.echo(f"member {email} created (id {member_id}, role {role}, password {password})")


@main.group()
def apikey() -> None:
    """API keys of a tenant (see the README, API keys)."""


@apikey.command("create")
@click.option("--tenant", "tenant_slug", required=True, help="The tenant's slug.")
@click.option("--admin", "admin_email", required=True, help="The admin the key acts as.")
@click.option("--name", required=True, help="What will use it: a CRM, a report…")
@click.option(
    "--scope", "scopes", multiple=True, required=True,
    type=click.Choice([s.value for s in ApiScope]), help="Repeat for several.",
)  # fmt: skip
@click.option("--expires", type=click.DateTime(["%Y-%m-%d"]), help="Works through this day.")
def create_api_key_command(
    tenant_slug: str, admin_email: str, name: str, scopes: tuple[str, ...], expires: Any
) -> None:
    """Make an API key and print it (once: only its hash is kept)."""
    from datetime import UTC, timedelta

    from sqlalchemy import select

    from community.identity.api_keys import KeyForm, create_key

    ends = expires.replace(tzinfo=UTC) + timedelta(days=1) if expires else None

    async def work(session: AsyncSession) -> str:
        scope = await _tenant_scope(session, tenant_slug)
        admin = await session.scalar(select(Member).where(Member.email == admin_email))
        if admin is None:
            raise click.ClickException(f"no member {admin_email!r} in {tenant_slug!r}")
        made = await create_key(scope.acting_as(admin), KeyForm(name, scopes, ends))
        return made.token

    click.echo(run_in_session(work))


@main.group()
def scoring() -> None:
    """Reputation, scores and other counters."""


@scoring.command("recompute")
@click.option("--tenant", "tenant_slug", default="", help="Only this tenant (default: all).")
def recompute_command(tenant_slug: str) -> None:
    """Rebuild every counter (reputation, scores, reply and thread counts) from the facts."""
    from community.scoring.recompute import recompute_tenants

    async def work() -> None:  # each tenant in a unit of work of its own
        engine = create_engine(Settings.from_env().database_url)
        try:
            await recompute_tenants(session_factory(engine), tenant_slug)
        finally:
            await engine.dispose()

    try:
        asyncio.run(work())
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"counters recomputed for {tenant_slug or 'every tenant'}")


@main.group()
def dashboard() -> None:
    """The manager dashboard's daily roll-ups."""


@dashboard.command("recompute")
@click.option("--tenant", "tenant_slug", default="", help="Only this tenant (default: all).")
def dashboard_recompute_command(tenant_slug: str) -> None:
    """Rebuild the dashboard's roll-ups from the facts (after changing business hours, say)."""
    from community.analytics.rollup import recompute_tenants

    async def work(sessions: async_sessionmaker[AsyncSession], jobs: InProcessQueue) -> int:
        return await recompute_tenants(sessions, tenant_slug)

    days = run_with_sessions(work)
    click.echo(f"dashboard rolled up for {tenant_slug or 'every tenant'}: {days} days")


@main.group()
def search() -> None:
    """Search: each community's index of threads."""


@search.command("reindex")
@click.option("--tenant", "tenant_slug", default="", help="Only this tenant (default: all).")
def reindex_command(tenant_slug: str) -> None:
    """Build the search index again from the database (after a restore, or a new engine)."""
    from community.search.service import rate, reindex, tenants_to_reindex

    async def work(sessions: async_sessionmaker[AsyncSession], _jobs: InProcessQueue) -> None:
        for tenant in await tenants_to_reindex(sessions, tenant_slug):
            started = time.monotonic()
            with click.progressbar(length=tenant.threads, label=tenant.slug) as bar:
                count = await reindex(sessions, tenant.id, progress=bar.update)
            click.echo(f"{tenant.slug}: {count} threads indexed, {rate(count, started):.0f} docs/s")

    run_with_sessions(work)


@main.group("import")
def import_group() -> None:
    """Bring another community's content in."""


@import_group.command("stackexchange")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--tenant", "tenant_slug", required=True, help="The community to import into.")
@click.option("--category", "category_slug", default="", help="Category slug (made if missing).")
def import_stackexchange_command(directory: Path, tenant_slug: str, category_slug: str) -> None:
    """Import a Stack Exchange data dump (the directory of its XML files); safe to re-run,
    and an interrupted import resumes."""
    from community.importing.report import import_with_progress

    run_with_sessions(
        lambda sessions, _jobs: import_with_progress(
            sessions, tenant_slug, directory, category_slug
        )
    )


@main.command()
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--serve/--no-serve", default=True, help="Start the server after seeding.")
@click.option(
    "--print-standin-args",
    is_flag=True,
    help="Print the `parvis contact-centre` options of the stand-in the demo escalates to "
    "(`make contact-centre` uses them), and stop.",
)
@click.option(
    "--print-oidc-options",
    is_flag=True,
    help="Print the options of the local OpenID provider the demo signs in with "
    "(`make oidc-provider` uses them), and stop.",
)
def demo(port: int, serve: bool, print_standin_args: bool, print_oidc_options: bool) -> None:
    """Migrate, seed two demo communities (once), print how to log in, and serve them.

    Escalations go to the local contact-centre stand-in (`make contact-centre`); links and
    callback URLs in the cases point at this server (http://<domain>:<port>) unless
    PARVIS_BASE_URL_FORMAT says otherwise.
    """
    from alembic import command

    from community.demo.brand import DEMO_BRAND_ORIGIN, DEMO_TOKEN_SECRET, seed_brand_sign_in
    from community.demo.seed import (
        DEMO_PASSWORD,
        STANDIN_ALLOWED,
        STANDIN_URL,
        seed_contact_centre,
        seed_demo,
        standin_args,
    )
    from community.demo.sso import OIDC_ALLOWED, provider_options, seed_identity_provider
    from community.demo.webhooks import seed_webhooks

    if print_standin_args:
        click.echo(" ".join(standin_args()))
        return
    if print_oidc_options:
        click.echo(provider_options(port))
        return
    ready = ready_settings()
    command.upgrade(alembic_config(), "head")
    communities = run_with_sessions(seed_demo)  # a unit of work per community
    run_with_sessions(seed_contact_centre)  # after the seeding's jobs: see its docstring
    run_with_sessions(lambda sessions, jobs: seed_brand_sign_in(sessions, ready.secret_key, jobs))
    run_with_sessions(lambda sessions, jobs: seed_identity_provider(sessions, ready.secret_key))
    run_with_sessions(lambda sessions, jobs: seed_webhooks(sessions, ready.secret_key, jobs))
    click.echo("\nParvis demo ready.\n")
    for community in communities:
        click.echo(f"  {community.name}: http://{community.host}:{port}/")
        shown = community.accounts[:4]
        for email, role in shown:
            click.echo(f"      {role:<10} {email}")
        if more := len(community.accounts) - len(shown):
            click.echo(f"      … and {more} more members")
    click.echo(f"\n  Every demo account's password: {DEMO_PASSWORD}")
    standin = STANDIN_URL.removesuffix("/webhook")
    click.echo(f"\n  Escalations go to a local contact-centre stand-in at {standin}/:")
    click.echo("  start it in another terminal with `make contact-centre`, or")
    click.echo(f"      parvis contact-centre {' '.join(standin_args())}\n")
    click.echo(f"  Signed-token sign-in: brand pages on {DEMO_BRAND_ORIGIN} may embed the")
    click.echo(f"  communities; their tokens are signed (HS256) with {DEMO_TOKEN_SECRET}")
    click.echo("  `make brand-site` serves such a page: the community and a widget embedded.\n")
    click.echo(
        "  Single sign-on goes to a local OpenID provider: start it with `make oidc-provider`"
    )
    click.echo("  (login alice, any password: a gold customer).\n")
    if serve:
        import uvicorn

        from community.app import create_app

        settings = Settings.from_env()
        # The stand-in on 127.0.0.1:8025, and no other internal address, may be reached.
        allowed = (*settings.outbound_allowed_hosts, STANDIN_ALLOWED, OIDC_ALLOWED)
        settings = replace(settings, outbound_allowed_hosts=allowed)
        if not os.environ.get("PARVIS_BASE_URL_FORMAT"):
            # Case links and callbacks reach this server: localhost, northwind.localhost.
            here = f"http://{{domain}}:{port}"
            settings = replace(settings, delivery=replace(settings.delivery, base_url_format=here))
        from community.logs import logging_config

        uvicorn.run(
            create_app(settings), host="127.0.0.1", port=port, log_config=logging_config(settings)
        )


@main.command("contact-centre")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8025, show_default=True, type=int)
@click.option("--secret", default="", help="whsec_… Parvis signs cases with (default: new).")
@click.option("--callback-secret", default="", help="whsec_… to sign callbacks (default: new).")
@click.option("--fail-first", default=0, show_default=True, type=click.IntRange(min=0))
@click.option(
    "--fail-mode", default="500", show_default=True, type=click.Choice(["500", "timeout", "reset"])
)
@click.option("--timeout-seconds", default=3.0, show_default=True, help="Sleep of 'timeout'.")
def contact_centre(
    host: str,
    port: int,
    secret: str,
    callback_secret: str,
    fail_first: int,
    fail_mode: str,
    timeout_seconds: float,
) -> None:
    """Run a local contact-centre stand-in that takes escalated cases (until Ctrl-C)."""
    from community.demo.contact_centre import ContactCentre, new_secret, run_until_interrupted

    try:
        centre = ContactCentre(
            secret or new_secret(),
            callback_secret or new_secret(),
            host,
            port,
            fail_first,
            fail_mode,
            timeout_seconds,
            log=click.echo,
        )
        run_until_interrupted(centre, click.echo)
    except (ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc


@main.command("brand-site")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8200, show_default=True, type=int)
@click.option("--community", default="http://localhost:8000", show_default=True,
              help="The demo community's address (`parvis demo`).")  # fmt: skip
def brand_site(host: str, port: int, community: str) -> None:
    """Run the demo brand's help page, which embeds the community and a widget (until Ctrl-C)."""
    from community.demo.brand_site import serve

    try:
        serve(community.rstrip("/"), host, port, click.echo)
    except OSError as exc:
        raise click.ClickException(str(exc)) from exc


if __name__ == "__main__":
    main()
