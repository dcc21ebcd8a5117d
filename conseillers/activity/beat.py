"""Beat schedule of the activity reports (plain data: read by the settings, imports no model)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "activity-remind-silent-conseillers": {
        "task": "conseillers.activity.tasks.remind_silent_conseillers",
        "schedule": crontab(hour=7, minute=30),
    },
}
