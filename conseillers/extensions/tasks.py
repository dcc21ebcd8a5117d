"""Celery tasks of the contract extensions: the emails their services record in the outbox."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from conseillers.extensions.models import ContractExtension
from conseillers.extensions.services import EMAIL_TASK
from core.models import Membership, Role

SUBJECTS = {
    "requested": "Conseillers numériques : demande de prolongation du contrat de {candidat} reçue",
    "validated": "Conseillers numériques : prolongation du contrat de {candidat} validée",
    "refused": "Conseillers numériques : prolongation du contrat de {candidat} refusée",
    "cancelled": "Conseillers numériques : demande de prolongation du contrat de {candidat} "
    "annulée",
}


@shared_task(name=EMAIL_TASK, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_extension_email(extension_id: int, event: str) -> int:
    """To the structure's managers, and on validation to the conseiller too: their contract's
    new end date."""
    extension = (
        ContractExtension.objects.select_related(
            "contract__match__structure", "contract__match__candidat__user"
        )
        .filter(pk=extension_id)
        .first()
    )
    if extension is None or event not in SUBJECTS:
        return 0
    match = extension.contract.match
    managers = Membership.objects.filter(
        structure=match.structure, role=Role.GESTIONNAIRE, user__is_active=True
    ).values_list("user__email", flat=True)
    recipients = {*managers, match.structure.contact_email}
    if event == "validated":
        candidat = match.candidat
        recipients.add(candidat.user.email if candidat.user else candidat.email)
    recipients.discard("")
    if not recipients:
        return 0
    body = render_to_string(
        f"conseillers/extensions/emails/{event}.txt",
        {
            "extension": extension,
            "candidat": match.candidat,
            "structure": match.structure,
            "url": settings.SITE_URL + reverse("conseillers:match-detail", args=[match.pk]),
        },
    )
    subject = SUBJECTS[event].format(candidat=match.candidat)
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, sorted(recipients))
