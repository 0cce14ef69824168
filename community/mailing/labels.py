"""What the preference choices are called on the pages (marked for translation)."""

from community.l10n import N_
from community.mailing.models import Frequency

FREQUENCY_LABELS = {
    Frequency.IMMEDIATE: N_("Right away"),
    Frequency.DAILY: N_("Daily digest"),
    Frequency.WEEKLY: N_("Weekly digest"),
    Frequency.NEVER: N_("Never"),
}
OTHER_LABEL = N_("Any other notification")
