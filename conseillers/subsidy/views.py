"""DSFR pages of the subsidy: the structure's schedules and justifications; ANCT's approvals,
payment orders, payments, recoveries, conventions and regimes; the money dashboard.

Each write goes through `conseillers.subsidy.services`; each form shown is one the person's
abilities allow (the models' `get_abilities`, read by the API too).
"""

from __future__ import annotations

import base64
import csv
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods

from conseillers import selectors
from conseillers.dashboard.access import DashboardScope, dashboard_scope
from conseillers.formatting import FORBIDDEN
from conseillers.forms import add_service_errors
from conseillers.models import Candidature, CandidatureState
from conseillers.subsidy import selectors as subsidy_selectors
from conseillers.subsidy import services as subsidy
from conseillers.subsidy.abilities import SUBSIDY_PROGRAMME
from conseillers.subsidy.activity import activity_report_pdf, tranche_activity, with_activity_flag
from conseillers.subsidy.chart import forecast_chart
from conseillers.subsidy.forms import (
    GENERATED_REPORTS,
    ConventionForm,
    CorrectionForm,
    JustificationForm,
    NoticeConfirmForm,
    NoticeUploadForm,
    PaymentForm,
    RecoveryClaimForm,
    RecoverySettleForm,
    ReviewForm,
)
from conseillers.subsidy.math import euros, plain_euros
from conseillers.subsidy.models import (
    Convention,
    JustificationDocument,
    NoticeImportSource,
    PaymentNoticeImport,
    Recovery,
    Regime,
    Tranche,
)
from core.confirm import ConfirmableAction, Confirmation, modal_form, render_confirmation
from core.files import attachment_response
from core.forms import DsfrForm
from core.http import AuthenticatedHttpRequest
from core.listing import PAGE_SIZE, ListFilters, page_of
from core.models import Structure
from core.plurals import count_fr

SPREADSHEET_BOM = "\ufeff"  # Excel in a French locale needs it to read UTF-8


# What a page lists, each with the form shown next to it (bound after a refused submission).
@dataclass(frozen=True, slots=True)
class OrderRow:
    order: subsidy_selectors.PaymentOrder
    pay: ConfirmableAction


@dataclass(frozen=True, slots=True)
class RecoveryRow:
    recovery: Recovery
    claim: ConfirmableAction | None
    settle: ConfirmableAction | None


@dataclass(frozen=True, slots=True)
class SigningRow:
    candidature: Candidature
    sign: ConfirmableAction


@dataclass(frozen=True, slots=True)
class RegimeRow:
    regime: Regime
    totals: list[tuple[str, int]]
    make_default: ConfirmableAction | None


ANCT_PAGE = "Cette page est réservée à l'ANCT."


def _require(request: AuthenticatedHttpRequest, ability: str, refusal: str = ANCT_PAGE) -> None:
    """Refuses the page unless the subsidy's programme-wide abilities grant it."""
    if not SUBSIDY_PROGRAMME.get_abilities(request.user)[ability]:
        raise PermissionDenied(refusal)


def _run(form, call: Callable[[dict], str]) -> str | None:
    """Calls the service when the form is valid; its refusals land next to the fields."""
    if not form.is_valid():
        return None
    try:
        return call(form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
    except PermissionDenied as error:
        form.add_error(None, str(error) or FORBIDDEN)
    return None


# --- The structure's subsidies -------------------------------------------------------------------


@login_required
@require_GET
def overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A manager's structures; ANCT or a préfecture pick one of their scope (?structure=)."""
    user = request.user
    managed = list(selectors.managed_structures(user).order_by("name"))
    wanted = request.GET.get("structure", "")
    may_pick = SUBSIDY_PROGRAMME.get_abilities(user)["structures_pick"]
    if wanted.isdigit() and may_pick:
        structure = get_object_or_404(Structure.objects.visible_to(user), pk=int(wanted))
    elif managed:
        structure = next((s for s in managed if str(s.pk) == wanted), managed[0])
    elif may_pick:
        return _conventions_list(request)
    else:
        raise PermissionDenied("Cette page est réservée aux gestionnaires de structure.")
    data = subsidy_selectors.structure_subsidies(structure, timezone.localdate())
    return render(
        request,
        "conseillers/subsidy/overview.html",
        {"title": f"Subventions : {structure.name}", "data": data, "structures": managed},
    )


def _conventions_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    conventions = (
        Convention.objects.visible_to(request.user)
        .select_related("structure__departement", "regime")
        .order_by("structure__name")
    )
    return render(
        request,
        "conseillers/subsidy/conventions.html",
        {
            "title": "Conventions de subvention",
            "conventions": conventions,
            "to_sign": [],
            "can_sign": False,
        },
    )


def _tranche(request: AuthenticatedHttpRequest, pk: int) -> Tranche:
    visible = Tranche.objects.visible_to(request.user)
    return get_object_or_404(subsidy_selectors.tranche_page(visible), pk=pk)


@login_required
@require_GET
def tranche_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _render_tranche(request, _tranche(request, pk), {})


def _render_tranche(request, tranche: Tranche, bound: dict, status: int = 200) -> HttpResponse:
    abilities = tranche.get_abilities(request.user)
    activity = tranche_activity(tranche)
    forms = {
        "justify": bound.get("justifier")
        or JustificationForm(tranche=tranche, prefix="pieces", prefilled=activity is not None)
        if abilities["submit"]
        else None,
        "confirmables": [
            ConfirmableAction(
                slug,
                confirmation,
                reverse("conseillers:subsidy-tranche-action", args=[tranche.pk, slug]),
                modal_form(form_class, slug, prefix=prefix, **options),
            )
            for slug, (ability, confirmation, form_class, prefix, options) in (
                TRANCHE_CONFIRMATIONS.items()
            )
            if abilities[ability]
        ],
    }
    context = {
        "title": f"{tranche.label} — {tranche.subvention.structure.name}",
        "tranche": tranche,
        "abilities": abilities,
        "justifications": tranche.justifications.select_related("submitted_by").prefetch_related(
            "documents"
        ),
        "payments": tranche.payments.select_related("recorded_by"),
        "transitions": tranche.transitions.select_related("by"),
        "activity": activity,
        **forms,
    }
    return render(request, "conseillers/subsidy/tranche_detail.html", context, status=status)


def _justify(request, tranche):
    activity = tranche_activity(tranche)
    form = JustificationForm(
        request.POST, request.FILES, tranche=tranche, prefix="pieces", prefilled=bool(activity)
    )

    def call(data):
        documents = form.documents
        for kind in set(GENERATED_REPORTS) & set(tranche.required_documents) - set(documents):
            if activity is not None:
                documents[kind] = activity_report_pdf(activity)
        subsidy.tranche_submit(
            tranche=tranche, documents=documents, comment=data["comment"], by=request.user
        )
        return "Le justificatif est déposé : l'ANCT va l'examiner."

    return "justifier", form, _run(form, call)


def _review(request, tranche, approve: bool):
    form = ReviewForm(request.POST, prefix="revue", send_back=not approve)

    def call(data):
        if approve:
            subsidy.tranche_approve(tranche=tranche, comment=data["reason"], by=request.user)
            return format_html(
                "La tranche est approuvée : elle figure dans les "
                '<a href="{}">ordres de paiement</a>.',
                reverse("conseillers:subsidy-orders"),
            )
        subsidy.tranche_send_back(tranche=tranche, reason=data["reason"], by=request.user)
        return "Le justificatif est renvoyé à la structure pour correction."

    return "revue", form, _run(form, call)


def _pay(request, tranche):
    form = PaymentForm(request.POST, prefix="paiement")

    def call(data):
        payment = subsidy.payment_record(tranche=tranche, by=request.user, **data)
        return f"Le paiement {payment.reference} est enregistré."

    return "payer", form, _run(form, call)


def _correct(request, tranche):
    form = CorrectionForm(request.POST, prefix="correction")

    def call(data):
        original = tranche.payments.filter(kind="paiement").first()
        if original is None:
            raise ValidationError("Cette tranche n'a pas de paiement à corriger.")
        subsidy.payment_correct(
            payment=original,
            amount_cents=int(data["amount"] * 100),
            reference=data["reference"],
            paid_on=data["paid_on"],
            reason=data["reason"],
            by=request.user,
        )
        return "La correction est enregistrée (le paiement d'origine reste inchangé)."

    return "corriger", form, _run(form, call)


TRANCHE_ACTIONS = {
    "justifier": _justify,
    "approuver": lambda request, tranche: _review(request, tranche, approve=True),
    "renvoyer": lambda request, tranche: _review(request, tranche, approve=False),
    "payer": _pay,
    "corriger": _correct,
}


# The tranche's consequential actions: URL slug → (ability key of `Tranche.get_abilities`,
# confirmation, form class, prefix, form options). Their services are those of TRANCHE_ACTIONS.
TRANCHE_CONFIRMATIONS: dict[str, tuple[str, Confirmation, type, str, dict]] = {
    "approuver": (
        "approve",
        Confirmation(
            "Approuver la tranche",
            "La tranche sera approuvée et inscrite à l'ordre de paiement de la structure : "
            "l'approbation ne se retire plus.",
            primary=True,
        ),
        ReviewForm,
        "revue",
        {},
    ),
    "renvoyer": (
        "send_back",
        Confirmation(
            "Renvoyer pour correction",
            "Le justificatif sera renvoyé à la structure, qui devra en déposer un nouveau : "
            "la tranche ne sera pas payée avant.",
        ),
        ReviewForm,
        "revue",
        {"send_back": True},
    ),
    "payer": (
        "pay",
        Confirmation(
            "Enregistrer le paiement",
            "Le paiement sera enregistré une fois pour toutes : il ne se modifie plus, seule une "
            "correction pourra s'y ajouter.",
            primary=True,
        ),
        PaymentForm,
        "paiement",
        {},
    ),
    "corriger": (
        "correct_payment",
        Confirmation(
            "Enregistrer une correction du paiement",
            "La correction s'ajoutera au paiement, qui reste tel qu'il a été enregistré : une "
            "correction enregistrée ne se supprime plus.",
        ),
        CorrectionForm,
        "correction",
        {},
    ),
}


@login_required
@require_http_methods(["GET", "POST"])
def tranche_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    """POST runs the action; GET on a consequential one is its confirmation page (no JS)."""
    tranche = _tranche(request, pk)
    if request.method == "GET":
        return _confirm_tranche_action(request, tranche, action)
    if action not in TRANCHE_ACTIONS:
        raise PermissionDenied("Action inconnue.")
    key, form, done = TRANCHE_ACTIONS[action](request, tranche)
    if done:
        messages.success(request, done)
        return redirect("conseillers:subsidy-tranche", tranche.pk)
    if action in TRANCHE_CONFIRMATIONS:
        return _confirm_tranche_action(request, tranche, action, form=form, status=400)
    return _render_tranche(request, _tranche(request, pk), {key: form}, status=400)


def _confirm_tranche_action(
    request, tranche: Tranche, action: str, form=None, status: int = 200
) -> HttpResponse:
    """The action's confirmation page; after a refused POST, with the errors and values kept."""
    if action not in TRANCHE_CONFIRMATIONS:
        raise Http404("Pas de page de confirmation pour cette action.")
    ability, confirmation, form_class, prefix, options = TRANCHE_CONFIRMATIONS[action]
    if form is None and not tranche.get_abilities(request.user)[ability]:
        raise PermissionDenied("Cette action n'est pas possible sur cette tranche.")
    return render_confirmation(
        request,
        confirmation=confirmation,
        form=form or form_class(prefix=prefix, **options),
        subject=f"{tranche.label} de {tranche.subvention.structure.name}, "
        f"poste n° {tranche.subvention.post_id}",
        back_url=reverse("conseillers:subsidy-tranche", args=[tranche.pk]),
        status=status,
    )


@login_required
@require_GET
def document(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """A justification document, only to those whose tranche abilities allow its download: a
    404 to everyone else, who need not learn that it exists."""
    piece = get_object_or_404(
        JustificationDocument.objects.select_related(
            "justification__tranche__subvention__structure"
        ),
        pk=pk,
    )
    tranche = piece.justification.tranche
    if not tranche.get_abilities(request.user)["download_document"]:
        raise Http404
    # A name that says what the file is for ANCT, never the one the uploader's computer gave it.
    name = f"{piece.kind}-{tranche.order_reference}.pdf"
    return attachment_response(piece.file.name, download_name=name)


@login_required
@require_GET
def tranche_activity_report(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The activity report pre-filled from the comptes rendus, as the PDF that is submitted."""
    activity = tranche_activity(_tranche(request, pk))
    if activity is None:
        raise Http404(
            "Cette tranche ne demande pas de rapport d'activité, ou sa période n'a pas commencé."
        )
    report = activity_report_pdf(activity)
    response = HttpResponse(report.read(), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{report.name}"'
    return response


# --- ANCT: approvals, payment orders, recoveries -------------------------------------------------


@login_required
@require_GET
def approvals(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request, "approvals_view")
    return render(
        request,
        "conseillers/subsidy/approvals.html",
        {
            "title": "Tranches à valider",
            "tranches": with_activity_flag(subsidy_selectors.awaiting_approval()),
        },
    )


@login_required
def orders(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request, "payment_orders_view")
    return _render_orders(request, {})


def _render_orders(request, bound: dict, status: int = 200) -> HttpResponse:
    filters = ListFilters(request.GET, search_hint="Nom de la structure ou département")
    rows = [
        OrderRow(
            order=group,
            pay=ConfirmableAction(
                f"ordre-{group.structure.pk}",
                _order_confirmation(group),
                reverse("conseillers:subsidy-order-pay", args=[group.structure.pk]),
                modal_form(PaymentForm, f"ordre{group.structure.pk}", prefix=_order_prefix(group)),
                hidden=_order_hidden(group.tranches),
            ),
        )
        for group in subsidy_selectors.payment_orders()
        if group.structure.pk in bound
        or filters.keeps(group.structure.departement, group.structure.name)
    ]
    # A refused payment is shown again on the page that holds its order.
    where = next((i for i, row in enumerate(rows) if row.order.structure.pk in bound), None)
    page = page_of(request, rows, None if where is None else where // PAGE_SIZE + 1)
    context = {
        "title": "Ordres de paiement",
        "orders": page.object_list,
        "page": page,
        "filters": filters,
    }
    return render(request, "conseillers/subsidy/orders.html", context, status=status)


def _order_prefix(group: subsidy_selectors.PaymentOrder) -> str:
    return f"ordre-{group.structure.pk}"


def _order_hidden(tranches: Iterable[Tranche]) -> tuple[tuple[str, str], ...]:
    """The tranches the person saw: only those are paid (see `order_pay`)."""
    return tuple(("tranche", str(tranche.pk)) for tranche in tranches)


def _order_confirmation(
    group: subsidy_selectors.PaymentOrder, tranches: list[Tranche] | None = None
) -> Confirmation:
    tranches = group.tranches if tranches is None else tranches
    total = euros(sum(t.amount_cents for t in tranches))
    if len(tranches) == 1:
        what = f"La tranche de l'ordre ({total}) sera enregistrée comme payée"
    else:
        what = f"Les {len(tranches)} tranches de l'ordre ({total}) seront enregistrées comme payées"
    return Confirmation(
        f"Enregistrer le paiement de {group.structure.name}",
        f"{what} avec cette référence et cette date, une fois pour toutes : un paiement ne se "
        "modifie plus, seule une correction pourra s'y ajouter.",
        primary=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def order_pay(request: AuthenticatedHttpRequest, structure_pk: int) -> HttpResponse:
    """Records the agency's payment of one structure's order: one task per tranche, through the
    outbox (the broker down, the payments wait for it); delivered twice, a task pays nothing
    twice. GET is its confirmation page (no JS), listing the tranches of the order now."""
    _require(request, "payment_orders_pay")
    form = PaymentForm(request.POST or None, prefix=f"ordre-{structure_pk}")
    found = subsidy_selectors.payment_orders(structure_id=structure_pk)
    group = found[0] if found else None
    if request.method == "GET":
        listed = {t.pk for t in group.tranches} if group else set()
    else:
        listed = {int(pk) for pk in request.POST.getlist("tranche") if pk.isdigit()}
    # Only the tranches shown on the page: one approved since is paid with the next order.
    shown = [t for t in group.tranches if t.pk in listed] if group else []
    if group is None or not shown:
        # Sent again (double click, back button): what it listed is paid or no longer approved.
        messages.error(request, "Aucune tranche approuvée de cette structure n'est à payer.")
        return redirect("conseillers:subsidy-orders")
    if request.method == "GET" or not form.is_valid():
        return render_confirmation(
            request,
            confirmation=_order_confirmation(group, shown),
            form=form,
            subject=f"Ordre de paiement de {group.structure.name}, SIRET {group.structure.siret}",
            back_url=reverse("conseillers:subsidy-orders"),
            status=200 if request.method == "GET" else 400,
            hidden=_order_hidden(shown),
        )
    reference, paid_on = form.cleaned_data["reference"], form.cleaned_data["paid_on"]
    subsidy.payments_schedule(tranches=shown, reference=reference, paid_on=paid_on, by=request.user)
    messages.success(
        request,
        f"{count_fr(len(shown), 'paiement')} de {group.structure.name} en cours d'enregistrement "
        f"(référence {reference}).",
    )
    return redirect("conseillers:subsidy-orders")


ORDER_COLUMNS = [
    "SIRET",
    "Structure",
    "Convention",
    "Tranche",
    "Poste",
    "Échéance",
    "Montant (€)",
    "Référence",
]


@login_required
@require_GET
def orders_csv(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The payment orders for the agency, one line per tranche, grouped by structure."""
    _require(request, "payment_orders_view")
    lines = [ORDER_COLUMNS]
    for group in subsidy_selectors.payment_orders():
        for tranche in group.tranches:
            lines.append(
                [
                    group.structure.siret,
                    group.structure.name,
                    tranche.subvention.convention.number,
                    tranche.label,
                    str(tranche.subvention.post_id),
                    tranche.due_on.isoformat(),
                    plain_euros(tranche.amount_cents),
                    tranche.order_reference,
                ]
            )
    name = f"ordres-de-paiement-{timezone.localdate():%Y-%m-%d}.csv"
    return _csv(name, lines)


@login_required
@require_http_methods(["GET", "POST"])
def notices_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The agency's payment notices: upload, preview (a dry run), then confirm."""
    _require(request, "payment_record")
    form = NoticeUploadForm()
    context: dict = {"title": "Importer les avis de paiement"}
    if request.method == "POST" and "contenu" in request.POST:
        return _notices_apply(request, NoticeConfirmForm(request.POST), context)
    if request.method == "POST":
        form = NoticeUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["fichier"]
            content = upload.read()
            report = _notices_run(request, form, content, upload.name, dry_run=True)
            if report is not None:
                context["report"] = report
                context["confirm"] = NoticeConfirmForm(
                    initial={"contenu": base64.b64encode(content).decode(), "nom": upload.name}
                )
    context["form"] = form
    context["imports"] = PaymentNoticeImport.objects.select_related("by")[:10]
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "conseillers/subsidy/notices_import.html", context, status=status)


def _notices_run(request, form, content: bytes, name: str, *, dry_run: bool):
    try:
        report, _ = subsidy.payment_notices_import(
            content=content,
            file_name=name,
            dry_run=dry_run,
            source=NoticeImportSource.PAGE,
            by=request.user,
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    return report


def _notices_apply(request, confirm: NoticeConfirmForm, context: dict) -> HttpResponse:
    form = NoticeUploadForm()
    if not confirm.is_valid():
        raise PermissionDenied("Le fichier confirmé est illisible : importez-le de nouveau.")
    try:
        content = base64.b64decode(confirm.cleaned_data["contenu"], validate=True)
    except ValueError as error:
        raise PermissionDenied(
            "Le fichier confirmé est illisible : importez-le de nouveau."
        ) from error
    report = _notices_run(request, form, content, confirm.cleaned_data["nom"], dry_run=False)
    if report is not None and report.applied:
        recorded = report.counts["nouveau"]
        messages.success(
            request,
            f"Avis importés : {count_fr(recorded, 'paiement enregistré', 'paiements enregistrés')}"
            f", {count_fr(len(report.lines) - recorded, 'ligne ignorée', 'lignes ignorées')} "
            "(déjà enregistrées ou en double).",
        )
        return redirect("conseillers:subsidy-notices")
    # Changed since the preview (a payment recorded meanwhile): shown again, nothing written.
    context.update(report=report, form=form, refused_after_preview=True)
    context["imports"] = PaymentNoticeImport.objects.select_related("by")[:10]
    return render(request, "conseillers/subsidy/notices_import.html", context, status=400)


@login_required
@require_GET
def recoveries(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request, "recoveries_view")
    rows = []
    for recovery in subsidy_selectors.recoveries_open():
        abilities = recovery.get_abilities(request.user)
        actions = {
            ability: ConfirmableAction(
                f"{slug}-{recovery.pk}",
                confirmation(recovery),
                reverse("conseillers:subsidy-recovery-action", args=[recovery.pk, slug]),
                modal_form(form_class, f"{slug}{recovery.pk}", prefix=f"{prefix}-{recovery.pk}"),
            )
            for slug, (ability, confirmation, form_class, prefix) in RECOVERY_ACTIONS.items()
            if abilities[ability]
        }
        rows.append(RecoveryRow(recovery, claim=actions.get("claim"), settle=actions.get("settle")))
    return render(
        request,
        "conseillers/subsidy/recoveries.html",
        {"title": "Reversements à réclamer", "recoveries": rows},
    )


def _claim_confirmation(recovery: Recovery) -> Confirmation:
    return Confirmation(
        f"Enregistrer le titre de recette de {recovery.structure.name}",
        f"Le reversement de {euros(recovery.amount_cents)} sera réclamé à "
        f"{recovery.structure.name} sous cette référence et à cette date ; le titre enregistré ne "
        "se modifie plus.",
        primary=True,
    )


def _settle_confirmation(recovery: Recovery) -> Confirmation:
    return Confirmation(
        f"Constater le recouvrement de {recovery.structure.name}",
        f"Le reversement de {euros(recovery.amount_cents)} sera clos comme recouvré à cette date, "
        "une fois pour toutes : il ne sera plus réclamé.",
        primary=True,
    )


# The recovery's actions by URL slug: (ability, confirmation, form class, form prefix).
RECOVERY_ACTIONS: dict[str, tuple[str, Callable[[Recovery], Confirmation], type, str]] = {
    "reclamer": ("claim", _claim_confirmation, RecoveryClaimForm, "titre"),
    "recouvre": ("settle", _settle_confirmation, RecoverySettleForm, "recouvre"),
}


@login_required
@require_http_methods(["GET", "POST"])
def recovery_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    """POST claims or settles the recovery; GET is its confirmation page (no JS), offered only
    while the action is open to the person, as on the list."""
    _require(request, "recoveries_view")
    recovery = get_object_or_404(
        Recovery.objects.visible_to(request.user).select_related("structure"), pk=pk
    )
    if action not in RECOVERY_ACTIONS:
        raise PermissionDenied("Action inconnue.")
    ability, confirmation, form_class, prefix = RECOVERY_ACTIONS[action]
    if request.method == "GET" and not recovery.get_abilities(request.user)[ability]:
        raise PermissionDenied("Cette action n'est pas ouverte sur ce reversement.")
    # Bound on any POST, even an empty one: nothing posted is an error to show, not a GET.
    data = request.POST if request.method == "POST" else None
    form = form_class(data, prefix=f"{prefix}-{pk}")

    def call(data):
        if action == "reclamer":
            subsidy.recovery_claim(recovery=recovery, by=request.user, **data)
            return "Le titre de recette est enregistré."
        subsidy.recovery_settle(recovery=recovery, by=request.user, **data)
        return "Le reversement est recouvré."

    done = _run(form, call) if request.method == "POST" else None
    if done:
        messages.success(request, done)
        return redirect("conseillers:subsidy-recoveries")
    return render_confirmation(
        request,
        confirmation=confirmation(recovery),
        form=form,
        subject=f"Reversement de {recovery.structure.name} ({euros(recovery.amount_cents)}), "
        f"convention {recovery.subvention.convention.number}",
        back_url=reverse("conseillers:subsidy-recoveries"),
        status=200 if request.method == "GET" else 400,
    )


# --- ANCT: conventions and regimes ---------------------------------------------------------------


@login_required
@require_GET
def conventions(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request, "conventions_view")
    to_sign = [
        SigningRow(
            candidature=candidature,
            sign=ConfirmableAction(
                f"convention-{candidature.pk}",
                _sign_confirmation(candidature),
                reverse("conseillers:subsidy-convention-sign", args=[candidature.pk]),
                modal_form(
                    ConventionForm,
                    f"convention{candidature.pk}",
                    prefix=f"convention-{candidature.pk}",
                ),
            ),
        )
        for candidature in subsidy_selectors.candidatures_without_convention()
    ]
    return render(
        request,
        "conseillers/subsidy/conventions.html",
        {
            "title": "Conventions de subvention",
            "conventions": Convention.objects.select_related(
                "structure__departement", "regime"
            ).order_by("structure__name"),
            "to_sign": to_sign,
            "can_sign": True,
        },
    )


def _sign_confirmation(candidature: Candidature) -> Confirmation:
    return Confirmation(
        f"Enregistrer la convention de {candidature.structure.name}",
        f"La convention liera l'État à {candidature.structure.name} sous le régime choisi : les "
        "subventions de tous ses postes en suivront les montants et les tranches, et une "
        "candidature n'a qu'une convention.",
        primary=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def convention_sign(request: AuthenticatedHttpRequest, candidature_pk: int) -> HttpResponse:
    """POST signs the convention; GET is its confirmation page (no JS)."""
    _require(request, "convention_sign")
    candidature = get_object_or_404(
        Candidature.objects.select_related("structure"), pk=candidature_pk
    )
    if request.method == "GET" and (
        candidature.state != CandidatureState.VALIDATED
        or Convention.objects.filter(candidature=candidature).exists()
    ):
        raise Http404("Cette candidature n'attend pas de convention.")
    data = request.POST if request.method == "POST" else None
    form = ConventionForm(data, prefix=f"convention-{candidature_pk}")

    def call(data):
        convention = subsidy.convention_sign(candidature=candidature, by=request.user, **data)
        return f"La convention {convention.number} est enregistrée ({convention.regime})."

    done = _run(form, call) if request.method == "POST" else None
    if done:
        messages.success(request, done)
        return redirect("conseillers:subsidy-conventions")
    return render_confirmation(
        request,
        confirmation=_sign_confirmation(candidature),
        form=form,
        subject=f"Candidature validée de {candidature.structure.name}",
        back_url=reverse("conseillers:subsidy-conventions"),
        status=200 if request.method == "GET" else 400,
    )


@login_required
@require_GET
def regimes(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request, "regimes_view")
    rows = [
        RegimeRow(
            regime=regime,
            totals=[
                (label, regime.total_for(public=public, bonus=bonus))
                for label, public, bonus in (
                    ("Structure publique", True, False),
                    ("Structure publique en QPV ou ZRR", True, True),
                    ("Structure privée", False, False),
                )
            ],
            make_default=None
            if regime.is_default
            else ConfirmableAction(
                f"regime-{regime.pk}",
                _default_confirmation(regime),
                reverse("conseillers:subsidy-regime-default", args=[regime.pk]),
                modal_form(DsfrForm, f"regime{regime.pk}"),
            ),
        )
        for regime in Regime.objects.prefetch_related("lines").order_by("-is_default", "created_at")
    ]
    return render(
        request,
        "conseillers/subsidy/regimes.html",
        {"title": "Régimes de subvention", "regimes": rows},
    )


def _default_confirmation(regime: Regime) -> Confirmation:
    return Confirmation(
        f"Appliquer « {regime.name} » aux nouvelles conventions",
        f"Les conventions signées à partir de maintenant suivront « {regime.name} » (montants, "
        "durée, tranches) ; les conventions déjà signées gardent leur régime.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def regime_default(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """POST makes the regime the default; GET is its confirmation page (no JS)."""
    _require(request, "regime_set_default")
    regime = get_object_or_404(Regime, pk=pk)
    if request.method == "GET":
        return render_confirmation(
            request,
            confirmation=_default_confirmation(regime),
            form=DsfrForm(),
            subject=f"Régime de subvention « {regime.name} »",
            back_url=reverse("conseillers:subsidy-regimes"),
        )
    regime = subsidy.regime_set_default(regime=regime, by=request.user)
    messages.success(request, f"« {regime} » s'applique désormais aux nouvelles conventions.")
    return redirect("conseillers:subsidy-regimes")


# --- The money dashboard -------------------------------------------------------------------------


def _budget_scope(request: AuthenticatedHttpRequest) -> DashboardScope:
    refusal = "Le budget des subventions est réservé à l'ANCT et aux préfectures."
    _require(request, "budget_view", refusal)
    scope = dashboard_scope(request.user)
    if scope is None:
        raise PermissionDenied(refusal)
    return scope


@login_required
@require_GET
def budget(request: AuthenticatedHttpRequest) -> HttpResponse:
    scope = _budget_scope(request)
    today = timezone.localdate()
    figures = subsidy_selectors.budget(scope.departement_codes, today)
    months = subsidy_selectors.forecast_months(figures.months, today)
    return render(
        request,
        "conseillers/subsidy/budget.html",
        {
            "title": "Budget des subventions",
            "scope": scope,
            "budget": figures,
            "chart": forecast_chart(months, scope.total_name),
            "today": today,
        },
    )


BUDGET_COLUMNS = [
    "Engagé (€)",
    "Payé (€)",
    "Reversements (€)",
    "Reste à payer (€)",
    "Formation (€)",
]


@login_required
@require_GET
def budget_csv(request: AuthenticatedHttpRequest) -> HttpResponse:
    scope = _budget_scope(request)
    today = timezone.localdate()
    figures = subsidy_selectors.budget(scope.departement_codes, today)
    by_month = request.GET.get("table") == "mois"
    rows = figures.months if by_month else [*figures.departements, figures.total]
    header = ["Mois" if by_month else "Territoire", *BUDGET_COLUMNS]
    lines = [header] + [
        [
            row.name if row.key != "total" else scope.total_name,
            *(
                plain_euros(amount)
                for amount in (row.committed, row.paid, row.recovered, row.forecast, row.training)
            ),
        ]
        for row in rows
    ]
    kind = "mois" if by_month else "departements"
    return _csv(f"budget-subventions-{kind}-{today:%Y-%m-%d}.csv", lines)


# A cell a spreadsheet would take for a formula (=HYPERLINK(…) in a structure's name); a minus
# sign followed by a digit is an amount (reversements) and stays as it is.
FORMULA = re.compile(r"^(?:[=+@\t\r]|-(?![0-9]))")


def _csv(filename: str, lines: Iterable[list[str]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write(SPREADSHEET_BOM)
    csv.writer(response, delimiter=";", lineterminator="\r\n").writerows(
        [f"'{cell}" if FORMULA.match(cell) else cell for cell in line] for line in lines
    )
    return response
