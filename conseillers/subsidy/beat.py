"""Beat schedule of the subsidy (plain data: read by the settings, imports no model).

The subsidy tasks run in this order each morning, though each is correct alone: reconcile the
posts (vacancies stop the clock), then mark the tranches due, then remind the structures.
The entry keys and task names are those used before the subsidy became its own app, so the
django-celery-beat rows already in the database keep matching.
"""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "conseillers-reconcile-subventions": {
        "task": "conseillers.tasks.reconcile_subventions",
        "schedule": crontab(hour=6, minute=30),
    },
    "conseillers-mark-tranches-due": {
        "task": "conseillers.tasks.mark_tranches_due",
        "schedule": crontab(hour=6, minute=45),
    },
    # After the reconciliation: the schedules served in full are closed by then.
    "conseillers-release-unrenewed-posts": {
        "task": "conseillers.tasks.release_unrenewed_posts",
        "schedule": crontab(hour=6, minute=40),
    },
    "conseillers-remind-missing-justifications": {
        "task": "conseillers.tasks.remind_missing_justifications",
        "schedule": crontab(hour=8, minute=0),
    },
}
