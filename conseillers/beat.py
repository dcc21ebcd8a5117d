"""Beat schedule of the conseillers module (plain data: read by the settings, imports no model).
The subsidy's schedule is in conseillers/subsidy/beat.py."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "conseillers-flag-long-vacancies": {
        "task": "conseillers.tasks.flag_long_vacancies",
        "schedule": crontab(hour=6, minute=15),
    },
}
