"""French words in templates: counts with the right plural, identity values as people read them."""

from datetime import date

from django import template
from django.utils.dateparse import parse_date
from django.utils.formats import date_format

from core import insee
from core.plurals import count_fr

register = template.Library()


@register.filter
def compte(count: int | None, forms: str) -> str:
    """`{{ n|compte:"poste" }}` → "1 poste", "3 postes"; `{{ n|compte:"mise en relation,mises en
    relation" }}` when the plural is not the singular with an "s"."""
    singular, _, plural = forms.partition(",")
    return count_fr(count or 0, singular, plural or None)


@register.filter
def sexe(gender: str | None) -> str:
    """FranceConnect's `gender` claim ("male", "female") in the words of a form."""
    return {"male": "Masculin", "female": "Féminin"}.get(gender or "", gender or "Non renseigné")


@register.filter
def date_fr(value: date | str | None) -> str:
    """ "24 août 1962", from a date or an ISO string (FranceConnect's `birthdate` claim)."""
    if isinstance(value, str):
        value = parse_date(value) if value else None
    if value is None:
        return ""
    return date_format(value, "j F Y")


@register.filter
def commune(code: str | None) -> str:
    """A birthplace's INSEE code as its commune's name when known, else "code INSEE 37261"."""
    if not code:
        return "Né(e) à l'étranger"
    return insee.COMMUNES.get(code) or f"code INSEE {code}"


@register.filter
def pays(code: str | None) -> str:
    """A country's INSEE code (99100 is France) as its name when known, else "code INSEE …"."""
    if not code:
        return ""
    return insee.PAYS.get(code) or f"code INSEE {code}"
