"""Notification mail reacts to every notification written (`community.notify.AFTER_NOTIFY`)."""

from __future__ import annotations

from community.mailing.outbox import queue_notification_mail
from community.notify.services import NotificationReaction


def register(after_notify: list[NotificationReaction]) -> None:
    if queue_notification_mail not in after_notify:
        after_notify.append(queue_notification_mail)
