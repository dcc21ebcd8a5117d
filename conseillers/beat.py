"""Beat schedule of the conseillers module (plain data: read by the settings, imports no model).

The subsidy tasks run in this order each morning, though each is correct alone: reconcile the
posts (vacancies stop the clock), then mark the tranches due, then remind the structures.
"""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "conseillers-flag-long-vacancies": {
        "task": "conseillers.tasks.flag_long_vacancies",
        "schedule": crontab(hour=6, minute=15),
    },
    "conseillers-reconcile-subventions": {
        "task": "conseillers.tasks.reconcile_subventions",
        "schedule": crontab(hour=6, minute=30),
    },
    "conseillers-mark-tranches-due": {
        "task": "conseillers.tasks.mark_tranches_due",
        "schedule": crontab(hour=6, minute=45),
    },
    "conseillers-remind-missing-justifications": {
        "task": "conseillers.tasks.remind_missing_justifications",
        "schedule": crontab(hour=8, minute=0),
    },
}
