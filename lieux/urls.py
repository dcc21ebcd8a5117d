from django.urls import path

from lieux import views

app_name = "lieux"

urlpatterns = [
    path("", views.public_map, name="map"),
    path("<int:pk>/", views.detail, name="detail"),
    path("structure/<int:structure_pk>/", views.structure_lieux, name="structure-lieux"),
    path("structure/<int:structure_pk>/nouveau/", views.edit, name="create"),
    path("structure/<int:structure_pk>/<int:pk>/modifier/", views.edit, name="edit"),
    path("structure/<int:structure_pk>/<int:pk>/retirer/", views.remove, name="remove"),
]
