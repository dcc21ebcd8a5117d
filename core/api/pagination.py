from django.core.paginator import InvalidPage
from rest_framework import exceptions
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import replace_query_param

from core import keyset
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


class KeysetPagination(BasePagination):
    """Pages of the lists that grow with the programme (`core.keyset`): `curseur`, the opaque
    token of the `next` or `previous` link of a response, and `taille` from 1 to 500. The list
    follows the view's ordering; no total is counted, so every page costs the same."""

    page_query_param = "curseur"
    page_size_query_param = "taille"
    max_page_size = 500
    page_size: int = api_settings.PAGE_SIZE or 50

    def paginate_queryset(self, queryset, request: Request, view=None):
        self.request = request
        size = _positive(request, self.page_size_query_param, self.max_page_size) or self.page_size
        try:
            self.page = keyset.paginate(
                queryset, size=size, cursor=request.query_params.get(self.page_query_param)
            )
        except keyset.InvalidCursor as exc:
            raise exceptions.ValidationError(
                {
                    self.page_query_param: [
                        "Ce curseur n'est pas valide : reprenez la liste au début ou suivez les "
                        "liens « next » et « previous » d'une réponse."
                    ]
                }
            ) from exc
        return self.page.object_list

    def _link(self, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        return replace_query_param(self.request.build_absolute_uri(), self.page_query_param, cursor)

    def get_paginated_response(self, data) -> Response:
        return Response(
            {
                "next": self._link(self.page.next_cursor),
                "previous": self._link(self.page.previous_cursor),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict) -> dict:
        link = {"type": "string", "format": "uri", "nullable": True}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {**link, "description": "La page suivante ; null à la fin de la liste."},
                "previous": {**link, "description": "La page précédente ; null au début."},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "Curseur de la page : celui des liens next et previous d'une "
                "réponse (absent : la première page).",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": "Nombre de résultats par page.",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
