"""The confirmations of Aidants Connect's consequential actions, through `core.confirm`: revoking a
mandate or one of its autorisations (by an aidant, or by the usager in their space) and refusing a
habilitation request. The page lists open each one in a DSFR modal; the GET pages of the same URLs
are their confirmations without JavaScript. The words are written once, here, for both."""

from __future__ import annotations

from django.urls import reverse

from core.confirm import ConfirmableAction, Confirmation, modal_form
from core.forms import DsfrForm
from core.models import Structure, User
from mandats.forms import HabilitationRefuseForm
from mandats.models import Autorisation, CarteTOTP, HabilitationRequest, Mandat


def autorisation_revocation(autorisation: Autorisation, *, by_usager: bool) -> Confirmation:
    demarche = autorisation.get_demarche_display()
    mandat = autorisation.mandat
    if by_usager:
        consequence = (
            f"Les aidants de {mandat.organisation.name} ne pourront plus faire la démarche "
            f"« {demarche} » pour vous. Les autres autorisations du mandat restent valables."
        )
    else:
        consequence = (
            f"L'autorisation « {demarche} » du {mandat} de {mandat.usager.full_name} sera "
            "révoquée : aucun aidant ne pourra plus l'utiliser. Les autres autorisations du "
            "mandat restent actives."
        )
    return Confirmation(f"Révoquer l'autorisation « {demarche} »", consequence)


def mandat_revocation(mandat: Mandat, *, by_usager: bool) -> Confirmation:
    if by_usager:
        consequence = (
            f"Les aidants de {mandat.organisation.name} ne pourront plus faire aucune démarche "
            "pour vous. Une révocation ne s'annule pas : il faudra signer un nouveau mandat."
        )
    else:
        consequence = (
            f"Toutes les autorisations encore actives du {mandat} de {mandat.usager.full_name} "
            "seront révoquées. Une révocation ne s'annule pas : il faudra signer un nouveau mandat."
        )
    return Confirmation(f"Révoquer le {mandat}", consequence)


def habilitation_refusal(habilitation_request: HabilitationRequest) -> Confirmation:
    who = f"{habilitation_request.first_name} {habilitation_request.last_name}"
    return Confirmation(
        f"Refuser la demande de {who}",
        f"{who} ne sera pas habilité(e) : la demande sera close avec ce motif, inscrit à son "
        "historique, et ne pourra plus être validée.",
    )


def _action(
    slug: str,
    confirmation: Confirmation,
    url_name: str,
    pk: int,
    form_class: type[DsfrForm] = DsfrForm,
) -> ConfirmableAction:
    """The modal of one row's action: its own slug, so that several modals share a page."""
    return ConfirmableAction(
        slug,
        confirmation,
        reverse(url_name, args=[pk]),
        modal_form(form_class, slug.replace("-", "")),
    )


def autorisation_revoke_action(autorisation: Autorisation, *, by_usager: bool) -> ConfirmableAction:
    name = "mandats:usager-autorisation-revoke" if by_usager else "mandats:autorisation-revoke"
    return _action(
        f"revoquer-autorisation-{autorisation.pk}",
        autorisation_revocation(autorisation, by_usager=by_usager),
        name,
        autorisation.pk,
    )


def mandat_revoke_action(mandat: Mandat, *, by_usager: bool) -> ConfirmableAction:
    name = "mandats:usager-mandat-revoke" if by_usager else "mandats:mandat-revoke"
    return _action(
        f"revoquer-mandat-{mandat.pk}",
        mandat_revocation(mandat, by_usager=by_usager),
        name,
        mandat.pk,
    )


def habilitation_refuse_action(habilitation_request: HabilitationRequest) -> ConfirmableAction:
    return _action(
        f"refuser-habilitation-{habilitation_request.pk}",
        habilitation_refusal(habilitation_request),
        "mandats:habilitation-refuse",
        habilitation_request.pk,
        HabilitationRefuseForm,
    )


# The référent's team: what each action does to the aidant, said before it is done.
TEAM_ACTIONS = ("desactiver", "reactiver", "retirer")


def team_confirmation(action: str, aidant: User, organisation: Structure) -> Confirmation:
    who = aidant.get_full_name() or aidant.email
    if action == "desactiver":
        return Confirmation(
            f"Désactiver le compte de {who}",
            f"{who} ne pourra plus se connecter ni agir pour les usagers ; les mandats restent "
            f"ceux de {organisation.name}. Vous pourrez réactiver le compte plus tard.",
        )
    if action == "reactiver":
        return Confirmation(
            f"Réactiver le compte de {who}",
            f"{who} pourra de nouveau se connecter et agir pour les usagers de "
            f"{organisation.name}, avec son mot de passe et son second facteur.",
            primary=True,
        )
    return Confirmation(
        f"Retirer {who} de l'organisation",
        f"{who} n'agira plus pour les usagers de {organisation.name} ; son compte reste actif "
        "pour ses autres structures. Pour l'y remettre, il faudra une nouvelle habilitation.",
    )


def team_action(action: str, aidant: User, organisation: Structure) -> ConfirmableAction:
    slug = f"{action}-aidant-{aidant.pk}"
    return ConfirmableAction(
        slug,
        team_confirmation(action, aidant, organisation),
        reverse("mandats:referent-aidant-action", args=[organisation.pk, aidant.pk, action]),
        modal_form(DsfrForm, slug.replace("-", "")),
    )


def carte_loss(carte: CarteTOTP) -> Confirmation:
    holder = f" de {carte.aidant.get_full_name() or carte.aidant.email}" if carte.aidant else ""
    return Confirmation(
        f"Déclarer perdue la carte {carte.serial_number}",
        f"La carte {carte.serial_number}{holder} sera désactivée immédiatement : ses codes seront "
        "refusés à la connexion. Une carte perdue ne se réactive pas.",
    )


def carte_lost_action(carte: CarteTOTP) -> ConfirmableAction:
    return _action(f"perte-carte-{carte.pk}", carte_loss(carte), "mandats:carte-lost", carte.pk)
