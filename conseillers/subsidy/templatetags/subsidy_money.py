"""Money of the subsidy pages: amounts are integer cents, printed in French."""

from django import template

from conseillers.subsidy.math import euros as format_euros

register = template.Library()


@register.filter
def euros(cents: int | None) -> str:
    """20 000,00 € for 2000000; an empty cell for None."""
    return "" if cents is None else format_euros(int(cents))
