"""Included from conseillers/activity/urls.py, in the "conseillers" namespace."""

from django.urls import path

from . import views

urlpatterns = [path("statistiques/", views.stats_page, name="activity-stats")]
