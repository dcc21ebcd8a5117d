"""DSFR pages of the conseillers module. Each write goes through a service; each button shown is
one the person's abilities allow (the same `get_abilities` the API reads)."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from conseillers import matching, selectors, services, territory
from conseillers.abilities import PROGRAMME
from conseillers.apportionment import Method
from conseillers.forms import (
    CandidatForm,
    CandidatureForm,
    ContractForm,
    DecisionForm,
    EnvelopeForm,
    OpinionForm,
    ProposalForm,
    ReasonForm,
    RedistributionForm,
    RuptureForm,
    add_service_errors,
)
from conseillers.models import (
    OCCUPYING,
    Candidat,
    Candidature,
    CandidatureState,
    Match,
    MatchState,
    Training,
)
from core.confirm import ConfirmableAction, Confirmation, modal_form, render_confirmation
from core.files import attachment_response
from core.forms import DsfrForm
from core.http import AuthenticatedHttpRequest
from core.listing import ListFilters, keyset_page_of, page_of
from core.models import Departement, Structure
from core.plurals import count_fr


class CandidatureAct(NamedTuple):
    label: str
    service: Callable[..., Candidature]
    consequence: str
    done: str  # the success message, a sentence
    motive_required: bool = False

    @property
    def confirmation(self) -> Confirmation:
        return Confirmation(self.label, self.consequence)


# URL slug (also the ability key of `Candidature.get_abilities`) → button label, service and the
# consequence stated before confirming. A motive is required where the service requires one.
CANDIDATURE_ACTS = {
    "examine": CandidatureAct(
        "Passer en examen complémentaire",
        services.candidature_examine,
        "La candidature attendra un examen complémentaire avant la décision de l'ANCT.",
        "La candidature passe en examen complémentaire.",
    ),
    "refuse": CandidatureAct(
        "Refuser la candidature",
        services.candidature_refuse,
        "La candidature sera refusée définitivement : la structure en est informée avec votre "
        "motif, et aucun poste ne pourra lui être accordé sur ce dossier.",
        "La candidature a été refusée.",
        motive_required=True,
    ),
    "cancel": CandidatureAct(
        "Annuler la candidature",
        services.candidature_cancel,
        "La candidature sera annulée définitivement : elle ne pourra plus être examinée ni "
        "décidée.",
        "La candidature a été annulée.",
        motive_required=True,
    ),
    "mark_duplicate": CandidatureAct(
        "Classer comme doublon",
        services.candidature_mark_duplicate,
        "La candidature sera close comme doublon d'une autre candidature du même SIRET : seule "
        "l'autre restera examinée.",
        "La candidature a été classée comme doublon.",
        motive_required=True,
    ),
    "abandon": CandidatureAct(
        "Abandonner la candidature",
        services.candidature_abandon,
        "La candidature sera abandonnée définitivement : pour obtenir des postes, la structure "
        "devra en déposer une nouvelle.",
        "La candidature a été abandonnée.",
    ),
}


def _require(request: AuthenticatedHttpRequest, ability: str, refusal: str) -> None:
    """Refuses the page unless the programme-wide abilities grant it."""
    if not PROGRAMME.get_abilities(request.user)[ability]:
        raise PermissionDenied(refusal)


def _managed_structures(request: AuthenticatedHttpRequest):
    return selectors.managed_structures(request.user)


# --- Applications --------------------------------------------------------------------------------


@login_required
def candidature_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = ListFilters(
        request.GET, search_hint="Nom de la structure", states=CandidatureState.choices
    )
    candidatures = filters.apply(
        with_listing(Candidature.objects.visible_to(request.user)),
        departement="structure__departement",
        search=("structure__name",),
    )
    return render(
        request,
        "conseillers/candidature_list.html",
        {
            "title": "Candidatures des structures",
            "page": keyset_page_of(request, candidatures),
            "filters": filters,
            "can_apply": PROGRAMME.get_abilities(request.user)["candidature_submit"],
        },
    )


def with_listing(candidatures):
    return (
        selectors.with_coordinator_quota(selectors.with_quota(candidatures))
        .select_related("structure__departement", "duplicate_of")
        .order_by("-created_at", "-pk")
    )


@login_required
def candidature_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request, "candidature_submit", "Seul un gestionnaire de structure peut candidater.")
    structures = _managed_structures(request)
    form = CandidatureForm(request.POST or None, structures=structures)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "structure"}
        try:
            candidature = services.candidature_submit(
                structure=form.cleaned_data["structure"], by=request.user, **fields
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                "Votre candidature est déposée : la préfecture va donner "
                "son avis, puis l'ANCT décidera.",
            )
            return redirect("conseillers:candidature-detail", candidature.pk)
    return render(
        request,
        "conseillers/candidature_form.html",
        {"title": "Déposer une candidature", "form": form},
    )


@login_required
def candidature_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    candidature = get_object_or_404(
        with_listing(Candidature.objects.visible_to(request.user)), pk=pk
    )
    forms = _candidature_forms(candidature, request.user)
    return _render_candidature(request, candidature, forms)


def _candidature_forms(candidature: Candidature, user, bound: dict | None = None) -> dict:
    abilities = candidature.get_abilities(user)
    bound = bound or {}
    forms = {}
    if abilities["give_opinion"]:
        forms["opinion"] = bound.get("opinion") or OpinionForm(
            candidature=candidature, prefix="avis"
        )
    if abilities["decide"]:
        forms["decision"] = bound.get("decision") or DecisionForm(prefix="decision")
    acts = [
        ConfirmableAction(
            slug,
            act.confirmation,
            reverse("conseillers:candidature-action", args=[candidature.pk, slug]),
            modal_form(ReasonForm, slug, prefix="acte", motive_required=act.motive_required),
        )
        for slug, act in CANDIDATURE_ACTS.items()
        if abilities[slug]
    ]
    return {"forms": forms, "acts": acts, "abilities": abilities}


def _render_candidature(request, candidature, forms, status=200) -> HttpResponse:
    context = {
        "title": f"Candidature n° {candidature.pk}",
        "candidature": candidature,
        "opinions": candidature.opinions.select_related("author", "transfer_to"),
        "decisions": candidature.decisions.select_related("author"),
        "transitions": candidature.transitions.select_related("by"),
        **forms,
    }
    return render(request, "conseillers/candidature_detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def candidature_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    """POST runs the action; GET on a consequential act is its confirmation page (no JS)."""
    candidature = get_object_or_404(
        with_listing(Candidature.objects.visible_to(request.user)), pk=pk
    )
    if request.method == "GET":
        return _confirm_act(request, candidature, action)
    handler = {"avis": _post_opinion, "decision": _post_decision}.get(action, _post_act)
    form, done = handler(request, candidature, action)
    if done:
        messages.success(request, done)
        return redirect("conseillers:candidature-detail", candidature.pk)
    if action in CANDIDATURE_ACTS:
        return _confirm_act(request, candidature, action, form=form)
    key = {"avis": "opinion", "decision": "decision"}.get(action, "act")
    forms = _candidature_forms(candidature, request.user, bound={key: form})
    return _render_candidature(request, candidature, forms, status=400)


def _run(form, call) -> str | None:
    """Calls the service when the form is valid; its refusals land in the form."""
    if not form.is_valid():
        return None
    try:
        return call(form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
    except PermissionDenied as error:
        form.add_error(None, str(error))
    return None


def _post_opinion(request, candidature, _action):
    form = OpinionForm(request.POST, candidature=candidature, prefix="avis")

    def call(data):
        services.opinion_give(candidature=candidature, by=request.user, **data)
        return "L'avis de la préfecture est enregistré."

    return form, _run(form, call)


def _post_decision(request, candidature, _action):
    form = DecisionForm(request.POST, prefix="decision")

    def call(data):
        decision = services.decision_record(candidature=candidature, by=request.user, **data)
        return f"La décision {decision.number} est enregistrée ({decision.get_kind_display()})."

    return form, _run(form, call)


def _confirm_act(request, candidature, action, form=None) -> HttpResponse:
    """The act's confirmation page; after a refused POST, with the error and the motive kept."""
    act = CANDIDATURE_ACTS.get(action)
    if act is None:
        raise Http404("Pas de page de confirmation pour cette action.")
    if form is None and not candidature.get_abilities(request.user)[action]:
        raise PermissionDenied("Cette action n'est pas possible sur cette candidature.")
    return render_confirmation(
        request,
        confirmation=act.confirmation,
        form=form or ReasonForm(prefix="acte", motive_required=act.motive_required),
        subject=f"Candidature n° {candidature.pk} de {candidature.structure.name}",
        back_url=reverse("conseillers:candidature-detail", args=[candidature.pk]),
        status=200 if form is None else 400,
    )


def _post_act(request, candidature, action):
    if action not in CANDIDATURE_ACTS:
        raise PermissionDenied("Action inconnue.")
    act = CANDIDATURE_ACTS[action]
    form = ReasonForm(request.POST, prefix="acte", motive_required=act.motive_required)

    def call(data):
        act.service(candidature=candidature, by=request.user, reason=data["reason"])
        return act.done

    return form, _run(form, call)


# --- Candidates and conseillers -----------------------------------------------------------------


def candidat_register(request: HttpRequest) -> HttpResponse:
    """Open to anyone: the people who wish to become conseillers numériques register here."""
    form = CandidatForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "departements"}
        services.candidats_register(departements=form.cleaned_data["departements"], **data)
        return render(
            request, "conseillers/candidat_registered.html", {"title": "Inscription enregistrée"}
        )
    return render(
        request,
        "conseillers/candidat_form.html",
        {"title": "Devenir conseiller numérique", "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def candidat_cv(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """A candidate's CV, to whoever the candidate's abilities allow: a 404 to everyone else, who
    need not learn that the person registered."""
    candidat = get_object_or_404(Candidat, pk=pk)
    if not candidat.get_abilities(request.user)["download_cv"]:
        raise Http404
    return attachment_response(candidat.cv.name, download_name=candidat.cv_download_name)


@login_required
def my_career(request: AuthenticatedHttpRequest) -> HttpResponse:
    candidat = Candidat.objects.filter(user=request.user).first()
    if candidat is None:
        raise PermissionDenied("Cette page est réservée aux conseillers numériques.")
    matches = candidat.matches.select_related("structure", "contract", "rupture").order_by(
        "-state_changed_at"
    )
    return render(
        request,
        "conseillers/my_career.html",
        {
            "title": "Mon parcours",
            "candidat": candidat,
            "matches": matches,
            "training": Training.objects.filter(candidat=candidat).first(),
        },
    )


# --- Recruitment ---------------------------------------------------------------------------------


@login_required
def recruitment(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request, "recruitment_view", "Cette page est réservée aux gestionnaires de structure.")
    structures = list(_managed_structures(request).select_related("departement", "commune"))
    structure = _chosen(structures, request.GET.get("structure"))
    quota = selectors.quota_of_structure(structure)
    matches = (
        Match.objects.filter(structure=structure)
        .select_related("candidat")
        .order_by("state", "-created_at")
    )
    occupied = sum(1 for m in matches if m.state in OCCUPYING)
    candidats = selectors.candidats_for_structure(structure).exclude(matches__structure=structure)
    latest_run, new_candidats = matching.latest_new_candidats(structure)
    return render(
        request,
        "conseillers/recruitment.html",
        {
            "title": "Recrutement",
            "structure": structure,
            "structures": structures,
            "quota": quota,
            "occupied": occupied,
            "matches": matches,
            "candidats": Paginator(candidats, 20).get_page(request.GET.get("page"))
            if quota
            else None,
            "latest_run": latest_run,
            "new_candidats": new_candidats,
        },
    )


@login_required
@require_POST
def proposals_refresh_view(request: AuthenticatedHttpRequest, structure_pk: int) -> HttpResponse:
    structure = get_object_or_404(_managed_structures(request), pk=structure_pk)
    run = matching.structure_proposals_refresh(structure=structure, by=request.user)
    new = (
        count_fr(run.new_proposals, "nouveau candidat", "nouveaux candidats")
        if run.new_proposals
        else "aucun nouveau candidat"
    )
    removed = (
        f", {count_fr(run.removed_proposals, 'proposition retirée', 'propositions retirées')}"
        if run.removed_proposals
        else ""
    )
    messages.success(request, f"Propositions actualisées : {new}{removed}.")
    return redirect(f"{reverse('conseillers:recruitment')}?structure={structure.pk}")


def _chosen(structures: list[Structure], wanted: str | None) -> Structure:
    return next((s for s in structures if str(s.pk) == wanted), structures[0])


@login_required
@require_POST
def candidat_interest(
    request: AuthenticatedHttpRequest, structure_pk: int, candidat_pk: int
) -> HttpResponse:
    structure = get_object_or_404(_managed_structures(request), pk=structure_pk)
    candidat = get_object_or_404(Candidat.objects.available(), pk=candidat_pk)
    interested = request.POST.get("interet") != "non"
    try:
        services.match_mark_interest(
            structure=structure, candidat=candidat, interested=interested, by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Intérêt enregistré pour {candidat}."
            if interested
            else f"{candidat} est marqué(e) comme non retenu(e).",
        )
    return redirect(f"{reverse('conseillers:recruitment')}?structure={structure.pk}")


@login_required
def match_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    matches = (
        Match.objects.visible_to(request.user)
        .select_related("structure__departement", "candidat")
        .order_by("-state_changed_at")
    )
    filters = ListFilters(
        request.GET, search_hint="Nom du candidat ou de la structure", states=MatchState.choices
    )
    matches = filters.apply(
        matches,
        departement="structure__departement",
        search=("candidat__first_name", "candidat__last_name", "structure__name"),
    )
    return render(
        request,
        "conseillers/match_list.html",
        {
            "title": "Mises en relation et recrutements",
            "filters": filters,
            "page": page_of(request, matches),
        },
    )


@login_required
def match_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    match = get_object_or_404(
        Match.objects.visible_to(request.user).select_related("structure", "candidat"), pk=pk
    )
    return _render_match(request, match, {})


def _render_match(request, match: Match, bound: dict, status: int = 200) -> HttpResponse:
    abilities = match.get_abilities(request.user)
    context = {
        "title": f"Mise en relation : {match.candidat}",
        "match": match,
        "abilities": abilities,
        "candidat_abilities": match.candidat.get_abilities(request.user),
        "contract": getattr(match, "contract", None),
        "rupture": getattr(match, "rupture", None),
        "post": getattr(match, "post", None),
        "transitions": match.transitions.select_related("by"),
        "contract_form": bound.get("recruter") or ContractForm(prefix="contrat")
        if abilities["recruit"]
        else None,
        "confirmables": _match_confirmables(match, abilities),
    }
    return render(request, "conseillers/match_detail.html", context, status=status)


# The match's consequential actions: URL slug → (ability key of `Match.get_abilities`,
# confirmation). Their forms and services are those of MATCH_ACTIONS below.
MATCH_CONFIRMATIONS = {
    "rupture": (
        "declare_rupture",
        Confirmation(
            "Déclarer la rupture",
            "La rupture du contrat sera déclarée à l'ANCT, qui la validera : le poste deviendra "
            "alors vacant à la date de rupture, et la subvention du poste s'arrêtera à cette date.",
        ),
    ),
    "valider": (
        "finalise",
        Confirmation(
            "Valider le recrutement",
            "Le recrutement sera validé : la subvention du poste commence à courir, et les autres "
            "mises en relation de la personne ne seront plus proposées.",
            primary=True,
        ),
    ),
    "valider-rupture": (
        "validate_rupture",
        Confirmation(
            "Valider la rupture",
            "La rupture sera validée : le poste devient vacant à la date de rupture, et la "
            "subvention qui suit cette date sera à reverser.",
            primary=True,
        ),
    ),
    "terminer": (
        "end",
        Confirmation(
            "Terminer le contrat",
            "Le contrat sera terminé : le poste devient vacant au lendemain de sa date de fin si "
            "elle est passée, sinon dès aujourd'hui, et ce contrat ne pourra plus être rouvert.",
        ),
    ),
}


def _match_confirmables(match: Match, abilities: dict) -> list[ConfirmableAction]:
    return [
        ConfirmableAction(
            slug,
            confirmation,
            reverse("conseillers:match-action", args=[match.pk, slug]),
            modal_form(MATCH_ACTIONS[slug][0], slug, prefix=MATCH_ACTIONS[slug][1]),
        )
        for slug, (ability, confirmation) in MATCH_CONFIRMATIONS.items()
        if abilities[ability]
    ]


def _confirm_match_action(
    request, match: Match, action: str, form=None, status: int = 200
) -> HttpResponse:
    """The action's confirmation page; after a refused POST, with the errors and values kept."""
    if action not in MATCH_CONFIRMATIONS:
        raise Http404("Pas de page de confirmation pour cette action.")
    ability, confirmation = MATCH_CONFIRMATIONS[action]
    if form is None and not match.get_abilities(request.user)[ability]:
        raise PermissionDenied("Cette action n'est pas possible sur cette mise en relation.")
    form_class, prefix, _call, _done = MATCH_ACTIONS[action]
    return render_confirmation(
        request,
        confirmation=confirmation,
        form=form or form_class(prefix=prefix),
        subject=f"Mise en relation de {match.candidat} avec {match.structure.name}",
        back_url=reverse("conseillers:match-detail", args=[match.pk]),
        status=status,
    )


MATCH_ACTIONS = {
    "recruter": (
        ContractForm,
        "contrat",
        lambda m, u, d: services.match_recruit(match=m, by=u, **d),
        "Le contrat est enregistré : l'ANCT va valider le recrutement.",
    ),
    "rupture": (
        RuptureForm,
        "rupture",
        lambda m, u, d: services.rupture_declare(match=m, by=u, **d),
        "La rupture est déclarée : l'ANCT va la valider.",
    ),
    "valider": (
        ReasonForm,
        "acte",
        lambda m, u, d: services.match_finalise(match=m, by=u, **d),
        "Le recrutement est validé.",
    ),
    "valider-rupture": (
        DsfrForm,  # no field: the service takes no motive, so none is asked
        "acte",
        lambda m, u, d: services.rupture_validate(match=m, by=u),
        "La rupture est validée : le poste est vacant.",
    ),
    "terminer": (
        ReasonForm,
        "acte",
        lambda m, u, d: services.match_end(match=m, by=u, **d),
        "Le contrat est terminé.",
    ),
}


@login_required
@require_http_methods(["GET", "POST"])
def match_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    """POST runs the action; GET on a consequential one is its confirmation page (no JS)."""
    match = get_object_or_404(
        Match.objects.visible_to(request.user).select_related("structure", "candidat"), pk=pk
    )
    if request.method == "GET":
        return _confirm_match_action(request, match, action)
    if action not in MATCH_ACTIONS:
        raise PermissionDenied("Action inconnue.")
    form_class, prefix, call, done = MATCH_ACTIONS[action]
    form = form_class(request.POST, prefix=prefix)
    if _run(form, lambda data: call(match, request.user, data)) is not None:
        messages.success(request, done)
        return redirect("conseillers:match-detail", match.pk)
    if action in MATCH_CONFIRMATIONS:
        return _confirm_match_action(request, match, action, form=form, status=400)
    return _render_match(request, match, {action: form}, status=400)


# --- Envelopes (ANCT) ----------------------------------------------------------------------------


ANCT_PAGE = "Cette page est réservée à l'ANCT."


@login_required
def envelopes(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request, "envelopes_view", ANCT_PAGE)
    form = EnvelopeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.envelope_set(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "L'enveloppe est mise à jour.")
            return redirect("conseillers:envelopes")
    in_force = selectors.envelopes_in_force()
    filters = ListFilters(request.GET, search_hint="Nom ou numéro", states=ENVELOPE_STATES)
    rows = [row for row in _envelope_rows(in_force) if _envelope_kept(row, filters)]
    return render(
        request,
        "conseillers/envelopes.html",
        {
            "title": "Enveloppes départementales",
            "form": form,
            "filters": filters,
            "page": page_of(request, rows),
            "total": sum(in_force.values()),
            "vacant_posts": selectors.long_vacant_posts(),
        },
        status=400 if form.errors else 200,
    )


ENVELOPE_STATES = [
    ("fixee", "Enveloppe fixée"),
    ("non_fixee", "Enveloppe non fixée"),
    ("epuisee", "Aucun poste libre"),
]


def _envelope_kept(row: dict, filters: ListFilters) -> bool:
    state = filters.value("etat")
    posts, free = row["posts"], row["free"]
    matches_state = (
        state is None
        or (state == "fixee" and posts is not None)
        or (state == "non_fixee" and posts is None)
        or (state == "epuisee" and free is not None and free <= 0)
    )
    return matches_state and filters.keeps(row["departement"])


def _envelope_rows(in_force: dict[str, int]) -> list[dict]:
    granted = selectors.posts_granted_by_departement()
    # Coordinator posts are among the granted ones: shown apart, counted once in the envelope.
    coordinators = selectors.coordinator_posts_granted_by_departement()
    rows = []
    for departement in Departement.objects.select_related("region").order_by("code"):
        posts, taken = in_force.get(departement.code), granted.get(departement.code, 0)
        free = None if posts is None else posts - taken
        rows.append(
            {
                "departement": departement,
                "posts": posts,
                "granted": taken,
                "coordinators": coordinators.get(departement.code, 0),
                "free": free,
            }
        )
    return rows


@login_required
def envelope_proposal(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request, "proposal_make", ANCT_PAGE)
    form = ProposalForm(request.POST or None, request.FILES or None)
    comparison = None
    if request.method == "POST" and form.is_valid():
        try:
            weights = (
                territory.parse_indicator_csv(form.cleaned_data["indicator_file"].read())
                if form.cleaned_data["indicator_file"]
                else None
            )
            comparison = territory.envelope_proposal(
                total=form.cleaned_data["total"],
                method=Method(form.cleaned_data["method"]),
                floor=form.cleaned_data["floor"],
                weights=weights,
            )
        except ValidationError as error:
            add_service_errors(form, error)
    return render(
        request,
        "conseillers/envelope_proposal.html",
        {
            "title": "Proposition de répartition",
            "form": form,
            "comparison": comparison,
            "regions": territory.proposal_by_region(comparison) if comparison else [],
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def envelope_apply(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request, "proposal_apply", ANCT_PAGE)
    chosen = request.POST.getlist("departement")
    allocation = {}
    for code in chosen:
        value = request.POST.get(f"postes-{code}", "")
        if value.isdigit():
            allocation[code] = int(value)
    reason = request.POST.get("motif", "").strip() or "Application d'une proposition de répartition"
    if not allocation:
        messages.error(request, "Cochez au moins un département pour appliquer la proposition.")
        return redirect("conseillers:envelope-proposal")
    changed = services.envelopes_apply(allocation=allocation, reason=reason, by=request.user)
    updated = count_fr(len(changed), "enveloppe mise à jour", "enveloppes mises à jour")
    messages.success(request, f"{updated.capitalize()}.")
    return redirect("conseillers:envelopes")


@login_required
def redistribution(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request, "redistribute", ANCT_PAGE)
    form = RedistributionForm(request.POST or None)
    proposal = None
    if request.method == "POST" and form.is_valid():
        try:
            proposal = territory.redistribution_proposal(total=form.cleaned_data["total"])
        except ValidationError as error:
            add_service_errors(form, error)
    names = dict(Departement.objects.values_list("code", "name"))
    return render(
        request,
        "conseillers/redistribution.html",
        {
            "title": "Redistribuer des postes",
            "form": form,
            "proposal": proposal,
            "names": names,
            "demand": selectors.unmet_demand(),
        },
        status=400 if form.errors else 200,
    )
