"""Celery tasks of the subsidy: thin, idempotent, retry-safe tasks over its services.

Each keeps the name it was registered under before the subsidy became its own app
(`conseillers.tasks.*`): queued messages and django-celery-beat rows name tasks by that string.
"""

import datetime
from dataclasses import asdict

from celery import Task, shared_task
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import OperationalError
from django.template.loader import render_to_string
from django.utils import timezone

from conseillers.subsidy import services as subsidy
from conseillers.subsidy.models import AWAITING_STRUCTURE, Payment, Tranche
from conseillers.subsidy.renewal import NOTICE_TASK, renewals_release
from conseillers.subsidy.renewal_models import ConventionRenewal, RenewedPost
from core.batches import enqueue_continuation
from core.models import Membership, Role, Structure, User
from core.plurals import count_fr


@shared_task(name="conseillers.tasks.reconcile_subventions", bind=True)
def reconcile_subventions(
    self: Task, today: str | None = None, phase: str | None = None, after: int = 0
) -> dict[str, object]:
    """Daily: each post's subsidy follows what happened to the post (vacancies, closures). One
    committed batch per message; the next message carries the day and where to go on."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    report = subsidy.subventions_reconcile(
        today=day,
        batch_size=settings.TASK_BATCH_SIZE,
        resume=(phase, after) if phase else None,
        batches=1,
    )
    if report.resume:
        phase, after = report.resume
        enqueue_continuation(self, today=day.isoformat(), phase=phase, after=after)
    return asdict(report)


@shared_task(name="conseillers.tasks.mark_tranches_due", bind=True)
def mark_tranches_due(self: Task, today: str | None = None, after: int = 0) -> dict[str, object]:
    """Daily: tranches whose date is reached fall due, or are blocked below the SMIC. One
    committed batch per message; the next message carries the day and the last tranche seen."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    report = subsidy.tranches_mark_due(
        today=day, batch_size=settings.TASK_BATCH_SIZE, after=after, batches=1
    )
    if report.resume_after is not None:
        enqueue_continuation(self, today=day.isoformat(), after=report.resume_after)
    return asdict(report)


@shared_task(name="conseillers.tasks.remind_missing_justifications")
def remind_missing_justifications() -> int:
    """Daily: one email per structure whose awaited justifications were not reminded this week
    (the claim records them in the outbox)."""
    return len(subsidy.justifications_claim_reminders(now=timezone.now()))


@shared_task(
    name=subsidy.JUSTIFICATION_REMINDER_TASK,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_justification_reminder(structure_id: int, tranche_ids: list[int]) -> int:
    structure = Structure.objects.filter(pk=structure_id).first()
    # Tranches justified since the claim need no reminder any more.
    tranches = list(
        Tranche.objects.filter(
            pk__in=tranche_ids,
            subvention__structure_id=structure_id,
            state__in=AWAITING_STRUCTURE,
        ).order_by("due_on")
    )
    recipients = _structure_recipients(structure) if structure else []
    if not tranches or not recipients:
        return 0
    body = render_to_string(
        "conseillers/subsidy/emails/justification_reminder.txt",
        {"structure": structure, "tranches": tranches},
    )
    expected = count_fr(len(tranches), "justificatif attendu", "justificatifs attendus")
    subject = f"Conseillers numériques : {expected} pour vos subventions"
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


@shared_task(
    name=subsidy.RECORD_PAYMENT_TASK,
    bind=True,
    autoretry_for=(OperationalError, OSError),
    retry_backoff=True,
    max_retries=5,
    acks_late=True,
)
def record_payment(
    self: Task, tranche_id: int, reference: str, paid_on: str, by_id: int
) -> dict[str, object]:
    """Records one payment of the agency, then tells the structure. Retried or delivered twice,
    it pays nothing twice: the service returns the payment already recorded for the same
    reference and date, and refuses any other."""
    tranche = Tranche.objects.filter(pk=tranche_id).first()
    by = User.objects.filter(pk=by_id).first()
    if tranche is None or by is None:
        return {"refused": "Tranche ou agent introuvable."}
    try:
        payment = subsidy.payment_record(
            tranche=tranche,
            reference=reference,
            paid_on=datetime.date.fromisoformat(paid_on),
            by=by,
        )
    except (ValidationError, PermissionDenied) as error:
        return {"refused": " ".join(getattr(error, "messages", [str(error)]))}
    _send_payment_notice(payment)
    return {"payment": payment.pk}


def _send_payment_notice(payment: Payment) -> int:
    """Slow I/O after the payment committed: a failure retries the task, which finds the
    payment already recorded and sends the notice again."""
    structure = payment.tranche.subvention.structure
    recipients = _structure_recipients(structure)
    if not recipients:
        return 0
    body = render_to_string(
        "conseillers/subsidy/emails/payment_notice.txt",
        {"structure": structure, "payment": payment, "tranche": payment.tranche},
    )
    return send_mail(
        "Conseillers numériques : paiement d'une tranche de subvention",
        body,
        settings.DEFAULT_FROM_EMAIL,
        recipients,
    )


def _structure_recipients(structure: Structure) -> list[str]:
    managers = Membership.objects.filter(
        structure=structure, role=Role.GESTIONNAIRE, user__is_active=True
    ).values_list("user__email", flat=True)
    return sorted({*managers, structure.contact_email} - {""})


RENEWAL_SUBJECTS = {
    "renouvellement_initie": "Conseillers numériques : votre demande de renouvellement est reçue",
    "non_interessee": "Conseillers numériques : vous ne renouvelez pas votre convention",
    "renouvellement_valide": "Conseillers numériques : votre convention est renouvelée",
    "renouvellement_refuse": "Conseillers numériques : votre demande de renouvellement est refusée",
}


@shared_task(name=NOTICE_TASK, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_renewal_notice(renewal_id: int, state: str) -> int:
    """Tells the structure (and, once renewed, each conseiller) what became of its renewal. The
    state is the one the transition reached: a later change does not rewrite this email."""
    renewal = (
        ConventionRenewal.objects.select_related("convention__structure")
        .filter(pk=renewal_id)
        .first()
    )
    if renewal is None or state not in RENEWAL_SUBJECTS:
        return 0
    structure = renewal.convention.structure
    posts = list(renewal.posts.select_related("match__candidat", "subvention").order_by("post_id"))
    last = renewal.transitions.filter(to_state=state).order_by("-at", "-pk").first()
    context = {
        "structure": structure,
        "renewal": renewal,
        "state": state,
        "posts": posts,
        "reason": last.reason if last else "",
        "new_convention": getattr(renewal.convention, "renewed_by", None),
        "url": f"{settings.SITE_URL}/conseillers/subventions/reconventionnement/",
    }
    body = render_to_string("conseillers/subsidy/emails/renewal_notice.txt", context)
    sent = 0
    recipients = _structure_recipients(structure)
    if recipients:
        sent += send_mail(RENEWAL_SUBJECTS[state], body, settings.DEFAULT_FROM_EMAIL, recipients)
    if state == "renouvellement_valide":
        sent += _tell_conseillers(posts, context)
    return sent


def _tell_conseillers(posts: list[RenewedPost], context: dict) -> int:
    sent = 0
    for renewed in posts:
        if renewed.subvention_id is None:
            continue  # left the post before the validation: not renewed
        body = render_to_string(
            "conseillers/subsidy/emails/renewal_conseiller.txt", {**context, "renewed": renewed}
        )
        sent += send_mail(
            "Conseillers numériques : votre poste est renouvelé",
            body,
            settings.DEFAULT_FROM_EMAIL,
            [renewed.match.candidat.email],
        )
    return sent


@shared_task(name="conseillers.tasks.release_unrenewed_posts")
def release_unrenewed_posts() -> int:
    """Daily: the posts not renewed end with their convention and are returned."""
    return renewals_release(today=timezone.localdate())
