"""Templates read the same ability keys as the views and the services."""

from __future__ import annotations

from django import template
from django.contrib.auth.models import AnonymousUser

from core.models import Membership, User
from mandats import abilities
from mandats.abilities import PROGRAMME, Abilities

register = template.Library()


@register.simple_tag
def programme_abilities(user: User | AnonymousUser) -> Abilities:
    return PROGRAMME.get_abilities(user)


@register.simple_tag
def team_member_abilities(user: User | AnonymousUser, membership: Membership) -> Abilities:
    return abilities.team_member_abilities(
        user,
        organisation_id=membership.structure_id,
        aidant_id=membership.user_id,
        is_active=membership.user.is_active,
        works_elsewhere=getattr(membership, "works_elsewhere", False),
    )
