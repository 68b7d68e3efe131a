from django.urls import path

from bangfu.offline.views import LogoutView
from bangfu.web import views
from bangfu.web.config_sources import config_revert_view

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/code/", views.login_totp, name="login_totp"),
    path("logout/", LogoutView.as_view(), name="logout"),  # also forgets the phone's offline copy (我的村)
    path("audit/", views.audit_log, name="audit_log"),
    path("exports/<slug:key>/", views.list_export_view, name="list_export"),
    path("settings/revert/<slug:kind>/", config_revert_view, name="config_revert"),
    path("healthz", views.healthz, name="healthz"),
]
