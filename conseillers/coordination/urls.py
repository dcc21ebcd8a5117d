from django.urls import path

from . import views

urlpatterns = [
    path("", views.coordination_list, name="coordination-list"),
    path("<int:pk>/", views.coordination_detail, name="coordination-detail"),
    path("<int:pk>/rattacher/", views.coordination_attach, name="coordination-attach"),
    path("<int:pk>/detacher/<int:row>/", views.coordination_detach, name="coordination-detach"),
]
