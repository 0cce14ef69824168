"""Registers each capability with the hook points of the layers below it.

Called once by everything that runs services (`create_app`, the arq worker, the CLI, the
test fixtures); registering twice is harmless. The order of registration is the order the
hooks run in: moderation screens a post before escalation and scoring look at it.
"""

from __future__ import annotations

from collections.abc import MutableMapping

from community import jobstore
from community.deflection import hooks as deflection
from community.escalation import backlog as escalation_backlog
from community.escalation import hooks as escalation
from community.escalation import labels as escalation_labels
from community.events import EVENTS
from community.forums.labels import VISIBILITY_LABELS
from community.forums.lifecycle import ASK_FORM, LISTING_PAGE, POSTS, THREAD_PAGE
from community.ideas.models import STATUS_LABELS
from community.identity.labels import ROLE_LABELS
from community.importing import hooks as importing
from community.mailing import hooks as mailing
from community.metrics import register_outbox
from community.moderation import hooks as moderation
from community.moderation.services import FLAG_REASON_LABELS, HELD_EXPLANATIONS
from community.moderation.services import REASON_LABELS as QUEUE_REASON_LABELS
from community.notify import hooks as notify
from community.notify.models import GROUPED_TEXTS, LEVEL_LABELS, NOTIFICATION_TEXTS
from community.notify.services import AFTER_NOTIFY
from community.qa import hooks as qa
from community.scoring import hooks as scoring
from community.search import queue as search_queue
from community.tags import hooks as tags
from community.tags.lifecycle import TAGGING
from community.votes import hooks as votes
from community.webhooks import hooks as webhooks
from community.webhooks.models import DELIVERY_STATE_LABELS


def register_all() -> None:
    """Each capability adds its hooks to the forum's `POSTS`, `THREAD_PAGE` and `ASK_FORM`."""
    moderation.register(POSTS, THREAD_PAGE)
    qa.register(POSTS)
    escalation.register(POSTS, THREAD_PAGE)
    scoring.register(POSTS)
    votes.register(THREAD_PAGE)
    deflection.register(ASK_FORM, THREAD_PAGE)
    tags.register(POSTS, THREAD_PAGE)
    importing.register(THREAD_PAGE)
    mailing.register(AFTER_NOTIFY)  # notification mail, queued with each notification
    notify.register(POSTS, THREAD_PAGE, TAGGING, LISTING_PAGE)
    webhooks.register(POSTS, EVENTS)  # after escalation, which scores the post's sentiment
    escalation_backlog.register()  # its outboxes on /metrics
    register_outbox("jobs", jobstore.backlog)  # jobs kept in the database, not run yet
    register_outbox("search_queue", search_queue.backlog)  # threads waiting for their document


def register_template_globals(names: MutableMapping[str, object]) -> None:
    """The label tables each capability's pages show (English, marked for translation), by
    the names the templates use; the web layer imports none of them."""
    names.update(
        role_labels=ROLE_LABELS,
        visibility_labels=VISIBILITY_LABELS,
        status_labels=STATUS_LABELS,
        queue_reason_labels=QUEUE_REASON_LABELS,
        flag_reason_labels=FLAG_REASON_LABELS,
        held_explanations=HELD_EXPLANATIONS,
        notification_texts=NOTIFICATION_TEXTS,
        grouped_notification_texts=GROUPED_TEXTS,
        follow_level_labels=LEVEL_LABELS,
        state_labels=escalation_labels.STATE_LABELS,
        rule_labels=escalation_labels.RULE_LABELS,
        priority_labels=escalation_labels.PRIORITY_LABELS,
        event_labels=escalation_labels.EVENT_LABELS,
        delivery_state_labels=DELIVERY_STATE_LABELS,
    )
