"""URLs of the amendment pages, included from conseillers/urls.py under "avenants/" in the
"conseillers" namespace (no app_name of their own)."""

from django.urls import path

from conseillers.amendments import views

urlpatterns = [
    path("", views.amendment_list, name="amendment-list"),
    path("nouvelle/", views.amendment_create, name="amendment-create"),
    path("<int:pk>/", views.amendment_detail, name="amendment-detail"),
    path("<int:pk>/<slug:action>/", views.amendment_action, name="amendment-action"),
]
