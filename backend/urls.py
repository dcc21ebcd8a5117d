from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from core.api.errors import api_not_found
from core.views import healthz

admin.site.site_header = "Inclusion numérique — administration"
admin.site.site_title = "Inclusion numérique"
admin.site.index_title = "Administration"

urlpatterns = [
    path("", include("core.urls")),
    path("conseillers/", include("conseillers.urls")),
    path("aidants-connect/", include("mandats.urls")),
    path("lieux/", include("lieux.urls")),
    path("", include("idp.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/", include(("core.api.urls", "api"))),
    path("api/conseillers/", include(("conseillers.api.urls", "api-conseillers"))),
    path("api/aidants-connect/", include(("mandats.api.urls", "api-aidants-connect"))),
    path("api/lieux/", include(("lieux.api_urls", "api-lieux"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    # Last of the API: whatever no endpoint matched answers the API's JSON 404.
    re_path(r"^api/", api_not_found),
]

# The product's own pages, in French; JSON under /api/ (core/error_pages.py). An unreachable
# database raised outside a view reaches handler500 and still answers 503 (core/database_outage.py).
handler400 = "core.error_pages.bad_request"
handler403 = "core.error_pages.permission_denied"
handler404 = "core.error_pages.page_not_found"
handler500 = "core.error_pages.server_error"

if settings.FRANCECONNECT_MOCK_ENABLED:
    urlpatterns.append(path("mock-franceconnect/", include("franceconnect_mock.urls")))
