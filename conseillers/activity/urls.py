"""URLs of the activity pages, included from conseillers/urls.py under "activite/" in the
"conseillers" namespace (no app_name of their own)."""

from django.urls import include, path

from conseillers.activity import views

urlpatterns = [
    path("", views.activity_home, name="activity"),
    path("<int:pk>/modifier/", views.activity_edit, name="activity-edit"),
    path("<int:pk>/supprimer/", views.activity_delete, name="activity-delete"),
    path("import/", views.activity_import, name="activity-import"),
    path("import/modele.csv", views.activity_template, name="activity-template"),
    path("absences/", views.exemptions, name="activity-exemptions"),
    path("absences/<int:pk>/supprimer/", views.exemption_delete, name="activity-exemption-delete"),
    path("", include("conseillers.activity.stats.urls")),
]
