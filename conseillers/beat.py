"""Beat schedule of the conseillers module (plain data: read by the settings, imports no model).
The subsidy's schedule is in conseillers/subsidy/beat.py."""

from celery.schedules import crontab

# The territorial dashboard reads figures aggregated ahead (conseillers.dashboard.snapshot): this
# often, which the page says beside the time of the figures.
DASHBOARD_REFRESH_MINUTES = 5

BEAT_SCHEDULE = {
    "conseillers-flag-long-vacancies": {
        "task": "conseillers.tasks.flag_long_vacancies",
        "schedule": crontab(hour=6, minute=15),
    },
    # The real programme searched candidates within reach of each structure every night.
    "conseillers-refresh-proposals": {
        "task": "conseillers.tasks.refresh_proposals",
        "schedule": crontab(hour=2, minute=30),
    },
    "conseillers-refresh-dashboard": {
        "task": "conseillers.tasks.refresh_dashboard",
        "schedule": crontab(minute=f"*/{DASHBOARD_REFRESH_MINUTES}"),
    },
}
