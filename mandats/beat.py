"""The periodic tasks of Aidants Connect, in a module free of models so the settings can import it
(`from mandats.beat import BEAT_SCHEDULE`) before the apps are loaded."""

from celery.schedules import crontab

# How often the head of the journal is anchored outside the database: entries deleted by the
# table's owner within this window of their writing are the only ones a checkpoint may miss.
JOURNAL_ANCHOR_INTERVAL_SECONDS = 600.0

BEAT_SCHEDULE = {
    "mandats-anchor-journal": {
        "task": "mandats.tasks.anchor_journal",
        "schedule": JOURNAL_ANCHOR_INTERVAL_SECONDS,
    },
    "mandats-expiration-reminders": {
        "task": "mandats.tasks.send_expiration_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    "mandats-purge-expired-oidc-transactions": {
        "task": "mandats.tasks.purge_expired_oidc_transactions",
        "schedule": crontab(hour=3, minute=0),
    },
    "mandats-expire-unconfirmed-organisation-requests": {
        "task": "mandats.tasks.expire_unconfirmed_organisation_requests",
        "schedule": crontab(hour=4, minute=0),
    },
    "mandats-purge-expired-usagers": {
        "task": "mandats.tasks.purge_expired_usagers",
        "schedule": crontab(hour=3, minute=30),
    },
}
