"""Figures of the territorial pages, written as a French reader expects them."""

from fractions import Fraction

from django import template

from conseillers.dashboard.columns import MISSING, format_number

register = template.Library()


@register.filter
def percent(share: Fraction | None) -> str:
    """0.3 as « 30,00 % »; « — » when there is no share to show."""
    return MISSING if share is None else f"{format_number(share * 100, 2)} %"
