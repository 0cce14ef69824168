"""Every background task, by name: what arq workers and the in-process runner can run."""

from community.analytics.tasks import rollup_dashboard
from community.escalation.tasks import deliver_escalation, sweep_escalations
from community.forums.tasks import flush_thread_views
from community.ideas.tasks import notify_idea_status
from community.jobs import TaskFunction
from community.mail import deliver_mail
from community.mailing.tasks import deliver_notification_mail, sweep_mail
from community.scoring.tasks import check_badges
from community.search.tasks import search_index, sweep_search
from community.webhooks.tasks import deliver_webhook, sweep_webhooks

TASKS: dict[str, TaskFunction] = {
    "flush_thread_views": flush_thread_views,
    "check_badges": check_badges,
    "notify_idea_status": notify_idea_status,
    "deliver_escalation": deliver_escalation,
    "sweep_escalations": sweep_escalations,
    "send_mail": deliver_mail,
    "deliver_notification_mail": deliver_notification_mail,
    "sweep_mail": sweep_mail,
    "search_index": search_index,
    "sweep_search": sweep_search,
    "rollup_dashboard": rollup_dashboard,
    "deliver_webhook": deliver_webhook,
    "sweep_webhooks": sweep_webhooks,
}
