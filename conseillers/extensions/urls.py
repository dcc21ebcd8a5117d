"""URLs of the extension pages, included from conseillers/urls.py under "prolongations/" in the
"conseillers" namespace (no app_name of their own)."""

from django.urls import path

from conseillers.extensions import views

urlpatterns = [
    path("", views.extension_list, name="extension-list"),
    path("demander/<int:match_pk>/", views.extension_request, name="extension-request"),
    path("<int:pk>/", views.extension_detail, name="extension-detail"),
    path("<int:pk>/<slug:action>/", views.extension_action, name="extension-action"),
]
