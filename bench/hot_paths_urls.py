"""The product's URLs and, for the benchmark only, the bare JSON view."""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from backend.urls import urlpatterns as product


def bare(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


urlpatterns = [path("banc-d-essai/nu/", bare), *product]
