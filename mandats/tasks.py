"""Celery tasks of Aidants Connect: thin, idempotent, retry-safe. The database says what is due."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.mail import send_mail
from django.template.loader import render_to_string

from core.links import password_link
from core.models import Membership, Role, Structure
from mandats import beat, services
from mandats.models import HabilitationRequest, Mandat

# Merged into CELERY_BEAT_SCHEDULE by the settings, which import it from mandats.beat.
BEAT_SCHEDULE = beat.BEAT_SCHEDULE


@shared_task
def send_expiration_reminders() -> int:
    """Daily: marks due mandates and enqueues one reminder email per organisation."""
    return services.mandats_claim_expiration_reminders()


@shared_task
def purge_expired_usagers() -> int:
    """Daily: deletes the personal data past its six-year retention."""
    return services.usagers_purge_expired()


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_expiration_reminder_email(organisation_id: int, mandat_ids: list[int]) -> int:
    organisation = Structure.objects.filter(pk=organisation_id).first()
    if organisation is None:
        return 0
    # Mandates revoked or purged since the claim are no longer worth a reminder.
    mandats = list(
        Mandat.objects.active()
        .filter(pk__in=mandat_ids, organisation=organisation)
        .order_by("expires_at")
    )
    recipients = _organisation_recipients(organisation)
    if not mandats or not recipients:
        return 0
    body = render_to_string(
        "mandats/emails/expiration_reminder.txt",
        {"organisation": organisation, "mandats": mandats},
    )
    subject = f"Aidants Connect : {len(mandats)} mandat(s) arrivent à échéance"
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_habilitation_validated_email(habilitation_request_id: int) -> int:
    habilitation_request = (
        HabilitationRequest.objects.select_related("organisation__structure")
        .filter(pk=habilitation_request_id)
        .first()
    )
    if habilitation_request is None:
        return 0
    context = {
        "request": habilitation_request,
        "password_link": password_link(habilitation_request.email),
    }
    body = render_to_string("mandats/emails/habilitation_validated.txt", context)
    return send_mail(
        "Aidants Connect : votre habilitation est validée",
        body,
        settings.DEFAULT_FROM_EMAIL,
        [habilitation_request.email],
    )


def _organisation_recipients(organisation: Structure) -> list[str]:
    referents = Membership.objects.filter(
        structure=organisation, role=Role.REFERENT, user__is_active=True
    ).values_list("user__email", flat=True)
    emails = {*referents, organisation.contact_email}
    return sorted(email for email in emails if email)


@shared_task
def purge_expired_oidc_transactions() -> None:
    """Daily: the FranceConnect login states (state, nonce) live in the sessions; expired
    sessions, and the transactions they hold, are deleted."""
    SessionStore().clear_expired()
