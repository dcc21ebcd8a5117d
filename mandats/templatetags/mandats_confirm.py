"""The confirmable actions of the mandate pages, built where the templates list their objects:
`{% mandat_revoke_action mandat by_usager=False as action %}` then
`{% include "core/_confirm_action.html" with action=action %}`."""

from __future__ import annotations

from django import template

from core.confirm import ConfirmableAction
from core.models import Structure, User
from mandats import confirmations
from mandats.models import Autorisation, CarteTOTP, HabilitationRequest, Mandat

register = template.Library()


@register.simple_tag
def autorisation_revoke_action(autorisation: Autorisation, by_usager: bool) -> ConfirmableAction:
    return confirmations.autorisation_revoke_action(autorisation, by_usager=by_usager)


@register.simple_tag
def mandat_revoke_action(mandat: Mandat, by_usager: bool) -> ConfirmableAction:
    return confirmations.mandat_revoke_action(mandat, by_usager=by_usager)


@register.simple_tag
def habilitation_refuse_action(habilitation_request: HabilitationRequest) -> ConfirmableAction:
    return confirmations.habilitation_refuse_action(habilitation_request)


@register.simple_tag
def team_action(action: str, aidant: User, organisation: Structure) -> ConfirmableAction:
    return confirmations.team_action(action, aidant, organisation)


@register.simple_tag
def carte_lost_action(carte_id: int, serial_number: str) -> ConfirmableAction:
    """From the team page's row, which carries the card's id and serial, not the card."""
    return confirmations.carte_lost_action(CarteTOTP(pk=carte_id, serial_number=serial_number))
