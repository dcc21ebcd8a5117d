app_name = "conseillers"

urlpatterns: list = []
