"""The admin pages, listed once: every admin page shows the same navigation from this table.

A capability that adds an admin page adds one line here (its path, its label marked for
translation, and who sees it: "configures" for community settings, "moderates" for staff
tools), and its template includes `partials/admin_nav.html`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from community.l10n import N_


@dataclass(frozen=True, slots=True)
class AdminPage:
    path: str
    label: str
    shown_to: Literal["configures", "moderates"] = "configures"


ADMIN_PAGES: list[AdminPage] = [
    AdminPage("/admin/dashboard", N_("Dashboard")),
    AdminPage("/admin/categories", N_("Categories")),
    AdminPage("/admin/domains", N_("Domains")),
    AdminPage("/admin/scoring", N_("Scoring rules")),
    AdminPage("/admin/moderation", N_("Moderation rules")),
    AdminPage("/admin/escalation", N_("Escalation rules")),
    AdminPage("/admin/webhooks", N_("Outgoing webhooks")),
    AdminPage("/admin/search", N_("Search settings")),
    AdminPage("/admin/deflection", N_("Deflection")),
    AdminPage("/admin/tags", N_("Tags"), "moderates"),
    AdminPage("/admin/sso/token", N_("Signed-token SSO (embeds)")),
    AdminPage("/admin/embed", N_("Embedding and widgets")),
    AdminPage("/admin/sso", N_("OpenID Connect sign-in")),
    AdminPage("/admin/members", N_("Members and roles")),
    AdminPage("/admin/audit", N_("Audit log")),
    AdminPage("/admin/brand", N_("Brand")),
    AdminPage("/admin/api-keys", N_("API keys")),
]
