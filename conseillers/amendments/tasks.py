"""The emails of the amendment requests, delivered once through the outbox (`core.outbox`)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from conseillers.amendments.models import AmendmentRequest
from core.models import Membership, PrefectureAgent, Role

SUBJECTS = {
    "submitted": "Conseillers numériques : demande d'avenant de {structure} à examiner",
    "opinion": "Conseillers numériques : la préfecture a donné son avis sur votre demande",
    "accepted": "Conseillers numériques : votre demande d'avenant est acceptée",
    "refused": "Conseillers numériques : votre demande d'avenant est refusée",
    "cancelled": "Conseillers numériques : la demande d'avenant de {structure} est annulée",
}
# The préfecture is asked for its opinion and told when the question goes away; the structure
# hears of everything else.
TO_PREFECTURE = {"submitted", "cancelled"}


def _prefecture_emails(amendment: AmendmentRequest) -> set[str]:
    departement = amendment.structure.departement
    agents = PrefectureAgent.objects.filter(
        Q(departement=departement) | Q(region_id=departement.region_id), user__is_active=True
    )
    return set(agents.values_list("user__email", flat=True))


def _structure_emails(amendment: AmendmentRequest) -> set[str]:
    managers = Membership.objects.filter(
        structure=amendment.structure, role=Role.GESTIONNAIRE, user__is_active=True
    ).values_list("user__email", flat=True)
    return {*managers, amendment.requested_by.email}


@shared_task(
    name="conseillers.amendments.tasks.send_amendment_email",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_amendment_email(amendment_id: int, event: str) -> int:
    amendment = (
        AmendmentRequest.objects.select_related(
            "structure__departement", "requested_by", "decision"
        )
        .filter(pk=amendment_id)
        .first()
    )
    if amendment is None:
        return 0
    if event in TO_PREFECTURE:
        recipients = _prefecture_emails(amendment)
    else:
        recipients = _structure_emails(amendment)
    recipients.discard("")
    if not recipients:
        return 0
    body = render_to_string(
        f"conseillers/amendments/emails/{event}.txt",
        {
            "amendment": amendment,
            "opinion": amendment.opinions.first(),
            "url": settings.SITE_URL + reverse("conseillers:amendment-detail", args=[amendment.pk]),
        },
    )
    subject = SUBJECTS[event].format(structure=amendment.structure.name)
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, sorted(recipients))
