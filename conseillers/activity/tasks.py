"""Celery tasks of the activity reports: thin, idempotent, over `conseillers.activity.reminders`."""

import datetime
from dataclasses import asdict

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from conseillers.activity import reminders
from conseillers.activity.models import ActivityReminder, ReminderRecipient
from core.models import Membership, Role


@shared_task(name="conseillers.activity.tasks.remind_silent_conseillers")
def remind_silent_conseillers(today: str | None = None) -> dict[str, int]:
    """Daily: the reminders due today, recorded with their emails in the outbox."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return asdict(reminders.reminders_claim(today=day))


@shared_task(name=reminders.SEND_TASK, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_activity_reminder(reminder_id: int) -> int:
    reminder = (
        ActivityReminder.objects.select_related("match__candidat__user", "match__structure")
        .filter(pk=reminder_id)
        .first()
    )
    if reminder is None:
        return 0
    match = reminder.match
    candidat = match.candidat
    to_conseiller = reminder.recipient == ReminderRecipient.CONSEILLER
    if to_conseiller:
        recipients = [candidat.user.email if candidat.user else candidat.email]
        page = reverse("conseillers:activity")
        subject = "Conseillers numériques : pensez à vos comptes rendus d'activité"
    else:
        managers = Membership.objects.filter(
            structure=match.structure, role=Role.GESTIONNAIRE, user__is_active=True
        ).values_list("user__email", flat=True)
        recipients = sorted({*managers, match.structure.contact_email} - {""})
        page = reverse("conseillers:activity-exemptions")
        subject = f"Conseillers numériques : aucune activité de {candidat} depuis plus d'un mois"
    if not recipients:
        return 0
    body = render_to_string(
        f"conseillers/activity/emails/reminder_{reminder.recipient}.txt",
        {
            "reminder": reminder,
            "candidat": candidat,
            "structure": match.structure,
            "url": settings.SITE_URL + page,
        },
    )
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
