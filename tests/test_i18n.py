"""Every interface string has a French translation, so French communities read French."""

import re
from pathlib import Path

from community.i18n import FRENCH

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_STRING = re.compile(r"""_\(\s*(["'])(.+?)\1""")
RAISED_MESSAGE = re.compile(r"""(?:NotFound|Forbidden|NotAuthenticated)\(\s*"([^"]+)"\s*\)""")
FIELD_MESSAGE = re.compile(r"""\{\s*"\w+":\s*"([^"{}]+)"\s*\}""")


def template_strings() -> set[str]:
    found = set()
    for path in (ROOT / "templates").rglob("*.html"):
        found |= {m.group(2) for m in TEMPLATE_STRING.finditer(path.read_text())}
    return found


def service_messages() -> set[str]:
    found = set()
    for path in (ROOT / "community").rglob("*.py"):
        source = path.read_text()
        found |= set(RAISED_MESSAGE.findall(source))
        found |= {m for m in FIELD_MESSAGE.findall(source) if m[0].isupper() and m.endswith(".")}
    return found


def test_template_strings_are_translated() -> None:
    missing = sorted(s for s in template_strings() if s not in FRENCH)
    assert not missing, missing


def test_error_messages_are_translated() -> None:
    missing = sorted(s for s in service_messages() if s not in FRENCH)
    assert not missing, missing


def test_the_extraction_finds_strings() -> None:
    assert "Ask a question" in template_strings()
    assert "You can only edit your own posts." in service_messages()


def test_labels_built_in_code_are_translated() -> None:
    from community.ideas.models import STATUS_LABELS
    from community.scoring.rules import REASON_LABELS

    dynamic = {*REASON_LABELS.values(), *STATUS_LABELS.values(), "All", "Unresolved"}
    dynamic |= {"This week", "This month", "All time", "Trending", "Top", "Newest"}
    dynamic |= {"Recently updated", "Spam", "Abusive", "Off-topic", "Something else"}
    from community.moderation.services import REASON_LABELS as QUEUE_REASONS
    from community.web.render import VISIBILITY_LABELS

    dynamic |= {*QUEUE_REASONS.values(), *VISIBILITY_LABELS.values()}
    dynamic |= {"approved", "rejected", "hidden", "deleted", "agent", "Too many attempts"}
    from community.notify.models import NOTIFICATION_TEXTS

    dynamic |= set(NOTIFICATION_TEXTS.values())
    from community.escalation import labels

    for table in (labels.STATE_LABELS, labels.RULE_LABELS, labels.PRIORITY_LABELS):
        dynamic |= set(table.values())
    dynamic |= set(labels.EVENT_LABELS.values())
    assert not sorted(s for s in dynamic if s not in FRENCH)
