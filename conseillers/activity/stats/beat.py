"""Beat schedule of the activity figures (plain data: read by the settings, imports no model)."""

from celery.schedules import crontab

# The statistics of the territories read figures aggregated this often (the open window of
# records: since the first of the previous month); the page says when they were.
FIGURES_REFRESH_MINUTES = 5

BEAT_SCHEDULE = {
    "activity-refresh-figures": {
        "task": "conseillers.activity.stats.tasks.refresh_activity_figures",
        "schedule": crontab(minute=f"*/{FIGURES_REFRESH_MINUTES}"),
    },
    "activity-rebuild-figures": {
        "task": "conseillers.activity.stats.tasks.rebuild_activity_figures",
        "schedule": crontab(hour=3, minute=20),
    },
}
