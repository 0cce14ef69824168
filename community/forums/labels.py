"""How a post's state is named on the pages (translated where it is shown)."""

from community.forums.models import Visibility
from community.l10n import N_

VISIBILITY_LABELS: dict[str, str] = {
    Visibility.PENDING: N_("Awaiting review"),
    Visibility.HIDDEN: N_("Hidden pending review"),
    Visibility.REJECTED: N_("Rejected by a moderator"),
}
