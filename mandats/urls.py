app_name = "mandats"

urlpatterns: list = []
