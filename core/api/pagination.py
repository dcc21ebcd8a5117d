from django.core.paginator import InvalidPage
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.settings import api_settings

from core.plurals import count_fr


class Pagination(PageNumberPagination):
    """`page` from 1 and `taille` from 1 to 500, both checked: a malformed value is refused (400)
    rather than replaced by the default, and a page past the last is not found (404)."""

    page_size_query_param = "taille"
    page_query_param = "page"
    max_page_size = 500
    page_size: int = api_settings.PAGE_SIZE or 50

    def paginate_queryset(self, queryset, request: Request, view=None):
        self.request = request
        page_size = self.get_page_size(request)
        if not page_size:
            return None  # as DRF: without a page size, the list is not paginated
        paginator = self.django_paginator_class(queryset, page_size)
        number = _positive(request, self.page_query_param, None)
        try:
            self.page = paginator.page(number or 1)
        except InvalidPage as exc:
            raise exceptions.NotFound(
                "Cette page n'existe pas : la liste compte "
                f"{count_fr(paginator.num_pages, 'page')}."
            ) from exc
        return list(self.page)

    def get_page_size(self, request: Request) -> int | None:
        size = _positive(request, self.page_size_query_param, self.max_page_size)
        return size or self.page_size

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.page_query_param: {"minimum": 1},
            self.page_size_query_param: {"minimum": 1, "maximum": self.max_page_size},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters


def _positive(request: Request, name: str, maximum: int | None) -> int | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        raise exceptions.ValidationError({name: ["Indiquez un nombre entier à partir de 1."]})
    if maximum is not None and int(raw) > maximum:
        raise exceptions.ValidationError({name: [f"Indiquez un nombre entier de 1 à {maximum}."]})
    return int(raw)
