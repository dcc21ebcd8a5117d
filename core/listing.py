"""Search, territory filters and pagination for the long lists of the pages.

One GET form read by every list (structures, applications, matches, envelopes): a text search, a
région, a département and, where the list has one, a state. Invalid values are ignored rather than
refused, so a shared link never breaks; the pagination keeps the filters (`{% querystring %}`).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import reduce
from operator import or_
from typing import Any, cast

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from core import keyset
from core.keyset import KeysetPage
from core.models import Departement, Region

PAGE_SIZE = 25
CURSOR_PARAMETER = "curseur"


class ListFilters(forms.Form):
    q = forms.CharField(label="Rechercher", required=False, max_length=100)
    region = forms.ModelChoiceField(
        queryset=Region.objects.order_by("name"),
        required=False,
        label="Région",
        empty_label="Toutes les régions",
    )
    departement = forms.ModelChoiceField(
        queryset=Departement.objects.order_by("code"),
        required=False,
        label="Département",
        empty_label="Tous les départements",
    )
    etat = forms.ChoiceField(label="État", required=False)

    def __init__(
        self,
        data: Any,
        *,
        search_hint: str,
        states: Sequence[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(data)
        self.search_hint = search_hint
        if states is None:
            del self.fields["etat"]
        else:
            cast(forms.ChoiceField, self.fields["etat"]).choices = [("", "Tous les états"), *states]
        self.is_valid()

    def value(self, name: str) -> Any:
        """The cleaned value of a field, None when absent or invalid."""
        return getattr(self, "cleaned_data", {}).get(name) or None

    @property
    def is_active(self) -> bool:
        return any(self.value(name) for name in self.fields)

    def apply(self, queryset: QuerySet, *, departement: str, search: Sequence[str]) -> QuerySet:
        """Filters on the département reached by the `departement` path and the text fields."""
        if text := self.value("q"):
            queryset = queryset.filter(
                reduce(or_, (Q(**{f"{field}__icontains": text}) for field in search))
            )
        if region := self.value("region"):
            queryset = queryset.filter(**{f"{departement}__region": region})
        if chosen := self.value("departement"):
            queryset = queryset.filter(**{departement: chosen})
        if state := self.value("etat"):
            queryset = queryset.filter(state=state)
        return queryset

    def keeps(self, departement: Departement, name: str = "") -> bool:
        """The same filters over a row read in Python (lists built row by row): the search looks
        in the row's `name` and its département's code and name."""
        text = (self.value("q") or "").casefold()
        region, chosen = self.value("region"), self.value("departement")
        searched = f"{name} {departement.code} {departement.name}".casefold()
        return (
            (not text or text in searched)
            and (region is None or departement.region_id == region.code)
            and (chosen is None or departement.code == chosen.code)
        )


def page_of(
    request: HttpRequest, items: Sequence[Any] | QuerySet, number: int | None = None
) -> Page:
    """The page asked for in the query string, or page `number` when given."""
    return Paginator(items, PAGE_SIZE).get_page(number or request.GET.get("page"))


def keyset_page_of(request: HttpRequest, queryset: QuerySet, size: int = PAGE_SIZE) -> KeysetPage:
    """The page of `queryset` the `curseur` of the query string points at (`core.keyset`): every
    page costs what the first does. A cursor this list did not write opens the first page, so
    that a shared link never breaks."""
    try:
        return keyset.paginate(queryset, size=size, cursor=request.GET.get(CURSOR_PARAMETER))
    except keyset.InvalidCursor:
        return keyset.paginate(queryset, size=size, cursor=None)
