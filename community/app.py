"""create_app(settings) -> Litestar: wires configuration, middleware, routes and lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from jinja2 import Environment, FileSystemLoader
from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from community.activity.web import ActivityPages
from community.analytics.api import DashboardApi
from community.analytics.web import DashboardPages
from community.config import Settings
from community.db import create_engine, session_factory
from community.deflection.api import DeflectionApi
from community.deflection.web import DeflectionPages
from community.embed.web import EmbedAdminPages, EmbedScript, WidgetPages
from community.escalation import sentiment
from community.escalation.admin_api import EscalationSettingsApi
from community.escalation.admin_web import EscalationAdminPages
from community.escalation.api import EscalationsApi
from community.escalation.web import CallbackEndpoint, EscalationPages
from community.forums.api import ThreadsApi
from community.forums.viewcount import ViewCounter
from community.forums.web import ForumPages, not_found
from community.ideas.api import IdeasApi
from community.ideas.web import IdeaPages
from community.identity.account_web import AccountPages, PasswordPages
from community.identity.api_keys_api import ApiKeysApi
from community.identity.api_keys_web import ApiKeyPages
from community.identity.token_web import TokenAdminPages, TokenSignInPages
from community.identity.web import IdentityPages
from community.importing.web import OldAddresses
from community.jobs import InProcessQueue, JobQueue, connect_queue, sweep_jobs
from community.l10n import jinja as l10n_jinja
from community.limits import Limiter
from community.mailing.api import MailPreferencesApi
from community.mailing.web import UNSUBSCRIBE, MailPreferencePages, UnsubscribePages
from community.moderation.api import ModerationApi
from community.moderation.web import ModerationPages
from community.net.outbound import Outbound
from community.notify.api import FollowLevelsApi, MentionsApi
from community.notify.web import NotificationPages
from community.oidc.web import OidcPages, SsoAdminPages
from community.privacy.api import PrivacyApi
from community.privacy.display import TEMPLATE_GLOBALS as PRIVACY_GLOBALS
from community.privacy.web import PrivacyPages
from community.qa.api import AnswersApi
from community.qa.web import AnswerPages
from community.scoring.api import MembersApi
from community.scoring.web import ScoringPages
from community.search import service as search
from community.search.admin_web import SearchAdminPages
from community.search.api import SearchApi
from community.search.web import SearchPages
from community.setup.api import SetupApi
from community.setup.web import SetupAdminPages
from community.tags.api import TagsApi
from community.tags.web import TagPages
from community.tasks import TASKS
from community.tenancy.brand_api import BrandApi
from community.tenancy.brand_web import BrandPages
from community.tenancy.embedding import embed_origins
from community.tenancy.middleware import HostCheckMiddleware, TenantMiddleware
from community.tenancy.services import TenantResolver
from community.votes.api import VotesApi
from community.votes.web import VotePages
from community.web.admin_nav import ADMIN_PAGES
from community.web.api_docs import VendoredSwaggerUI
from community.web.bearer import ApiKeyMiddleware, CookieSessionCSRF, describe_in_openapi
from community.web.client import TrustedProxies
from community.web.context import DEPENDENCIES
from community.web.errors import EXCEPTION_HANDLERS
from community.web.headers import SecurityHeaders
from community.web.inputs import refuse_control_characters
from community.web.metrics import REQUEST_METRICS, metrics
from community.web.openapi import security_components
from community.web.ops import health, liveness, readiness
from community.web.render import css_value
from community.web.request_log import RequestLogMiddleware, echo_request_id
from community.web.session_cookie import SESSION_COOKIE, add_session_cookie
from community.web.unit_of_work import UnitOfWorkMiddleware
from community.webhooks.api import WebhooksApi
from community.webhooks.web import WebhookAdminPages
from community.wiring import register_all, register_template_globals

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, outbound: Outbound | None = None) -> Litestar:
    """The app; `outbound` replaces the client made from the settings (tests' resolvers)."""
    settings = settings or Settings.from_env()
    outbound = outbound or Outbound.from_settings(settings)
    register_all()
    engine = create_engine(settings.database_url)
    sessions = session_factory(engine)
    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    search_engine = search.engine_for(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        jobs = await connect_queue(
            settings.redis_url, sessions, TASKS, settings.delivery, outbound,
            settings.job_lease_seconds, settings.secret_key,
        )  # fmt: skip
        await asyncio.to_thread(sentiment.warm_up)  # not on the first customer's request
        views = ViewCounter(jobs, settings.view_flush_threshold, settings.view_flush_seconds)
        app.state.update(jobs=jobs, views=views, outbound=outbound, search=search_engine)
        flusher = asyncio.create_task(_flush_periodically(views, settings.view_flush_seconds))
        # arq workers run the escalation sweep as a cron job; without Redis this process does.
        sweepers = [asyncio.create_task(_hand_on_kept_jobs(sessions, jobs, settings))]
        if isinstance(jobs, InProcessQueue):
            sweepers.append(asyncio.create_task(_sweep_periodically(jobs, settings.sweep_seconds)))
        try:
            yield
        finally:
            flusher.cancel()
            for sweeper in sweepers:
                sweeper.cancel()
            await asyncio.gather(*sweepers, return_exceptions=True)
            await views.flush()
            await jobs.close()
            if redis is not None:
                await redis.aclose()
            await engine.dispose()

    app = Litestar(
        route_handlers=[
            ForumPages,
            OldAddresses,
            IdentityPages,
            AccountPages,
            PasswordPages,
            TokenSignInPages,
            TokenAdminPages,
            ThreadsApi,
            VotePages,
            VotesApi,
            AnswerPages,
            AnswersApi,
            ScoringPages,
            TagPages,
            TagsApi,
            SearchPages,
            SearchApi,
            MembersApi,
            ModerationPages,
            ModerationApi,
            IdeaPages,
            NotificationPages,
            MentionsApi,
            FollowLevelsApi,
            IdeasApi,
            EscalationPages,
            CallbackEndpoint,
            EscalationsApi,
            EscalationAdminPages,
            EscalationSettingsApi,
            DeflectionPages,
            DeflectionApi,
            DashboardPages,
            DashboardApi,
            SearchAdminPages,
            PrivacyPages,
            PrivacyApi,
            MailPreferencePages,
            MailPreferencesApi,
            UnsubscribePages,
            ActivityPages,
            OidcPages,
            SsoAdminPages,
            BrandPages,
            BrandApi,
            SetupAdminPages,
            SetupApi,
            WebhookAdminPages,
            WebhooksApi,
            ApiKeyPages,
            ApiKeysApi,
            EmbedScript,
            WidgetPages,
            EmbedAdminPages,
            health,
            metrics,
            liveness,
            readiness,
            not_found,
            create_static_files_router(path="/static", directories=[settings.static_dir]),
        ],
        dependencies=DEPENDENCIES,
        before_request=refuse_control_characters,
        middleware=[
            HostCheckMiddleware(),  # first: nothing after it meets a Host that does not parse
            RequestLogMiddleware(),
            REQUEST_METRICS.middleware,
            TenantMiddleware(),
            UnitOfWorkMiddleware(),
            ApiKeyMiddleware(),  # Bearer keys on /api/ (community.web.bearer)
            # Last: it needs to know whether the request came with an API key.
            DefineMiddleware(CookieSessionCSRF, config=_csrf_config(settings)),
        ],
        template_config=TemplateConfig(instance=_template_engine(settings)),
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        openapi_config=OpenAPIConfig(
            title="Parvis API",
            version="1",
            path="/schema",
            description=API_DESCRIPTION,
            render_plugins=[VendoredSwaggerUI()],
            components=security_components(SESSION_COOKIE),
        ),
        lifespan=[lifespan],
        state=State(_initial_state(settings, engine, sessions, redis)),
        # Security headers, the request id, and the session cookie (community.web.session_cookie).
        before_send=[
            SecurityHeaders(always_https=settings.secure_cookies),
            echo_request_id,
            add_session_cookie,
        ],
        logging_config=None,  # the process configures logging (community.logs), not each app
        debug=settings.debug,
    )
    describe_in_openapi(app.routes)  # the scope each operation needs of an API key
    return app


def _csrf_config(settings: Settings) -> CSRFConfig:
    return CSRFConfig(
        secret=settings.secret_key,
        cookie_secure=settings.secure_cookies,
        cookie_samesite="lax",
        exclude=["/health", "/hooks/", UNSUBSCRIBE],  # RFC 8058 POSTs carry no token
    )


def _initial_state(
    settings: Settings, engine: object, sessions: object, redis: Redis | None
) -> dict[str, object]:
    return {
        "settings": settings,
        "engine": engine,
        "sessions": sessions,
        "redis": redis,
        "tenants": TenantResolver(sessions, settings.default_tenant),  # type: ignore[arg-type]
        "limits": Limiter(redis),
        "trusted_proxies": TrustedProxies.parse(settings.trusted_proxies),  # community.web.client
    }


def _template_engine(settings: Settings) -> JinjaTemplateEngine:
    environment = Environment(
        loader=FileSystemLoader(settings.templates_dir),
        autoescape=True,
        auto_reload=settings.debug,  # no stat() per template per render in production
    )
    environment.filters["css_value"] = css_value
    l10n_jinja.install(environment)  # `_`, `ngettext`, dates… in each render's locale
    register_template_globals(environment.globals)
    environment.globals["admin_pages"] = ADMIN_PAGES
    environment.globals["embed_origins"] = embed_origins  # the frame script's partners
    environment.globals["bell_poll_seconds"] = settings.bell_poll_seconds
    environment.globals.update(PRIVACY_GLOBALS)  # members' names and avatars, as pages show them
    return JinjaTemplateEngine.from_environment(environment)


async def _flush_periodically(views: ViewCounter, seconds: float) -> None:
    while True:
        await asyncio.sleep(seconds)
        await views.flush()


async def _sweep_periodically(jobs: InProcessQueue, seconds: float) -> None:
    while True:
        await asyncio.sleep(seconds)
        await jobs.enqueue("sweep_escalations")
        await jobs.enqueue("sweep_webhooks")
        await jobs.enqueue("sweep_search")
        await jobs.enqueue("sweep_mail")
        await jobs.enqueue("rollup_dashboard")


async def _hand_on_kept_jobs(
    sessions: async_sessionmaker[AsyncSession], jobs: JobQueue, settings: Settings
) -> None:
    """At start (jobs a stopped process left behind), then every few seconds: kept jobs
    that are due go to Redis, or run here while Redis is down (their rows make it once)."""
    while True:
        try:
            await sweep_jobs(sessions, jobs)
        except Exception:  # the database is down: try again at the next turn
            if _being_cancelled():  # a driver turned the cancellation into its own error
                raise
            log.exception("sweeping kept jobs failed")
        await asyncio.sleep(settings.job_sweep_seconds)


def _being_cancelled() -> bool:
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


API_DESCRIPTION = """\
The community's JSON API. The tenant is the one whose domain you call.
Authenticate with an API key made by a community admin at `/admin/api-keys`
(`Authorization: Bearer pvk_…`; each operation names the scope it needs), or with the
session cookie set by `/login`: then every unsafe request (POST…) must echo the
`csrftoken` cookie in an `x-csrftoken` header. A key's request needs no CSRF header.
Errors are JSON: `{"status_code": 4xx, "detail": "message", "errors": {"field": "problem"}}`.
"""
