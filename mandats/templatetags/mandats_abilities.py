"""Templates read the same ability keys as the views and the services."""

from __future__ import annotations

from django import template
from django.contrib.auth.models import AnonymousUser

from core.models import User
from mandats.abilities import PROGRAMME, Abilities

register = template.Library()


@register.simple_tag
def programme_abilities(user: User | AnonymousUser) -> Abilities:
    return PROGRAMME.get_abilities(user)
