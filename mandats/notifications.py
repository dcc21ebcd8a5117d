"""The emails of Aidants Connect, as Celery tasks the services schedule once their transaction is
committed. Kept apart from `mandats.tasks`, whose periodic tasks call the services: the services
import this module, the tasks import the services, and no two modules import each other."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from core.links import absolute, password_link
from core.models import Membership, Role, Structure, User
from core.plurals import count_fr
from mandats.models import HabilitationRequest, Mandat, OrganisationRequest

# The registered names predate this module: messages already queued under them still run.
EXPIRATION_REMINDER_TASK = "mandats.tasks.send_expiration_reminder_email"
HABILITATION_VALIDATED_TASK = "mandats.tasks.send_habilitation_validated_email"
AIDANT_TEAM_TASK = "mandats.notifications.send_aidant_team_email"
ORGANISATION_REQUEST_TASK = "mandats.notifications.send_organisation_request_email"

# What the référent did to the aidant's place in the team, as the aidant reads it.
_TEAM_SUBJECTS = {
    "deactivated": "Aidants Connect : votre compte est désactivé",
    "reactivated": "Aidants Connect : votre compte est réactivé",
    "removed": "Aidants Connect : vous ne faites plus partie d'une organisation",
    "card_associated": "Aidants Connect : une carte TOTP vous est associée",
    "card_lost": "Aidants Connect : votre carte TOTP est désactivée",
    # To the référent in whose name the wrong codes were typed.
    "card_association_locked": "Aidants Connect : association d'une carte TOTP bloquée",
}


@shared_task(
    name=EXPIRATION_REMINDER_TASK, autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
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
    ending = count_fr(len(mandats), "mandat arrive", "mandats arrivent")
    subject = f"Aidants Connect : {ending} à échéance"
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


@shared_task(
    name=HABILITATION_VALIDATED_TASK, autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
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


@shared_task(name=AIDANT_TEAM_TASK, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_aidant_team_email(aidant_id: int, organisation_id: int, event: str) -> int:
    aidant = User.objects.filter(pk=aidant_id).first()
    organisation = Structure.objects.filter(pk=organisation_id).first()
    if aidant is None or organisation is None or event not in _TEAM_SUBJECTS:
        return 0
    body = render_to_string(
        "mandats/emails/aidant_team.txt",
        {"aidant": aidant, "organisation": organisation, "event": event},
    )
    return send_mail(_TEAM_SUBJECTS[event], body, settings.DEFAULT_FROM_EMAIL, [aidant.email])


_REQUEST_SUBJECTS = {
    "confirm": "Aidants Connect : confirmez votre demande d'habilitation",
    "instructing": "Aidants Connect : votre demande d'habilitation est en instruction",
    "changes_requested": "Aidants Connect : des modifications sont demandées",
    "validated": "Aidants Connect : votre organisation est habilitée",
    "refused": "Aidants Connect : votre demande d'habilitation est refusée",
    "closed": "Aidants Connect : votre demande d'habilitation est close",
}


@shared_task(
    name=ORGANISATION_REQUEST_TASK, autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def send_organisation_request_email(request_id: int, event: str) -> int:
    request = OrganisationRequest.objects.filter(pk=request_id).first()
    if request is None or event not in _REQUEST_SUBJECTS:
        return 0
    # Signed at sending time: the link a worker builds is the one the requester opens.
    token = signing.dumps(request.pk, salt="mandats.organisation-request")
    context = {
        "request": request,
        "event": event,
        "link": absolute(reverse("mandats:organisation-request-page", args=[token])),
        "last_message": request.messages.order_by("-created_at", "-pk").first(),
    }
    body = render_to_string("mandats/emails/organisation_request.txt", context)
    return send_mail(
        _REQUEST_SUBJECTS[event], body, settings.DEFAULT_FROM_EMAIL, [request.referent_email]
    )


def _organisation_recipients(organisation: Structure) -> list[str]:
    referents = Membership.objects.filter(
        structure=organisation, role=Role.REFERENT, user__is_active=True
    ).values_list("user__email", flat=True)
    emails = {*referents, organisation.contact_email}
    return sorted(email for email in emails if email)
