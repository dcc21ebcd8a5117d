"""Query parameters the API does not know are refused, naming those it knows: a misspelt filter
silently ignored would return every row as if it had been applied."""

from collections.abc import Iterable

from django import forms
from django.db import models
from django.db.models import QuerySet
from django_filters import rest_framework as filters
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions
from rest_framework.filters import BaseFilterBackend, OrderingFilter
from rest_framework.request import Request
from rest_framework.views import APIView


class KnownQueryParameters(BaseFilterBackend):
    """Refuses (400) a query parameter that is neither a filter, the ordering, the pagination,
    nor one of the view's own `query_parameters` (those its schema declares by hand)."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view: APIView) -> QuerySet:
        check_query_parameters(request, known_query_parameters(view, queryset))
        return queryset


def check_query_parameters(request: Request, known: Iterable[str]) -> None:
    known = sorted(set(known))
    unknown = sorted(set(request.query_params) - set(known))
    if not unknown:
        return
    hint = "Paramètres possibles : " + ", ".join(known) + "." if known else "Aucun paramètre."
    message = f"Paramètre inconnu. {hint}"
    raise exceptions.ValidationError({name.replace("\x00", ""): [message] for name in unknown})


def known_query_parameters(view: APIView, queryset: QuerySet | None = None) -> set[str]:
    known = set(getattr(view, "query_parameters", ()))
    for backend_class in getattr(view, "filter_backends", ()):
        backend = backend_class()
        if isinstance(backend, DjangoFilterBackend) and queryset is not None:
            filterset_class = backend.get_filterset_class(view, queryset)
            known |= set(filterset_class.base_filters) if filterset_class else set()
        elif isinstance(backend, OrderingFilter):
            known.add(backend.ordering_param)
    paginator = getattr(view, "paginator", None)
    if paginator is not None:
        known |= {paginator.page_query_param, paginator.page_size_query_param} - {None}
    return known


class StrictBooleanField(forms.NullBooleanField):
    """`true` or `false` (as the schema says a boolean is written), anything else refused: the
    stock field reads an unknown word as "no filter" and returns every row."""

    def to_python(self, value):
        if value in (None, ""):
            return None
        word = str(value).lower()
        if word not in ("true", "false"):
            raise forms.ValidationError(
                "« %(value)s » n'est pas un booléen : indiquez true ou false.",
                code="invalid",
                params={"value": value},
            )
        return word == "true"

    def validate(self, value) -> None:
        pass


class BooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs) -> None:
        # The stock widget turns an unknown word into None before the field can refuse it.
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(*args, **kwargs)


class FilterSet(filters.FilterSet):
    """The API's filter sets: boolean fields of the model filtered strictly, and a value outside
    a filter's choices refused with the list of those allowed."""

    FILTER_DEFAULTS = {
        **filters.FilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": BooleanFilter},
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for filter_ in self.filters.values():
            if isinstance(filter_, filters.ChoiceFilter) and "error_messages" not in filter_.extra:
                allowed = ", ".join(str(value) for value, _ in filter_.extra.get("choices", ()))
                filter_.extra["error_messages"] = {
                    "invalid_choice": f"« %(value)s » n'est pas une valeur permise. Valeurs "
                    f"possibles : {allowed}."
                }
                # A form field built earlier (the schema reads the class's filters) would keep
                # the stock message: it is built again from the new arguments.
                filter_.__dict__.pop("_field", None)

    def is_valid(self) -> bool:
        """A parameter present but empty (`?etat=`) is refused, not read as "no filter": the
        caller meant to filter, and every row would come back as if it had."""
        valid = super().is_valid()
        blank = [name for name in self.filters if self.data.get(name, None) == ""]
        for name in blank:
            self.form.add_error(name, "Indiquez une valeur, ou retirez le paramètre.")
        return valid and not blank


class IdFilter(filters.NumberFilter):
    """An object named by its identifier: a whole number, anything else refused (400). An
    identifier outside the person's scope, or unknown, lists nothing: the API never tells which
    objects exist beyond what one may see."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault(
            "error_messages", {"invalid": "Indiquez un identifiant : un nombre entier."}
        )
        super().__init__(*args, **kwargs)


class ReferentialCodeField(forms.CharField):
    """A code of the referential (a région, a département), refused (400) when unknown, naming
    where the codes are listed."""

    model_name = ""
    noun = ""
    listed_at = ""

    def clean(self, value):
        from django.apps import apps

        # After the stock checks, a NUL character among them: never sent to the database.
        value = super().clean(value)
        model = apps.get_model("core", self.model_name)
        if value and not model.objects.filter(code=value).exists():
            # Through params: django-filter formats every message with them (a % in the value).
            raise forms.ValidationError(
                f"« %(value)s » n'est pas un code de {self.noun} connu : les codes possibles sont "
                f"listés sous {self.listed_at}.",
                code="invalid_choice",
                params={"value": value},
            )
        return value


class DepartementCodeField(ReferentialCodeField):
    model_name, noun, listed_at = "Departement", "département", "/api/departements/"


class RegionCodeField(ReferentialCodeField):
    model_name, noun, listed_at = "Region", "région", "/api/regions/"


class DepartementFilter(filters.CharFilter):
    """A département by its INSEE code (37, 2A, 971)."""

    field_class = DepartementCodeField


class RegionFilter(filters.CharFilter):
    """A région by its INSEE code (24, 84…)."""

    field_class = RegionCodeField


def state_filter(
    choices: list[tuple[str, str]], label: str, field_name: str = "state"
) -> filters.ChoiceFilter:
    """A filter on the state whose refusal names the states that exist: an unknown one is an
    error (400), never a filter silently dropped."""
    allowed = ", ".join(value for value, _ in choices)
    return filters.ChoiceFilter(
        field_name=field_name,
        choices=choices,
        label=f"{label} : {allowed}",
        error_messages={
            "invalid_choice": f"« %(value)s » n'est pas un état connu. États possibles : {allowed}."
        },
    )
