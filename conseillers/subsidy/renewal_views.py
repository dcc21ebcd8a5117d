"""Pages of the renewal (reconventionnement): the list of conventions and their renewal, and one
convention's page where the structure picks its posts or says it is not interested, and where ANCT
validates or refuses. Every button is shown from the renewal's abilities; the services check them
again under the convention's row lock."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Max, Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from conseillers.subsidy import renewal as renewals
from conseillers.subsidy.forms import (
    RenewalDeclineForm,
    RenewalPostsForm,
    RenewalRefuseForm,
    RenewalValidateForm,
)
from conseillers.subsidy.math import euros
from conseillers.subsidy.models import Convention, Regime, Subvention
from conseillers.subsidy.renewal_models import ConventionRenewal, RenewalState
from conseillers.subsidy.views import _require, _run
from core.confirm import ConfirmableAction, Confirmation, modal_form, render_confirmation
from core.http import AuthenticatedHttpRequest

RUNNING = ["en_cours", "suspendue"]
PAGE_REFUSAL = "Cette page est réservée à l'ANCT, aux préfectures et aux gestionnaires."


def conventions_for_renewal(user) -> QuerySet[Convention]:
    """The conventions of the person's scope, with their end and renewal, in two queries."""
    return (
        Convention.objects.visible_to(user)
        .select_related("structure__departement", "regime", "renewal")
        .annotate(ends_on=Max("subventions__ends_on", filter=Q(subventions__state__in=RUNNING)))
        .order_by("structure__name", "-signed_on", "-pk")
    )


def _renewal(convention: Convention) -> ConventionRenewal:
    try:
        return convention.renewal
    except ConventionRenewal.DoesNotExist:
        return ConventionRenewal(convention=convention, structure_id=convention.structure_id)


@login_required
@require_GET
def renewal_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request, "renewals_view", PAGE_REFUSAL)
    rows = [(c, _renewal(c)) for c in conventions_for_renewal(request.user)]
    awaiting = [(c, r) for c, r in rows if r.state == RenewalState.INITIATED]
    return render(
        request,
        "conseillers/subsidy/renewal_list.html",
        {
            "title": "Reconventionnement",
            "rows": rows,
            "awaiting": awaiting,
            "window_months": renewals.window_months(),
        },
    )


@dataclass(frozen=True)
class RenewalPage:
    convention: Convention
    renewal: ConventionRenewal
    abilities: dict[str, bool]
    renewable: list[Subvention]
    per_post_cents: int | None


def _page(request: AuthenticatedHttpRequest, pk: int) -> RenewalPage:
    _require(request, "renewals_view", PAGE_REFUSAL)
    convention = get_object_or_404(
        Convention.objects.visible_to(request.user).select_related("structure", "regime"), pk=pk
    )
    renewal = ConventionRenewal.of(convention)
    regime = Regime.objects.filter(code=renewals.renewal_regime_code()).first()
    structure = convention.structure
    per_post = (
        regime.total_for(public=structure.is_public, bonus=structure.qpv or structure.zrr)
        if regime
        else None
    )
    return RenewalPage(
        convention=convention,
        renewal=renewal,
        abilities=renewal.get_abilities(request.user),
        renewable=renewals.renewable_subventions(convention),
        per_post_cents=per_post,
    )


def _choices(renewable: list[Subvention]) -> list[tuple[int, str]]:
    return [
        (
            s.post_id,
            f"Poste n° {s.post_id} : {s.holder.candidat}, à partir du {s.ends_on:%d/%m/%Y}",
        )
        for s in renewable
    ]


def _confirmations(page: RenewalPage) -> dict[str, Confirmation]:
    name = page.convention.structure.name
    count = page.renewal.posts.count() if page.renewal.pk else 0
    amount = euros(page.per_post_cents) if page.per_post_cents else "le montant du régime"
    return {
        "ne-pas-renouveler": Confirmation(
            "Ne pas renouveler",
            f"Les postes de {name} prendront fin avec leur échéancier actuel, puis seront rendus "
            "à l'ANCT ; vous pourrez changer d'avis tant que la période est ouverte.",
        ),
        "valider": Confirmation(
            "Valider le renouvellement",
            f"Une nouvelle convention de 36 mois sera ouverte pour {count} poste(s) de {name}, "
            f"à {amount} par poste ; les mêmes personnes restent en poste sans vacance. Cette "
            "décision est définitive.",
            primary=True,
        ),
        "refuser": Confirmation(
            "Refuser le renouvellement",
            f"Les postes de {name} prendront fin avec leur échéancier actuel ; la structure en "
            "est informée avec votre motif.",
        ),
    }


ACTIONS = {
    "ne-pas-renouveler": ("decline", RenewalDeclineForm),
    "valider": ("validate", RenewalValidateForm),
    "refuser": ("refuse", RenewalRefuseForm),
}


def _actions(page: RenewalPage) -> list[ConfirmableAction]:
    confirmations = _confirmations(page)
    pk = page.convention.pk
    return [
        ConfirmableAction(
            f"{slug}-{pk}",
            confirmations[slug],
            reverse("conseillers:subsidy-renewal-action", args=[pk, slug]),
            modal_form(form_class, f"{slug}{pk}", prefix=slug),
        )
        for slug, (ability, form_class) in ACTIONS.items()
        if page.abilities[ability]
    ]


@login_required
@require_GET
def renewal_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    page = _page(request, pk)
    form = None
    if page.abilities["initiate"]:
        form = RenewalPostsForm(choices=_choices(page.renewable), prefix="renouveler")
    return _render(request, page, form)


def _render(request, page: RenewalPage, form, status: int = 200) -> HttpResponse:
    renewal = page.renewal
    return render(
        request,
        "conseillers/subsidy/renewal_detail.html",
        {
            "title": f"Reconventionnement : {page.convention.structure.name}",
            "breadcrumb_label": page.convention.number,
            "page": page,
            "renewal": renewal,
            "form": form,
            "actions": _actions(page),
            "posts": renewal.posts.select_related("match__candidat", "subvention")
            if renewal.pk
            else [],
            "log": renewal.transitions.select_related("by") if renewal.pk else [],
            "new_convention": Convention.objects.filter(renews=page.convention).first(),
            "window_months": renewals.window_months(),
        },
        status=status,
    )


@login_required
@require_POST
def renewal_initiate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    page = _page(request, pk)
    form = RenewalPostsForm(request.POST, choices=_choices(page.renewable), prefix="renouveler")

    def call(data):
        renewals.renewal_initiate(
            convention=page.convention, post_ids=data["posts"], by=request.user
        )
        return "Votre demande de renouvellement est transmise à l'ANCT."

    done = _run(form, call)
    if done:
        messages.success(request, done)
        return redirect("conseillers:subsidy-renewal", pk=pk)
    return _render(request, page, form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def renewal_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    """POST declines, validates or refuses; GET is its confirmation page (no JS), offered only
    while the action is open to the person, as on the convention's page."""
    page = _page(request, pk)
    if action not in ACTIONS:
        raise Http404("Action inconnue.")
    ability, form_class = ACTIONS[action]
    if request.method == "GET" and not page.abilities[ability]:
        raise PermissionDenied("Cette action n'est pas ouverte sur ce reconventionnement.")
    data = request.POST if request.method == "POST" else None
    form = form_class(data, prefix=action)

    def call(data):
        return _call(action, page, request.user, data)

    done = _run(form, call) if request.method == "POST" else None
    if done:
        messages.success(request, done)
        return redirect("conseillers:subsidy-renewal", pk=pk)
    return render_confirmation(
        request,
        confirmation=_confirmations(page)[action],
        form=form,
        subject=f"convention {page.convention.number} de {page.convention.structure.name}",
        back_url=reverse("conseillers:subsidy-renewal", args=[pk]),
        status=200 if request.method == "GET" else 400,
    )


def _call(action: str, page: RenewalPage, user, data: dict) -> str:
    if action == "ne-pas-renouveler":
        renewals.renewal_decline(convention=page.convention, by=user, reason=data["reason"])
        return "C'est noté : vos postes prendront fin avec leur échéancier actuel."
    if action == "valider":
        convention = renewals.renewal_validate(renewal=page.renewal, by=user)
        return f"Le renouvellement est validé : convention {convention.number}."
    renewals.renewal_refuse(renewal=page.renewal, reason=data["reason"], by=user)
    return "Le renouvellement est refusé ; la structure en est informée."
