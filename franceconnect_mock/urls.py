app_name = "franceconnect_mock"

urlpatterns: list = []
