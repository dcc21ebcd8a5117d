"""The site's URLs plus views that fail on purpose, for the error pages' tests only. The handlers
are the site's own (backend.urls), re-exported: Django reads them from the root URLconf."""

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.urls import path

from backend.urls import handler400 as handler400
from backend.urls import handler403 as handler403
from backend.urls import handler404 as handler404
from backend.urls import handler500 as handler500
from backend.urls import urlpatterns as site_urlpatterns


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("panne simulée")


def refused(request: HttpRequest) -> HttpResponse:
    raise BadRequest("paramètre incompréhensible")


urlpatterns = [
    path("erreur-simulee/500/", broken),
    path("erreur-simulee/400/", refused),
    path("api/erreur-simulee/500/", broken),
    *site_urlpatterns,
]
