"""How a member's role is named on the pages (translated where it is shown)."""

from community.identity.models import Role
from community.l10n import N_

ROLE_LABELS: dict[str, str] = {
    Role.MEMBER: N_("member"),
    Role.EXPERT: N_("expert"),
    Role.MODERATOR: N_("moderator"),
    Role.ADMIN: N_("admin"),
    Role.AGENT: N_("agent"),
}
